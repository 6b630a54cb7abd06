// Backend health checks against real listeners on loopback: TCP connect, HTTP status, refusal and
// silence, each reported as the load balancer reports it.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { probe } from "../../provider/health";

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

describe("health probes", () => {
  const servers: net.Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  const start = async (s: net.Server) => (servers.push(s), listen(s));

  it("TCP: a listener is healthy; a closed port is unhealthy, refused", async () => {
    const port = await start(net.createServer((c) => c.end()));
    assert.deepEqual(await probe({ address: "127.0.0.1", port, protocol: "tcp" }), { health: "healthy" });
    const closed = await start(net.createServer());
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 50));
    const h = await probe({ address: "127.0.0.1", port: closed, protocol: "tcp" });
    assert.equal(h.health, "unhealthy");
    assert.match(h.reason ?? "", /refused/);
  });

  it("HTTP: 2xx is healthy, 5xx unhealthy with the status, silence unknown", async () => {
    const port = await start(
      http.createServer((req, res) => {
        res.statusCode = req.url === "/healthz" ? 200 : 503;
        res.end();
      }),
    );
    assert.equal(
      (await probe({ address: "127.0.0.1", port, protocol: "http", path: "/healthz" })).health,
      "healthy",
    );
    const sick = await probe({ address: "127.0.0.1", port, protocol: "http", path: "/ready" });
    assert.deepEqual(sick, { health: "unhealthy", reason: "GET /ready answered 503" });
    // Accepts the connection, never answers: the provider cannot tell, so it says so.
    const mute = await start(net.createServer(() => undefined));
    const h = await probe({ address: "127.0.0.1", port: mute, protocol: "http", timeoutMs: 200 });
    assert.equal(h.health, "unknown");
    assert.match(h.reason ?? "", /no answer .* within 200 ms/);
  });
});
