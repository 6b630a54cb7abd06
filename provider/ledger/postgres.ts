// The PostgreSQL engine, for teams and CI deploys sharing pools. Allocation runs in a transaction
// that locks the pool's row (so planners of one pool take turns), and the database itself refuses
// overlapping prefixes (EXCLUDE USING gist) and double use of a number (UNIQUE): a bug in the
// planner cannot hand out one prefix twice.
import { Pool, type PoolClient } from "pg";
import { AnyvpcError } from "../errors";
import { formatPrefix, parsePrefix } from "../ipam/prefix";
import type { Allocation, AllocationRequest, Ledger, PoolSpec } from "./ledger";
import { PoolIndex } from "./pool-index";

/** Ordered, append-only migrations; the applied ones are recorded in anyvpc_migrations. */
const migrations: readonly string[] = [
  `CREATE EXTENSION IF NOT EXISTS btree_gist;
   CREATE TABLE anyvpc_pools (
     name  text PRIMARY KEY,
     spec  jsonb NOT NULL,
     seq   bigint NOT NULL DEFAULT 0,
     epoch bigint NOT NULL DEFAULT 0
   );
   CREATE TABLE anyvpc_allocations (
     pool       text NOT NULL REFERENCES anyvpc_pools (name),
     owner      text NOT NULL,
     cidr       cidr,
     num        bigint,
     seq        bigint NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (pool, owner),
     CHECK ((cidr IS NULL) <> (num IS NULL)),
     UNIQUE (pool, num),
     EXCLUDE USING gist (pool WITH =, cidr inet_ops WITH &&) WHERE (cidr IS NOT NULL)
   );
   CREATE INDEX anyvpc_allocations_owner ON anyvpc_allocations (owner);
   CREATE INDEX anyvpc_allocations_seq ON anyvpc_allocations (pool, seq);`,
  `CREATE TABLE anyvpc_records (
     kind text NOT NULL,
     key  text NOT NULL,
     data jsonb NOT NULL,
     PRIMARY KEY (kind, key)
   );`,
];

interface PoolCache {
  index: PoolIndex;
  specKey: string;
  seq: number;
  epoch: number;
}

interface Row {
  pool: string;
  owner: string;
  cidr: string | null;
  num: string | null;
  seq: string;
}

function toAllocation(r: Row): Allocation {
  if (r.cidr === null) return { pool: r.pool, owner: r.owner, value: String(r.num) };
  // Format as the planner does, so values compare equal whichever engine produced them.
  const p = parsePrefix(r.cidr);
  return { pool: r.pool, owner: r.owner, value: p.ok ? formatPrefix(p.prefix) : r.cidr };
}

export class PostgresLedger implements Ledger {
  private readonly db: Pool;
  private ready: Promise<void> | undefined;
  private readonly pools = new Map<string, PoolCache>();

  constructor(url: string) {
    this.db = new Pool({ connectionString: url, max: 4 });
    // An idle client's error (e.g. the server restarting) must not crash the provider process.
    this.db.on("error", () => undefined);
  }

