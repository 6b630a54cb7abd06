// `anyvpc sim`: the simulated lab fabric of sim/lab.ts, run in the foreground for a Pulumi project,
// with the project's stack pointed at it. State lives in <project>/.anyvpc/sim, so a rerun
// resumes the same fabric on the same ports with the same credentials: Pulumi's refresh and
// destroy reach the fabric through the URLs stored in the stack's state at its last update.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { labEosServers, labServers, startLab, type Lab } from "../sim/lab";
import { labStackConfig } from "../sim/lab-config";
import { configCommands, configureStack, NoStackToConfigure, type FabricConfig } from "./stack-config";

export const simHelp = `Usage: anyvpc sim [--dir <project dir>] [--stack <name>]

Starts a simulated fabric in the foreground: the NVUE switches (leaf1, leaf2) of site "ams", the
Arista EOS switches (eos1, eos2) of site "fra" and the Equinix Metal API of metro "da" (joined to
ams by an interconnect), with lab servers node-1..4 (ams) and node-5..8 (fra) answering on port
443 at 127.77.0.1-8 (binding 443 needs root; without it a warning, no service).
It keeps its state in <project dir>/.anyvpc/sim, so a rerun resumes the same fabric, ports and
credentials.

It writes the fabric description into the stack's config as anyvpc:fabric (replacing any there),
with the switch passwords and the Metal token as Pulumi secrets, using the pulumi CLI on PATH. The
allocation ledger is left at its default, <project dir>/.anyvpc/ledger.json.
Without a stack to configure (none selected, or no pulumi on PATH) it prints the pulumi config
commands to run instead; they read the credentials from .anyvpc/sim/credentials.json, never print
them.

It prints "anyvpc sim: ready" once it serves. Ctrl-C (SIGINT) or SIGTERM stops it.

Options:
  --dir <project dir>  the Pulumi project (the directory holding Pulumi.yaml); default: the current
                       directory
  --stack <name>       the stack to configure; default: the project's selected stack
  -h, --help           show this help
`;

/** The address pools of the simulated fabric (`publicIpv4` is the documentation range). */
const pools = { vpcIpv4: "10.0.0.0/8", vpcIpv6: "fd00::/8", publicIpv4: "203.0.113.0/24" };

export async function sim(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      dir: { type: "string" },
      stack: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(simHelp);
    return;
  }
  const projectDir = path.resolve(values.dir ?? process.cwd());
  if (!["Pulumi.yaml", "Pulumi.yml"].some((f) => existsSync(path.join(projectDir, f)))) {
    throw new Error(`${projectDir} is not a Pulumi project (no Pulumi.yaml); use --dir <project dir>`);
  }
  const stateDir = path.join(projectDir, ".anyvpc", "sim");
  const lab = await startLab({ stateDir }).catch((e: unknown) => {
    const inUse = (e as NodeJS.ErrnoException).code === "EADDRINUSE";
    throw inUse ? new Error(`${(e as Error).message}: is another anyvpc sim running for ${projectDir}?`) : e;
  });
  const stop = () => {
    lab.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`anyvpc sim: closing the lab: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    // The lab's credentials are in plaintext in this directory: keep it out of the project's repo.
    writeFileSync(path.join(stateDir, ".gitignore"), "*\n");
    await serveLabServers(lab);
    printFabric(lab, stateDir);
    await pointStackAtLab(lab, projectDir, stateDir, values.stack);
  } catch (e) {
    await lab.close();
    throw e;
  }
  console.log("anyvpc sim: ready");
}

/** Writes the lab's fabric into the stack's config or, without a stack, prints how to. */
async function pointStackAtLab(lab: Lab, projectDir: string, stateDir: string, requested?: string) {
  const { config, secrets } = labStackConfig(lab, { pools });
  const fabricConfig: FabricConfig = { fabric: config["anyvpc:fabric"], secrets };
  try {
    const stack = await configureStack(projectDir, requested, fabricConfig);
    console.log(`  stack ${stack}: anyvpc:fabric written, credentials as secrets`);
  } catch (e) {
    if (!(e instanceof NoStackToConfigure)) throw e;
    console.log(`\nNo stack configured (${e.message}).`);
    console.log(`Select or create one and rerun anyvpc sim, or run these commands in ${projectDir}:`);
    for (const command of configCommands(requested, fabricConfig, stateDir)) console.log(`  ${command}`);
    console.log("");
  }
}

/**
 * The lab servers answer on 443 so that load balancer health checks find them up. Port 443 needs
 * root (or a lowered ip_unprivileged_port_start); without it the fabric is still useful.
 */
async function serveLabServers(lab: Lab): Promise<void> {
  const failed: string[] = [];
  let reason = "";
  for (const server of [...Object.keys(labServers), ...Object.keys(labEosServers)]) {
    await lab.serve(server, 443).catch((e: unknown) => {
      failed.push(server);
      reason ||= e instanceof Error ? e.message : String(e);
    });
  }
  if (failed.length > 0) {
    console.warn(`anyvpc sim: warning: ${failed.join(", ")} do not serve port 443 (${reason})`);
  }
}

function printFabric(lab: Lab, stateDir: string): void {
  const switches = (lab.sites.ams as { switches: Record<string, { url: string }> }).switches;
  const servers = Object.entries({ ...labServers, ...labEosServers }).map(
    ([name, s]) => `${name} ${s.probe}`,
  );
  console.log(`anyvpc sim: simulated fabric, state in ${stateDir}`);
  for (const [name, s] of Object.entries(switches)) console.log(`  switch ams/${name}: ${s.url}`);
  const eosSwitches = (lab.sites.fra as { switches: Record<string, { url: string }> }).switches;
  for (const [name, s] of Object.entries(eosSwitches))
    console.log(`  switch fra/${name}: ${s.url}/command-api`);
  console.log(`  Equinix Metal API (metro da): ${(lab.sites.da as { url: string }).url}`);
  console.log(`  lab servers: ${servers.join(", ")}`);
}
