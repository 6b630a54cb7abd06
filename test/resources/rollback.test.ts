// A failed create whose undo fails too: nothing it allocated is released (its VLAN is still on the
// fabric, so its number must not go to another subnet), the resource is recorded with its id and
// state, and the next up (update) finishes it, the next destroy (delete) removes it: ledger and
// fabric end clean. The failures are injected in the Metal simulator.
import assert from "node:assert/strict";
import type { SubnetState, VpcState } from "../../provider/generated/schema";
import type { FileLedger } from "../../provider/ledger/file";
import { CreateLeftBehind, type ProviderContext } from "../../provider/resources/common";
import { createSubnet, deleteSubnet, updateSubnet } from "../../provider/resources/subnet";
import { createVpc, deleteVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { labContext } from "./lab-context";

describe("rollback that cannot undo", function () {
  this.timeout(300_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  let prod: { id: string; outs: VpcState };
  const owner = "p/s/Subnet/metal";
  const args = { vpc: "", site: "da", size: 28, owner };
  const vlans = () => lab.metal.snapshot().virtualNetworks;

  before(async () => {
    ({ ctx, lab, ledger } = await labContext());
    prod = await createVpc(ctx, { name: "prod", sites: ["da"], owner: "p/s/Vpc/prod" });
    args.vpc = prod.id;
  });
  after(async () => {
    lab.metal.setKnobs({ faults: [] });
    await deleteVpc(ctx, prod.id, prod.outs).catch(() => undefined);
    await lab?.close();
  });

  /** The subnet's gateway cannot be created, and its VLAN cannot be deleted again. */
  const failCreateAndUndo = () =>
    lab.metal.setKnobs({
      faults: [
        { method: "POST", path: "^/projects/[^/]+/metal-gateways$", mode: "500", times: 50 },
        { method: "DELETE", path: "^/virtual-networks/[^/]+$", mode: "503", times: 50 },
      ],
    });

  const leftBehind = async (): Promise<CreateLeftBehind> => {
    failCreateAndUndo();
    const e = await createSubnet(ctx, args).then(
      () => assert.fail("the create must fail"),
      (x: unknown) => x,
    );
    lab.metal.setKnobs({ faults: [] });
    assert.ok(e instanceof CreateLeftBehind, String(e));
    return e;
  };

  it("keeps the allocations and records the subnet; the next up finishes it, destroy removes it", async () => {
    const e = await leftBehind();
    assert.match(e.reasons[0]!, /^creating Subnet metal failed: .*500/);
    assert.match(e.reasons[1]!, /^undoing it failed too: .*503/);
    assert.match(e.reasons[2]!, /`pulumi up` finishes it, `pulumi destroy` removes it/);
    const state = e.properties as SubnetState;
    assert.equal(state.realization.complete, false);
    // Nothing released: the VLAN is still on the fabric, and so are its number and CIDR.
    assert.equal(vlans().filter((v) => v.vxlan === state.vlan).length, 1);
    const held = (await ledger.list({ owner })).map((a) => a.value);
    assert.ok(held.includes(String(state.vlan)) && held.includes(state.cidr), JSON.stringify(held));

    // `pulumi up` updates a resource recorded with init errors: the realization is completed.
    const { outs } = await updateSubnet(ctx, e.id, state, args);
    assert.equal(outs.realization.complete, true);
    assert.equal(lab.metal.snapshot().metalGateways.length, 1);
    await deleteSubnet(ctx, e.id, outs);
    assert.deepEqual(await ledger.list({ owner }), []);
    assert.deepEqual(vlans(), []);
    assert.deepEqual(lab.metal.snapshot().metalGateways, []);
  });

  it("or `pulumi destroy` removes it straight away", async () => {
    const e = await leftBehind();
    await deleteSubnet(ctx, e.id, e.properties as SubnetState);
    assert.deepEqual(await ledger.list({ owner }), []);
    assert.deepEqual(vlans(), []);
  });

  it("releases everything when the undo succeeds, rethrowing the create's own failure", async () => {
    lab.metal.setKnobs({
      faults: [{ method: "POST", path: "^/projects/[^/]+/metal-gateways$", mode: "500", times: 50 }],
    });
    const e = await createSubnet(ctx, args).then(
      () => assert.fail("the create must fail"),
      (x: unknown) => x,
    );
    lab.metal.setKnobs({ faults: [] });
    assert.ok(!(e instanceof CreateLeftBehind));
    assert.match(String(e), /500/);
    assert.deepEqual(await ledger.list({ owner }), []);
    assert.deepEqual(vlans(), []);
  });
});
