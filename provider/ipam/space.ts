// Address planning over one parent prefix, and integer pools (VLAN ids, VNIs, route targets), both
// as immutable values over BlockSet: every operation returns a new value and never mutates.
import { PlanError } from "../errors";
import { BlockSet } from "./blocks";
import { addressBits, contains, formatAddress, formatPrefix, overlaps, type Prefix } from "./prefix";

function humanCount(n: bigint): string {
  return n < 1_000_000n ? n.toString() : `2^${n.toString(2).length - 1}+`;
}

export class AddressSpace {
  private constructor(
    readonly parent: Prefix,
    private readonly blocks: BlockSet,
  ) {}

  static of(parent: Prefix): AddressSpace {
    return new AddressSpace(parent, BlockSet.empty(addressBits(parent.version) - parent.length));
  }

  private toPrefix(offset: bigint, depth: number): Prefix {
    return {
      version: this.parent.version,
      network: this.parent.network + offset,
      length: this.parent.length + depth,
    };
  }

  private checkInside(p: Prefix): void {
    if (!contains(this.parent, p)) {
      throw new PlanError(`${formatPrefix(p)} is not inside ${formatPrefix(this.parent)}`, {
        value: formatPrefix(p),
        fix: `choose a prefix inside ${formatPrefix(this.parent)}`,
      });
    }
  }

  freeAddresses(): bigint {
    return this.blocks.free();
  }

  largestFree(): Prefix | undefined {
    const b = this.blocks.largestFree();
    return b && this.toPrefix(b.offset, b.depth);
  }

  freeBlocks(): Prefix[] {
    return this.blocks.freeBlocks().map((b) => this.toPrefix(b.offset, b.depth));
  }

  isFree(p: Prefix): boolean {
    return (
      contains(this.parent, p) &&
      this.blocks.isFree(p.network - this.parent.network, p.length - this.parent.length)
    );
  }

  /** Best-fit allocation of a prefix of the given length. */
  allocate(length: number): { prefix: Prefix; space: AddressSpace } {
    const bits = addressBits(this.parent.version);
    if (!Number.isInteger(length) || length < this.parent.length || length > bits) {
      throw new PlanError(`/${length} cannot be planned inside ${formatPrefix(this.parent)}`, {
        value: length,
        fix: `use a prefix length from ${this.parent.length} to ${bits}`,
      });
    }
    const r = this.blocks.allocate(length - this.parent.length);
    if (!r) {
      const largest = this.largestFree();
      const left = largest
        ? `${humanCount(this.freeAddresses())} addresses are free; the largest free block is ${formatPrefix(largest)}`
        : "no addresses are free";
      throw new PlanError(`no free /${length} left in ${formatPrefix(this.parent)}: ${left}`, {
        value: length,
        fix: largest
          ? `ask for /${largest.length} or longer, or release space`
          : "release space or use a larger pool",
      });
    }
    return {
      prefix: this.toPrefix(r.block.offset, r.block.depth),
      space: new AddressSpace(this.parent, r.set),
    };
  }

  /** Claims an explicit prefix: it must be inside the parent and overlap nothing planned. */
  claim(p: Prefix): AddressSpace {
    this.checkInside(p);
    const set = this.blocks.claim(p.network - this.parent.network, p.length - this.parent.length);
    if (!set) {
      throw new PlanError(
        `${formatPrefix(p)} overlaps space already planned in ${formatPrefix(this.parent)}`,
        {
          value: formatPrefix(p),
          fix: "choose a free prefix or leave it out to have one planned",
        },
      );
    }
    return new AddressSpace(this.parent, set);
  }

  release(p: Prefix): AddressSpace {
    if (!overlaps(this.parent, p)) return this;
    this.checkInside(p);
    return new AddressSpace(
      this.parent,
      this.blocks.release(p.network - this.parent.network, p.length - this.parent.length),
    );
  }

