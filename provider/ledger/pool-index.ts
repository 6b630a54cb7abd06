// A pool's allocations indexed for planning: who holds what, and the free space as a planner value.
// Engines keep one per pool per process and feed it only the allocations made since they last
// looked (each allocation carries a sequence number; a release bumps the pool's epoch, which forces
// a rebuild), so the cost of an allocation does not grow with the pool's history.
import { PlanError } from "../errors";
import { formatPrefix, overlaps, parsePrefix, samePrefix } from "../ipam/prefix";
import { AddressSpace, NumberPool } from "../ipam/space";
import type { Allocation, AllocationRequest, PoolSpec } from "./allocation";

export class PoolIndex {
  private space: AddressSpace | undefined;
  private numbers: NumberPool | undefined;
  private readonly owners = new Map<string, Allocation>();

  constructor(
    readonly pool: string,
    readonly spec: PoolSpec,
  ) {
    if (spec.kind === "prefix") {
      const parsed = parsePrefix(spec.parent);
      if (!parsed.ok)
        throw new PlanError(`pool ${pool} has an invalid parent '${spec.parent}': it ${parsed.reason}`);
      let space = AddressSpace.of(parsed.prefix);
      for (const r of spec.reserved ?? []) {
        const p = parsePrefix(r);
        if (!p.ok) throw new PlanError(`pool ${pool} has an invalid reservation '${r}': it ${p.reason}`);
        if (space.isFree(p.prefix)) space = space.claim(p.prefix);
      }
      this.space = space;
    } else {
      this.numbers = NumberPool.of(spec.range, spec.reserved);
    }
  }

  static of(pool: string, spec: PoolSpec, allocations: readonly Allocation[]): PoolIndex {
    const index = new PoolIndex(pool, spec);
    for (const a of allocations) index.add(a);
    return index;
  }

  get size(): number {
    return this.owners.size;
  }

  /** Records an allocation. One that no longer fits the pool (its spec changed) is kept, not planned around. */
  add(a: Allocation): void {
    this.owners.set(a.owner, a);
    if (this.space) {
      const p = parsePrefix(a.value);
      if (p.ok && this.space.isFree(p.prefix)) this.space = this.space.claim(p.prefix);
    } else if (this.numbers) {
      const n = Number(a.value);
      if (this.numbers.isFree(n)) this.numbers = this.numbers.claim(n);
    }
  }

  /**
   * What `owner` gets for `request`, without changing the index: the allocation it already holds
   * when compatible (idempotency), else a new one; PlanError on conflict or exhaustion.
   */
  plan(owner: string, request: AllocationRequest): { allocation: Allocation; isNew: boolean } {
    const mine = this.owners.get(owner);
    if (mine) {
      if (this.matches(mine, request)) return { allocation: mine, isNew: false };
      throw new PlanError(
        `${owner} already holds ${mine.value} in pool ${this.pool}, which does not match the new request`,
        {
          value: request,
          fix: "replace the resource (its old allocation is released first)",
        },
      );
    }
    const value = this.space ? this.planPrefix(this.space, request) : this.planNumber(this.numbers!, request);
    return { allocation: { pool: this.pool, owner, value }, isNew: true };
  }

  private matches(held: Allocation, request: AllocationRequest): boolean {
    if (this.numbers)
      return !("number" in request) || request.number === undefined || String(request.number) === held.value;
    const h = parsePrefix(held.value);
    if (!h.ok) return false;
    if ("prefix" in request) {
      const w = parsePrefix(request.prefix);
      return w.ok && samePrefix(h.prefix, w.prefix);
    }
    return "length" in request && h.prefix.length === request.length;
  }

  private planPrefix(space: AddressSpace, request: AllocationRequest): string {
    if ("length" in request) return formatPrefix(space.allocate(request.length).prefix);
    if (!("prefix" in request)) {
      throw new PlanError(`pool ${this.pool} plans prefixes; the request must give a length or a prefix`, {
        value: request,
      });
    }
    const want = parsePrefix(request.prefix);
    if (!want.ok) throw new PlanError(`'${request.prefix}' ${want.reason}`, { value: request.prefix });
    if (!space.isFree(want.prefix)) {
      for (const a of this.owners.values()) {
        const p = parsePrefix(a.value);
        if (p.ok && overlaps(p.prefix, want.prefix)) {
          throw new PlanError(`${request.prefix} overlaps ${a.value} held by ${a.owner}`, {
            value: request.prefix,
            fix: "choose a free prefix, or leave it out to have one planned",
          });
        }
      }
    }
    space.claim(want.prefix); // throws with the reason (outside the pool, or overlap)
    return formatPrefix(want.prefix);
  }

  private planNumber(numbers: NumberPool, request: AllocationRequest): string {
    const want = "number" in request ? request.number : undefined;
    if (want === undefined) return String(numbers.allocate().value);
    if (!numbers.isFree(want)) {
      for (const a of this.owners.values()) {
        if (a.value === String(want)) {
          throw new PlanError(`${want} in pool ${this.pool} is held by ${a.owner}`, {
            value: want,
            fix: "choose another number",
          });
        }
      }
    }
    numbers.claim(want); // throws with the reason (outside the range, or reserved)
    return String(want);
  }
}
