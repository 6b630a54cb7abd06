// The allocation ledger: the shared memory that keeps stacks, teams and CI jobs from handing out the
// same prefix or number. Pools are named; allocation is idempotent per (pool, owner); release frees
// everything an owner holds. Engines: file (embedded default) and PostgreSQL.
import { PlanError } from "../errors";
import { formatPrefix, overlaps, parsePrefix, samePrefix, type Prefix } from "../ipam/prefix";
import { AddressSpace, NumberPool, type NumberRange } from "../ipam/space";

export type PoolSpec =
  { kind: "prefix"; parent: string } | { kind: "number"; range: NumberRange; reserved?: NumberRange[] };

export type AllocationRequest =
  | { length: number } // a prefix of this length, planned by best fit
  | { prefix: string } // this exact prefix
  | { number?: number }; // a number (this one, or the next free)

export interface Allocation {
  readonly pool: string;
  readonly owner: string;
  /** A prefix in CIDR form, or a number in decimal. */
  readonly value: string;
}

export interface Ledger {
  allocate(pool: string, spec: PoolSpec, owner: string, request: AllocationRequest): Promise<Allocation>;
  /** Releases everything `owner` holds; returns how many allocations were released. */
  release(owner: string): Promise<number>;
  list(filter?: { pool?: string; owner?: string }): Promise<Allocation[]>;
  close(): Promise<void>;
}

/**
 * The pure planning step both engines share: given the pool's current allocations, what does
 * `owner` get? Returns the existing allocation when the owner already holds a compatible one
 * (idempotency), a new value otherwise; throws PlanError on conflict or exhaustion.
 */
export function planAllocation(
  pool: string,
  spec: PoolSpec,
  existing: readonly Allocation[],
  owner: string,
  request: AllocationRequest,
): { allocation: Allocation; isNew: boolean } {
  const mine = existing.find((a) => a.owner === owner);
  if (spec.kind === "prefix") {
    const parsed = parsePrefix(spec.parent);
    if (!parsed.ok)
      throw new PlanError(`pool ${pool} has an invalid parent '${spec.parent}': it ${parsed.reason}`);
    if (mine) {
      if (prefixMatches(mine.value, request)) return { allocation: mine, isNew: false };
      throw new PlanError(
        `${owner} already holds ${mine.value} in pool ${pool}, which does not match the new request`,
        {
          value: request,
          fix: "replace the resource (its old allocation is released first)",
        },
      );
    }
    let space = AddressSpace.of(parsed.prefix);
    for (const a of existing) {
      const p = parsePrefix(a.value);
      if (p.ok && space.isFree(p.prefix)) space = space.claim(p.prefix);
    }
    let result: Prefix;
    if ("prefix" in request) {
      const want = parsePrefix(request.prefix);
      if (!want.ok) throw new PlanError(`'${request.prefix}' ${want.reason}`, { value: request.prefix });
      if (!space.isFree(want.prefix)) {
        const holder = existing.find((a) => {
          const p = parsePrefix(a.value);
          return p.ok && overlaps(p.prefix, want.prefix);
        });
        if (holder) {
          throw new PlanError(`${request.prefix} overlaps ${holder.value} held by ${holder.owner}`, {
            value: request.prefix,
            fix: "choose a free prefix, or leave it out to have one planned",
          });
        }
      }
      space.claim(want.prefix); // throws with the reason when outside the pool
      result = want.prefix;
    } else if ("length" in request) {
      result = space.allocate(request.length).prefix;
    } else {
      throw new PlanError(`pool ${pool} plans prefixes; the request must give a length or a prefix`, {
        value: request,
      });
    }
    return { allocation: { pool, owner, value: formatPrefix(result) }, isNew: true };
  }

  const want = "number" in request ? request.number : undefined;
  if (mine) {
    if (want === undefined || String(want) === mine.value) return { allocation: mine, isNew: false };
    throw new PlanError(`${owner} already holds ${mine.value} in pool ${pool}, not ${want}`, { value: want });
  }
  let numbers = NumberPool.of(spec.range, spec.reserved);
  for (const a of existing) {
    const n = Number(a.value);
    if (numbers.isFree(n)) numbers = numbers.claim(n);
  }
  if (want !== undefined) {
    if (!numbers.isFree(want)) {
      const holder = existing.find((a) => a.value === String(want));
      if (holder) {
        throw new PlanError(`${want} in pool ${pool} is held by ${holder.owner}`, {
          value: want,
          fix: "choose another number",
        });
      }
    }
    numbers.claim(want);
    return { allocation: { pool, owner, value: String(want) }, isNew: true };
  }
  return { allocation: { pool, owner, value: String(numbers.allocate().value) }, isNew: true };
}

function prefixMatches(held: string, request: AllocationRequest): boolean {
  const h = parsePrefix(held);
  if (!h.ok) return false;
  if ("prefix" in request) {
    const w = parsePrefix(request.prefix);
    return w.ok && samePrefix(h.prefix, w.prefix);
  }
  return "length" in request && h.prefix.length === request.length;
}
