// The allocation ledger: the shared memory that keeps stacks, teams and CI jobs from handing out the
// same prefix or number. Pools are named; allocation is idempotent per (pool, owner); release frees
// everything an owner holds. Engines: file (embedded default) and PostgreSQL.
import type { Allocation, AllocationRequest, PoolSpec } from "./allocation";
import { PoolIndex } from "./pool-index";

export type { Allocation, AllocationRequest, PoolSpec } from "./allocation";

export interface Ledger {
  allocate(pool: string, spec: PoolSpec, owner: string, request: AllocationRequest): Promise<Allocation>;
  /** Releases everything `owner` holds; returns how many allocations were released. */
  release(owner: string): Promise<number>;
  list(filter?: { pool?: string; owner?: string }): Promise<Allocation[]>;
  /**
   * Facts other resources look up by id (a Subnet finds its VPC's CIDR, VRF and sites from the
   * VPC's id, even when the VPC belongs to another stack).
   */
  putRecord(kind: string, key: string, data: unknown): Promise<void>;
  getRecord<T>(kind: string, key: string): Promise<T | undefined>;
  deleteRecord(kind: string, key: string): Promise<void>;
  /**
   * Reads, changes and writes one record atomically (inside the engine's lock or transaction), so
   * concurrent changes (two attachments joining one port) never overwrite each other. `change`
   * gets the current data (undefined when absent) and returns the new data, or undefined to
   * delete the record; it must be a pure function of its argument (an engine may run it again).
   * Returns what was stored.
   */
  updateRecord<T>(
    kind: string,
    key: string,
    change: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined>;
  close(): Promise<void>;
}

/**
 * A dry run for check/preview: what `owner` would get from a pool holding `existing`. What the
 * owner holds now is left out: a request that differs from it means a replacement, and a
 * replacement releases the old allocation before planning the new one (deleteBeforeReplace), so
 * only other owners' allocations can stand in the way.
 */
export function planAllocation(
  pool: string,
  spec: PoolSpec,
  existing: readonly Allocation[],
  owner: string,
  request: AllocationRequest,
): { allocation: Allocation; isNew: boolean } {
  const others = existing.filter((a) => a.owner !== owner);
  return PoolIndex.of(pool, spec, others).plan(owner, request);
}
