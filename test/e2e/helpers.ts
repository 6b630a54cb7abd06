// Shared setup for the e2e tests: a temporary state directory and a fabric whose ledger lives in it.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Fabric } from "../../provider/generated/schema";
import { repoRoot, Stack } from "../../scripts/lib/pulumi";

export interface TestStack {
  stack: Stack;
  ledgerFile: string;
  stateDir: string;
}

export async function openTestStack(
  project: string,
  config: Record<string, unknown> = {},
  opts: { stack?: string; ledgerUrl?: string; vpcPool?: string } = {},
): Promise<TestStack> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "anyvpc-e2e-"));
  const ledgerFile = path.join(stateDir, "ledger.json");
  const fabric: Fabric = {
    sites: { ams: { kind: "nvue" }, lab: { kind: "nvue" } },
    pools: { vpcIpv4: opts.vpcPool ?? "10.0.0.0/8" },
    ledger: opts.ledgerUrl ? { url: opts.ledgerUrl } : { file: ledgerFile },
  };
  const stack = await Stack.open({
    projectDir: path.join(repoRoot, project),
    stack: opts.stack ?? "e2e",
    stateDir,
    config: { "anyvpc:fabric": fabric, ...config },
  });
  return { stack, ledgerFile, stateDir };
}

export function ledgerAllocations(file: string): { pool: string; owner: string; value: string }[] {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).allocations : [];
}
