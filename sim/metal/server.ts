// The HTTP front of the simulator: logging, latency, fault injection, auth, routing, replies.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FaultInjector, type Fault } from "./faults";
import {
  API_BASE,
  ApiError,
  notFound,
  parseInclude,
  Router,
  unprocessable,
  type Reply,
  type ResolvedKnobs,
} from "./http";
import { checkInventory } from "./inventory";
import { registerBgpRoutes } from "./routes/bgp";
import { registerConnectionRoutes } from "./routes/connections";
import { registerDeviceRoutes } from "./routes/devices";
import { registerGatewayRoutes } from "./routes/gateways";
import { registerIpRoutes } from "./routes/ips";
import { registerPortRoutes } from "./routes/ports";
import { registerVlanRoutes } from "./routes/vlans";
import { registerVrfRoutes } from "./routes/vrfs";
import { MetalStore } from "./state";
import type { MetalSimKnobs, MetalSimState, MetalSimulator, RequestLogEntry, StartOptions } from "./types";

const REDACTED = "[REDACTED]";
const SECRET_HEADERS = new Set(["x-auth-token", "x-consumer-token", "authorization"]);
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

function resolveKnobs(k: MetalSimKnobs = {}, base?: ResolvedKnobs): ResolvedKnobs {
  return {
    latencyMs: k.latencyMs ?? base?.latencyMs ?? 0,
    rate429: k.rate429 ?? base?.rate429 ?? 0,
    rate5xx: k.rate5xx ?? base?.rate5xx ?? 0,
    gatewayActivateMs: k.gatewayActivateMs ?? base?.gatewayActivateMs ?? 200,
    gatewayDeleteMs: k.gatewayDeleteMs ?? base?.gatewayDeleteMs ?? 200,
    batchStepMs: k.batchStepMs ?? base?.batchStepMs ?? 100,
    vcActivateMs: k.vcActivateMs ?? base?.vcActivateMs ?? 200,
    vcDeleteMs: k.vcDeleteMs ?? base?.vcDeleteMs ?? 200,
    vcActivationFails: k.vcActivationFails ?? base?.vcActivationFails ?? false,
    quotas: {
      vlans: k.quotas?.vlans ?? base?.quotas.vlans ?? 5,
      vrfs: k.quotas?.vrfs ?? base?.quotas.vrfs ?? 8,
    },
  };
}

function buildRouter(): Router {
  const router = new Router();
  registerVrfRoutes(router);
  registerIpRoutes(router);
  registerVlanRoutes(router);
  registerGatewayRoutes(router);
  registerPortRoutes(router);
  registerDeviceRoutes(router);
  registerBgpRoutes(router);
  registerConnectionRoutes(router);
  return router;
}

