// An immutable occupancy map of the aligned blocks of [0, 2^width): a persistent binary trie.
//
// Why a trie: every operation walks one path of at most `width` nodes and copies only that path, so
// cost grows with the number of allocations and the width (32 for IPv4, 128 for IPv6), never with
// the number of addresses. Fully used and fully free subtrees collapse to one shared sentinel, so a
// million contiguous allocations take a handful of nodes. Old versions stay valid (netipx IPSet
// style): planning is a pure function from one BlockSet to the next.
//
// Best fit: each branch carries a bitmask of the depths at which its subtree has a *maximal* free
// block (a free aligned block whose parent is not free). Allocating a block at depth L takes the
// deepest maximal free block at depth <= L (the smallest block that fits), lowest address first,
// and uses its first aligned sub-block, so large free blocks stay whole.

/** A fully used subtree. `null` is a fully free one. */
const FULL = Object.freeze({ full: true as const });

interface Branch {
  readonly l: Node;
  readonly r: Node;
  /** Bit d set: the subtree holds a maximal free block at absolute depth d. */
  readonly mask: bigint;
  /** Number of used units (addresses, numbers) in the subtree. */
  readonly used: bigint;
}

type Node = null | typeof FULL | Branch;

const BIT: bigint[] = Array.from({ length: 130 }, (_, d) => 1n << BigInt(d));

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

export interface Block {
  /** First unit of the block, relative to the start of the space. */
  readonly offset: bigint;
  /** Depth in the trie: the block holds 2^(width - depth) units. */
  readonly depth: number;
}

export class BlockSet {
  private constructor(
    readonly width: number,
    private readonly root: Node,
  ) {}

  static empty(width: number): BlockSet {
    if (!Number.isInteger(width) || width < 0 || width > 128)
      throw new RangeError(`width ${width} out of range`);
    return new BlockSet(width, null);
  }

  private sizeAt(depth: number): bigint {
    return 1n << BigInt(this.width - depth);
  }

  private maskOf(n: Node, depth: number): bigint {
    return n === null ? BIT[depth]! : n === FULL ? 0n : (n as Branch).mask;
  }

  private usedOf(n: Node, depth: number): bigint {
    return n === null ? 0n : n === FULL ? this.sizeAt(depth) : (n as Branch).used;
  }

  /** The node at `depth` with children l and r (at depth + 1), collapsed where possible. */
  private join(l: Node, r: Node, depth: number): Node {
    if (l === null && r === null) return null;
    if (l === FULL && r === FULL) return FULL;
    return {
      l,
      r,
      mask: this.maskOf(l, depth + 1) | this.maskOf(r, depth + 1),
      used: this.usedOf(l, depth + 1) + this.usedOf(r, depth + 1),
    };
  }

  private children(n: Node): [Node, Node] {
    if (n === null) return [null, null];
    if (n === FULL) return [FULL, FULL];
    return [(n as Branch).l, (n as Branch).r];
  }

  private bitAt(offset: bigint, depth: number): boolean {
    return ((offset >> BigInt(this.width - depth - 1)) & 1n) === 1n;
  }

  private checkBlock(offset: bigint, depth: number): void {
    if (!Number.isInteger(depth) || depth < 0 || depth > this.width) {
      throw new RangeError(`depth ${depth} outside 0..${this.width}`);
    }
    if (offset < 0n || offset % this.sizeAt(depth) !== 0n || offset >= this.sizeAt(0)) {
      throw new RangeError(`offset ${offset} is not an aligned block start at depth ${depth}`);
    }
  }

  /** Replaces the subtree at (offset, depth) by `leaf`, copying only the path to it. */
  private replace(offset: bigint, depth: number, leaf: Node): BlockSet {
    const siblings: Node[] = [];
    const right: boolean[] = [];
    let node = this.root;
    for (let d = 0; d < depth; d++) {
      const [l, r] = this.children(node);
      const goRight = this.bitAt(offset, d);
      right.push(goRight);
      siblings.push(goRight ? l : r);
      node = goRight ? r : l;
    }
    let sub = leaf;
    for (let d = depth - 1; d >= 0; d--) {
      sub = right[d] ? this.join(siblings[d]!, sub, d) : this.join(sub, siblings[d]!, d);
    }
    return sub === this.root ? this : new BlockSet(this.width, sub);
  }

