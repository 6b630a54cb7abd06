// `anyvpc sim` as a user runs it: the compiled command (dist/cli) in a Pulumi project directory,
// with the real Pulumi CLI on PATH and a temporary file backend. It must configure the selected
// stack (credentials as secrets), serve the fabric at the URLs it wrote, stop cleanly on a
// signal, resume the same fabric on a rerun, and print working commands when there is no stack.
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pulumiBin, repoRoot } from "../../scripts/lib/pulumi";

const cli = path.join(repoRoot, "dist", "cli", "index.js");

interface Project {
  dir: string;
  env: NodeJS.ProcessEnv;
}

type Fabric = {
  sites: {
    ams: { kind: string; switches: Record<string, { url: string; username: string; password: string }> };
    fra: { kind: string; switches: Record<string, { url: string; username: string; password: string }> };
    da: { kind: string; projectId: string; url: string; token: string };
  };
  interconnects: Record<string, unknown>;
  pools: Record<string, string>;
  ledger?: unknown;
};

/** A Pulumi project in a temp directory, with its own file backend and Pulumi home. */
function newProject(): Project {
  const root = mkdtempSync(path.join(tmpdir(), "anyvpc-sim-"));
  const dir = path.join(root, "project");
  mkdirSync(dir);
  mkdirSync(path.join(root, "backend"));
  writeFileSync(path.join(dir, "Pulumi.yaml"), "name: anyvpc-sim-test\nruntime: nodejs\n");
  const env = {
    ...process.env,
    PATH: `${pulumiBin}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
    PULUMI_HOME: path.join(root, "home"),
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  return { dir, env };
}

function run(
  file: string,
  args: string[],
  p: Project,
  opts: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: opts.cwd ?? p.dir, env: p.env }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function pulumi(p: Project, args: string[]): Promise<string> {
  const r = await run("pulumi", [...args, "--non-interactive"], p);
  assert.equal(r.code, 0, `pulumi ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** anyvpc:fabric of a stack, secrets decrypted. */
async function fabricOf(p: Project, stack: string): Promise<Fabric | undefined> {
  const config = JSON.parse(
    await pulumi(p, ["config", "--show-secrets", "--json", "--stack", stack]),
  ) as Record<string, { objectValue?: Fabric }>;
  return config["anyvpc:fabric"]?.objectValue;
}

const running = new Set<ChildProcess>();

interface Sim {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `anyvpc sim` and resolves once it prints its ready line. */
function startSim(p: Project, args: string[] = [], cwd = p.dir): Promise<Sim> {
  const child = spawn(process.execPath, [cli, "sim", ...args], { cwd, env: p.env });
  running.add(child);
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 60 s:\n${output}`)), 60_000);
    child.stdout.on("data", () => {
      if (!/^anyvpc sim: ready$/m.test(output)) return;
      clearTimeout(timer);
      resolve({ child, output: () => output, exited });
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`anyvpc sim exited with ${code} before ready:\n${output}`));
    });
  });
}

/** Sends the signal and expects a clean exit. */
async function stop(sim: Sim, signal: NodeJS.Signals): Promise<void> {
  sim.child.kill(signal);
  assert.deepEqual(await sim.exited, { code: 0, signal: null }, sim.output());
}

function credentials(p: Project): { password: string; token: string } {
  return JSON.parse(readFileSync(path.join(p.dir, ".anyvpc", "sim", "credentials.json"), "utf8"));
}

/** The fabric anyvpc sim describes, with the lab's credentials of this project. */
function assertLabFabric(fabric: Fabric | undefined, p: Project): asserts fabric is Fabric {
  assert.ok(fabric, "anyvpc:fabric is set");
  const { password, token } = credentials(p);
  assert.equal(fabric.sites.ams.kind, "nvue");
  assert.deepEqual(Object.keys(fabric.sites.ams.switches).sort(), ["leaf1", "leaf2"]);
  for (const s of Object.values(fabric.sites.ams.switches)) assert.equal(s.password, password);
  assert.equal(fabric.sites.fra.kind, "eos");
  assert.deepEqual(Object.keys(fabric.sites.fra.switches).sort(), ["eos1", "eos2"]);
  for (const s of Object.values(fabric.sites.fra.switches)) assert.equal(s.password, password);
  assert.equal(fabric.sites.da.kind, "equinix-metal");
  assert.equal(fabric.sites.da.token, token);
  assert.deepEqual(Object.keys(fabric.interconnects), ["ams-da"]);
  assert.deepEqual(fabric.pools, {
    vpcIpv4: "10.0.0.0/8",
    vpcIpv6: "fd00::/8",
    publicIpv4: "203.0.113.0/24",
  });
  assert.equal(fabric.ledger, undefined, "the ledger stays at its default");
}

/** The switches and the Metal API answer at the URLs written, and refuse a request without credentials. */
async function assertServes(fabric: Fabric, p: Project): Promise<void> {
  const { password, token } = credentials(p);
  for (const s of Object.values(fabric.sites.ams.switches)) {
    assert.equal((await fetch(`${s.url}/revision`)).status, 401);
    const basic = Buffer.from(`${s.username}:${password}`).toString("base64");
    const authorized = await fetch(`${s.url}/revision`, { headers: { authorization: `Basic ${basic}` } });
    assert.equal(authorized.status, 200);
  }
  const project = `${fabric.sites.da.url}/projects/${fabric.sites.da.projectId}`;
  assert.equal((await fetch(project)).status, 401);
  assert.equal((await fetch(project, { headers: { "x-auth-token": token } })).status, 200);
}

/** Builds dist/ when it is missing or older than the sources it is compiled from. */
function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(
      ...readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") || f.endsWith(".json"))
        .map((f) => statSync(path.join(dir, f)).mtimeMs),
    );
  const sources = Math.max(newest(path.join(repoRoot, "cli")), newest(path.join(repoRoot, "sim")));
  if (!existsSync(cli) || statSync(cli).mtimeMs < sources) {
    execFileSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "ignore" });
  }
}

describe("e2e: anyvpc sim", function () {
  this.timeout(180_000);

  before(() => {
    if (!existsSync(path.join(pulumiBin, "pulumi"))) {
      throw new Error(`no Pulumi CLI in ${pulumiBin}: run scripts/setup-pulumi.sh`);
    }
    ensureBuilt();
  });
  afterEach(() => {
    for (const child of running) child.kill("SIGKILL");
  });

  it("--help says what the command and its options do; mistakes exit 2 naming them", async () => {
    const p = newProject();
    const top = await run(process.execPath, [cli, "--help"], p);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /Usage: anyvpc <command>/);
    assert.match(top.stdout, /^ {2}sim /m);
    const sim = await run(process.execPath, [cli, "sim", "--help"], p);
    assert.equal(sim.code, 0);
    for (const text of ["Usage: anyvpc sim", "--dir <project dir>", "--stack <name>", "anyvpc sim: ready"]) {
      assert.ok(sim.stdout.includes(text), `sim --help mentions ${text}`);
    }
    for (const [args, named] of [
      [["frobnicate"], "unknown command 'frobnicate'"],
      [["--frobnicate"], "unknown option '--frobnicate'"],
      [["sim", "--frobnicate"], "'--frobnicate'"],
      [["sim", "extra"], "'extra'"],
      [["sim", "--dir"], "--dir"],
      [[], "missing command"],
    ] as const) {
      const r = await run(process.execPath, [cli, ...args], p);
      assert.equal(r.code, 2, `anyvpc ${args.join(" ")}`);
      assert.ok(r.stderr.includes(named), `anyvpc ${args.join(" ")}: ${r.stderr}`);
    }
    const notAProject = await run(process.execPath, [cli, "sim", "--dir", path.dirname(p.dir)], p);
    assert.equal(notAProject.code, 1);
    assert.match(notAProject.stderr, /not a Pulumi project/);
  });

  it("configures the selected stack, serves the fabric, stops on SIGTERM and resumes on a rerun", async () => {
    const p = newProject();
    await pulumi(p, ["stack", "init", "dev"]);
    const first = await startSim(p);
    assert.match(first.output(), /stack dev: anyvpc:fabric written/);
    const fabric = await fabricOf(p, "dev");
    assertLabFabric(fabric, p);
    for (const s of Object.values(fabric.sites.ams.switches)) assert.ok(first.output().includes(s.url));
    assert.ok(first.output().includes(fabric.sites.da.url));
    // In the config file the credentials are ciphertext only.
    const file = readFileSync(path.join(p.dir, "Pulumi.dev.yaml"), "utf8");
    const { password, token } = credentials(p);
    assert.ok(!file.includes(password) && !file.includes(token), file);
    // The four switch passwords (ams, fra) and the Metal token.
    assert.equal(file.match(/secure:/g)?.length, 5, file);
    await assertServes(fabric, p);
    await stop(first, "SIGTERM");

    const second = await startSim(p);
    assert.deepEqual(await fabricOf(p, "dev"), fabric, "same ports, same credentials");
    await assertServes(fabric, p);
    await stop(second, "SIGINT");
  });

  it("with --dir and --stack configures that stack of that project, not the selected one", async () => {
    const p = newProject();
    await pulumi(p, ["stack", "init", "prod"]);
    await pulumi(p, ["stack", "init", "dev"]); // selected
    const sim = await startSim(p, ["--dir", p.dir, "--stack", "prod"], tmpdir());
    assertLabFabric(await fabricOf(p, "prod"), p);
    assert.equal(await fabricOf(p, "dev"), undefined);
    await stop(sim, "SIGTERM");
  });

  it("without a selected stack prints the pulumi config commands, which work and show no credential", async () => {
    const p = newProject();
    const sim = await startSim(p);
    const out = sim.output();
    assert.match(out, /No stack configured \(no stack selected/);
    const commands = out
      .split("\n")
      .filter((l) => /^ {2}(pulumi|node) /.test(l))
      .map((l) => l.trim());
    assert.equal(commands.length, 6, out);
    assert.equal(commands.filter((c) => c.includes("pulumi config set --secret --path")).length, 5);
    const { password, token } = credentials(p);
    assert.ok(!out.includes(password) && !out.includes(token), "no credential printed");
    // A user selects a stack and pastes the commands.
    await pulumi(p, ["stack", "init", "dev"]);
    for (const command of commands) {
      const r = await run("bash", ["-c", command], p);
      assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    }
    const fabric = await fabricOf(p, "dev");
    assertLabFabric(fabric, p);
    await assertServes(fabric, p);
    await stop(sim, "SIGTERM");
  });
});
