// A VPC over an NVUE site and a Metal metro, joined by the lab's interconnect: the link planned
// inside the VPC, a VRF virtual circuit on the interconnection and eBGP on the border leaf; servers
// on both sides reach each other through it, other VPCs never; drift on the border is read and
// repaired; delete leaves the interconnection, the border port and the ledger empty.
import assert from "node:assert/strict";
import type { AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import type { FileLedger } from "../../provider/ledger/file";
import { contains, prefix } from "../../provider/ipam/prefix";
import { createAttachment, deleteAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import { createSubnet, deleteSubnet } from "../../provider/resources/subnet";
import { createVpc, deleteVpc, diffVpc, readVpc, updateVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { childTree, keysOf } from "../../sim/nvue";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };

describe("Vpc over an interconnect between an NVUE site and a Metal metro", function () {
  this.timeout(120_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  let hybrid: Made<VpcState>;
  let rack: Made<SubnetState>;
  let cloud: Made<SubnetState>;
  let db: Made<AttachmentState>;
  let worker: Made<AttachmentState>;
  const onPrem = (a: AttachmentState, server: string) => ({
    site: "ams",
    server,
    ip: `${a.ip}/${a.prefixLength}`,
  });
  const inMetal = (a: AttachmentState, device: string) => ({
    site: "da",
    device,
    ip: `${a.ip}/${a.prefixLength}`,
  });

  before(async () => {
    ({ ctx, lab, ledger } = await labContext());
    hybrid = await createVpc(ctx, { name: "hybrid", sites: ["ams", "da"], owner: "p/s/Vpc/hybrid" });
    rack = await createSubnet(ctx, { vpc: hybrid.id, site: "ams", owner: "p/s/Subnet/rack" });
    cloud = await createSubnet(ctx, { vpc: hybrid.id, site: "da", size: 28, owner: "p/s/Subnet/cloud" });
    db = await createAttachment(ctx, { subnet: rack.id, server: "node-1", owner: "p/s/Attachment/db" });
    worker = await createAttachment(ctx, {
      subnet: cloud.id,
      metalDevice: { device: "node-2" },
      owner: "p/s/Attachment/worker",
    });
  });
  after(() => lab?.close());

  it("plans the link inside the VPC and realizes both ends", () => {
    const link = hybrid.outs.interconnects?.["ams-da"];
    assert.ok(link?.complete, JSON.stringify(hybrid.outs.interconnects));
    assert.ok(contains(prefix(hybrid.outs.cidr), prefix(link.subnet)));
    assert.equal(prefix(link.subnet).length, 30);
    const circuits = lab.metal.snapshot().virtualCircuits;
    assert.equal(circuits.length, 1);
    assert.deepEqual(
      [circuits[0]!.status, circuits[0]!.nni_vlan, circuits[0]!.metal_ip, circuits[0]!.customer_ip],
      ["active", link.nniVlan, link.metalIp, link.customerIp],
    );
    const border = lab.nvue.applied("leaf2");
    assert.deepEqual(
      keysOf(childTree(border, "interface", "swp16", "bridge", "domain", "br_default", "vlan")),
      [String(link.nniVlan)],
    );
    assert.ok(childTree(border, "vrf", hybrid.outs.vrf, "router", "bgp", "neighbor", link.metalIp));
    // The link VLAN comes from the site's VLAN pool: never a subnet's VLAN.
    assert.notEqual(link.nniVlan, rack.outs.vlan);
  });

  it("servers on both sides reach each other over the interconnect", () => {
    const r = lab.canReach(onPrem(db.outs, "node-1"), inMetal(worker.outs, "node-2"));
    assert.ok(r.reachable, r.reason);
    assert.match(r.reason, /border leaf2 VLAN \d+ → eBGP/);
  });

  it("another VPC's servers reach neither side, and a VPC on one site has no link", async () => {
    const solo = await createVpc(ctx, { name: "solo", sites: ["ams"], owner: "p/s/Vpc/solo" });
    assert.equal(solo.outs.interconnects, undefined);
    const other = await createVpc(ctx, { name: "other", sites: ["ams", "da"], owner: "p/s/Vpc/other" });
    const otherCloud = await createSubnet(ctx, {
      vpc: other.id,
      site: "da",
      size: 28,
      owner: "p/s/Subnet/oc",
    });
    const stranger = await createAttachment(ctx, {
      subnet: otherCloud.id,
      metalDevice: { device: "node-3" },
      owner: "p/s/Attachment/stranger",
    });
    const r = lab.canReach(onPrem(db.outs, "node-1"), inMetal(stranger.outs, "node-3"));
    assert.ok(!r.reachable, r.reason);
    await deleteAttachment(ctx, stranger.id, stranger.outs);
    await deleteSubnet(ctx, otherCloud.id, otherCloud.outs);
    await deleteVpc(ctx, other.id, other.outs);
    await deleteVpc(ctx, solo.id, solo.outs);
    assert.equal(lab.metal.snapshot().virtualCircuits.length, 1, "only hybrid's circuit is left");
  });

  it("a BGP session removed on the border is read as drift, cuts the path, and an update repairs it", async () => {
    const link = hybrid.outs.interconnects!["ams-da"]!;
    lab.nvue.setApplied("leaf2", ["vrf", hybrid.outs.vrf, "router", "bgp", "neighbor", link.metalIp], null);
    const read = await readVpc(ctx, hybrid.id, hybrid.outs);
    assert.equal(read.props.interconnects?.["ams-da"]?.complete, false);
    assert.ok((await diffVpc(hybrid.id, read.props, { name: "hybrid", sites: ["ams", "da"] })).changes);
    assert.ok(!lab.canReach(onPrem(db.outs, "node-1"), inMetal(worker.outs, "node-2")).reachable);
    const repaired = await updateVpc(ctx, hybrid.id, read.props, { name: "hybrid", sites: ["ams", "da"] });
    assert.equal(repaired.outs.interconnects?.["ams-da"]?.complete, true);
    assert.ok(lab.canReach(onPrem(db.outs, "node-1"), inMetal(worker.outs, "node-2")).reachable);
    hybrid = { id: hybrid.id, outs: repaired.outs };
  });

  it("delete removes the circuit, the border config and every allocation", async () => {
    await deleteAttachment(ctx, worker.id, worker.outs);
    await deleteAttachment(ctx, db.id, db.outs);
    await deleteSubnet(ctx, cloud.id, cloud.outs);
    await deleteSubnet(ctx, rack.id, rack.outs);
    await deleteVpc(ctx, hybrid.id, hybrid.outs);
    await deleteVpc(ctx, hybrid.id, hybrid.outs); // already gone: fine
    const metal = lab.metal.snapshot();
    assert.deepEqual([metal.virtualCircuits, metal.vrfs], [[], []]);
    assert.deepEqual(keysOf(childTree(lab.nvue.applied("leaf2"), "interface")), []);
    assert.deepEqual(await ledger.list(), []);
  });
});
