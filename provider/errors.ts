// One error family for the whole provider. Every error carries what a user or an operator needs to
// act: which resource and field, the offending value, and for API failures the HTTP status, method,
// path and request id. Secrets never enter these objects (drivers redact before constructing them).

export interface ErrorDetails {
  /** Resource kind, e.g. "Vpc". */
  resource?: string;
  /** Input property path, e.g. "cidr" or "listeners[1].port". */
  field?: string;
  /** The offending value, as the user wrote it. */
  value?: unknown;
  /** What would be valid, phrased as an instruction. */
  fix?: string;
  status?: number;
  method?: string;
  path?: string;
  requestId?: string;
}

export class AnyvpcError extends Error {
  readonly details: ErrorDetails;
  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Input that can never work; reported at check/preview time, before anything is created. */
export class InputError extends AnyvpcError {
  /** What is wrong and how to fix it, without the field (for check failures, which name it). */
  readonly reason: string;
  constructor(details: ErrorDetails & { field: string; problem: string }) {
    const value = details.value === undefined ? "" : ` ${JSON.stringify(details.value)}`;
    const fix = details.fix ? `. ${details.fix}` : "";
    super(`${details.field}${value} ${details.problem}${fix}`, details);
    this.reason = `${details.problem}${fix}`;
  }
}

/** The planner could not satisfy a request (space exhausted, overlap, out of range). */
export class PlanError extends AnyvpcError {}

/**
 * An API call failed. Carries what an operator needs (status, method, path, the API's own message,
 * its request id) and never a credential: drivers build it from the response, not the request.
 * `ambiguous` marks failures after which the server may or may not have acted (a dropped
 * connection, a timeout, a 5xx on a POST): callers re-read before retrying a create.
 */
export class ApiError extends AnyvpcError {
  /** Which API: "Metal API", "NVUE leaf1". */
  readonly api: string;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly apiMessage: string;
  readonly requestId: string | undefined;
  readonly ambiguous: boolean;
  constructor(
    api: string,
    init: {
      status: number;
      method: string;
      path: string;
      apiMessage: string;
      requestId?: string;
      ambiguous?: boolean;
    },
  ) {
    const status = init.status ? String(init.status) : "no response";
    const id = init.requestId ? ` (request id ${init.requestId})` : "";
    super(`${api} ${init.method} ${init.path} failed: ${status}: ${init.apiMessage}${id}`, {
      status: init.status,
      method: init.method,
      path: init.path,
      requestId: init.requestId,
    });
    this.api = api;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.apiMessage = init.apiMessage;
    this.requestId = init.requestId;
    this.ambiguous = init.ambiguous ?? false;
  }
}

/**
 * An Arista EOS eAPI call failed: an HTTP status (401 for bad credentials), a JSON-RPC error
 * (code 1002 for a refused CLI command, 1005 for one the user may not run), a malformed answer or
 * no answer at all. For a refused command it names the command: `commandIndex` is its 0-based
 * position in the call's `cmds`, `command` its text and `errors` EOS's reasons (the `errors` of
 * the failing entry of `error.data`; pyeapi `eapilib.py`, CommandError). Built from the response
 * and the commands, never from the request's credentials; the driver redacts the password first.
 */
export class EosApiError extends ApiError {
  readonly switchName: string;
  /** The JSON-RPC error code (1000-1005, or -32xxx for a malformed request); undefined for HTTP or network failures. */
  readonly code: number | undefined;
  readonly commandIndex: number | undefined;
  readonly command: string | undefined;
  readonly errors: readonly string[];
  constructor(
    switchName: string,
    init: {
      status: number;
      apiMessage: string;
      code?: number;
      commandIndex?: number;
      command?: string;
      errors?: readonly string[];
      ambiguous?: boolean;
    },
  ) {
    super(`EOS ${switchName}`, {
      status: init.status,
      method: "POST",
      path: "/command-api",
      apiMessage: init.apiMessage,
      ambiguous: init.ambiguous,
    });
    this.switchName = switchName;
    this.code = init.code;
    this.commandIndex = init.commandIndex;
    this.command = init.command;
    this.errors = init.errors ?? [];
  }
}

/**
 * A configuration session failed and so did the abort sent after it: both failures are reported
 * (`failure` first, `abortFailure` second) and the session may still be pending on the switch.
 * Its own fields are those of the first failure, so callers that look at status or code see why
 * the change failed.
 */
export class EosAbortError extends EosApiError {
  readonly session: string;
  readonly failure: unknown;
  readonly abortFailure: unknown;
  constructor(switchName: string, session: string, failure: unknown, abortFailure: unknown) {
    const first = failure instanceof EosApiError ? failure : undefined;
    const text = (e: unknown) =>
      e instanceof ApiError ? e.apiMessage : e instanceof Error ? e.message : String(e);
    super(switchName, {
      status: first?.status ?? 0,
      apiMessage: `${text(failure)}; aborting configuration session ${session} afterwards failed too: ${text(abortFailure)} (the session may still be pending on the switch)`,
      code: first?.code,
      commandIndex: first?.commandIndex,
      command: first?.command,
      errors: first?.errors,
      ambiguous: true,
    });
    this.session = session;
    this.failure = failure;
    this.abortFailure = abortFailure;
  }
}
