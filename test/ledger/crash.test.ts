// The file engine survives a crash: processes killed with SIGKILL in the middle of allocating leave
// a document that parses, holds no overlapping prefixes, and accepts new allocations (the dead
// process's lock is taken over once stale).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { prefix, prefixSize } from "../../provider/ipam/prefix";
import { FileLedger, staleLockMs } from "../../provider/ledger/file";
import type { PoolSpec } from "../../provider/ledger/ledger";

describe("ledger: file engine crash safety", function () {
  this.timeout(180_000);

  it("a process killed mid-allocation never corrupts the document", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "anyvpc-crash-")), "ledger.json");
    const spec: PoolSpec = { kind: "prefix", parent: "10.0.0.0/8" };
    const worker = path.join(__dirname, "worker.ts");
    let before = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          worker,
          JSON.stringify({ kind: "file", file }),
          "crash",
          JSON.stringify(spec),
          String(round),
          "100000",
          "[24]",
        ],
        {
          stdio: "ignore",
        },
      );
      // Long enough to take over the previous victim's stale lock and allocate for a while; then
      // kill it wherever it is (mostly inside the lock, often inside a write).
      await new Promise((r) => setTimeout(r, staleLockMs + 2500 + round * 137));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const doc = JSON.parse(readFileSync(file, "utf8")) as { allocations: { value: string }[] };
      assert.ok(
        doc.allocations.length > before,
        `round ${round}: the worker took over the lock and allocated`,
      );
      before = doc.allocations.length;
    }
    const ledger = new FileLedger(file);
    const after = await ledger.allocate("crash", spec, "survivor", { length: 24 });
    const all = (await ledger.list({ pool: "crash" }))
      .map((a) => prefix(a.value))
      .sort((a, b) => (a.network < b.network ? -1 : 1));
    for (let i = 1; i < all.length; i++)
      assert.ok(all[i - 1]!.network + prefixSize(all[i - 1]!) <= all[i]!.network, "no overlap");
    assert.ok(all.some((p) => `${p.network}` === `${prefix(after.value).network}`));
  });
});
