// The Pulumi setup is idempotent: a second run reuses the cached CLI instead of rebuilding it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../../scripts/lib/pulumi";

describe("scripts/setup-pulumi.sh", function () {
  this.timeout(120_000);

  it("does not rebuild the CLI or the language host on a second run", () => {
    execFileSync("bash", [path.join(repoRoot, "scripts", "setup-pulumi.sh")]); // the first run (no-op if done)
    const out = execFileSync("bash", [path.join(repoRoot, "scripts", "setup-pulumi.sh")], {
      encoding: "utf8",
    });
    if (/using pulumi on PATH/.test(out)) return; // a machine with its own Pulumi install builds nothing
    assert.match(out, /reusing cached Pulumi CLI v3\.248\.0 .*\(no rebuild\)/);
    assert.match(out, /reusing cached Node language host \w+ \(no rebuild\)/);
    assert.doesNotMatch(out, /building|compiling/);
    const version = execFileSync(path.join(repoRoot, ".tools", "pulumi", "bin", "pulumi"), ["version"], {
      encoding: "utf8",
    });
    assert.equal(version.trim(), "v3.248.0");
  });
});
