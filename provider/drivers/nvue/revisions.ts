// Write combining for one switch. Applying a revision is slow on a real switch (seconds), so the
// changes that arrive while a revision is being prepared or applied are merged into the next one:
// N concurrent resource operations cost a handful of applies instead of N. Applies to one switch
// are serialized (one revision in flight per switch).
import { NvueRevisionError, type ConfigTree, type ConfigValue, type NvueClient } from "./client";

/** Set `value` at `path`; null unsets it. */
export interface ConfigChange {
  readonly path: readonly string[];
  readonly value: ConfigValue;
}

const isTree = (v: ConfigValue | undefined): v is ConfigTree => typeof v === "object" && v !== null;

/**
 * What one revision stages: one PATCH of everything set (never containing null), then a DELETE per
 * unset path. Deletions are not sent as nulls inside the PATCH: a PATCH body's objects would
 * create the parents of a path that is only being unset.
 */
export interface RevisionPlan {
  readonly sets: ConfigTree;
  readonly deletes: readonly (readonly string[])[];
}

export const emptyPlan: RevisionPlan = { sets: {}, deletes: [] };

const related = (a: readonly string[], b: readonly string[]) =>
  a.slice(0, b.length).every((s, i) => s === b[i]) || b.slice(0, a.length).every((s, i) => s === a[i]);

/** A change's value without nested nulls, and the paths those nulls unset (relative to the change). */
function splitValue(value: ConfigTree, at: string[] = []): { set: ConfigTree; unsets: string[][] } {
  const set: ConfigTree = {};
  const unsets: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === null) unsets.push([...at, k]);
    else if (isTree(v)) {
      const sub = splitValue(v, [...at, k]);
      set[k] = sub.set;
      unsets.push(...sub.unsets);
    } else set[k] = v;
  }
  return { set, unsets };
}

/** Merges a set into `target[key]`; false when the merged PATCH would differ from applying in order. */
function mergeInto(target: ConfigTree, key: string, value: ConfigValue): boolean {
  const existing = target[key];
  if (!isTree(value) || existing === undefined) {
    target[key] = structuredClone(value);
    return true;
  }
  if (!isTree(existing)) return false; // a scalar, then an object: replaces in order, would merge in one PATCH
  for (const [k, v] of Object.entries(value)) if (!mergeInto(existing, k, v)) return false;
  return true;
}

/**
 * Adds a change to a revision plan. Returns the new plan, or undefined when the change must wait
 * for the next revision: applying the plan (PATCH, then DELETEs) must always give the same config
 * as applying the changes one after another, so a set at, beneath or above a path unset earlier
 * in the plan, or an object over a scalar set earlier, is not combined.
 */
export function mergeChange(plan: RevisionPlan, change: ConfigChange): RevisionPlan | undefined {
  const path = [...change.path];
  if (change.value === null) {
    if (path.length === 0) return undefined;
    return { sets: plan.sets, deletes: [...plan.deletes, path] };
  }
  const { set, unsets } = isTree(change.value) ? splitValue(change.value) : { set: change.value, unsets: [] };
  if (plan.deletes.some((d) => related(d, path))) return undefined;
  const sets = structuredClone(plan.sets);
  let node = sets;
  for (const seg of path.slice(0, -1)) {
    const child = node[seg];
    if (child === undefined) node[seg] = {};
    else if (!isTree(child)) return undefined;
    node = node[seg] as ConfigTree;
  }
  const last = path[path.length - 1];
  if (last === undefined) {
    if (!isTree(set)) return undefined;
    for (const [k, v] of Object.entries(set)) if (!mergeInto(sets, k, v)) return undefined;
  } else if (!mergeInto(node, last, set)) return undefined;
  return { sets, deletes: [...plan.deletes, ...unsets.map((u) => [...path, ...u])] };
}

interface Pending {
  changes: readonly ConfigChange[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class RevisionCombiner {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  /** Revisions applied through this combiner (for tests and benchmarks). */
  applies = 0;

  constructor(private readonly client: NvueClient) {}

  /** Resolves once a revision holding all of `changes` is applied on the switch. */
  submit(changes: readonly ConfigChange[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ changes, resolve, reject });
      this.kick();
    });
  }

  /**
   * Starts draining unless a drain runs. A submit that lands after the drain loop saw the queue
   * empty but before the drain promise settled would otherwise wait for ever: the settled drain
   * looks again.
   */
  private kick(): void {
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length) this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let callers in the same tick join the first revision too.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) {
      let doc: RevisionPlan = emptyPlan;
      const batch: Pending[] = [];
      while (this.queue.length) {
        let merged: RevisionPlan | undefined = doc;
        for (const c of this.queue[0]!.changes) merged = merged && mergeChange(merged, c);
        if (!merged) {
          if (batch.length === 0) {
            // Alone it still conflicts with itself: apply its changes in several revisions.
            const p = this.queue.shift()!;
            await this.settle([p], () => this.applySequentially(p.changes));
          }
          break;
        }
        doc = merged;
        batch.push(this.queue.shift()!);
      }
      if (!batch.length) continue;
      await this.settle(
        batch,
        () => this.applyDocument(doc),
        async () => {
          // One bad change must not sink the others that shared its revision: retry each alone.
          for (const p of batch) await this.settle([p], () => this.applySequentially(p.changes));
        },
      );
    }
  }

  private async settle(
    batch: Pending[],
    run: () => Promise<void>,
    onInvalid?: () => Promise<void>,
  ): Promise<void> {
    try {
      await run();
      for (const p of batch) p.resolve();
    } catch (e) {
      if (e instanceof NvueRevisionError && onInvalid && batch.length > 1) return onInvalid();
      for (const p of batch) p.reject(e);
    }
  }

  private async applyDocument({ sets, deletes }: RevisionPlan): Promise<void> {
    const rev = await this.client.createRevision();
    if (Object.keys(sets).length) await this.client.stage(rev, [], sets);
    for (const path of deletes) await this.client.unset(rev, path);
    await this.client.apply(rev);
    this.applies++;
  }

  private async applySequentially(changes: readonly ConfigChange[]): Promise<void> {
    let plan = emptyPlan;
    for (const c of changes) {
      const merged = mergeChange(plan, c);
      if (merged) {
        plan = merged;
        continue;
      }
      await this.applyDocument(plan);
      plan = mergeChange(emptyPlan, c) ?? emptyPlan;
    }
    if (Object.keys(plan.sets).length || plan.deletes.length) await this.applyDocument(plan);
  }
}