  /** Formats an address of this space's family (for messages). */
  format(address: bigint): string {
    return formatAddress(this.parent.version, address);
  }
}

/** An inclusive range of integers. */
export interface NumberRange {
  readonly from: number;
  readonly to: number;
}

/**
 * A pool of integers [from, to] with reserved ranges held back, e.g. VLAN ids 2–4094 or 24-bit VNIs.
 * Numbers are single-unit blocks of a BlockSet wide enough for `to`.
 */
export class NumberPool {
  private constructor(
    readonly range: NumberRange,
    private readonly blocks: BlockSet,
  ) {}

  static of(range: NumberRange, reserved: readonly NumberRange[] = []): NumberPool {
    const { from, to } = range;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from || to >= 2 ** 48) {
      throw new PlanError(`number range ${from}-${to} is invalid`, { value: range });
    }
    const width = Math.max(1, Math.ceil(Math.log2(to + 1)));
    let set = BlockSet.empty(width);
    const hold = (a: number, b: number) => (set = claimRange(set, BigInt(a), BigInt(b)));
    if (from > 0) hold(0, from - 1);
    if (to + 1 < 2 ** width) hold(to + 1, 2 ** width - 1);
    for (const r of reserved) {
      const a = Math.max(r.from, from);
      const b = Math.min(r.to, to);
      if (a <= b) hold(a, b);
    }
    return new NumberPool(range, set);
  }

  free(): number {
    return Number(this.blocks.free());
  }

  isFree(n: number): boolean {
    return (
      Number.isSafeInteger(n) &&
      n >= this.range.from &&
      n <= this.range.to &&
      this.blocks.isFree(BigInt(n), this.blocks.width)
    );
  }

  /** The lowest free number in the smallest hole (best fit: keeps long runs of numbers whole). */
  allocate(): { value: number; pool: NumberPool } {
    const r = this.blocks.allocate(this.blocks.width);
    if (!r) {
      throw new PlanError(`no free number left in ${this.range.from}-${this.range.to}`, {
        fix: "release some, or widen the range in the fabric description",
      });
    }
    return { value: Number(r.block.offset), pool: new NumberPool(this.range, r.set) };
  }

  claim(n: number): NumberPool {
    if (!Number.isSafeInteger(n) || n < this.range.from || n > this.range.to) {
      throw new PlanError(`${n} is outside ${this.range.from}-${this.range.to}`, {
        value: n,
        fix: `choose a number from ${this.range.from} to ${this.range.to}`,
      });
    }
    const set = this.blocks.claim(BigInt(n), this.blocks.width);
    if (!set)
      throw new PlanError(`${n} is already in use or reserved`, { value: n, fix: "choose another number" });
    return new NumberPool(this.range, set);
  }

  release(n: number): NumberPool {
    if (!Number.isSafeInteger(n) || n < this.range.from || n > this.range.to) return this;
    return new NumberPool(this.range, this.blocks.release(BigInt(n), this.blocks.width));
  }
}

/** Claims every unit of [a, b] as the fewest aligned blocks (at most 2 per bit of width). */
function claimRange(set: BlockSet, a: bigint, b: bigint): BlockSet {
  let s = set;
  let at = a;
  while (at <= b) {
    let k = 0;
    while (k < s.width && at % (1n << BigInt(k + 1)) === 0n && at + (1n << BigInt(k + 1)) - 1n <= b) k++;
    s = holdBlock(s, at, s.width - k);
    at += 1n << BigInt(k);
  }
  return s;
}

/** Marks a block used, descending only where part of it is already used (overlapping reservations). */
function holdBlock(set: BlockSet, offset: bigint, depth: number): BlockSet {
  const claimed = set.claim(offset, depth);
  if (claimed || depth === set.width) return claimed ?? set;
  const half = 1n << BigInt(set.width - depth - 1);
  return holdBlock(holdBlock(set, offset, depth + 1), offset + half, depth + 1);
}
