// The ledger engines under test. PostgreSQL comes from ANYVPC_TEST_PG_URL or the URL that
// scripts/setup-postgres.sh wrote; the suite fails (never skips) when neither exists.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileLedger } from "../../provider/ledger/file";
import type { Ledger } from "../../provider/ledger/ledger";
import { PostgresLedger } from "../../provider/ledger/postgres";
import { repoRoot } from "../../scripts/lib/pulumi";

export type EngineSpec = { kind: "file"; file: string } | { kind: "postgres"; url: string };

export function postgresUrl(): string {
  const fromEnv = process.env.ANYVPC_TEST_PG_URL;
  if (fromEnv) return fromEnv;
  const file = path.join(repoRoot, ".state", "postgres-url");
  if (!existsSync(file))
    throw new Error("no PostgreSQL for the ledger tests: run scripts/setup-postgres.sh (npm test does)");
  return readFileSync(file, "utf8").trim();
}

export function openLedger(spec: EngineSpec): Ledger {
  return spec.kind === "file" ? new FileLedger(spec.file) : new PostgresLedger(spec.url);
}

export interface Engine {
  name: string;
  /** A fresh engine spec (a new file; for PostgreSQL, pools are made unique by the tests). */
  fresh(): EngineSpec;
}

export const engines: Engine[] = [
  {
    name: "file",
    fresh: () => ({
      kind: "file",
      file: path.join(mkdtempSync(path.join(tmpdir(), "anyvpc-ledger-")), "ledger.json"),
    }),
  },
  { name: "postgres", fresh: () => ({ kind: "postgres", url: postgresUrl() }) },
];

let counter = 0;
/** A pool name no other test (or earlier run against the same database) uses. */
export function uniquePool(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}
