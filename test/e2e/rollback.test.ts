// Through the real CLI: a create that fails and cannot undo what it made is recorded in the stack
// (with its allocations still held), the next `pulumi up` finishes it, and `pulumi destroy` leaves
// the fabric and the ledger empty. The failures are injected in the Metal simulator.
import assert from "node:assert/strict";
import { ledgerAllocations, openTestStack, stateNames, type TestStack } from "./helpers";

describe("e2e: a create whose undo fails, then up and destroy", function () {
  this.timeout(600_000);
  let t: TestStack;
  const network = {
    vpcs: [{ name: "prod", args: { sites: ["da"] } }],
    subnets: [{ name: "metal", args: { vpc: "prod", site: "da", size: 28 } }],
  };

  before(async () => {
    t = await openTestStack("test/programs/network", { "anyvpc-test-network:network": network });
  });
  after(async () => {
    t?.lab.metal.setKnobs({ faults: [] });
    await t?.close();
  });

  it("records the subnet, keeps its VLAN and allocations, and the next up and destroy finish the job", async () => {
    t.lab.metal.setKnobs({
      faults: [
        { method: "POST", path: "^/projects/[^/]+/metal-gateways$", mode: "500", times: 50 },
        { method: "DELETE", path: "^/virtual-networks/[^/]+$", mode: "503", times: 50 },
      ],
    });
    const failed = await t.stack.run(["up", "--yes", ...t.stack.stackArgs()], { allowFailure: true });
    t.lab.metal.setKnobs({ faults: [] });
    const out = failed.stdout + failed.stderr;
    assert.notEqual(failed.code, 0);
    assert.match(out, /creating Subnet metal failed: .*500/);
    assert.match(out, /undoing it failed too: .*503/);
    assert.match(out, /records it as created but incomplete: `pulumi up` finishes it/);
    assert.deepEqual(await stateNames(t), ["metal", "prod"], "the subnet is recorded");
    const vlan = t.lab.metal.snapshot().virtualNetworks;
    assert.equal(vlan.length, 1, "its VLAN is still on the fabric");
    assert.ok(
      ledgerAllocations(t.ledgerFile).some(
        (a) => a.owner.endsWith("/Subnet/metal") && a.value === String(vlan[0]!.vxlan),
      ),
      "and its VLAN number is still held",
    );

    await t.stack.up();
    assert.equal(t.lab.metal.snapshot().metalGateways.length, 1, "the next up finished the subnet");
    await t.stack.preview(["--expect-no-changes"]);
    await t.stack.destroy();
    assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
    const metal = t.lab.metal.snapshot();
    assert.deepEqual([metal.vrfs, metal.virtualNetworks, metal.metalGateways], [[], [], []]);
  });
});
