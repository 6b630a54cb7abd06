// The README's main job through the real Pulumi CLI: up → preview --expect-no-changes → refresh →
// destroy of examples/quickstart, with assertions on outputs, state and the ledger.
import assert from "node:assert/strict";
import { contains, overlaps, prefix } from "../../provider/ipam/prefix";
import { ledgerAllocations, openTestStack, type TestStack } from "./helpers";

describe("e2e: examples/quickstart", function () {
  this.timeout(300_000);
  let t: TestStack;

  before(async () => {
    t = await openTestStack("examples/quickstart");
  });
  after(async () => {
    await t?.stack.remove();
  });

  it("pulumi up plans a /16 from the pool for prod and pins lab's CIDR", async () => {
    await t.stack.up();
    const { vpcs } = (await t.stack.outputs()) as { vpcs: Record<string, { cidr: string; sites: string[] }> };
    assert.equal(vpcs.lab!.cidr, "10.200.0.0/16");
    const prod = prefix(vpcs.prod!.cidr);
    assert.equal(prod.length, 16);
    assert.ok(contains(prefix("10.0.0.0/8"), prod) && !overlaps(prod, prefix("10.200.0.0/16")));
    assert.deepEqual(vpcs.prod!.sites, ["ams", "lab"]);
    const owners = ledgerAllocations(t.ledgerFile)
      .map((a) => `${a.owner}=${a.value}`)
      .sort();
    assert.deepEqual(owners, [
      `anyvpc-quickstart/e2e/Vpc/lab=10.200.0.0/16`,
      `anyvpc-quickstart/e2e/Vpc/prod=${vpcs.prod!.cidr}`,
    ]);
  });

  it("stores a thin shim as the provider, not the provider's code", async () => {
    const state = await t.stack.exportState();
    const vpcs = (state.deployment.resources ?? []).filter(
      (r) => r.type === "pulumi-nodejs:dynamic/anyvpc:Vpc",
    );
    assert.equal(vpcs.length, 2);
    for (const r of vpcs) {
      const text = String(r.inputs?.__provider);
      assert.ok(text.length < 2500, `serialized provider is ${text.length} chars`);
      assert.match(text, /require\("anyvpc\/provider"\)\.providerFor\(kind\)/);
      assert.match(text, /kind: "Vpc"/);
      for (const leaked of ["planAllocation", "BlockSet", "Ajv", "FileLedger", "proper-lockfile", "axios"]) {
        assert.ok(!text.includes(leaked), `serialized provider contains ${leaked}`);
      }
    }
  });

  it("a second preview shows no changes", async () => {
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("refresh keeps the plan", async () => {
    const before = await t.stack.outputs();
    await t.stack.refresh(["--expect-no-changes"]);
    assert.deepEqual(await t.stack.outputs(), before);
  });

  it("destroy releases every allocation", async () => {
    await t.stack.destroy();
    assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
  });
});
