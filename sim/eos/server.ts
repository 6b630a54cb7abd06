// The Arista EOS eAPI simulator: one HTTP server on 127.0.0.1 that hosts many switches, each at
// `/<switch>/command-api` (plain HTTP, like the NVUE simulator). Per switch it keeps the
// running-config, the pending configuration sessions and a commit counter. Every request is
// logged with the Authorization header, the password and `enable` inputs redacted.

import { seededRandom } from "../seeded-random";
import { runCommands, type CommandInput, type OutputFormat, type SwitchState } from "./run-cmds";
import { baselineConfig, copyConfig, type EosSwitchSpec, type RunningConfig } from "./model";
import { renderRunningConfig } from "./render";
import { createHash, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface EosFaultRule {
  switch?: string;
  /**
   * Regex source. For HTTP faults: the rule fires only on requests with a command matching it.
   * For "commit-fail": the commit fails when a line entered in the session matches it.
   */
  command?: string;
  /**
   * "500"/"503": answer with that status without doing anything. "drop": close the connection
   * without doing anything. "drop-after": run the commands, then close the connection instead of
   * answering (the client cannot tell whether its commit happened). "commit-fail": the next commit
   * whose session holds a matching line is refused (1002) and changes nothing.
   */
  mode: "500" | "503" | "drop" | "drop-after" | "commit-fail";
  times: number;
}

export interface EosSimKnobs {
  /** Delay before every answer. */
  latencyMs?: number;
  /** Probability (0..1) that a request gets a 503 without being processed. */
  rate5xx?: number;
  /** Seed of the generator behind rate5xx. */
  seed?: number;
  faults?: EosFaultRule[];
  /** Pending sessions a switch keeps before refusing new ones (EOS has such a limit; 5 is unverified). */
  maxPendingSessions?: number;
}

export interface EosRequestLogEntry {
  seq: number;
  switch: string;
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
  injected?: "5xx" | "drop" | "commit-fail";
}

export interface StartEosSimulatorOptions extends EosSimKnobs {
  switches: EosSwitchSpec[];
  username: string;
  password: string;
  stateFile?: string;
  port?: number;
}

export interface EosSimulator {
  url: string;
  /** `${url}/<switch>`; the eAPI endpoint is `${urlOf(sw)}/command-api`. */
  urlOf(switchName: string): string;
  log: EosRequestLogEntry[];
  /** `show running-config` text of the committed config. */
  runningConfig(switchName: string): string;
  /** The committed config, structured (a copy). */
  config(switchName: string): RunningConfig;
  /** Successful commits so far. */
  commits(switchName: string): number;
  /** Names of the sessions neither committed nor aborted. */
  pendingSessions(switchName: string): string[];
  setKnobs(knobs: Partial<EosSimKnobs>): void;
  close(): Promise<void>;
}

interface PersistedState {
  version: 1;
  switches: Record<string, { running: RunningConfig; commits: number; sessions: SwitchState["sessions"] }>;
}

const MAX_BODY = 10 * 1024 * 1024;
const DEFAULT_MAX_PENDING_SESSIONS = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** A JSON-RPC 2.0 error object; the simulator sends these with HTTP 400. */
function rpcError(id: unknown, code: number, message: string): HttpFailure {
  return new HttpFailure(400, { jsonrpc: "2.0", id: id ?? null, error: { code, message } });
}

function isCommand(c: unknown): c is CommandInput {
  if (typeof c === "string") return true;
  if (typeof c !== "object" || c === null) return false;
  const o = c as Record<string, unknown>;
  return typeof o["cmd"] === "string" && (o["input"] === undefined || typeof o["input"] === "string");
}

/** The commands of a request body, as far as they can be read (fault rules match on these). */
function commandsOf(body: unknown): CommandInput[] {
  const cmds = (body as { params?: { cmds?: unknown } } | null)?.params?.cmds;
  return Array.isArray(cmds) ? cmds.filter(isCommand) : [];
}

interface RunCmdsRequest {
  id: unknown;
  cmds: CommandInput[];
  format: OutputFormat;
}

/** Check the JSON-RPC envelope and the runCmds params (pyeapi's request shape). */
function parseRunCmds(body: unknown): RunCmdsRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw rpcError(null, -32600, "Invalid request: expected a JSON-RPC object");
  const req = body as Record<string, unknown>;
  const id = req["id"];
  if (req["jsonrpc"] !== "2.0") throw rpcError(id, -32600, "Expected field 'jsonrpc' with value '2.0'");
  if (req["method"] !== "runCmds") throw rpcError(id, -32601, `Method not found: ${String(req["method"])}`);
  const params = req["params"];
  if (typeof params !== "object" || params === null || Array.isArray(params))
    throw rpcError(id, -32602, "Invalid params: expected an object with version and cmds");
  const p = params as Record<string, unknown>;
  if (p["version"] !== 1 && p["version"] !== "latest")
    throw rpcError(id, -32602, 'Invalid params: version must be 1 or "latest"');
  const format = p["format"] ?? "json";
  if (format !== "json" && format !== "text")
    throw rpcError(id, -32602, 'Invalid params: format must be "json" or "text"');
  const cmds = p["cmds"];
  if (!Array.isArray(cmds) || cmds.length === 0 || !cmds.every(isCommand))
    throw rpcError(id, -32602, "Invalid params: cmds must be a non-empty list of strings or {cmd, input}");
  return { id, cmds, format };
}