export async function startMetalSimulator(opts: StartOptions): Promise<MetalSimulator> {
  const store = new MetalStore(checkInventory(opts.inventory), opts.stateFile);
  store.save();
  let knobs = resolveKnobs(opts.knobs);
  const faults = new FaultInjector(opts.knobs?.seed ?? 1);
  faults.arm(opts.knobs?.faults ?? []);
  const router = buildRouter();
  const requests: RequestLogEntry[] = [];
  const tokenDigest = digest(opts.token);
  let seq = 0;

  // Nothing the simulator records may contain the token, wherever a client happened to put it.
  const scrub = (text: string): string =>
    opts.token.length >= 4 ? text.split(opts.token).join(REDACTED) : text;
  const scrubDeep = (value: unknown): unknown =>
    value === undefined ? undefined : (JSON.parse(scrub(JSON.stringify(value))) as unknown);

  function dispatch(
    method: string,
    apiPath: string,
    url: URL,
    raw: string,
    headers: IncomingMessage["headers"],
  ) {
    const now = Date.now();
    store.tick(now);
    try {
      const given = headers["x-auth-token"];
      if (typeof given !== "string" || !timingSafeEqual(digest(given), tokenDigest)) {
        throw new ApiError(401, "Invalid authentication token");
      }
      if (!url.pathname.startsWith(`${API_BASE}/`)) throw notFound(`No API at ${url.pathname}`);
      const match = router.match(method, apiPath);
      if (match.kind === "not-found") throw notFound(`Not found: ${method} ${apiPath}`);
      if (match.kind === "method-not-allowed") {
        return {
          status: 405,
          body: { errors: [`Method ${method} not allowed on ${apiPath}`] },
          headers: { allow: match.allowed.join(", ") },
        };
      }
      let body: Record<string, unknown> = {};
      if (BODY_METHODS.has(method) && raw.trim() !== "") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw unprocessable("Request body is not valid JSON");
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw unprocessable("Request body must be a JSON object");
        }
        body = parsed as Record<string, unknown>;
      }
      return match.handler({
        store,
        params: match.params,
        query: url.searchParams,
        body,
        inc: parseInclude(url.searchParams),
        now,
        knobs,
      });
    } catch (e) {
      if (e instanceof ApiError) return { status: e.status, body: { errors: [scrub(e.message)] } };
      console.error("metal simulator: handler failed", e);
      return { status: 500, body: { errors: [`Internal simulator error: ${scrub(String(e))}`] } };
    }
  }

  function faultReply(fault: Extract<Fault, { kind: "status" }>): Reply {
    if (fault.status === 429) {
      return {
        status: 429,
        body: { errors: ["Too many requests, please slow down"] },
        headers: {
          "retry-after": "1",
          "x-ratelimit-limit": "100",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.ceil(Date.now() / 1000) + 1),
        },
      };
    }
    const messages = { 500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable" };
    return { status: fault.status, body: { errors: [messages[fault.status]] } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://simulator");
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const apiPath = path.startsWith(`${API_BASE}/`) ? path.slice(API_BASE.length) : path;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return; // the client went away mid-request
    }
    const entry: RequestLogEntry = {
      seq: ++seq,
      method,
      path: scrub(path),
      apiPath: scrub(apiPath),
      query: logQuery(url.searchParams, scrub),
      requestHeaders: logHeaders(req.headers, scrub),
      requestBody: scrubDeep(tryJson(raw)),
      status: 0,
      responseBody: undefined,
      responseHeaders: {},
      requestId,
    };
    requests.push(entry);
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);

    const fault = faults.decide(method, apiPath, knobs.rate429, knobs.rate5xx);
    if (fault?.kind === "drop") {
      entry.injected = "drop";
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    if (fault?.kind === "status") {
      entry.injected = fault.injected;
      reply = faultReply(fault);
    } else {
      reply = dispatch(method, apiPath, url, raw, req.headers);
    }
    // Persist before anything reaches the client: a crash after this point still left the commit.
    store.save();
    if (fault?.kind === "drop-after-commit") {
      entry.injected = "drop-after-commit";
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = { "x-request-id": requestId };
    for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
    const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
    if (reply.body !== undefined) headers["content-type"] = "application/json; charset=utf-8";
    headers["content-length"] = String(Buffer.byteLength(payload));
    entry.status = reply.status;
    entry.responseBody = reply.body === undefined ? undefined : (JSON.parse(scrub(payload)) as unknown);
    entry.responseHeaders = { ...headers };
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      console.error("metal simulator: request failed", e);
      req.socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token: opts.token,
    requests,
    setKnobs(k: Partial<MetalSimKnobs>): void {
      knobs = resolveKnobs(k, knobs);
      if (k.faults !== undefined) faults.arm(k.faults);
      if (k.seed !== undefined) faults.reseed(k.seed);
    },
    snapshot(): MetalSimState {
      store.tick(Date.now());
      store.save();
      return store.snapshot();
    },
    close(): Promise<void> {
      store.save();
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function tryJson(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function logQuery(params: URLSearchParams, scrub: (s: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of new Set(params.keys())) out[scrub(key)] = scrub(params.getAll(key).join(","));
  return out;
}

function logHeaders(
  headers: IncomingMessage["headers"],
  scrub: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    out[lower] = SECRET_HEADERS.has(lower)
      ? REDACTED
      : scrub(Array.isArray(value) ? value.join(", ") : value);
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
