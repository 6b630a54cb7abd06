// Planner properties, checked with fast-check against a brute-force reference on small spaces:
// best fit, no overlap, inside the parent, aligned, deterministic, immutable, release-then-allocate
// reuses space. 1,000 runs per property.
import assert from "node:assert/strict";
import fc from "fast-check";
import { BlockSet, type Block } from "../../provider/ipam/blocks";
import { hostSpace, planHost, subnetLayout } from "../../provider/ipam/hosts";
import { formatPrefix, prefix, prefixSize, type Prefix } from "../../provider/ipam/prefix";
import { AddressSpace, NumberPool } from "../../provider/ipam/space";

const runs = { numRuns: 1000 };
const W = 6; // 64 units: small enough to enumerate, large enough for deep trees

/** The reference: a plain array of units, searched exhaustively. */
class Reference {
  readonly used: boolean[] = new Array<boolean>(1 << W).fill(false);
  size(depth: number): number {
    return 1 << (W - depth);
  }
  isFree(offset: number, depth: number): boolean {
    for (let u = offset; u < offset + this.size(depth); u++) if (this.used[u]) return false;
    return true;
  }
  set(offset: number, depth: number, used: boolean): void {
    for (let u = offset; u < offset + this.size(depth); u++) this.used[u] = used;
  }
  maximalFree(): Block[] {
    const out: Block[] = [];
    for (let d = 0; d <= W; d++) {
      for (let o = 0; o < 1 << W; o += this.size(d)) {
        const parentFree = d > 0 && this.isFree(o - (o % this.size(d - 1)), d - 1);
        if (this.isFree(o, d) && !parentFree) out.push({ offset: BigInt(o), depth: d });
      }
    }
    return out.sort((a, b) => Number(a.offset - b.offset));
  }
  /** Smallest maximal free block that can hold `depth`, lowest address first; its first sub-block. Single units: the lowest free. */
  bestFit(depth: number): Block | undefined {
    if (depth === W) {
      const u = this.used.indexOf(false);
      return u < 0 ? undefined : { offset: BigInt(u), depth };
    }
    const candidates = this.maximalFree().filter((b) => b.depth <= depth);
    if (!candidates.length) return undefined;
    const deepest = Math.max(...candidates.map((b) => b.depth));
    const chosen = candidates.find((b) => b.depth === deepest)!;
    return { offset: chosen.offset, depth };
  }
  free(): number {
    return this.used.filter((u) => !u).length;
  }
}

type Op =
  | { kind: "alloc"; depth: number }
  | { kind: "claim"; depth: number; index: number }
  | { kind: "release"; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("alloc" as const), depth: fc.integer({ min: 0, max: W }) }),
  fc.integer({ min: 0, max: W }).chain((depth) =>
    fc.record({
      kind: fc.constant("claim" as const),
      depth: fc.constant(depth),
      index: fc.nat((1 << depth) - 1),
    }),
  ),
  fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
);

/** Applies ops to a BlockSet and the reference side by side; returns the trace of results. */
function runOps(ops: Op[]): { trace: string[]; set: BlockSet; held: Block[]; ref: Reference } {
  let set = BlockSet.empty(W);
  const ref = new Reference();
  const held: Block[] = [];
  const trace: string[] = [];
  for (const op of ops) {
    if (op.kind === "alloc") {
      const want = ref.bestFit(op.depth);
      const got = set.allocate(op.depth);
      assert.deepEqual(got?.block, want, `allocate depth ${op.depth}`);
      if (got) {
        set = got.set;
        ref.set(Number(got.block.offset), op.depth, true);
        held.push(got.block);
      }
      trace.push(got ? `${got.block.offset}/${op.depth}` : "none");
    } else if (op.kind === "claim") {
      const offset = op.index << (W - op.depth);
      const expectOk = ref.isFree(offset, op.depth);
      const next = set.claim(BigInt(offset), op.depth);
      assert.equal(next !== undefined, expectOk, `claim ${offset}/${op.depth}`);
      if (next) {
        set = next;
        ref.set(offset, op.depth, true);
        held.push({ offset: BigInt(offset), depth: op.depth });
      }
      trace.push(next ? `claimed ${offset}/${op.depth}` : "conflict");
    } else if (held.length) {
      const [b] = held.splice(op.pick % held.length, 1);
      set = set.release(b!.offset, b!.depth);
      ref.set(Number(b!.offset), b!.depth, false);
      trace.push(`released ${b!.offset}/${b!.depth}`);
    }
    assert.equal(set.free(), BigInt(ref.free()), "free count");
  }
  return { trace, set, held, ref };
}

function disjoint(blocks: { start: bigint; size: bigint }[]): boolean {
  const sorted = [...blocks].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return sorted.every((b, i) => i === 0 || sorted[i - 1]!.start + sorted[i - 1]!.size <= b.start);
}

