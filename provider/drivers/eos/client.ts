// A thin, typed client of one Arista EOS switch's eAPI: JSON-RPC `runCmds` over HTTPS with HTTP
// Basic credentials (never logged or echoed), retries for pure reads only, changes as one atomic
// configuration session (aborted on any failure), and the running-config read back as a tree.
// Write combining and read-back confirmation live in site.ts.
//
// Sources: the eAPI contract in this folder and /work/shared/notes/nvue-and-eos.md §2;
// arista-eosplus/pyeapi `pyeapi/eapilib.py` (the request object: jsonrpc 2.0, method runCmds,
// params {version 1, cmds, format}, a string id; the failure object: error.code, error.message and
// error.data with the outputs of the commands before the failing one, then its `errors`; HTTP 401
// for bad credentials; 1000/1001/1002/1004 are command errors, 1005 unauthorized) and
// `pyeapi/client.py` (Node.configure_session/_configure_session/commit/abort: a session is
// entered with `configure session <name>` after `enable` in every call, then `commit` or `abort`).
import axios, { type AxiosInstance } from "axios";
import https from "node:https";
import { AnyvpcError, EosAbortError, EosApiError } from "../../errors";
import { send } from "../http";
import { defaultRetryPolicy, type RetryPolicy } from "../retry";
import { parseRunningConfig, type ConfigNode } from "./running-config";

export { parseRunningConfig, type ConfigNode } from "./running-config";

export interface EosSwitch {
  name: string;
  /** Base URL of the switch's eAPI, without `/command-api`, e.g. https://leaf1.example.net */
  url: string;
  username: string;
  password: string;
  /** PEM of a CA to trust instead of the system's (self-signed switch certificates). */
  caPem?: string;
}

export interface EosClientOptions {
  timeoutMs?: number;
  retry?: RetryPolicy;
  log?: (line: {
    switch: string;
    method: string;
    path: string;
    status: number;
    attempt: number;
    ms: number;
  }) => void;
}

export type EosFormat = "json" | "text";

/** Configuration session names (the contract's). */
export const sessionNamePattern = /^[A-Za-z0-9_-]{1,64}$/;

/** The commands of the one call that stages `lines` in session `session` and commits them. */
export function sessionCommands(session: string, lines: readonly string[]): string[] {
  return ["enable", `configure session ${session}`, ...lines, "commit"];
}

/** How many commands `sessionCommands` puts before the first line (for mapping a failing index back). */
export const sessionPreamble = 2;

/** A call that only reads: `enable` and `show ...` commands. Only these are repeated after a failure. */
export function isPureRead(cmds: readonly string[]): boolean {
  return cmds.every((c) => c === "enable" || /^show\s/.test(c));
}

// Every cmds element is one CLI line: a control character (newline, carriage return, NUL, ...)
// could make one element carry a second command, so such a command is never sent.
const controlCharacter = /\p{Cc}/u;

interface RpcError {
  code?: unknown;
  message?: unknown;
  data?: unknown;
}

export class EosClient {
  private readonly http: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly log: NonNullable<EosClientOptions["log"]>;
  private requests = 0;

  constructor(
    readonly sw: EosSwitch,
    opts: EosClientOptions = {},
  ) {
    this.policy = opts.retry ?? defaultRetryPolicy;
    this.log = opts.log ?? (() => undefined);
    this.http = axios.create({
      baseURL: sw.url.replace(/\/+$/, ""),
      timeout: opts.timeoutMs ?? 60_000,
      auth: { username: sw.username, password: sw.password },
      headers: { "Content-Type": "application/json-rpc", Accept: "application/json" },
      validateStatus: () => true,
      // Verification stays on; a pinned CA replaces the system store rather than disabling checks.
      httpsAgent: new https.Agent({ rejectUnauthorized: true, ...(sw.caPem ? { ca: sw.caPem } : {}) }),
    });
  }

  private redact(text: string): string {
    let out = text;
    const basic = Buffer.from(`${this.sw.username}:${this.sw.password}`).toString("base64");
    for (const secret of [this.sw.password, basic]) if (secret) out = out.split(secret).join("[REDACTED]");
    return out;
  }

  private checkCommands(cmds: readonly string[]): void {
    for (const c of cmds) {
      if (typeof c !== "string" || c.trim() === "" || controlCharacter.test(c))
        throw new AnyvpcError(
          `EOS ${this.sw.name}: refusing to send the command ${this.redact(JSON.stringify(c) ?? String(c))}: each command must be one non-empty CLI line without control characters`,
          { value: typeof c === "string" ? this.redact(c) : c },
        );
    }
  }

  /**
   * Runs the commands in one runCmds call and returns one result per command. A pure read
   * (`enable` and `show ...` only) is repeated per the retry policy after a network error or a
   * retryable status; anything else only after a status proving the switch did nothing (429).
   */
  async runCmds(cmds: readonly string[], format: EosFormat = "json"): Promise<unknown[]> {
    return this.call(cmds, format, isPureRead(cmds));
  }

