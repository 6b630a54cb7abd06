// What the ledger hands out: pools' specs, requests and allocations. Apart from ledger.ts so that
// the pool index and the engines use them without an import cycle (ledger.ts re-exports them).
import type { NumberRange } from "../ipam/space";

export type PoolSpec =
  | { kind: "prefix"; parent: string; reserved?: string[] }
  | { kind: "number"; range: NumberRange; reserved?: NumberRange[] };

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
