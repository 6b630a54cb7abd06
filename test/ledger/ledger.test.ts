// One suite, both engines: idempotency, conflicts named with their holder, exhaustion with the space
// left, release, and 8 OS processes × 500 allocations from one pool.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { parsePrefix, prefix, prefixSize, contains, type Prefix } from "../../provider/ipam/prefix";
import type { Ledger, PoolSpec } from "../../provider/ledger/ledger";
import { engines, openLedger, uniquePool, type EngineSpec } from "./engines";

const worker = path.join(__dirname, "worker.ts");

interface WorkerResult {
  owner: string;
  request: { length?: number };
  value?: string;
  error?: string;
}

function runWorker(
  engine: EngineSpec,
  pool: string,
  spec: PoolSpec,
  id: number,
  count: number,
  lengths: number[],
): Promise<WorkerResult[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "--import",
        "tsx",
        worker,
        JSON.stringify(engine),
        pool,
        JSON.stringify(spec),
        String(id),
        String(count),
        JSON.stringify(lengths),
      ],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`worker ${id}: ${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

for (const engine of engines) {
  describe(`ledger: ${engine.name} engine`, function () {
    this.timeout(300_000);
    let spec: EngineSpec;
    let ledger: Ledger;
    const v4: PoolSpec = { kind: "prefix", parent: "10.0.0.0/16" };
    const vlans: PoolSpec = {
      kind: "number",
      range: { from: 2, to: 4094 },
      reserved: [{ from: 1002, to: 1005 }],
    };

    before(() => {
      spec = engine.fresh();
      ledger = openLedger(spec);
    });
    after(() => ledger.close());

    it("is idempotent per owner: allocating again returns the same prefix or number", async () => {
      const pool = uniquePool("idem");
      const a = await ledger.allocate(pool, v4, "stack/a", { length: 24 });
      const again = await ledger.allocate(pool, v4, "stack/a", { length: 24 });
      const b = await ledger.allocate(pool, v4, "stack/b", { length: 24 });
      assert.deepEqual(again, a);
      assert.notEqual(b.value, a.value);
      const numPool = uniquePool("idem-vlan");
      const n = await ledger.allocate(numPool, vlans, "stack/a", {});
      assert.deepEqual(await ledger.allocate(numPool, vlans, "stack/a", {}), n);
      assert.equal(n.value, "2");
      // A second engine instance (another process, in effect) sees the same answer.
      const other = openLedger(spec);
      try {
        assert.deepEqual(await other.allocate(pool, v4, "stack/a", { length: 24 }), a);
      } finally {
        await other.close();
      }
    });

    it("refuses an explicit prefix that overlaps another owner's, naming the holder", async () => {
      const pool = uniquePool("overlap");
      await ledger.allocate(pool, v4, "stack/a", { prefix: "10.0.8.0/21" });
      await assert.rejects(
        ledger.allocate(pool, v4, "stack/b", { prefix: "10.0.12.0/22" }),
        /10.0.12.0\/22 overlaps 10.0.8.0\/21 held by stack\/a/,
      );
      await assert.rejects(
        ledger.allocate(pool, v4, "stack/c", { prefix: "10.1.0.0/24" }),
        /not inside 10.0.0.0\/16/,
      );
      await assert.rejects(
        ledger.allocate(pool, v4, "stack/a", { prefix: "10.0.16.0/21" }),
        /already holds 10.0.8.0\/21/,
      );
    });

    it("refuses a number held by another owner or reserved", async () => {
      const pool = uniquePool("vlan");
      await ledger.allocate(pool, vlans, "stack/a", { number: 100 });
      await assert.rejects(
        ledger.allocate(pool, vlans, "stack/b", { number: 100 }),
        /100 in pool .* is held by stack\/a/,
      );
      await assert.rejects(
        ledger.allocate(pool, vlans, "stack/b", { number: 1003 }),
        /1003 is already in use or reserved/,
      );
      await assert.rejects(
        ledger.allocate(pool, vlans, "stack/b", { number: 5000 }),
        /5000 is outside 2-4094/,
      );
    });

    it("says how much space is left and the largest free block when exhausted", async () => {
      const pool = uniquePool("full");
      const small: PoolSpec = { kind: "prefix", parent: "192.168.0.0/24" };
      await ledger.allocate(pool, small, "a", { length: 25 });
      await ledger.allocate(pool, small, "b", { length: 26 });
      await assert.rejects(
        ledger.allocate(pool, small, "c", { length: 25 }),
        /no free \/25 left in 192.168.0.0\/24: 64 addresses are free; the largest free block is 192.168.0.192\/26/,
      );
    });

    it("keeps records by kind and key, replaced on put and gone after delete", async () => {
      const key = uniquePool("rec");
      assert.equal(await ledger.getRecord("vpc", key), undefined);
      await ledger.putRecord("vpc", key, { cidr: "10.1.0.0/16", sites: ["ams"] });
      await ledger.putRecord("vpc", key, { cidr: "10.2.0.0/16", sites: ["ams", "da"] });
      assert.deepEqual(await ledger.getRecord("vpc", key), { cidr: "10.2.0.0/16", sites: ["ams", "da"] });
      await ledger.deleteRecord("vpc", key);
      await ledger.deleteRecord("vpc", key);
      assert.equal(await ledger.getRecord("vpc", key), undefined);
    });

    it("updates a record atomically: the change sees the current data; undefined deletes it", async () => {
      const key = uniquePool("upd");
      assert.deepEqual(await ledger.updateRecord<string[]>("port-users", key, (u) => [...(u ?? []), "a"]), [
        "a",
      ]);
      assert.deepEqual(await ledger.updateRecord<string[]>("port-users", key, (u) => [...(u ?? []), "b"]), [
        "a",
        "b",
      ]);
      assert.deepEqual(await ledger.getRecord("port-users", key), ["a", "b"]);
      assert.equal(await ledger.updateRecord("port-users", key, () => undefined), undefined);
      assert.equal(await ledger.getRecord("port-users", key), undefined);
    });

    it("8 OS processes × 40 joins and 20 leaves on one record: no update lost", async () => {
      const key = uniquePool("users");
      const kept = (await Promise.all(
        Array.from({ length: 8 }, (_, w) => runWorker(spec, `@record:${key}`, v4, w, 40, [])),
      )) as unknown as string[][];
      const stored = ((await ledger.getRecord<string[]>("port-users", key)) ?? []).slice().sort();
      assert.deepEqual(stored, kept.flat().sort());
      assert.equal(stored.length, 8 * 20);
    });

    it("release frees everything an owner holds, and the space is reused", async () => {
      const pool = uniquePool("release");
      const numPool = uniquePool("release-vlan");
      const first = await ledger.allocate(pool, v4, "stack/x", { length: 20 });
      await ledger.allocate(numPool, vlans, "stack/x", {});
      assert.equal(await ledger.release("stack/x"), 2);
      assert.equal(await ledger.release("stack/x"), 0, "releasing again is a no-op");
      assert.deepEqual(await ledger.list({ owner: "stack/x" }), []);
      assert.deepEqual(await ledger.allocate(pool, v4, "stack/y", { length: 20 }), {
        ...first,
        owner: "stack/y",
      });
    });

    it("8 OS processes × 500 allocations from one pool: disjoint prefixes, or a clear exhaustion error", async () => {
      const pool = uniquePool("race");
      const parent = prefix("10.64.0.0/18"); // 16,384 addresses; the requests ask for far more
      const raceSpec: PoolSpec = { kind: "prefix", parent: "10.64.0.0/18" };
      const lengths = [26, 27, 28];
      const results = (
        await Promise.all(
          Array.from({ length: 8 }, (_, i) => runWorker(spec, pool, raceSpec, i, 500, lengths)),
        )
      ).flat();
      assert.equal(results.length, 4000);
      const got: Prefix[] = [];
      for (const r of results) {
        if (r.value !== undefined) {
          const p = parsePrefix(r.value);
          assert.ok(p.ok, r.value);
          assert.equal(p.prefix.length, r.request.length, `${r.owner} got what it asked for`);
          assert.ok(contains(parent, p.prefix));
          got.push(p.prefix);
        } else {
          assert.match(
            r.error!,
            /^PlanError: no free \/2[678] left in 10.64.0.0\/18/,
            `${r.owner}: ${r.error}`,
          );
        }
      }
      got.sort((a, b) => (a.network < b.network ? -1 : 1));
      for (let i = 1; i < got.length; i++) {
        assert.ok(got[i - 1]!.network + prefixSize(got[i - 1]!) <= got[i]!.network, "no two owners overlap");
      }
      assert.ok(got.length > 300, `only ${got.length} succeeded`);
      const total = got.reduce((s, p) => s + prefixSize(p), 0n);
      assert.ok(total <= prefixSize(parent));
      const listed = await ledger.list({ pool });
      assert.equal(listed.length, got.length, "the ledger holds exactly the successful allocations");
    });

    if (engine.name === "postgres") {
      it("the database itself refuses overlapping prefixes and a number used twice, whatever the planner does", async () => {
        const { Client } = await import("pg");
        const c = new Client({ connectionString: (spec as { url: string }).url });
        await c.connect();
        try {
          const pool = uniquePool("raw");
          await ledger.allocate(pool, v4, "planned", { prefix: "10.0.4.0/22" }); // creates the pool row
          await assert.rejects(
            c.query(
              "INSERT INTO anyvpc_allocations (pool, owner, cidr, seq) VALUES ($1, 'rogue', '10.0.5.0/24', 99)",
              [pool],
            ),
            /conflicting key value violates exclusion constraint/,
          );
          const numPool = uniquePool("raw-vlan");
          await ledger.allocate(numPool, vlans, "planned", { number: 7 });
          await assert.rejects(
            c.query("INSERT INTO anyvpc_allocations (pool, owner, num, seq) VALUES ($1, 'rogue', 7, 99)", [
              numPool,
            ]),
            /duplicate key value violates unique constraint/,
          );
        } finally {
          await c.end();
        }
      });
    }

    it("8 OS processes × 500 VLANs from one pool: every number used once", async () => {
      const pool = uniquePool("race-vlan");
      const results = (
        await Promise.all(Array.from({ length: 8 }, (_, i) => runWorker(spec, pool, vlans, i, 500, [])))
      ).flat();
      const values = results.map((r) => {
        assert.equal(r.error, undefined, r.error);
        return Number(r.value);
      });
      assert.equal(new Set(values).size, 4000);
      assert.ok(values.every((v) => v >= 2 && v <= 4094 && !(v >= 1002 && v <= 1005)));
    });
  });
}
