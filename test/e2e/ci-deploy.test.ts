// The CI deploy recipe, end to end: scripts/ci-deploy.sh itself, run as a CI job runs it (a clean
// environment with only PATH, HOME, the PULUMI_* variables, the ledger URL and the Metal token),
// against the simulated lab and the PostgreSQL ledger. A preview of a fresh stack creates nothing,
// `up` deploys, a second preview finds nothing to do, a missing ANYVPC_LEDGER_URL is refused before
// anything runs, and the ledger's password appears in no output, in no state and in no file.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { contains, prefix } from "../../provider/ipam/prefix";
import { PostgresLedger } from "../../provider/ledger/postgres";
import { startLab, type Lab } from "../../sim/lab";
import { labStackConfig } from "../../scripts/lib/lab-config";
import { pulumiBin, repoRoot, Stack } from "../../scripts/lib/pulumi";
import { postgresUrl } from "../ledger/engines";

const script = path.join(repoRoot, "scripts", "ci-deploy.sh");
const project = path.join(repoRoot, "test", "programs", "network");
const vpcPool = "10.99.0.0/16"; // the pool test/e2e/shared-ledger.test.ts plans from, too

const network = {
  vpcs: [{ name: "prod", args: { sites: ["ams", "da"], size: 24 } }],
  subnets: [
    { name: "web", args: { vpc: "prod", site: "ams", size: 26 } },
    { name: "metal", args: { vpc: "prod", site: "da", size: 28 } },
  ],
  attachments: [{ name: "n1", args: { subnet: "web", server: "node-1" } }],
};

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runScript(args: string[], env: Record<string, string>): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = execFile(
      "bash",
      [script, ...args],
      { env, cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Runs SQL as PostgreSQL's superuser (root, or passwordless sudo), as scripts/setup-postgres.sh does. */
function asPostgres(url: URL, sql: string): boolean {
  const port = url.port || "5432";
  const db = decodeURIComponent(url.pathname.slice(1));
  const psql = ["-u", "postgres", "--", "psql", "-p", port, "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt"];
  const [cmd, args] = process.getuid?.() === 0 ? ["runuser", psql] : ["sudo", ["-n", "runuser", ...psql]];
  const r = spawnSync(cmd, args, { input: sql, encoding: "utf8", stdio: "pipe" });
  return r.status === 0;
}

/**
 * A ledger URL with a password of its own: a throwaway login role that is a member of the test
 * database's role (so it may use the ledger's tables), with a random password that can be looked
 * for in every output. Without superuser access to a local database, the shared URL as it is.
 */
function ciLedgerUrl(shared: string, run: string): { url: string; password: string; drop(): void } {
  const u = new URL(shared);
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  const role = `anyvpc_ci_${run}`;
  const password = randomBytes(18).toString("hex");
  const owner = decodeURIComponent(u.username);
  if (local && asPostgres(u, `CREATE ROLE "${role}" LOGIN PASSWORD '${password}' IN ROLE "${owner}";`)) {
    const mine = new URL(shared);
    mine.username = role;
    mine.password = password;
    return {
      url: mine.toString(),
      password,
      drop: () => {
        asPostgres(
          u,
          `REASSIGN OWNED BY "${role}" TO "${owner}"; DROP OWNED BY "${role}"; DROP ROLE "${role}";`,
        );
      },
    };
  }
  console.log("    (no superuser access to the ledger's database: the shared URL is used as it is)");
  return { url: shared, password: decodeURIComponent(u.password), drop: () => undefined };
}

/** Every file under a directory, as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((file) => ({ file, text: readFileSync(file, "latin1") }));
}

/** The script's temporary directories (it runs without TMPDIR, so under /tmp). */
const ciTempDirs = () => new Set(readdirSync("/tmp").filter((f) => f.startsWith("anyvpc-ci.")));

describe("e2e: the CI deploy recipe (scripts/ci-deploy.sh)", function () {
  this.timeout(600_000);
  const run = Date.now().toString(36);
  const stackName = `ci-${run}`;
  let lab: Lab;
  let stack: Stack;
  let stateDir: string;
  let ledger: PostgresLedger;
  let ci: ReturnType<typeof ciLedgerUrl>;
  let env: Record<string, string>;
  let configBefore: string;
  let tempDirsBefore: Set<string>;
  const outputs: { what: string; text: string }[] = [];
  const fabricWrites = () =>
    lab.nvue.requests.filter((r) => r.method !== "GET").length +
    lab.metal.requests.filter((r) => r.method !== "GET").length;
  const held = async () =>
    (await ledger.list()).filter((a) => a.owner.startsWith(`anyvpc-test-network/${stackName}/`));
  const deploy = async (args: string[], extraEnv: Record<string, string | undefined> = {}) => {
    const e = Object.fromEntries(
      Object.entries({ ...env, ...extraEnv }).filter((kv): kv is [string, string] => kv[1] !== undefined),
    );
    const r = await runScript(
      [
        ...args.slice(0, 1),
        "--stack",
        stackName,
        "--cwd",
        project,
        "--config-file",
        stack.configFile,
        ...args.slice(1),
      ],
      e,
    );
    outputs.push({ what: `ci-deploy.sh ${args.join(" ")}`, text: r.stdout + r.stderr });
    return r;
  };

  before(async () => {
    const shared = postgresUrl();
    ledger = new PostgresLedger(shared);
    await ledger.migrate(); // the throwaway role only uses the ledger's tables, never creates them
    // The database outlives test runs: release what an interrupted run of this test left (an hour old).
    for (const owner of new Set((await ledger.list()).map((a) => a.owner))) {
      const m = /^anyvpc-test-network\/ci-([0-9a-z]+)\//.exec(owner);
      if (m && parseInt(m[1]!, 36) < Date.now() - 3_600_000) await ledger.release(owner);
    }
    ci = ciLedgerUrl(shared, run);
    lab = await startLab({ applyMs: 100 });
    stateDir = mkdtempSync(path.join(tmpdir(), "anyvpc-e2e-ci-"));
    const passphrase = randomBytes(12).toString("hex");
    // The fabric as a team commits it: sites and pools, switch passwords as secrets, no ledger
    // (CI brings it); the Metal token comes from METAL_AUTH_TOKEN.
    const { config, secrets } = labStackConfig(
      lab,
      { pools: { vpcIpv4: vpcPool, vpcIpv6: "fd00::/8" } },
      {
        "anyvpc-test-network:network": network,
      },
    );
    const token = secrets.find((s) => s.path.endsWith(".token"))!.value;
    stack = await Stack.open({
      projectDir: project,
      stack: stackName,
      stateDir,
      config,
      secrets: secrets.filter((s) => !s.path.endsWith(".token")),
      env: { PULUMI_CONFIG_PASSPHRASE: passphrase, METAL_AUTH_TOKEN: token },
    });
    configBefore = readFileSync(stack.configFile, "utf8");
    env = {
      PATH: `${pulumiBin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: process.env.HOME ?? stateDir,
      PULUMI_BACKEND_URL: `file://${path.join(stateDir, "backend")}`,
      PULUMI_HOME: path.join(stateDir, "home"),
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ANYVPC_LEDGER_URL: ci.url,
      METAL_AUTH_TOKEN: token,
    };
    tempDirsBefore = ciTempDirs();
  });

  after(async () => {
    if (stack) {
      // Clean up as an operator would: the ledger URL set into the stack's own config, then destroy.
      await stack
        .run(["config", "set", "--secret", "--path", "anyvpc:fabric.ledger.url", ...stack.stackArgs()], {
          input: ci.url,
        })
        .then(() => stack.destroy())
        .catch((e: unknown) => console.log(`    cleanup: ${(e as Error).message.slice(0, 2000)}`));
      await stack.remove();
    }
    await ledger?.close();
    ci?.drop();
    await lab?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it("previews a fresh stack: lists what it would create and creates nothing", async () => {
    const previewOut = path.join(stateDir, "preview.txt");
    const r = await deploy(["preview"], { ANYVPC_PREVIEW_OUT: previewOut });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // `--diff` prints each step as `+ <type>: (create)` followed by the resource's URN.
    for (const [type, name] of [
      ["Vpc", "prod"],
      ["Subnet", "web"],
      ["Subnet", "metal"],
      ["Attachment", "n1"],
    ])
      assert.match(
        r.stdout,
        new RegExp(`\\+ pulumi-nodejs:dynamic/anyvpc:${type}: \\(create\\)\\n\\s+\\[urn=[^\\]]*::${name}\\]`),
        `${type} ${name} is to be created:\n${r.stdout}`,
      );
    assert.match(r.stdout, /\+ 5 to create/); // the stack and its four resources
    const written = readFileSync(previewOut, "utf8");
    assert.match(written, /\+ 5 to create/, "ANYVPC_PREVIEW_OUT holds the preview");
    assert.ok(!written.includes("\u001b["), "without terminal colors");
    assert.equal(fabricWrites(), 0, "the preview wrote nothing to the switches or to Metal");
    assert.deepEqual(await held(), [], "the preview recorded nothing in the ledger");
    assert.deepEqual((await stack.exportState()).deployment.resources ?? [], []);
  });

  it("deploys with up: the fabric and the PostgreSQL ledger hold the allocations", async () => {
    const r = await deploy(["up"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Previewing update/, "up previews first");
    assert.match(r.stdout, /\+ 5 created/);
    const out = (await stack.outputs()).out as {
      vpcs: { prod: { cidr: string; vrf: string } };
      subnets: Record<string, { cidr: string; vlan: number }>;
    };
    const cidr = out.vpcs.prod.cidr;
    assert.ok(contains(prefix(vpcPool), prefix(cidr)), `${cidr} is from the pool`);
    const allocations = await held();
    assert.deepEqual(
      allocations.filter((a) => a.pool === "vpc-ipv4").map((a) => a.value),
      [cidr],
      "the VPC's CIDR is recorded in the PostgreSQL ledger",
    );
    assert.ok(allocations.length > 1, "subnets, VLANs and VNIs are recorded too");
    for (const leaf of ["leaf1", "leaf2"])
      assert.ok(
        (lab.nvue.applied(leaf).vrf as Record<string, unknown>)[out.vpcs.prod.vrf],
        `the VRF is on ${leaf}`,
      );
    const metal = lab.metal.snapshot();
    assert.deepEqual(
      metal.vrfs.map((v) => v.ip_ranges),
      [[cidr]],
      "the Metal VRF exists (the token came from METAL_AUTH_TOKEN)",
    );
  });

  it("previews again: no changes", async () => {
    const writes = fabricWrites();
    const r = await deploy(["preview", "--", "--expect-no-changes"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /5 unchanged/);
    assert.doesNotMatch(r.stdout, /to (create|update|delete|replace)/);
    assert.equal(fabricWrites(), writes);
  });

  it("refuses to run without ANYVPC_LEDGER_URL (or with a URL that is not PostgreSQL), naming it", async () => {
    const before = {
      state: JSON.stringify(await stack.exportState()),
      ledger: await held(),
      writes: fabricWrites(),
    };
    for (const action of ["preview", "up"]) {
      const r = await deploy([action], { ANYVPC_LEDGER_URL: undefined });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /ANYVPC_LEDGER_URL is not set/);
      assert.match(r.stderr, /nothing was run/);
    }
    const notPg = `mysql://u:${ci.password}@127.0.0.1/x`;
    const r = await deploy(["up"], { ANYVPC_LEDGER_URL: notPg });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ANYVPC_LEDGER_URL is not a postgres:\/\/ or postgresql:\/\/ URL/);
    const none = await deploy(["up"], { ANYVPC_LEDGER_URL: undefined, PULUMI_CONFIG_PASSPHRASE: undefined });
    assert.match(none.stderr, /PULUMI_CONFIG_PASSPHRASE \(or PULUMI_CONFIG_PASSPHRASE_FILE\) is not set/);
    assert.match(none.stderr, /ANYVPC_LEDGER_URL is not set/, "every missing variable is named at once");
    assert.equal(JSON.stringify(await stack.exportState()), before.state, "the stack's state is unchanged");
    assert.deepEqual(await held(), before.ledger);
    assert.equal(fabricWrites(), before.writes);
  });

  it("prints no secret, stores the ledger URL nowhere in plaintext and leaves the config file as it was", async () => {
    const secrets = [ci.url, `:${ci.password}@`, ...(ci.url === postgresUrl() ? [] : [ci.password])];
    const exported = await stack.run(["stack", "export", "--stack", stackName]);
    const places = [
      ...outputs,
      { what: "pulumi stack export", text: exported.stdout },
      ...filesUnder(stateDir).map((f) => ({ what: f.file, text: f.text })),
    ];
    for (const { what, text } of places)
      for (const s of secrets) assert.ok(!text.includes(s), `the ledger password is in ${what}`);
    for (const { what, text } of outputs)
      assert.ok(!text.includes(env.METAL_AUTH_TOKEN!), `the Metal token is in ${what}`);
    assert.equal(readFileSync(stack.configFile, "utf8"), configBefore, "the stack config file is unchanged");
    const left = [...ciTempDirs()].filter((d) => !tempDirsBefore.has(d));
    assert.deepEqual(left, [], "the script removed its temporary config copies");
  });
});
