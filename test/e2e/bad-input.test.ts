// Bad input fails at `pulumi preview`, naming the property and the value, and creates nothing.
import assert from "node:assert/strict";
import { ledgerAllocations, openTestStack } from "./helpers";

describe("e2e: bad input at preview", function () {
  this.timeout(300_000);

  it("a malformed CIDR fails preview and up with the property and the value; the ledger stays empty", async () => {
    const t = await openTestStack("test/programs/vpcs", {
      "anyvpc-test-vpcs:vpcs": [
        { name: "good", args: { sites: ["ams"] } },
        { name: "bad", args: { sites: ["ams"], cidr: "10.0.0.1/33" } },
      ],
    });
    try {
      const preview = await t.stack.preview([], { allowFailure: true });
      assert.notEqual(preview.code, 0, "preview must fail");
      const out = preview.stdout + preview.stderr;
      assert.match(
        out,
        /property cidr value \{10\.0\.0\.1\/33\} has a problem: is not a valid IPv4 CIDR: it has an invalid prefix length '33'/,
      );
      assert.deepEqual(ledgerAllocations(t.ledgerFile), []);

      const up = await t.stack.run(["up", "--yes", "--stack", "e2e", "--config-file", t.stack.configFile], {
        allowFailure: true,
      });
      assert.notEqual(up.code, 0, "up must fail too");
      // Independent resources may finish before the check failure stops the run; the bad one never.
      assert.deepEqual(
        ledgerAllocations(t.ledgerFile).filter((a) => a.owner.endsWith("/bad")),
        [],
      );
    } finally {
      await t.stack.destroy().catch(() => undefined);
      await t.close();
    }
  });
});
