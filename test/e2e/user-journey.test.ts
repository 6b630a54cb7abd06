// The user's path, walked as a user walks it: the package packed with `npm pack`, installed into a
// new Pulumi project outside this repository (Pulumi's default Node.js runtime, no tsx), the
// simulated fabric started with `npx anyvpc sim` there, and the README's program run with plain
// `pulumi preview`, `pulumi up --yes`, `pulumi preview --expect-no-changes`, `pulumi refresh --yes`
// and `pulumi destroy --yes`. The fabric is read back through the simulators' own APIs, with the
// URLs and credentials `anyvpc sim` wrote into the stack config.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { pulumiBin, repoRoot } from "../../scripts/lib/pulumi";

const run = promisify(execFile);

/** The first ```ts block of the README's "Use it in your project": the program users copy. */
function readmeProgram(): string {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use it in your project"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, "the README shows a program");
  return m[1]!;
}

interface FabricConfig {
  sites: {
    ams: { switches: Record<string, { url: string; username: string; password: string }> };
    da: { url: string; projectId: string; token: string };
  };
}

/** What the fabric holds, as its APIs answer: each leaf's applied VRFs and port VLANs, Metal's objects. */
async function fabricNow(fabric: FabricConfig) {
  const leaves: Record<string, { vrfs: string[]; swp1: unknown; swp1Vlan: unknown }> = {};
  for (const [leaf, sw] of Object.entries(fabric.sites.ams.switches)) {
    const get = async (p: string) => {
      const auth = Buffer.from(`${sw.username}:${sw.password}`).toString("base64");
      const r = await fetch(`${sw.url}/${p}?rev=applied`, { headers: { authorization: `Basic ${auth}` } });
      if (r.status === 404) return undefined;
      assert.equal(r.status, 200, `GET ${p} on ${leaf}`);
      return (await r.json()) as unknown;
    };
    const vrf = ((await get("vrf")) ?? {}) as Record<string, unknown>;
    leaves[leaf] = {
      vrfs: Object.keys(vrf).filter((v) => v !== "default" && v !== "mgmt"),
      swp1: await get("interface/swp1"),
      swp1Vlan: await get("interface/swp1/bridge/domain/br_default"),
    };
  }
  const metal = async (p: string) => {
    const r = await fetch(`${fabric.sites.da.url}${p}`, {
      headers: { "X-Auth-Token": fabric.sites.da.token },
    });
    assert.equal(r.status, 200, `GET ${p}`);
    return (await r.json()) as Record<string, unknown[]>;
  };
  const project = fabric.sites.da.projectId;
  return {
    leaves,
    metalVrfs: (await metal(`/projects/${project}/vrfs`)).vrfs ?? [],
    metalVlans: (await metal(`/projects/${project}/virtual-networks`)).virtual_networks ?? [],
  };
}

