// Destroy gives Metal ports back: an attachment converts a device's bond to Layer 2 (or takes eth1
// out of its bond, hybrid), and the delete of the port's last attachment restores the network
// type, the bond and the management addresses, confirmed on the simulator's own state; a second
// stack then attaches the same devices.
import assert from "node:assert/strict";
import type { AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import type { FileLedger } from "../../provider/ledger/file";
import { createAttachment, deleteAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import { createSubnet, deleteSubnet } from "../../provider/resources/subnet";
import { createVpc, deleteVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };

describe("Metal ports after destroy", function () {
  this.timeout(300_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  let prod: Made<VpcState>;
  let web: Made<SubnetState>;
  let db: Made<SubnetState>;

  /** What a device's ports and management addresses are, as the simulator holds them. */
  const devices = () => {
    const snap = lab.metal.snapshot();
    const byDevice = new Map<string, unknown>();
    for (const p of snap.ports) {
      const mgmt = snap.ipAssignments
        .filter((a) => a.device_id === p.device_id && a.management)
        .map((a) => `${a.address_family}/${a.public ? "public" : `private ${a.address}`}`)
        .sort();
      const ports = snap.ports
        .filter((x) => x.device_id === p.device_id)
        .map(
          (x) =>
            `${x.name} ${x.type} ${x.layer} ${x.network_type} bonded=${x.bonded} vlans=${x.vxlans.length}`,
        )
        .sort();
      byDevice.set(p.device_id, { ports, mgmt });
    }
    return Object.fromEntries(byDevice);
  };

  before(async () => {
    ({ ctx, lab, ledger } = await labContext());
    prod = await createVpc(ctx, { name: "prod", sites: ["da"], owner: "p/s/Vpc/prod" });
    web = await createSubnet(ctx, { vpc: prod.id, site: "da", size: 28, owner: "p/s/Subnet/web" });
    db = await createSubnet(ctx, { vpc: prod.id, site: "da", size: 28, owner: "p/s/Subnet/db" });
  });
  after(() => lab?.close());

  const attach = (
    name: string,
    subnet: string,
    metalDevice: { device: string; port?: string },
    mode = "access",
  ) =>
    createAttachment(ctx, { subnet, metalDevice, mode: mode as "access", owner: `p/s/Attachment/${name}` });
  const detach = (a: Made<AttachmentState>) => deleteAttachment(ctx, a.id, a.outs);

  it("restores a Layer 2 bond and a hybrid eth1 exactly, once the port's last attachment is gone", async () => {
    const before = devices();
    const bond = await attach("n1", web.id, { device: "node-1" });
    const trunk = await attach("n1-db", db.id, { device: "node-1" }, "trunk");
    const hybrid = await attach("n2", web.id, { device: "node-2", port: "eth1" });
    const during = devices();
    assert.notDeepEqual(during, before, "the attachments changed the ports");

    await detach(bond);
    assert.ok("portId" in bond.outs.target, "a Metal device port");
    const portId = bond.outs.target.portId;
    const n1 = lab.metal.snapshot().ports.find((p) => p.id === portId)!;
    assert.equal(n1.layer, "layer2", "another attachment still uses node-1's bond: it stays Layer 2");
    await detach(trunk);
    await detach(hybrid);
    assert.deepEqual(devices(), before, "ports, bonds and management addresses as before the stack");
    assert.deepEqual(await ledger.list({ owner: "p/s/Attachment/n1" }), []);
  });

  it("lets a second stack attach the same devices afterwards, and gives them back again", async () => {
    const before = devices();
    const again = [
      await attach("other-n1", web.id, { device: "node-1" }),
      await attach("other-n2", web.id, { device: "node-2", port: "eth1" }),
    ];
    for (const a of again) await detach(a);
    assert.deepEqual(devices(), before);
    await deleteSubnet(ctx, web.id, web.outs);
    await deleteSubnet(ctx, db.id, db.outs);
    await deleteVpc(ctx, prod.id, prod.outs);
    assert.deepEqual(await ledger.list(), []);
  });
});
