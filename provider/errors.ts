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
