// The NVUE switch simulator: one HTTP server on 127.0.0.1 that hosts many switches, each at
// `/<switch>/nvue_v1`. Per switch it keeps the applied config, the revisions (each a list of staged
// changes replayed over the applied config when it is applied), a serialized apply queue and an
// apply counter. Every request is logged with the Authorization header redacted.

import { seededRandom } from "../seeded-random";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkPatch } from "./paths";
import { validateConfig, type ValidationIssue } from "./validate";
import {
  applyOps,
  checkConfigValue,
  copyValue,
  getAt,
  isTree,
  replaceAt,
  type ConfigTree,
  type ConfigValue,
  type RevisionOp,
} from "./tree";

export interface SwitchSpec {
  name: string;
  ports: string[];
  vtep: string;
  asn: number;
}

export interface NvueFaultRule {
  switch?: string;
  method?: string;
  /** Regex source matched against the decoded path after /nvue_v1. */
  path?: string;
  /**
   * "500"/"503": answer with that status without doing anything. "drop": close the connection
   * without doing anything. "drop-after": do the request, then close the connection instead of
   * answering (the client cannot tell whether its change happened).
   */
  mode: "500" | "503" | "drop" | "drop-after";
  times: number;
}

export interface NvueSimKnobs {
  /** How long one apply takes; applies on one switch run one after another. Default 1000. */
  applyMs?: number;
  /** Delay before every answer. */
  latencyMs?: number;
  /** Probability (0..1) that a request gets a 503 without being processed. */
  rate5xx?: number;
  /** Seed of the generator behind rate5xx. */
  seed?: number;
  faults?: NvueFaultRule[];
  /**
   * Shape of `GET /revision/<id>`: "plain" `{state,transition}` (default) or "wrapped"
   * `{"<id>": {state,transition}}`, as in one NVIDIA docs example.
   */
  revisionShape?: "plain" | "wrapped";
}

export interface NvueRequestLogEntry {
  seq: number;
  switch: string;
  method: string;
  path: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
  injected?: "5xx" | "drop";
}

export interface NvueSimulator {
  url: string;
  baseUrlOf(switchName: string): string;
  requests: NvueRequestLogEntry[];
  applied(switchName: string): ConfigTree;
  applyCount(switchName: string): number;
  setApplied(switchName: string, path: string[], value: ConfigTree | string | number | null): void;
  setKnobs(k: Partial<NvueSimKnobs>): void;
  close(): Promise<void>;
}

export interface StartNvueSimulatorOptions {
  switches: SwitchSpec[];
  credentials: { username: string; password: string };
  knobs?: NvueSimKnobs;
  port?: number;
  stateFile?: string;
}

type RevState = "pending" | "apply" | "applied" | "invalid" | "ays_fail";

interface IssueJson {
  code: string;
  data: { location: string; reason: string };
  message: string;
  severity: "error" | "warning";
}

interface Revision {
  id: string;
  state: RevState;
  issue: Record<string, IssueJson>;
  progress: string;
  ops: RevisionOp[];
  /** The config the revision produced, kept once it is applied. */
  snapshot?: ConfigTree;
}

interface SwitchState {
  spec: SwitchSpec;
  applied: ConfigTree;
  applyCount: number;
  revisions: Map<string, Revision>;
  queue: string[];
  running: boolean;
  timer?: NodeJS.Timeout;
}