describe("planner properties (fast-check, 1,000 runs each)", () => {
  it("BlockSet matches the brute-force reference: best fit, claims, releases, free space", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60, size: "max" }), (ops) => {
        const { set, ref } = runOps(ops);
        assert.deepEqual(set.freeBlocks(), ref.maximalFree());
      }),
      runs,
    );
  });

  it("held blocks never overlap, stay inside the space and are aligned", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60, size: "max" }), (ops) => {
        const { held } = runOps(ops);
        for (const b of held) {
          const size = 1n << BigInt(W - b.depth);
          assert.equal(b.offset % size, 0n, "aligned");
          assert.ok(b.offset >= 0n && b.offset + size <= 1n << BigInt(W), "inside");
        }
        assert.ok(
          disjoint(held.map((b) => ({ start: b.offset, size: 1n << BigInt(W - b.depth) }))),
          "no overlap",
        );
      }),
      runs,
    );
  });

  it("is deterministic, and old versions never change (immutable values)", () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 40, size: "max" }),
        fc.array(opArb, { maxLength: 20, size: "max" }),
        (first, more) => {
          const a = runOps(first);
          const b = runOps(first);
          assert.deepEqual(a.trace, b.trace);
          const snapshot = a.set.freeBlocks();
          let s = a.set;
          for (const op of more) if (op.kind === "alloc") s = s.allocate(op.depth)?.set ?? s;
          assert.deepEqual(a.set.freeBlocks(), snapshot);
        },
      ),
      runs,
    );
  });

  it("release then allocate reuses exactly the released space when it is the only free space", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: W }), fc.nat(), (depth, pick) => {
        let set = BlockSet.empty(W);
        const held: Block[] = [];
        for (let r = set.allocate(depth); r; r = set.allocate(depth)) {
          held.push(r.block);
          set = r.set;
        }
        assert.equal(held.length, 1 << depth);
        const victim = held[pick % held.length]!;
        const again = set.release(victim.offset, depth).allocate(depth);
        assert.deepEqual(again?.block, victim);
      }),
      runs,
    );
  });

  it("IPv4 and IPv6 share one code path: the same requests give the same relative plan", () => {
    const v4 = prefix("10.20.30.0/24");
    const v6 = prefix("2001:db8::/120");
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 24, max: 32 }), { maxLength: 40, size: "max" }), (lengths) => {
        let s4 = AddressSpace.of(v4);
        let s6 = AddressSpace.of(v6);
        const got4: Prefix[] = [];
        for (const len of lengths) {
          let p4: Prefix | undefined;
          let p6: Prefix | undefined;
          try {
            ({ prefix: p4, space: s4 } = s4.allocate(len));
          } catch {
            p4 = undefined;
          }
          try {
            ({ prefix: p6, space: s6 } = s6.allocate(len + 96));
          } catch {
            p6 = undefined;
          }
          assert.equal(p4 === undefined, p6 === undefined);
          if (p4 && p6) {
            assert.equal(p4.network - v4.network, p6.network - v6.network);
            assert.equal(p4.network % prefixSize(p4), 0n, `${formatPrefix(p4)} aligned`);
            got4.push(p4);
          }
        }
        assert.ok(disjoint(got4.map((p) => ({ start: p.network, size: prefixSize(p) }))));
        assert.equal(s4.freeAddresses(), s6.freeAddresses());
      }),
      runs,
    );
  });

  it("number pools hand out each number once, in range, never a reserved one, and reuse released ones", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.nat(300), fc.nat(20)), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (from, span, reservedRaw, picks) => {
          const to = from + span;
          const reserved = reservedRaw.map(([a, l]) => ({ from: a, to: a + l }));
          const isReserved = (n: number) => reserved.some((r) => n >= r.from && n <= r.to);
          let pool = NumberPool.of({ from, to }, reserved);
          const got: number[] = [];
          for (;;) {
            try {
              const r = pool.allocate();
              got.push(r.value);
              pool = r.pool;
            } catch {
              break;
            }
          }
          const expected = Array.from({ length: span + 1 }, (_, i) => from + i).filter((n) => !isReserved(n));
          assert.deepEqual(
            [...got].sort((a, b) => a - b),
            expected,
          );
          const released = [...new Set(picks.filter(() => got.length > 0).map((p) => got[p % got.length]!))];
          for (const n of released) pool = pool.release(n);
          const again: number[] = [];
          for (let i = 0; i < released.length; i++) {
            const r = pool.allocate();
            again.push(r.value);
            pool = r.pool;
          }
          assert.deepEqual(
            again.sort((a, b) => a - b),
            released.sort((a, b) => a - b),
          );
        },
      ),
      runs,
    );
  });

  it("hosts skip the network, gateway, reserved and broadcast addresses, in IPv4 and IPv6", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 20, max: 29 }).map((l) => `10.1.0.0/${l}`),
          fc.integer({ min: 116, max: 125 }).map((l) => `fd00:1::/${l}`),
        ),
        fc.integer({ min: 0, max: 2 }),
        (subnetText, reserve) => {
          const layout = subnetLayout(prefix(subnetText), { reserve });
          let space = hostSpace(layout);
          const held = new Set(layout.reserved.map(formatPrefix));
          const hosts: string[] = [];
          for (let i = 0; i < 8 && space.freeAddresses() > 0n; i++) {
            const r = planHost(space);
            space = r.space;
            hosts.push(r.address);
          }
          for (const h of hosts) {
            const p = formatPrefix(prefix(`${h}/${h.includes(":") ? 128 : 32}`));
            assert.ok(!held.has(p), `${h} is reserved in ${subnetText}`);
          }
          assert.equal(new Set(hosts).size, hosts.length);
          assert.equal(hostSpace(layout).freeAddresses(), layout.usable);
        },
      ),
      runs,
    );
  });
});
