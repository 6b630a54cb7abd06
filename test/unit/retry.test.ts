// The retry policy: server-requested waits, jittered backoff, and which failures are retried for
// which methods (a POST is retried only when the server proves it did nothing).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "../../provider/errors";
import { MetalClient } from "../../provider/drivers/metal/client";
import { backoffMs, defaultRetryPolicy, serverRequestedWaitMs } from "../../provider/drivers/retry";

describe("retry policy", () => {
  it("reads Retry-After (seconds or date) and X-RateLimit-Reset", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(serverRequestedWaitMs({ "retry-after": "2" }, now), 2000);
    assert.equal(serverRequestedWaitMs({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now), 3000);
    assert.equal(serverRequestedWaitMs({ "x-ratelimit-reset": String(now / 1000 + 5) }, now), 5000);
    assert.equal(serverRequestedWaitMs({}, now), undefined);
  });

  it("backs off exponentially with full jitter, capped", () => {
    const p = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(
      backoffMs(p, 0, () => 1),
      100,
    );
    assert.equal(
      backoffMs(p, 3, () => 1),
      800,
    );
    assert.equal(
      backoffMs(p, 10, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(p, 10, () => 0),
      0,
    );
  });
});

describe("MetalClient retries", () => {
  let server: Server;
  let base: string;
  let script: { status: number; headers?: Record<string, string> }[] = [];
  let hits: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, {
        "content-type": "application/json",
        "x-request-id": "req-1",
        ...next.headers,
      });
      res.end(JSON.stringify(next.status < 400 ? { id: "x" } : { errors: [`status ${next.status}`] }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metal/v1`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    hits = [];
  });

  const client = () =>
    new MetalClient({
      baseUrl: base,
      token: "t0ken",
      retry: { ...defaultRetryPolicy, baseDelayMs: 1, maxDelayMs: 5 },
    });

  it("retries a GET through 5xx and 429, honouring Retry-After", async () => {
    script = [{ status: 503 }, { status: 429, headers: { "retry-after": "0" } }, { status: 200 }];
    assert.deepEqual(await client().getVrf("v1"), { id: "x" });
    assert.equal(hits.length, 3);
  });

  it("retries a POST after a 429 (nothing was done) but not after a 500, which is reported as ambiguous", async () => {
    script = [{ status: 429, headers: { "retry-after": "0" } }, { status: 201 }];
    await client().createVlan("p1", { metro: "da", vxlan: 5 });
    assert.equal(hits.length, 2);
    hits = [];
    script = [{ status: 500 }];
    await assert.rejects(
      client().createVlan("p1", { metro: "da", vxlan: 5 }),
      (e: unknown) => e instanceof ApiError && e.ambiguous && e.status === 500,
    );
    assert.equal(hits.length, 1);
  });

  it("gives up after the policy's limit and does not retry a 422", async () => {
    script = [{ status: 422 }];
    await assert.rejects(
      client().getVrf("v1"),
      (e: unknown) => e instanceof ApiError && e.status === 422 && !e.ambiguous,
    );
    assert.equal(hits.length, 1);
    hits = [];
    script = Array.from({ length: 20 }, () => ({ status: 502 }));
    await assert.rejects(client().getVrf("v1"), (e: unknown) => e instanceof ApiError && e.status === 502);
    assert.equal(hits.length, defaultRetryPolicy.limit + 1);
    script = [];
  });

  it("marks a dropped connection on a POST as ambiguous", async () => {
    const dead = new MetalClient({
      baseUrl: "http://127.0.0.1:9/metal/v1",
      token: "t0ken",
      retry: { ...defaultRetryPolicy, limit: 0 },
    });
    await assert.rejects(
      dead.createVlan("p1", { metro: "da" }),
      (e: unknown) => e instanceof ApiError && e.ambiguous && e.status === 0 && !e.message.includes("t0ken"),
    );
  });
});

describe("Metal token", () => {
  it("comes from the site, else from METAL_AUTH_TOKEN, else a clear error", async () => {
    const { metalToken } = await import("../../provider/drivers/metal/client");
    assert.equal(metalToken("site-token", { METAL_AUTH_TOKEN: "env-token" }), "site-token");
    assert.equal(metalToken(undefined, { METAL_AUTH_TOKEN: "env-token" }), "env-token");
    assert.throws(() => metalToken(undefined, {}), /METAL_AUTH_TOKEN/);
  });
});
