// A thin, typed client of one NVIDIA Cumulus Linux switch's NVUE REST API: the revision workflow
// (create, stage with PATCH, apply with auto-prompt, poll until applied), reads of any revision,
// HTTP Basic credentials (never logged or echoed), retries, and TLS verification on by default
// with an option to pin a CA. Write combining lives in revisions.ts.
import axios, { type AxiosInstance } from "axios";
import https from "node:https";
import { AnyvpcError, ApiError } from "../../errors";
import { send } from "../http";
import { defaultRetryPolicy, sleep, type RetryPolicy } from "../retry";

export type ConfigValue = ConfigTree | string | number | boolean | null;
export interface ConfigTree {
  [key: string]: ConfigValue;
}

export interface NvueSwitch {
  name: string;
  /** Base URL of the API, e.g. https://leaf1:8765/nvue_v1 */
  url: string;
  username: string;
  password: string;
  /** PEM of a CA to trust instead of the system's (self-signed switch certificates). */
  caPem?: string;
}

export interface NvueClientOptions {
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** How often and how long to poll a revision being applied. */
  applyPollMs?: number;
  applyTimeoutMs?: number;
  log?: (line: {
    switch: string;
    method: string;
    path: string;
    status: number;
    attempt: number;
    ms: number;
  }) => void;
}

export interface RevisionIssue {
  code?: string | number;
  location?: string;
  reason?: string;
  message?: string;
  severity?: string;
}

/** A revision the switch refused (state `invalid` or `ays_fail`), with the switch's reasons. */
export class NvueRevisionError extends AnyvpcError {
  constructor(
    readonly switchName: string,
    readonly revision: string,
    readonly state: string,
    readonly issues: RevisionIssue[],
  ) {
    const reasons = issues
      .map((i) => [i.location, i.reason ?? i.message].filter(Boolean).join(": "))
      .join("; ");
    super(`switch ${switchName} refused revision ${revision} (${state})${reasons ? `: ${reasons}` : ""}`);
  }
}

/** Encodes one path segment: keys may hold "/" (prefixes, revision ids) and must not be able to climb. */
export function encodeSegment(segment: string): string {
  return encodeURIComponent(segment);
}

export class NvueClient {
  private readonly http: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly applyPollMs: number;
  private readonly applyTimeoutMs: number;
  private readonly log: NonNullable<NvueClientOptions["log"]>;

  constructor(
    readonly sw: NvueSwitch,
    opts: NvueClientOptions = {},
  ) {
    this.policy = opts.retry ?? defaultRetryPolicy;
    this.applyPollMs = opts.applyPollMs ?? 250;
    this.applyTimeoutMs = opts.applyTimeoutMs ?? 300_000;
    this.log = opts.log ?? (() => undefined);
    this.http = axios.create({
      baseURL: sw.url.replace(/\/+$/, ""),
      timeout: opts.timeoutMs ?? 60_000,
      auth: { username: sw.username, password: sw.password },
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      validateStatus: () => true,
      // Verification stays on; a pinned CA replaces the system store rather than disabling checks.
      httpsAgent: new https.Agent({ rejectUnauthorized: true, ...(sw.caPem ? { ca: sw.caPem } : {}) }),
    });
  }

  private redact(text: string): string {
    return this.sw.password ? text.split(this.sw.password).join("[REDACTED]") : text;
  }

  /** Every NVUE call goes through the shared request function; all are safe to repeat (PATCH merges; an extra pending revision is inert). */
  async request<R>(
    method: string,
    path: string,
    opts: { query?: Record<string, string>; body?: unknown } = {},
  ): Promise<{ status: number; data: R }> {
    const x = await send(
      this.http,
      { method, url: path, params: opts.query, data: opts.body },
      {
        policy: this.policy,
        idempotent: true,
        redact: (t) => this.redact(t),
        onExchange: (e) =>
          this.log({ switch: this.sw.name, method, path, status: e.status, attempt: e.attempt, ms: e.ms }),
      },
    );
    if (x.networkError === undefined && x.status < 400) return { status: x.status, data: x.data as R };
    const message =
      x.networkError ??
      this.redact(
        typeof x.data === "object" && x.data !== null
          ? JSON.stringify(x.data).slice(0, 500)
          : String(x.data ?? `HTTP ${x.status}`),
      );
    throw new ApiError(`NVUE ${this.sw.name}`, {
      status: x.status,
      method,
      path,
      apiMessage: message,
      ambiguous: x.networkError !== undefined,
    });
  }

  private pathOf(segments: readonly string[]): string {
    return `/${segments.map(encodeSegment).join("/")}`;
  }

  /** Creates a pending revision and returns its (opaque) id. */
  async createRevision(): Promise<string> {
    const { data } = await this.request<Record<string, unknown>>("POST", "/revision", { body: {} });
    const id = Object.keys(data ?? {})[0];
    if (!id) throw new AnyvpcError(`switch ${this.sw.name} answered POST /revision without a revision id`);
    return id;
  }

  /** Stages a subtree at `path` in revision `rev` (PATCH merges; null unsets). */
  async stage(rev: string, path: readonly string[], value: ConfigValue): Promise<void> {
    await this.request("PATCH", path.length ? this.pathOf(path) : "/", { query: { rev }, body: value });
  }

  /** Unsets the subtree at `path` in revision `rev`; a path that is not there is fine. */
  async unset(rev: string, path: readonly string[]): Promise<void> {
    try {
      await this.request("DELETE", this.pathOf(path), { query: { rev } });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }

  /** Applies a revision with auto-prompt and waits until the switch reports it applied. */
  async apply(rev: string): Promise<void> {
    const path = this.pathOf(["revision", rev]);
    await this.request("PATCH", path, { body: { state: "apply", "auto-prompt": { ays: "ays_yes" } } });
    const deadline = Date.now() + this.applyTimeoutMs;
    for (;;) {
      const { data } = await this.request<Record<string, unknown>>("GET", path);
      // Some versions wrap the answer as { "<id>": {...} }.
      const body = (typeof data?.state === "string" ? data : (Object.values(data ?? {})[0] ?? {})) as {
        state?: string;
        transition?: {
          issue?: Record<
            string,
            {
              code?: string | number;
              message?: string;
              severity?: string;
              data?: { location?: string; reason?: string };
            }
          >;
        };
      };
      const state = body.state ?? "unknown";
      if (state === "applied" || state === "applied_and_saved") return;
      if (state === "invalid" || state === "ays_fail" || state === "apply_fail") {
        const issues = Object.values(body.transition?.issue ?? {}).map((i) => ({
          code: i.code,
          location: i.data?.location,
          reason: i.data?.reason,
          message: i.message,
          severity: i.severity,
        }));
        throw new NvueRevisionError(this.sw.name, rev, state, issues);
      }
      if (Date.now() > deadline)
        throw new AnyvpcError(
          `switch ${this.sw.name}: revision ${rev} still ${state} after ${this.applyTimeoutMs} ms`,
        );
      await sleep(this.applyPollMs);
    }
  }

  /** Reads a subtree from a revision (default: what is applied); undefined when absent. */
  async get(path: readonly string[], rev = "applied"): Promise<ConfigValue | undefined> {
    try {
      const { data } = await this.request<ConfigValue>("GET", path.length ? this.pathOf(path) : "/", {
        query: { rev },
      });
      return data;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }
}
