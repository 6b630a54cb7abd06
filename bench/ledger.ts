// The planner's IPv4 workload (/24s of a /8, one owner each) through each ledger engine, in one
// process: allocations per second including locking, persistence and (PostgreSQL) a transaction
// per allocation. The file engine rewrites its whole document per allocation (that is its
// durability contract), so it is measured on fewer allocations.
//   npx tsx bench/ledger.ts   (PostgreSQL from ANYVPC_TEST_PG_URL or scripts/setup-postgres.sh)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileLedger } from "../provider/ledger/file";
import type { Ledger, PoolSpec } from "../provider/ledger/ledger";
import { PostgresLedger } from "../provider/ledger/postgres";
import { postgresUrl } from "../test/ledger/engines";

async function measure(name: string, ledger: Ledger, count: number): Promise<void> {
  const pool = `bench-${process.pid}-${Date.now()}`;
  const spec: PoolSpec = { kind: "prefix", parent: "10.0.0.0/8" };
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await ledger.allocate(pool, spec, `owner-${i}`, { length: 24 });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `ledger: ${name}: ${count.toLocaleString("en")} /24s of a /8 in ${s.toFixed(1)} s = ${Math.round(count / s).toLocaleString("en")} allocations/s`,
  );
  await ledger.close();
}

async function main(): Promise<void> {
  await measure(
    "file engine",
    new FileLedger(path.join(mkdtempSync(path.join(tmpdir(), "anyvpc-bench-")), "ledger.json")),
    5_000,
  );
  await measure("postgres engine", new PostgresLedger(postgresUrl()), 65_536);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