  /** Total used units. */
  used(): bigint {
    return this.usedOf(this.root, 0);
  }

  free(): bigint {
    return this.sizeAt(0) - this.used();
  }

  /** True when no unit of the block is used. */
  isFree(offset: bigint, depth: number): boolean {
    this.checkBlock(offset, depth);
    let node = this.root;
    for (let d = 0; d < depth; d++) {
      if (node === null) return true;
      if (node === FULL) return false;
      node = this.bitAt(offset, d) ? (node as Branch).r : (node as Branch).l;
    }
    return node === null;
  }

  /**
   * Best fit: the first block at `depth` inside the smallest free block that can hold it, or
   * undefined when no free block is large enough. Single units (a host address, a VLAN id) are
   * all the same size, so fragmentation cannot matter: they are the lowest free unit instead,
   * which is what people expect (hosts .4, .5, .6 and VLANs 2, 3, 4 rather than .254 or 4094).
   */
  findFit(depth: number): Block | undefined {
    this.checkBlock(0n, depth);
    if (depth === this.width) return this.lowestFree();
    const fits = this.maskOf(this.root, 0) & (BIT[depth + 1]! - 1n);
    if (fits === 0n) return undefined;
    const target = bitLength(fits) - 1;
    let node = this.root;
    let offset = 0n;
    for (let d = 0; d < target; d++) {
      const b = node as Branch;
      if ((this.maskOf(b.l, d + 1) & BIT[target]!) !== 0n) {
        node = b.l;
      } else {
        node = b.r;
        offset += this.sizeAt(d + 1);
      }
    }
    return { offset, depth };
  }

  private lowestFree(): Block | undefined {
    if (this.maskOf(this.root, 0) === 0n) return undefined;
    let node = this.root;
    let offset = 0n;
    for (let d = 0; node !== null; d++) {
      const b = node as Branch;
      if (this.maskOf(b.l, d + 1) !== 0n) {
        node = b.l;
      } else {
        node = b.r;
        offset += this.sizeAt(d + 1);
      }
    }
    return { offset, depth: this.width };
  }

  /** Allocates a block at `depth` by best fit; undefined when nothing fits. */
  allocate(depth: number): { block: Block; set: BlockSet } | undefined {
    const block = this.findFit(depth);
    if (!block) return undefined;
    return { block, set: this.replace(block.offset, depth, FULL) };
  }

  /** Marks a specific block used; undefined when any unit of it is already used. */
  claim(offset: bigint, depth: number): BlockSet | undefined {
    if (!this.isFree(offset, depth)) return undefined;
    return this.replace(offset, depth, FULL);
  }

  /** Marks a block free again (whatever inside it was used). Releasing free space is a no-op. */
  release(offset: bigint, depth: number): BlockSet {
    this.checkBlock(offset, depth);
    return this.replace(offset, depth, null);
  }

  /** The largest free block (lowest address first), or undefined when the space is full. */
  largestFree(): Block | undefined {
    const mask = this.maskOf(this.root, 0);
    if (mask === 0n) return undefined;
    const target = bitLength(mask & -mask) - 1;
    return this.findFit(target);
  }

  /** Every maximal free block in address order. Costs O(nodes); for reports and tests. */
  freeBlocks(): Block[] {
    const out: Block[] = [];
    const walk = (n: Node, offset: bigint, depth: number): void => {
      if (n === FULL) return;
      if (n === null) {
        out.push({ offset, depth });
        return;
      }
      const b = n as Branch;
      walk(b.l, offset, depth + 1);
      walk(b.r, offset + this.sizeAt(depth + 1), depth + 1);
    };
    walk(this.root, 0n, 0);
    return out;
  }
}