describe("e2e: the user's journey from npm pack, outside the repo", function () {
  this.timeout(1_200_000);
  let dir: string;
  let sim: ChildProcess | undefined;
  let simOutput = "";
  let env: NodeJS.ProcessEnv;

  const pulumi = async (args: string[]) => {
    try {
      return await run("pulumi", [...args, "--non-interactive"], {
        cwd: dir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`pulumi ${args.join(" ")} failed:\n${x.stdout ?? ""}\n${x.stderr ?? x.message}`);
    }
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "anyvpc-user-"));
    const packDir = mkdtempSync(path.join(tmpdir(), "anyvpc-pack-"));
    const packed = await run("npm", ["pack", "--json", "--pack-destination", packDir], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    const tarball = path.join(packDir, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    // A project as `pulumi new typescript` lays it out, with anyvpc from the tarball.
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: my-network\nruntime: nodejs\n");
    writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "my-network",
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": "3.248.0", anyvpc: `file:${tarball}` },
        devDependencies: { "@types/node": "20.19.43", typescript: "5.9.3" },
      }),
    );
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node" },
        files: ["index.ts"],
      }),
    );
    writeFileSync(path.join(dir, "index.ts"), readmeProgram());
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    });
    // A local file backend, as `pulumi login file://…` gives a user without an account.
    mkdirSync(path.join(dir, ".backend"));
    env = {
      ...process.env,
      PATH: `${pulumiBin}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${path.join(dir, ".backend")}`,
      PULUMI_HOME: path.join(dir, ".pulumi-home"),
      PULUMI_CONFIG_PASSPHRASE: "journey",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    await pulumi(["stack", "init", "dev"]);
    // Its own process group, as in a terminal: Ctrl-C (here SIGTERM) reaches npx and the
    // simulator it starts alike.
    sim = spawn("npx", ["--no-install", "anyvpc", "sim"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        simOutput += b.toString();
        if (simOutput.includes("anyvpc sim: ready\n")) resolve();
      };
      sim!.stdout!.on("data", onData);
      sim!.stderr!.on("data", onData);
      sim!.once("exit", (code) => reject(new Error(`anyvpc sim exited with ${code}:\n${simOutput}`)));
    });
  });

  after(async () => {
    if (sim?.pid !== undefined && sim.exitCode === null) {
      // 'close' comes once every process holding its output has gone: npx and the simulator.
      const closed = new Promise((r) => sim!.once("close", r));
      process.kill(-sim.pid, "SIGTERM");
      const stuck = setTimeout(() => process.kill(-sim!.pid!, "SIGKILL"), 15_000);
      await closed;
      clearTimeout(stuck);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs only what runs: no tests, sources or a second Pulumi SDK", () => {
    const installed = path.join(dir, "node_modules", "anyvpc");
    const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.dependencies["@pulumi/pulumi"], undefined, "the SDK is a peer dependency");
    assert.throws(() =>
      readFileSync(path.join(installed, "node_modules", "@pulumi", "pulumi", "package.json")),
    );
    for (const dirName of ["test", "bench", "examples", "provider", "sim"])
      assert.throws(() => readFileSync(path.join(installed, dirName, "README.md")), dirName);
  });

  it("preview, up, a clean preview, refresh and destroy, with the fabric checked after each", async () => {
    const fabric = JSON.parse((await pulumi(["config", "get", "anyvpc:fabric"])).stdout);
    const empty = await fabricNow(fabric);
    assert.deepEqual(empty.metalVrfs, []);
    for (const leaf of Object.values(empty.leaves)) assert.deepEqual(leaf.vrfs, []);

    const preview = await pulumi(["preview"]);
    for (const name of ["prod", "web", "workers", "n1", "n2", "w1", "api"])
      assert.match(preview.stdout, new RegExp(`\\+ .*anyvpc.* ${name}\\s+create`), name);
    assert.deepEqual(await fabricNow(fabric), empty, "a preview changes nothing");

    await pulumi(["up", "--yes"]);
    const out = JSON.parse((await pulumi(["stack", "output", "--json"])).stdout);
    const up = await fabricNow(fabric);
    for (const [leaf, l] of Object.entries(up.leaves)) assert.deepEqual(l.vrfs, [out.vpc.vrf], leaf);
    assert.ok(up.leaves.leaf1!.swp1Vlan, "node-1's port is in the subnet's VLAN");
    assert.equal(up.metalVrfs.length, 1);
    assert.equal(up.metalVlans.length, 1);
    assert.match(out.vip, /^\d+\.\d+\.\d+\.\d+$/);

    await pulumi(["preview", "--expect-no-changes"]);
    await pulumi(["refresh", "--yes"]);
    assert.deepEqual(await fabricNow(fabric), up, "refresh changes nothing on the fabric");
    await pulumi(["preview", "--expect-no-changes"]);

    await pulumi(["destroy", "--yes"]);
    const after = await fabricNow(fabric);
    assert.deepEqual(after, empty, "destroy returns the fabric to what it was");
  });
});
