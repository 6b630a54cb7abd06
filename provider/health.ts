// Backend health checks, run from where the provider runs: a TCP connect, or an HTTP GET that
// must answer 2xx/3xx. A backend is probed only at the address the fabric description gives for
// it (`servers.<name>.probe`): the provider is rarely inside the VPC, so without a probe address
// the honest answer is "unknown", never a guess and never traffic to an address it cannot reach.
import net from "node:net";
import http from "node:http";

export type Health = { health: "healthy" | "unhealthy" | "unknown"; reason?: string };

export interface Probe {
  address: string;
  port: number;
  protocol: "tcp" | "http";
  path?: string;
  timeoutMs?: number;
}

function tcp(p: Probe, timeoutMs: number): Promise<Health> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: p.address, port: p.port });
    const done = (h: Health) => {
      socket.destroy();
      resolve(h);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ health: "unknown", reason: `no answer from ${p.address}:${p.port} within ${timeoutMs} ms` }),
    );
    socket.once("connect", () => done({ health: "healthy" }));
    socket.once("error", (e: NodeJS.ErrnoException) =>
      done(
        e.code === "ECONNREFUSED" || e.code === "ECONNRESET"
          ? { health: "unhealthy", reason: `${p.address}:${p.port} refused the connection` }
          : {
              health: "unknown",
              reason: `${p.address}:${p.port} cannot be reached from the provider (${e.code ?? e.message})`,
            },
      ),
    );
  });
}

function httpGet(p: Probe, timeoutMs: number): Promise<Health> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: p.address, port: p.port, path: p.path ?? "/", timeout: timeoutMs, agent: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(
          code >= 200 && code < 400
            ? { health: "healthy" }
            : { health: "unhealthy", reason: `GET ${p.path ?? "/"} answered ${code}` },
        );
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve({ health: "unknown", reason: `no answer from ${p.address}:${p.port} within ${timeoutMs} ms` });
    });
    req.on("error", (e: NodeJS.ErrnoException) =>
      resolve(
        e.code === "ECONNREFUSED"
          ? { health: "unhealthy", reason: `${p.address}:${p.port} refused the connection` }
          : {
              health: "unknown",
              reason: `${p.address}:${p.port} cannot be reached from the provider (${e.code ?? e.message})`,
            },
      ),
    );
  });
}

export function probe(p: Probe): Promise<Health> {
  const timeoutMs = p.timeoutMs ?? 2000;
  return p.protocol === "http" ? httpGet(p, timeoutMs) : tcp(p, timeoutMs);
}
