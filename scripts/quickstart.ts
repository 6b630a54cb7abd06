// The quick start: a real `pulumi up` of examples/quickstart on a local file backend, then the
// plan printed as a table. The stack lives in .state/quickstart, so it can be refreshed and
// destroyed later: `scripts/quickstart.sh refresh` / `scripts/quickstart.sh destroy`.
import path from "node:path";
import { repoRoot, Stack } from "./lib/pulumi";

async function main(): Promise<void> {
  const action = process.argv[2] ?? "up";
  const stack = await Stack.open({
    projectDir: path.join(repoRoot, "examples", "quickstart"),
    stack: "dev",
    stateDir: path.join(repoRoot, ".state", "quickstart"),
  });
  const commands: Record<string, () => Promise<{ stdout: string }>> = {
    up: () => stack.up(),
    preview: () => stack.preview(),
    refresh: () => stack.refresh(),
    destroy: () => stack.destroy(),
  };
  const run = commands[action];
  if (!run) throw new Error(`unknown action ${action}; use one of ${Object.keys(commands).join(", ")}`);
  console.log(`[quickstart] pulumi ${action} of examples/quickstart (stack dev, state in .state/quickstart)`);
  const result = await run();
  process.stdout.write(result.stdout);
  if (action === "up" || action === "refresh") {
    const outputs = await stack.outputs();
    const vpcs = (outputs.vpcs ?? {}) as Record<string, { id: string; cidr: string; sites: string[] }>;
    console.log("\nIP plan");
    console.log(`${"VPC".padEnd(10)} ${"CIDR".padEnd(18)} ${"sites".padEnd(14)} id`);
    for (const [name, v] of Object.entries(vpcs)) {
      console.log(`${name.padEnd(10)} ${v.cidr.padEnd(18)} ${v.sites.join(",").padEnd(14)} ${v.id}`);
    }
    console.log("\nNext: scripts/quickstart.sh refresh | preview | destroy");
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