  /** Applies pending migrations once per process, serialized across processes by an advisory lock. */
  migrate(): Promise<void> {
    this.ready ??= this.tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(hashtext('anyvpc-ledger-migrations'))");
      await c.query(
        "CREATE TABLE IF NOT EXISTS anyvpc_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
      );
      const { rows } = await c.query<{ v: number | null }>("SELECT max(version) AS v FROM anyvpc_migrations");
      for (let v = (rows[0]?.v ?? 0) + 1; v <= migrations.length; v++) {
        await c.query(migrations[v - 1]!);
        await c.query("INSERT INTO anyvpc_migrations (version) VALUES ($1)", [v]);
      }
    }).catch((e: unknown) => {
      this.ready = undefined;
      throw new AnyvpcError(
        `could not prepare the PostgreSQL ledger: ${(e as Error).message}`,
        {},
        { cause: e },
      );
    });
    return this.ready;
  }

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.db.connect();
    try {
      await c.query("BEGIN");
      const result = await fn(c);
      await c.query("COMMIT");
      return result;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** The pool's index, caught up with the rows added since this process last looked. */
  private async indexFor(
    c: PoolClient,
    pool: string,
    spec: PoolSpec,
    seq: number,
    epoch: number,
  ): Promise<PoolCache> {
    const specKey = JSON.stringify(spec);
    let cache = this.pools.get(pool);
    if (!cache || cache.specKey !== specKey || cache.epoch !== epoch || cache.seq > seq) {
      const { rows } = await c.query<Row>(
        "SELECT pool, owner, cidr::text AS cidr, num, seq FROM anyvpc_allocations WHERE pool = $1 ORDER BY seq",
        [pool],
      );
      cache = { index: PoolIndex.of(pool, spec, rows.map(toAllocation)), specKey, seq, epoch };
      this.pools.set(pool, cache);
    } else if (cache.seq < seq) {
      const { rows } = await c.query<Row>(
        "SELECT pool, owner, cidr::text AS cidr, num, seq FROM anyvpc_allocations WHERE pool = $1 AND seq > $2 ORDER BY seq",
        [pool, cache.seq],
      );
      for (const r of rows) cache.index.add(toAllocation(r));
      cache.seq = seq;
    }
    return cache;
  }

  async allocate(
    pool: string,
    spec: PoolSpec,
    owner: string,
    request: AllocationRequest,
  ): Promise<Allocation> {
    await this.migrate();
    return this.tx(async (c) => {
      await c.query("INSERT INTO anyvpc_pools (name, spec) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [
        pool,
        spec,
      ]);
      const { rows } = await c.query<{ seq: string; epoch: string }>(
        "SELECT seq, epoch FROM anyvpc_pools WHERE name = $1 FOR UPDATE",
        [pool],
      );
      const seq = Number(rows[0]!.seq);
      const epoch = Number(rows[0]!.epoch);
      const cache = await this.indexFor(c, pool, spec, seq, epoch);
      const { allocation, isNew } = cache.index.plan(owner, request);
      if (!isNew) return allocation;
      const next = seq + 1;
      const isPrefix = spec.kind === "prefix";
      await c.query(
        "INSERT INTO anyvpc_allocations (pool, owner, cidr, num, seq) VALUES ($1, $2, $3, $4, $5)",
        [pool, owner, isPrefix ? allocation.value : null, isPrefix ? null : allocation.value, next],
      );
      await c.query("UPDATE anyvpc_pools SET seq = $2 WHERE name = $1", [pool, next]);
      // The index learns the allocation only once the transaction is sure to commit; a failed
      // COMMIT leaves the cache behind the database, which the next seq comparison repairs.
      cache.index.add(allocation);
      cache.seq = next;
      return allocation;
    }).catch((e: unknown) => {
      this.pools.delete(pool); // never trust a cache that may hold an allocation that did not commit
      throw e;
    });
  }

  async release(owner: string): Promise<number> {
    await this.migrate();
    return this.tx(async (c) => {
      const { rows } = await c.query<{ pool: string }>(
        "DELETE FROM anyvpc_allocations WHERE owner = $1 RETURNING pool",
        [owner],
      );
      const pools = [...new Set(rows.map((r) => r.pool))];
      if (pools.length)
        await c.query("UPDATE anyvpc_pools SET epoch = epoch + 1 WHERE name = ANY($1)", [pools]);
      return rows.length;
    });
  }

  async list(filter: { pool?: string; owner?: string } = {}): Promise<Allocation[]> {
    await this.migrate();
    const { rows } = await this.db.query<Row>(
      `SELECT pool, owner, cidr::text AS cidr, num, seq FROM anyvpc_allocations
        WHERE ($1::text IS NULL OR pool = $1) AND ($2::text IS NULL OR owner = $2) ORDER BY pool, seq`,
      [filter.pool ?? null, filter.owner ?? null],
    );
    return rows.map(toAllocation);
  }

  async putRecord(kind: string, key: string, data: unknown): Promise<void> {
    await this.migrate();
    await this.db.query(
      "INSERT INTO anyvpc_records (kind, key, data) VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data",
      [kind, key, JSON.stringify(data)],
    );
  }

  async getRecord<T>(kind: string, key: string): Promise<T | undefined> {
    await this.migrate();
    const { rows } = await this.db.query<{ data: T }>(
      "SELECT data FROM anyvpc_records WHERE kind = $1 AND key = $2",
      [kind, key],
    );
    return rows[0]?.data;
  }

  async deleteRecord(kind: string, key: string): Promise<void> {
    await this.migrate();
    await this.db.query("DELETE FROM anyvpc_records WHERE kind = $1 AND key = $2", [kind, key]);
  }

  async updateRecord<T>(
    kind: string,
    key: string,
    change: (current: T | undefined) => T | undefined,
  ): Promise<T | undefined> {
    await this.migrate();
    return this.tx(async (c) => {
      // A lock on the key, not on the row: it also serializes writers of a record not yet there.
      await c.query("SELECT pg_advisory_xact_lock(hashtext('anyvpc-record'), hashtext($1))", [
        `${kind}/${key}`,
      ]);
      const { rows } = await c.query<{ data: T }>(
        "SELECT data FROM anyvpc_records WHERE kind = $1 AND key = $2",
        [kind, key],
      );
      const next = change(rows[0]?.data);
      if (next === undefined)
        await c.query("DELETE FROM anyvpc_records WHERE kind = $1 AND key = $2", [kind, key]);
      else
        await c.query(
          "INSERT INTO anyvpc_records (kind, key, data) VALUES ($1, $2, $3) ON CONFLICT (kind, key) DO UPDATE SET data = EXCLUDED.data",
          [kind, key, JSON.stringify(next)],
        );
      return next;
    });
  }

  async close(): Promise<void> {
    await this.db.end();
  }
}