interface PersistedState {
  version: 1;
  switches: Record<
    string,
    {
      applied: ConfigTree;
      applyCount: number;
      revisions: Revision[];
      queue: string[];
    }
  >;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function problem(status: number, detail: string): Record<string, unknown> {
  return { type: "about:blank", title: TITLES[status] ?? "Error", status, detail };
}

const MAX_BODY = 10 * 1024 * 1024;
const EDITABLE: RevState[] = ["pending", "ays_fail"];

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

export async function startNvueSimulator(opts: StartNvueSimulatorOptions): Promise<NvueSimulator> {
  const { username, password } = opts.credentials;
  const expectedAuth = digest(`${username}:${password}`);
  const knobs: NvueSimKnobs & { applyMs: number } = { applyMs: 1000, ...opts.knobs };
  // Fault rules are copied (their `times` count down here, not in the caller's objects) and their
  // path patterns compiled up front, so a bad pattern fails the caller, not a request.
  const copyFaults = (fs: NvueFaultRule[]) =>
    fs.map((f) => {
      if (f.path !== undefined) new RegExp(f.path);
      return { ...f };
    });
  if (knobs.faults) knobs.faults = copyFaults(knobs.faults);
  let rand = seededRandom(knobs.seed ?? 1);
  const requests: NvueRequestLogEntry[] = [];
  let seq = 0;
  let closed = false;

  const switches = new Map<string, SwitchState>();
  for (const spec of opts.switches) {
    if (switches.has(spec.name)) throw new Error(`duplicate switch name ${spec.name}`);
    switches.set(spec.name, {
      spec: { ...spec, ports: [...spec.ports] },
      applied: {},
      applyCount: 0,
      revisions: new Map(),
      queue: [],
      running: false,
    });
  }

  const scrub = (v: unknown): unknown => {
    if (password === "") return v;
    if (typeof v === "string") return v.split(password).join("[REDACTED]");
    if (Array.isArray(v)) return v.map(scrub);
    if (typeof v === "object" && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k) as string, scrub(x)]));
    return v;
  };

  function persist(): void {
    if (!opts.stateFile) return;
    const state: PersistedState = { version: 1, switches: {} };
    for (const [name, sw] of switches)
      state.switches[name] = {
        applied: sw.applied,
        applyCount: sw.applyCount,
        revisions: [...sw.revisions.values()],
        queue: sw.queue,
      };
    const tmp = `${opts.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    renameSync(tmp, opts.stateFile);
  }

  function load(file: string): void {
    const raw = JSON.parse(readFileSync(file, "utf8")) as PersistedState;
    if (raw.version !== 1) throw new Error(`unsupported NVUE simulator state version in ${file}`);
    for (const [name, saved] of Object.entries(raw.switches)) {
      const sw = switches.get(name);
      if (!sw) continue;
      sw.applied = saved.applied;
      sw.applyCount = saved.applyCount;
      for (const r of saved.revisions) sw.revisions.set(r.id, r);
      // Applies that were running or queued when the simulator stopped resume in order.
      const inFlight = saved.revisions.filter((r) => r.state === "apply").map((r) => r.id);
      sw.queue = [...inFlight.filter((id) => !saved.queue.includes(id)), ...saved.queue];
    }
  }

  if (opts.stateFile && existsSync(opts.stateFile)) load(opts.stateFile);

  function newRevisionId(): string {
    const d = new Date();
    const p = (n: number) => String(n).padStart(2, "0");
    const stamp = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}_${p(d.getUTCHours())}.${p(
      d.getUTCMinutes(),
    )}.${p(d.getUTCSeconds())}`;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (;;) {
      const suffix = [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join("");
      const id = `changeset/${username}/${stamp}_${suffix}`;
      if (![...switches.values()].some((sw) => sw.revisions.has(id))) return id;
    }
  }

  function revisionBody(r: Revision): {
    state: RevState;
    transition: { issue: Record<string, IssueJson>; progress: string };
  } {
    return { state: r.state, transition: { issue: structuredClone(r.issue), progress: r.progress } };
  }

  function viewOf(sw: SwitchState, r: Revision): ConfigTree {
    return r.state === "applied" && r.snapshot ? r.snapshot : applyOps(sw.applied, r.ops);
  }

  function issuesJson(
    list: ValidationIssue[],
    severity: "error" | "warning" = "error",
  ): Record<string, IssueJson> {
    const out: Record<string, IssueJson> = {};
    list.forEach((i, n) => {
      out[String(n)] = {
        code: i.code,
        data: { location: i.location, reason: i.reason },
        message: `${i.location}: ${i.reason}`,
        severity,
      };
    });
    return out;
  }

  function pump(sw: SwitchState): void {
    if (closed || sw.running) return;
    const id = sw.queue[0];
    if (id === undefined) return;
    sw.running = true;
    sw.timer = setTimeout(() => {
      sw.timer = undefined;
      sw.running = false;
      sw.queue.shift();
      const r = sw.revisions.get(id);
      if (r && r.state === "apply") finishApply(sw, r);
      persist();
      pump(sw);
    }, knobs.applyMs);
  }

  function finishApply(sw: SwitchState, r: Revision): void {
    const candidate = applyOps(sw.applied, r.ops);
    const issues = validateConfig(candidate, sw.spec);
    if (issues.length > 0) {
      r.state = "invalid";
      r.issue = issuesJson(issues);
      return;
    }
    sw.applied = candidate;
    sw.applyCount++;
    r.state = "applied";
    r.issue = {};
    r.snapshot = copyValue(candidate);
  }

  function resolveRev(sw: SwitchState, rev: string | undefined): ConfigTree {
    if (rev === undefined || rev === "applied" || rev === "startup" || rev === "operational")
      return sw.applied;
    if (rev === "pending") {
      const latest = [...sw.revisions.values()].reverse().find((r) => r.state === "pending");
      return latest ? viewOf(sw, latest) : sw.applied;
    }
    const r = sw.revisions.get(rev);
    if (!r) throw new HttpProblem(404, `revision ${rev} not found`);
    return viewOf(sw, r);
  }

  function editableRevision(sw: SwitchState, rev: string | undefined): Revision {
    if (rev === undefined || rev === "")
      throw new HttpProblem(400, "changes need a revision: add ?rev=<id> from POST /nvue_v1/revision");
    const r = sw.revisions.get(rev);
    if (!r) {
      if (["applied", "startup", "operational", "pending"].includes(rev))
        throw new HttpProblem(400, `revision ${rev} cannot be changed; create a revision`);
      throw new HttpProblem(404, `revision ${rev} not found`);
    }
    if (!EDITABLE.includes(r.state))
      throw new HttpProblem(400, `revision ${rev} is ${r.state} and can no longer be changed`);
    return r;
  }

  interface Outcome {
    status: number;
    body?: unknown;
  }

  function handle(
    sw: SwitchState,
    method: string,
    segs: string[],
    query: Record<string, string>,
    body: unknown,
  ): Outcome {
    if (segs[0] === "revision") {
      if (segs.length === 1) {
        if (method === "GET") {
          const out: Record<string, unknown> = {};
          for (const r of sw.revisions.values()) out[r.id] = revisionBody(r);
          return { status: 200, body: out };
        }
        if (method === "POST") {
          const id = newRevisionId();
          const r: Revision = { id, state: "pending", issue: {}, progress: "", ops: [] };
          sw.revisions.set(id, r);
          persist();
          return { status: 200, body: { [id]: revisionBody(r) } };
        }
        throw new HttpProblem(405, `${method} is not allowed on /revision`);
      }
      if (segs.length > 2)
        throw new HttpProblem(404, `no such path /${segs.join("/")} (URL-encode "/" in revision ids as %2F)`);
      const id = segs[1] as string;
      if (method === "PATCH" && id === "applied") {
        const state = isTree(body) ? body["state"] : undefined;
        if (state !== "save") throw new HttpProblem(400, `revision applied accepts only state "save"`);
        return { status: 200, body: { state: "save", transition: { issue: {}, progress: "" } } };
      }
      const r = sw.revisions.get(id);
      if (!r) throw new HttpProblem(404, `revision ${id} not found`);
      if (method === "GET")
        return {
          status: 200,
          body: knobs.revisionShape === "wrapped" ? { [id]: revisionBody(r) } : revisionBody(r),
        };
      if (method !== "PATCH") throw new HttpProblem(405, `${method} is not allowed on a revision`);
      if (!isTree(body)) throw new HttpProblem(400, `expected a JSON object such as {"state":"apply"}`);
      if (body["state"] !== "apply")
        throw new HttpProblem(400, `unsupported revision state ${JSON.stringify(body["state"])}`);
      if (r.state === "apply" || r.state === "applied") return { status: 200, body: revisionBody(r) };
      if (r.state === "invalid")
        throw new HttpProblem(400, `revision ${id} is invalid; fix the config in a new revision`);
      const ap = body["auto-prompt"];
      if (!isTree(ap) || ap["ays"] !== "ays_yes") {
        r.state = "ays_fail";
        r.issue = issuesJson(
          [
            {
              code: "ays",
              location: "/",
              reason: `the apply asks "Are you sure?"; send "auto-prompt": {"ays": "ays_yes"} to answer it`,
            },
          ],
          "warning",
        );
        persist();
        return { status: 200, body: revisionBody(r) };
      }
      r.state = "apply";
      r.issue = {};
      sw.queue.push(id);
      persist();
      pump(sw);
      return { status: 200, body: revisionBody(r) };
    }

    // Config paths.
    if (method === "GET") {
      const tree = resolveRev(sw, query["rev"]);
      const got = getAt(tree, segs);
      if (got === undefined)
        throw new HttpProblem(404, `/${segs.join("/")} is not set in revision ${query["rev"] ?? "applied"}`);
      return { status: 200, body: copyValue(got) };
    }
    if (method === "PATCH") {
      const r = editableRevision(sw, query["rev"]);
      if (body === undefined) throw new HttpProblem(400, "PATCH needs a JSON body");
      // As a switch refuses an unknown property: every path and value must be in the documented
      // NVUE path table (paths.ts); unsetting (null) any path the table has is fine.
      const bad = checkConfigValue(body) ?? checkPatch(segs, body as ConfigValue);
      if (bad) throw new HttpProblem(400, bad);
      if (segs.length === 0 && !isTree(body)) throw new HttpProblem(400, "a root PATCH needs a JSON object");
      r.ops.push({ op: "patch", path: segs, value: copyValue(body as ConfigValue) });
      persist();
      const after = getAt(viewOf(sw, r), segs);
      return { status: 200, body: after === undefined ? {} : copyValue(after) };
    }
    if (method === "DELETE") {
      const r = editableRevision(sw, query["rev"]);
      r.ops.push({ op: "delete", path: segs });
      persist();
      return { status: 204 };
    }
    throw new HttpProblem(405, `${method} is not allowed on config paths`);
  }

  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new HttpProblem(413, "body too large"));
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

  function pickFault(swName: string, method: string, path: string): NvueFaultRule | undefined {
    for (const f of knobs.faults ?? []) {
      if (f.times <= 0) continue;
      if (f.switch !== undefined && f.switch !== swName) continue;
      if (f.method !== undefined && f.method.toUpperCase() !== method) continue;
      if (f.path !== undefined && !new RegExp(f.path).test(path)) continue;
      f.times--;
      return f;
    }
    return undefined;
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const mySeq = ++seq;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const raw = url.pathname.split("/").slice(1);
    let swName = "";
    let path = url.pathname;
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => (query[k] = v));
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
    const log = (status: number, responseBody: unknown, injected?: "5xx" | "drop") => {
      const entry: NvueRequestLogEntry = {
        seq: mySeq,
        switch: swName,
        method,
        path: scrub(path) as string,
        query: scrub(query) as Record<string, string>,
        requestHeaders: scrub(requestHeaders) as Record<string, string>,
        requestBody: scrub(requestBody),
        status,
        responseBody: scrub(responseBody),
      };
      if (injected) entry.injected = injected;
      requests.push(entry);
    };
    const send = (status: number, body?: unknown, injected?: "5xx" | "drop") => {
      log(status, body, injected);
      if (res.destroyed) return;
      if (status === 204 || body === undefined) {
        res.writeHead(status).end();
        return;
      }
      const headers: Record<string, string> = {
        "content-type": status >= 400 ? "application/problem+json" : "application/json",
      };
      if (status === 401) headers["www-authenticate"] = 'Basic realm="nvue"';
      res.writeHead(status, headers).end(JSON.stringify(body));
    };
    const drop = () => {
      log(0, undefined, "drop");
      req.socket.destroy();
    };

    try {
      let bodyBuf: Buffer;
      try {
        bodyBuf = await readBody(req);
      } catch (e) {
        if (e instanceof HttpProblem) return send(e.status, problem(e.status, e.detail));
        return;
      }
      const text = bodyBuf.toString("utf8");
      let parsed: unknown = undefined;
      let parseError: string | undefined;
      if (text.trim() !== "") {
        try {
          parsed = JSON.parse(text);
        } catch {
          parseError = "the body is not valid JSON";
        }
      }
      requestBody = parseError ? text : parsed;

      // /<switch>/nvue_v1/<path...>
      let segs: string[];
      try {
        swName = decodeURIComponent(raw[0] ?? "");
        const rest = raw.slice(2);
        path = "/" + decodeURIComponent(rest.join("/"));
        segs = rest.filter((s) => s !== "").map((s) => decodeURIComponent(s));
      } catch {
        return send(400, problem(400, "the path is not valid URL encoding"));
      }
      const sw = switches.get(swName);
      if (!sw || raw[1] !== "nvue_v1") {
        if (!sw) swName = "";
        return send(404, problem(404, "not found"));
      }

      if (knobs.latencyMs) await sleep(knobs.latencyMs);
      if (closed) return drop();

      const fault = pickFault(swName, method, path);
      if (fault?.mode === "drop") return drop();
      if (fault?.mode === "500" || fault?.mode === "503") {
        const st = Number(fault.mode);
        return send(st, problem(st, "injected fault"), "5xx");
      }
      if (!fault && knobs.rate5xx && rand() < knobs.rate5xx)
        return send(503, problem(503, "injected fault"), "5xx");

      if (!authorized(req.headers.authorization))
        return send(401, problem(401, "invalid or missing credentials"));
      if (parseError) return send(400, problem(400, parseError));
      if (text.trim() !== "" && !/json/i.test(req.headers["content-type"] ?? ""))
        return send(415, problem(415, "send Content-Type: application/json"));

      let out: Outcome;
      try {
        out = handle(sw, method, segs, query, parsed);
      } catch (e) {
        if (!(e instanceof HttpProblem)) throw e;
        out = { status: e.status, body: problem(e.status, e.detail) };
      }
      if (fault?.mode === "drop-after") return drop();
      send(out.status, out.body);
    } catch (e) {
      send(500, problem(500, e instanceof Error ? e.message : "internal error"));
    }
  }

  const server = createServer((req, res) => void onRequest(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const sw of switches.values()) pump(sw);

  const getSwitch = (name: string): SwitchState => {
    const sw = switches.get(name);
    if (!sw) throw new Error(`unknown switch ${name}`);
    return sw;
  };

  return {
    url,
    baseUrlOf: (name) => `${url}/${encodeURIComponent(getSwitch(name).spec.name)}/nvue_v1`,
    requests,
    applied: (name) => copyValue(getSwitch(name).applied),
    applyCount: (name) => getSwitch(name).applyCount,
    setApplied(name, path, value) {
      const sw = getSwitch(name);
      replaceAt(sw.applied, path, value);
      persist();
    },
    setKnobs(k) {
      Object.assign(knobs, k);
      if (k.faults) knobs.faults = copyFaults(k.faults);
      if (k.seed !== undefined) rand = seededRandom(k.seed);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const sw of switches.values()) {
        if (sw.timer) clearTimeout(sw.timer);
        sw.timer = undefined;
        sw.running = false;
      }
      persist();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
