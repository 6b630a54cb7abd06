// Shared setup for the e2e tests: a simulated lab fabric (served from this test process), a
// temporary state directory, and a stack whose fabric description points at the lab, with the
// lab's credentials set as Pulumi secrets.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLab, type Lab } from "../../sim/lab";
import { labStackConfig } from "../../scripts/lib/lab-config";
import { repoRoot, Stack } from "../../scripts/lib/pulumi";

export interface TestStack {
  stack: Stack;
  lab: Lab;
  ledgerFile: string;
  stateDir: string;
  /** Removes the stack and stops the lab (when this stack started it). */
  close(): Promise<void>;
}

export async function openTestStack(
  project: string,
  config: Record<string, unknown> = {},
  opts: { stack?: string; ledgerUrl?: string; vpcPool?: string; lab?: Lab } = {},
): Promise<TestStack> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "anyvpc-e2e-"));
  const ledgerFile = path.join(stateDir, "ledger.json");
  const lab = opts.lab ?? (await startLab({ applyMs: 100 }));
  const { config: fabricConfig, secrets } = labStackConfig(
    lab,
    {
      pools: { vpcIpv4: opts.vpcPool ?? "10.0.0.0/8", vpcIpv6: "fd00::/8" },
      ledger: opts.ledgerUrl ? { url: opts.ledgerUrl } : { file: ledgerFile },
    },
    config,
  );
  const stack = await Stack.open({
    projectDir: path.join(repoRoot, project),
    stack: opts.stack ?? "e2e",
    stateDir,
    config: fabricConfig,
    secrets,
  });
  return {
    stack,
    lab,
    ledgerFile,
    stateDir,
    close: async () => {
      await stack.remove();
      if (!opts.lab) await lab.close();
    },
  };
}

export function ledgerAllocations(file: string): { pool: string; owner: string; value: string }[] {
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).allocations : [];
}