  private async call(cmds: readonly string[], format: EosFormat, idempotent: boolean): Promise<unknown[]> {
    this.checkCommands(cmds);
    const id = `anyvpc-${++this.requests}`;
    const x = await send(
      this.http,
      {
        method: "POST",
        url: "/command-api",
        data: { jsonrpc: "2.0", method: "runCmds", params: { version: 1, cmds, format }, id },
      },
      {
        policy: this.policy,
        idempotent,
        redact: (t) => this.redact(t),
        onExchange: (e) =>
          this.log({
            switch: this.sw.name,
            method: "POST",
            path: "/command-api",
            status: e.status,
            attempt: e.attempt,
            ms: e.ms,
          }),
      },
    );
    // The switch may have run the commands when no answer (or a server error) came back.
    const ambiguous = x.networkError !== undefined || x.status >= 500 || x.status === 408;
    if (x.networkError !== undefined)
      throw new EosApiError(this.sw.name, { status: 0, apiMessage: x.networkError, ambiguous });
    const body = x.data as { result?: unknown; error?: RpcError } | string | null | undefined;
    const rpcError = typeof body === "object" && body !== null ? body.error : undefined;
    if (rpcError !== undefined && rpcError !== null)
      throw this.commandError(cmds, x.status, rpcError, ambiguous);
    if (x.status >= 400) {
      const text = typeof body === "string" ? body : JSON.stringify(body ?? `HTTP ${x.status}`);
      throw new EosApiError(this.sw.name, {
        status: x.status,
        apiMessage: this.redact(text.slice(0, 500)) || `HTTP ${x.status}`,
        ambiguous,
      });
    }
    const result = typeof body === "object" && body !== null ? body.result : undefined;
    if (!Array.isArray(result) || result.length !== cmds.length)
      throw new EosApiError(this.sw.name, {
        status: x.status,
        apiMessage: `malformed eAPI answer: expected a result per command (${cmds.length}), got ${this.redact(JSON.stringify(body ?? null).slice(0, 200))}`,
        ambiguous: true,
      });
    return result;
  }

  /** A JSON-RPC error as a typed error naming the failing command. */
  private commandError(
    cmds: readonly string[],
    status: number,
    e: RpcError,
    ambiguous: boolean,
  ): EosApiError {
    const code = typeof e.code === "number" ? e.code : undefined;
    const message = typeof e.message === "string" ? e.message : "eAPI error without a message";
    let index: number | undefined;
    let errors: string[] = [];
    if (Array.isArray(e.data) && e.data.length > 0) {
      // data: the outputs of the commands before the failing one, then the failing one's entry.
      index = e.data.length - 1;
      const last = e.data[index] as { errors?: unknown } | null;
      if (Array.isArray(last?.errors)) errors = last.errors.filter((m): m is string => typeof m === "string");
    }
    const n = /CLI command (\d+) of \d+/.exec(message);
    if (n) index = Number(n[1]) - 1;
    if (index !== undefined && (index < 0 || index >= cmds.length)) index = undefined;
    const detail = errors.length ? `: ${errors.join("; ")}` : "";
    return new EosApiError(this.sw.name, {
      status,
      code,
      commandIndex: index,
      command: index === undefined ? undefined : this.redact(cmds[index]!),
      errors: errors.map((m) => this.redact(m)),
      apiMessage: this.redact(`${message}${detail}${code === undefined ? "" : ` (eAPI error ${code})`}`),
      ambiguous,
    });
  }

  /**
   * Stages `lines` in configuration session `session` and commits them, all in one call, so the
   * switch applies all of them or none. On any failure (a refused line, a refused commit, an HTTP
   * error, no answer) the session is aborted in a second call; if that fails too, an
   * EosAbortError carries both failures. The lines must end in global configuration mode.
   */
  async configure(session: string, lines: readonly string[]): Promise<void> {
    if (!sessionNamePattern.test(session))
      throw new AnyvpcError(
        `EOS ${this.sw.name}: configuration session name ${JSON.stringify(session)} is not allowed`,
        {
          value: session,
          fix: "use 1-64 letters, digits, '_' or '-'",
        },
      );
    const cmds = sessionCommands(session, lines);
    this.checkCommands(cmds);
    try {
      await this.call(cmds, "json", false);
    } catch (failure) {
      try {
        await this.abort(session);
      } catch (abortFailure) {
        throw new EosAbortError(this.sw.name, session, failure, abortFailure);
      }
      throw failure;
    }
  }

  /**
   * Discards session `session`. Safe to repeat: were the session already gone (aborted, or
   * committed by a call whose answer was lost), `configure session` opens an empty one that
   * `abort` discards, so the switch ends the same either way.
   */
  async abort(session: string): Promise<void> {
    await this.call(["enable", `configure session ${session}`, "abort"], "json", true);
  }

  /** `show running-config` as text. */
  async runningConfigText(): Promise<string> {
    const [, shown] = await this.runCmds(["enable", "show running-config"], "text");
    const output = (shown as { output?: unknown } | undefined)?.output;
    if (typeof output !== "string")
      throw new EosApiError(this.sw.name, {
        status: 200,
        apiMessage: "malformed eAPI answer: `show running-config` returned no text output",
      });
    return output;
  }

  /** `show running-config`, parsed into a tree (see parseRunningConfig). */
  async runningConfig(): Promise<ConfigNode> {
    return parseRunningConfig(await this.runningConfigText());
  }
}
