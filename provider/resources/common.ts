// Shared plumbing of the resource handlers: the provider context (fabric and ledger, set by
// configure), unknown-value handling at preview, and check-failure formatting.
import path from "node:path";
import type { Fabric } from "../generated/schema";
import { AnyvpcError, InputError } from "../errors";
import { parseFabric } from "../fabric";
import { FileLedger } from "../ledger/file";
import { PostgresLedger } from "../ledger/postgres";
import type { Ledger } from "../ledger/ledger";
import { Sites } from "../sites";
import { validateAgainst, type SchemaDef } from "../validate";

/** What Pulumi sends for values not known until apply (e.g. another resource's output at preview). */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return v === unknownValue;
}

/** True when v is unknown, or holds an unknown value anywhere inside (array elements, nested objects). */
export function holdsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(holdsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(holdsUnknown);
  return false;
}

/** A list of plain values (ids, site names) whose unknown elements the handlers skip one by one. */
const isListOfScalars = (v: unknown): v is unknown[] =>
  Array.isArray(v) && v.every((e) => e === null || typeof e !== "object");

/**
 * Inputs as known at check, for the handlers' cross-field rules: without the runtime's own keys
 * (`__provider`, which the dynamic runtime re-adds) and without every input that is unknown at
 * preview, wholly or anywhere inside — those are checked at the check that runs once they are
 * known. Lists of plain values (a load balancer's backend ids, a VPC's sites) stay, unknown
 * elements in place, so the known elements are still checked (handlers skip `isUnknown` elements).
 */
export function knownOnly<T extends object>(inputs: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(inputs).filter(
      ([k, v]) => !k.startsWith("__") && !isUnknown(v) && (!holdsUnknown(v) || isListOfScalars(v)),
    ),
  ) as Partial<T>;
}

/** The top-level inputs that hold a value unknown at preview, at any depth. */
export function pendingInputs(inputs: object): Set<string> {
  return new Set(Object.entries(inputs).flatMap(([k, v]) => (holdsUnknown(v) ? [k] : [])));
}

/** JSON pointers (as ajv reports instance paths) of every unknown value inside data. */
function unknownPointers(data: unknown, at = ""): string[] {
  if (isUnknown(data)) return [at];
  if (data === null || typeof data !== "object") return [];
  return Object.entries(data).flatMap(([k, v]) =>
    unknownPointers(v, `${at}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`),
  );
}

/** Keywords whose verdict on a value depends on what is inside it, so on any unknown below it. */
const judgesContents = new Set([
  "oneOf",
  "anyOf",
  "not",
  "if",
  "uniqueItems",
  "contains",
  "const",
  "enum",
  "discriminator",
]);

/**
 * Schema validation of a resource's inputs at check. A value not known until apply (another
 * resource's output at preview: an id, an element of a list of ids, a field of a nested object) is
 * present, not missing, and not judged: an error on it or inside it is dropped, and so is an error
 * on an enclosing value whose verdict depends on it (oneOf, uniqueItems ...). Everything known is
 * validated now; the rest at the check that runs once the values are known.
 */
export function validateInputs(def: SchemaDef, resource: string, inputs: object): InputError[] {
  const data = Object.fromEntries(Object.entries(inputs).filter(([k]) => !k.startsWith("__")));
  const unknowns = unknownPointers(data);
  if (unknowns.length === 0) return validateAgainst(def, resource, data);
  const atOrUnder = (path: string, base: string) => path === base || path.startsWith(`${base}/`);
  return validateAgainst(def, resource, data, "", (e) =>
    unknowns.some(
      (u) => atOrUnder(e.instancePath, u) || (judgesContents.has(e.keyword) && atOrUnder(u, e.instancePath)),
    ),
  );
}

export interface ProviderContext {
  readonly fabric: Fabric;
  readonly ledger: Ledger;
  readonly sites: Sites;
}

export type ContextResult = { ok: true; context: ProviderContext } | { ok: false; errors: InputError[] };

/** Builds the context from the raw `anyvpc:fabric` config text. */
export function contextFromConfig(rawFabric: string | undefined, cwd = process.cwd()): ContextResult {
  const parsed = parseFabric(rawFabric);
  if (!parsed.ok) return parsed;
  const fabric = parsed.fabric;
  const sites = new Sites(fabric);
  if (fabric.ledger?.url)
    return { ok: true, context: { fabric, sites, ledger: new PostgresLedger(fabric.ledger.url) } };
  const file = path.resolve(cwd, fabric.ledger?.file ?? path.join(".anyvpc", "ledger.json"));
  return { ok: true, context: { fabric, sites, ledger: new FileLedger(file) } };
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace?: boolean;
}

