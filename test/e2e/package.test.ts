// The package as npm publishes it: only what runs (compiled code, schema.json, README, LICENSE),
// the Pulumi SDK as a peer (one SDK in a user's project), the `anyvpc` command, and the tarball's
// size and file count as the README states them.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../scripts/lib/pulumi";

const run = promisify(execFile);

interface Packed {
  size: number;
  entryCount: number;
  files: { path: string }[];
}

describe("the published package", function () {
  this.timeout(300_000);
  let packed: Packed;
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));

  before(async () => {
    // What `npm publish` would upload, without uploading (the build ran before the tests).
    const r = await run("npm", ["publish", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    packed = (JSON.parse(r.stdout) as Record<string, Packed>)[pkg.name]!;
  });

  it("is publishable: not private, the Pulumi SDK a peer in the range the tests cover, a bin", () => {
    assert.equal(pkg.private, undefined);
    assert.equal(pkg.dependencies["@pulumi/pulumi"], undefined);
    assert.equal(pkg.peerDependencies["@pulumi/pulumi"], "~3.248.0");
    assert.equal(
      pkg.devDependencies["@pulumi/pulumi"],
      "3.248.0",
      "the tests run the version the peer range names",
    );
    assert.equal(pkg.bin.anyvpc, "dist/cli/index.js");
  });

  it("ships no test, bench, example, source or source map file", () => {
    const paths = packed.files.map((f) => f.path);
    const allowed =
      /^(dist\/(provider|sdk|sim|cli)\/.*\.(js|d\.ts|json)|dist\/schema\.json|schema\.json|README\.md|LICENSE|package\.json)$/;
    assert.deepEqual(
      paths.filter((p) => !allowed.test(p)),
      [],
    );
    assert.deepEqual(
      paths.filter((p) => /(^|\/)(test|bench|examples)\//.test(p) || p.endsWith(".map")),
      [],
    );
    for (const needed of [
      "dist/sdk/index.js",
      "dist/provider/index.js",
      "dist/cli/index.js",
      "dist/sim/lab.js",
    ])
      assert.ok(paths.includes(needed), needed);
  });

  it("has the size and file count the README states", () => {
    const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const m = /tarball of ([\d.]+) kB with (\d+) files/.exec(readme);
    assert.ok(m, "the README states the tarball's size and file count");
    assert.equal(Number(m[2]), packed.entryCount, "file count");
    const kb = packed.size / 1000;
    assert.ok(Math.abs(kb - Number(m[1])) / kb < 0.1, `size: README ${m[1]} kB, packed ${kb.toFixed(1)} kB`);
  });
});
