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

/** The URN's last part: the resource's name. */
const nameOf = (urn: string) => urn.split("::").pop()!;

/**
 * A plain `pulumi preview` of the stack (as a user runs it before the first `up`), with the
 * names of the resources it shows to be created. Fails as the preview fails.
 */
export async function previewCreates(t: TestStack): Promise<string[]> {
  const r = await t.stack.preview(["--json"]);
  const steps = (JSON.parse(r.stdout) as { steps?: { op: string; urn: string }[] }).steps ?? [];
  return steps
    .filter(
      (s) =>
        s.op === "create" &&
        !s.urn.includes("::pulumi:pulumi:Stack::") &&
        !s.urn.includes("::pulumi:providers:"),
    )
    .map((s) => nameOf(s.urn))
    .sort();
}

/** The names of the resources the stack's state holds (the stack itself and providers left out). */
export async function stateNames(t: TestStack): Promise<string[]> {
  const state = await t.stack.exportState();
  return (state.deployment.resources ?? [])
    .filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"))
    .map((r) => nameOf(r.urn))
    .sort();
}