export async function startEosSimulator(opts: StartEosSimulatorOptions): Promise<EosSimulator> {
  const { username, password } = opts;
  const expectedAuth = digest(`${username}:${password}`);
  // Fault rules are copied (their `times` count down here, not in the caller's objects) and their
  // patterns compiled up front, so a bad pattern fails the caller, not a request.
  const copyFaults = (rules: EosFaultRule[]) =>
    rules.map((f) => {
      if (f.command !== undefined) new RegExp(f.command);
      return { ...f };
    });
  const knobs: EosSimKnobs = {
    latencyMs: opts.latencyMs,
    rate5xx: opts.rate5xx,
    seed: opts.seed,
    faults: copyFaults(opts.faults ?? []),
    maxPendingSessions: opts.maxPendingSessions,
  };
  let rand = seededRandom(knobs.seed ?? 1);
  const log: EosRequestLogEntry[] = [];
  let seq = 0;
  let closed = false;

  const switches = new Map<string, SwitchState>();
  for (const spec of opts.switches) {
    if (switches.has(spec.name)) throw new Error(`duplicate switch name ${spec.name}`);
    const copy = { ...spec, ports: [...spec.ports] };
    switches.set(spec.name, { spec: copy, running: baselineConfig(copy), commits: 0, sessions: {} });
  }

  /** Replace secrets in anything logged: the password anywhere, and every `enable` input. */
  const scrub = (v: unknown): unknown => {
    if (typeof v === "string") return password === "" ? v : v.split(password).join("[REDACTED]");
    if (Array.isArray(v)) return v.map(scrub);
    if (typeof v === "object" && v !== null)
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [scrub(k) as string, k === "input" ? "[REDACTED]" : scrub(x)]),
      );
    return v;
  };

  function persist(): void {
    if (!opts.stateFile) return;
    const state: PersistedState = { version: 1, switches: {} };
    for (const [name, sw] of switches)
      state.switches[name] = { running: sw.running, commits: sw.commits, sessions: sw.sessions };
    const tmp = `${opts.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    renameSync(tmp, opts.stateFile);
  }

  function load(file: string): void {
    const raw = JSON.parse(readFileSync(file, "utf8")) as PersistedState;
    if (raw.version !== 1) throw new Error(`unsupported EOS simulator state version in ${file}`);
    for (const [name, saved] of Object.entries(raw.switches)) {
      const sw = switches.get(name);
      if (!sw) continue;
      sw.running = saved.running;
      sw.commits = saved.commits;
      sw.sessions = saved.sessions;
    }
  }

  if (opts.stateFile && existsSync(opts.stateFile)) load(opts.stateFile);

  function pickFault(swName: string, cmds: CommandInput[]): EosFaultRule | undefined {
    for (const f of knobs.faults ?? []) {
      if (f.times <= 0 || f.mode === "commit-fail") continue;
      if (f.switch !== undefined && f.switch !== swName) continue;
      if (f.command !== undefined) {
        const re = new RegExp(f.command);
        if (!cmds.some((c) => re.test(typeof c === "string" ? c : c.cmd))) continue;
      }
      f.times--;
      return f;
    }
    return undefined;
  }

  function commitFault(swName: string, lines: string[]): string | undefined {
    for (const f of knobs.faults ?? []) {
      if (f.times <= 0 || f.mode !== "commit-fail") continue;
      if (f.switch !== undefined && f.switch !== swName) continue;
      if (f.command === undefined) {
        f.times--;
        return "Commit failed: injected fault";
      }
      const re = new RegExp(f.command);
      const line = lines.find((l) => re.test(l));
      if (line === undefined) continue;
      f.times--;
      return `Commit failed: injected fault on line '${line}'`;
    }
    return undefined;
  }

  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new HttpFailure(413, "Request body too large"));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks)));
      req.on("error", reject);
    });
  }

  function authorized(header: string | undefined): boolean {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
    if (!m?.[1]) return false;
    return timingSafeEqual(digest(Buffer.from(m[1], "base64").toString("utf8")), expectedAuth);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const mySeq = ++seq;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const segs = url.pathname.split("/").slice(1);
    let swName = "";
    const requestHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      requestHeaders[k] = /^(authorization|proxy-authorization|cookie)$/i.test(k)
        ? "[REDACTED]"
        : Array.isArray(v)
          ? v.join(", ")
          : v;
    }
    let requestBody: unknown = undefined;
    const record = (status: number, responseBody: unknown, injected?: EosRequestLogEntry["injected"]) => {
      const entry: EosRequestLogEntry = {
        seq: mySeq,
        switch: swName,
        method,
        path: url.pathname,
        requestHeaders: scrub(requestHeaders) as Record<string, string>,
        requestBody: scrub(requestBody),
        status,
        responseBody: scrub(responseBody),
      };
      if (injected) entry.injected = injected;
      log.push(entry);
    };
    const send = (
      status: number,
      body: unknown,
      extraHeaders: Record<string, string> = {},
      injected?: EosRequestLogEntry["injected"],
    ) => {
      record(status, body, injected);
      if (res.destroyed) return;
      const isJson = typeof body !== "string";
      res
        .writeHead(status, {
          "content-type": isJson ? "application/json" : "text/plain; charset=utf-8",
          ...extraHeaders,
        })
        .end(isJson ? JSON.stringify(body) : body);
    };
    const drop = () => {
      record(0, undefined, "drop");
      req.socket.destroy();
    };

    try {
      let bodyBuf: Buffer;
      try {
        bodyBuf = await readBody(req);
      } catch (e) {
        if (e instanceof HttpFailure) return send(e.status, e.body);
        return;
      }
      const text = bodyBuf.toString("utf8");
      let parsed: unknown = undefined;
      let parseError = false;
      try {
        parsed = text.trim() === "" ? undefined : JSON.parse(text);
      } catch {
        parseError = true;
      }
      requestBody = parseError ? text : parsed;

      // /<switch>/command-api
      try {
        swName = decodeURIComponent(segs[0] ?? "");
      } catch {
        return send(400, "Bad Request: the path is not valid URL encoding");
      }
      const sw = switches.get(swName);
      if (!sw || segs.length !== 2 || segs[1] !== "command-api") {
        if (!sw) swName = "";
        return send(404, "Not Found");
      }

      if (knobs.latencyMs) await sleep(knobs.latencyMs);
      if (closed) return drop();

      const fault = pickFault(swName, parseError ? [] : commandsOf(parsed));
      if (fault?.mode === "drop") return drop();
      if (fault?.mode === "500" || fault?.mode === "503")
        return send(
          Number(fault.mode),
          fault.mode === "500" ? "Internal Server Error" : "Service Unavailable",
          {},
          "5xx",
        );
      if (!fault && knobs.rate5xx && rand() < knobs.rate5xx)
        return send(503, "Service Unavailable", {}, "5xx");

      if (!authorized(req.headers.authorization))
        return send(401, "Unable to authenticate: invalid or missing credentials", {
          "www-authenticate": 'Basic realm="eAPI"',
        });
      if (method !== "POST") return send(405, "Method Not Allowed: eAPI takes POST", { allow: "POST" });
      if (!/^application\/json(?:-rpc)?\s*(?:;|$)/i.test(req.headers["content-type"] ?? ""))
        return send(415, "Unsupported Media Type: send Content-Type: application/json-rpc");
      if (parseError) throw rpcError(null, -32700, "Parse error: the body is not valid JSON");
      const call = parseRunCmds(parsed);

      const outcome = runCommands(sw, call.cmds, {
        format: call.format,
        maxPendingSessions: knobs.maxPendingSessions ?? DEFAULT_MAX_PENDING_SESSIONS,
        commitFault,
      });
      if (outcome.changed) persist();
      if (fault?.mode === "drop-after") return drop();
      const body = outcome.error
        ? { jsonrpc: "2.0", id: call.id, error: outcome.error }
        : { jsonrpc: "2.0", id: call.id, result: outcome.result };
      send(200, body, {}, outcome.injectedCommitFailure ? "commit-fail" : undefined);
    } catch (e) {
      if (e instanceof HttpFailure) return send(e.status, e.body);
      send(500, `Internal Server Error: ${e instanceof Error ? e.message : "unknown"}`);
    }
  }

  const server = createServer((req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const getSwitch = (name: string): SwitchState => {
    const sw = switches.get(name);
    if (!sw) throw new Error(`unknown switch ${name}`);
    return sw;
  };

  return {
    url,
    urlOf: (name) => `${url}/${encodeURIComponent(getSwitch(name).spec.name)}`,
    log,
    runningConfig: (name) => renderRunningConfig(getSwitch(name).running),
    config: (name) => copyConfig(getSwitch(name).running),
    commits: (name) => getSwitch(name).commits,
    pendingSessions: (name) => Object.keys(getSwitch(name).sessions).sort(),
    setKnobs(k) {
      Object.assign(knobs, k);
      if (k.faults) knobs.faults = copyFaults(k.faults);
      if (k.seed !== undefined) rand = seededRandom(k.seed);
    },
    async close() {
      if (closed) return;
      closed = true;
      persist();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