/** The handlers of one resource kind: Args are its inputs, State its outputs (both from schema.json). */
export interface ResourceHandlers<Args, State> {
  check(
    ctx: ProviderContext,
    olds: Partial<State>,
    news: Args,
  ): Promise<{ inputs: Args; failures: CheckFailure[] }>;
  diff(id: string, olds: State, news: Args): Promise<DiffResult>;
  create(ctx: ProviderContext, inputs: Args): Promise<{ id: string; outs: State }>;
  read(ctx: ProviderContext, id: string, props: State): Promise<{ id: string; props: State }>;
  update(ctx: ProviderContext, id: string, olds: State, news: Args): Promise<{ outs: State }>;
  delete(ctx: ProviderContext, id: string, props: State): Promise<void>;
}

/**
 * Check failures as Pulumi prints them: `property P value {V} has a problem: R`. Pulumi finds V
 * only for top-level properties (a nested or array path prints `{<nil>}`), so there the reason
 * repeats the value itself.
 */
export function toFailures(errors: readonly InputError[]): CheckFailure[] {
  return errors.map((e) => {
    const property = e.details.field ?? "";
    const nested = /[.[]/.test(property);
    const value = nested && e.details.value !== undefined ? `${JSON.stringify(e.details.value)} ` : "";
    return { property, reason: `${value}${e.reason}` };
  });
}

export { idFor } from "../ids";

/** Turns a planner or ledger error met during check into a failure on `field`. */
export function asFailure(field: string, value: unknown, e: unknown): InputError {
  if (e instanceof AnyvpcError) {
    const fix = e.details.fix ? e.details.fix.charAt(0).toUpperCase() + e.details.fix.slice(1) : undefined;
    return new InputError({ field, value, problem: `cannot be planned: ${e.message}`, fix });
  }
  throw e;
}

/**
 * A create that failed and could not undo all it had made. Nothing it allocated is released (a
 * number whose VRF or VLAN may still be on the fabric must not go to the next VPC): the resource
 * is recorded with its id and state instead — Pulumi's partial-failure path (`id`, `properties`,
 * `reasons`) — so the next `pulumi up` finishes it and `pulumi destroy` removes it for good.
 */
export class CreateLeftBehind extends AnyvpcError {
  /** What Pulumi prints for a partially created resource, one line each. */
  readonly reasons: string[];
  constructor(
    kind: string,
    readonly id: string,
    readonly properties: object,
    cause: unknown,
    undoFailures: unknown[],
  ) {
    const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
    const owner = (properties as { owner?: unknown }).owner;
    const who = typeof owner === "string" ? `${kind} ${owner.split("/").pop()}` : kind;
    const reasons = [
      `creating ${who} failed: ${text(cause)}`,
      ...undoFailures.map((u) => `undoing it failed too: ${text(u)}`),
      `anyvpc keeps what ${who} holds (its allocations and what is on the fabric) and records it as created but incomplete: \`pulumi up\` finishes it, \`pulumi destroy\` removes it`,
    ];
    super(reasons.join("; "), {}, { cause });
    this.reasons = reasons;
  }
}

/**
 * Undoes a failed create: runs each undo step (all of them, whatever fails) and then, only if
 * every step succeeded, `release` frees the allocations and the original failure is rethrown. When
 * a step fails, nothing is released and a CreateLeftBehind records the resource (with `partial`,
 * its state as far as the create got) — undo failures are never swallowed.
 */
export async function undoCreate(opts: {
  kind: string;
  id: string;
  cause: unknown;
  undo: (() => Promise<unknown>)[];
  release: () => Promise<unknown>;
  partial: () => object | undefined;
}): Promise<never> {
  const failures: unknown[] = [];
  for (const step of opts.undo) {
    try {
      await step();
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length === 0) {
    await opts.release();
    throw opts.cause;
  }
  const partial = opts.partial();
  if (partial) throw new CreateLeftBehind(opts.kind, opts.id, partial, opts.cause, failures);
  // Nothing to record yet: the allocations stay held (a retried create gets the same ones back).
  const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
  throw new AnyvpcError(
    `creating ${opts.kind} failed: ${text(opts.cause)}; undoing it also failed (${failures.map(text).join("; ")}). ` +
      "anyvpc keeps its allocations; `pulumi up` retries the create with them.",
    {},
    { cause: opts.cause },
  );
}
