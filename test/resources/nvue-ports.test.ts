// Destroy gives switch ports back: a port that had bridge settings of its own before anyvpc used it
// gets them back when its last attachment is deleted; a port anyvpc brought into the config
// leaves it again. Checked on the simulated switch's applied config.
import assert from "node:assert/strict";
import type { AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import { createAttachment, deleteAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import { createSubnet, deleteSubnet } from "../../provider/resources/subnet";
import { createVpc, deleteVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { childTree } from "../../sim/nvue";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };

describe("switch ports after destroy", function () {
  this.timeout(300_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let prod: Made<VpcState>;
  let web: Made<SubnetState>;
  let db: Made<SubnetState>;
  const port = (name: string) => childTree(lab.nvue.applied("leaf1"), "interface", name);
  const attach = (name: string, subnet: string, iface: string, mode: "access" | "trunk") =>
    createAttachment(ctx, {
      subnet,
      port: { switch: "leaf1", interface: iface },
      mode,
      owner: `p/s/Attachment/${name}`,
    });
  const detach = (a: Made<AttachmentState>) => deleteAttachment(ctx, a.id, a.outs);

  before(async () => {
    ({ ctx, lab } = await labContext());
    prod = await createVpc(ctx, { name: "prod", sites: ["ams"], owner: "p/s/Vpc/prod" });
    web = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/web" });
    db = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/db" });
  });
  after(async () => {
    await deleteSubnet(ctx, web.id, web.outs);
    await deleteSubnet(ctx, db.id, db.outs);
    await deleteVpc(ctx, prod.id, prod.outs);
    await lab?.close();
  });

  it("puts back a port's own bridge settings once its last attachment is gone", async () => {
    // Configured by the operator before: VLAN 10 in the bridge, swp7 untagged in it.
    lab.nvue.setApplied("leaf1", ["bridge", "domain", "br_default", "vlan", "10"], {});
    lab.nvue.setApplied("leaf1", ["interface", "swp7"], {
      bridge: { domain: { br_default: { access: 10 } } },
    });
    const before = structuredClone(port("swp7"));
    const a = await attach("a", web.id, "swp7", "trunk");
    const b = await attach("b", db.id, "swp7", "trunk");
    assert.notDeepEqual(port("swp7"), before);
    await detach(a);
    assert.ok(
      childTree(port("swp7"), "bridge", "domain", "br_default", "vlan", String(b.outs.vlan)),
      "b still there",
    );
    await detach(b);
    assert.deepEqual(port("swp7"), before);
  });

  it("removes a port it brought into the config, leaving nothing behind", async () => {
    assert.equal(port("swp8"), undefined);
    const a = await attach("c", web.id, "swp8", "access");
    assert.ok(port("swp8"));
    await detach(a);
    assert.equal(port("swp8"), undefined);
    assert.deepEqual(await ctx.ledger.getRecord("nvue-port-before", "ams/leaf1/swp8"), undefined);
  });
});
