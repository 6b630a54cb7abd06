// Shared plumbing of the resource handlers: the provider context (fabric and ledger, set by
// configure), unknown-value handling at preview, and check-failure formatting.
import { createHash } from "node:crypto";
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

/**
 * Inputs as the user gave them: without unknown values (validation treats them as "fine until
 * known") and without the runtime's own keys (`__provider`, which the dynamic runtime re-adds).
 */
export function knownOnly<T extends object>(inputs: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(inputs).filter(([k, v]) => !isUnknown(v) && !k.startsWith("__")),
  ) as Partial<T>;
}

/**
 * Schema validation of a resource's inputs at check. A value not known until apply (another
 * resource's output at preview, e.g. the id of a Subnet being replaced) is present, not missing:
 * it is not reported as required, and is validated at the check that runs once it is known.
 */
export function validateInputs(def: SchemaDef, resource: string, inputs: object): InputError[] {
  const pending = new Set(
    Object.keys(inputs).filter((k) => isUnknown((inputs as Record<string, unknown>)[k])),
  );
  return validateAgainst(def, resource, knownOnly(inputs)).filter(
    (e) => !(e.reason === "is required" && pending.has(e.details.field ?? "")),
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

export function toFailures(errors: readonly InputError[]): CheckFailure[] {
  return errors.map((e) => ({ property: e.details.field ?? "", reason: e.reason }));
}

/** Stable, short id derived from an owner key. */
export function idFor(kind: string, owner: string): string {
  return `${kind}-${createHash("sha256").update(owner).digest("hex").slice(0, 12)}`;
}

/** Turns a planner or ledger error met during check into a failure on `field`. */
export function asFailure(field: string, value: unknown, e: unknown): InputError {
  if (e instanceof AnyvpcError) {
    const fix = e.details.fix ? e.details.fix.charAt(0).toUpperCase() + e.details.fix.slice(1) : undefined;
    return new InputError({ field, value, problem: `cannot be planned: ${e.message}`, fix });
  }
  throw e;
}
