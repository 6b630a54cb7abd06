// Apply-time failures as a user reads them: one paragraph naming the resource, what anyvpc was
// doing, the fabric call that failed (API, method, path, status, the API's own words, request id)
// and what to do about it. The dynamic-provider host prints a thrown error's `${e}: ${e.stack}` for
// check, diff, read, update and delete (and only the message for create); a DeployFailure's stack is its
// paragraph, so the user sees it once per place instead of a dump of stack frames. The original
// error stays as `cause`; ANYVPC_DEBUG=1 keeps its stack in the paragraph.
import { AnyvpcError, ApiError } from "./errors";

export type Operation = "check" | "diff" | "create" | "read" | "update" | "delete";

const doing: Record<Operation, string> = {
  check: "checking",
  diff: "comparing",
  create: "creating",
  read: "reading back (refresh)",
  update: "updating",
  delete: "deleting",
};

/** What to do about a failed fabric call, by what the API answered. */
function fixFor(e: ApiError): string {
  if (e.status === 0)
    return "Check that the API is reachable from where `pulumi` runs (the URL in anyvpc:fabric; for a simulated fabric, that `anyvpc sim` is running), then run `pulumi up` again";
  if (e.status === 401 || e.status === 403)
    return "Check the credentials in anyvpc:fabric (`pulumi config set --secret --path 'anyvpc:fabric.sites.<site>....password'`, or METAL_AUTH_TOKEN) and run `pulumi up` again";
  if (e.status === 429 || e.status >= 500)
    return "The API was busy or failing and retries ran out: run `pulumi up` again; nothing is duplicated";
  return "Fix what the API names above and run `pulumi up` again";
}

/** "Vpc prod" from the handler's inputs or outputs: the owner key ends in Kind/name. */
function resourceName(kind: string, props: unknown): string {
  const owner = (props as { owner?: unknown } | undefined)?.owner;
  const name = typeof owner === "string" ? owner.split("/").pop() : undefined;
  return name ? `${kind} ${name}` : kind;
}

/** A sentence: capitalized, ending in a full stop. */
const sentence = (text: string) => {
  const t = text.trim();
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}`;
};

export function describeFailure(kind: string, op: Operation, props: unknown, e: unknown): string {
  const who = resourceName(kind, props);
  if (e instanceof ApiError) {
    const call = `${e.method} ${e.path}`;
    const answer = e.status ? `answered ${e.status}` : "did not answer";
    const id = e.requestId ? ` (request id ${e.requestId})` : "";
    return `${doing[op]} ${who} failed: ${e.api} ${call} ${answer}: ${e.apiMessage}${id}. ${fixFor(e)}.`;
  }
  const message = e instanceof Error ? e.message : String(e);
  const fix = e instanceof AnyvpcError && e.details.fix ? ` ${sentence(e.details.fix)}` : "";
  return `${doing[op]} ${who} failed: ${sentence(message)}${fix}`;
}

export class DeployFailure extends Error {
  constructor(kind: string, op: Operation, props: unknown, cause: unknown) {
    super(describeFailure(kind, op, props, cause), { cause });
    this.name = "anyvpc";
    const debug = process.env.ANYVPC_DEBUG && cause instanceof Error ? `\n${cause.stack}` : "";
    this.stack = `${this.message}${debug}`;
  }

  // The host prints `${e}: ${e.stack}`, which reads "anyvpc: <paragraph>".
  override toString(): string {
    return this.name;
  }
}
