// Subnet handlers over the simulated fabric: planned inside its VPC, realized as VLAN + VNI + SVI on
// every leaf of an NVUE site and as VLAN + VRF reservation + gateway on a Metal metro; checked
// against its VPC at preview; drift reported and repaired; nothing left after delete.
import assert from "node:assert/strict";
import type { SubnetArgs, VpcState } from "../../provider/generated/schema";
import type { FileLedger } from "../../provider/ledger/file";
import type { ProviderContext } from "../../provider/resources/common";
import {
  checkSubnet,
  createSubnet,
  deleteSubnet,
  diffSubnet,
  readSubnet,
  updateSubnet,
} from "../../provider/resources/subnet";
import { createVpc, deleteVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { labContext } from "./lab-context";

describe("Subnet over both fabrics", function () {
  this.timeout(60_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  let vpc: { id: string; outs: VpcState };
  before(async () => {
    ({ ctx, lab, ledger } = await labContext());
    vpc = await createVpc(ctx, { name: "prod", sites: ["ams", "da"], owner: "p/s/Vpc/prod", ipv6: true });
  });
  after(async () => {
    await deleteVpc(ctx, vpc.id, vpc.outs);
    await lab?.close();
  });

  const web = (): SubnetArgs => ({ vpc: vpc.id, site: "ams", owner: "p/s/Subnet/web" });

  it("plans a /24 inside the VPC with gateway, VLAN, VNI and an IPv6 /64, on every leaf", async () => {
    const { outs } = await createSubnet(ctx, web());
    assert.ok(
      outs.cidr.startsWith(vpc.outs.cidr.split(".").slice(0, 2).join(".")),
      `${outs.cidr} in ${vpc.outs.cidr}`,
    );
    assert.equal(outs.size, 24);
    assert.equal(outs.gateway, outs.cidr.replace(/\.0\/24$/, ".1"));
    assert.equal(outs.usableAddresses, 253);
    assert.match(outs.ipv6Cidr ?? "", /^fd00:[0-9a-f:]+\/64$/);
    for (const leaf of ["leaf1", "leaf2"]) {
      const cfg = lab.nvue.applied(leaf) as { interface: Record<string, { ip: { vrf: string } }> };
      assert.equal(cfg.interface[`vlan${outs.vlan}`]!.ip.vrf, vpc.outs.vrf);
    }
    const again = await createSubnet(ctx, web());
    assert.deepEqual([again.outs.cidr, again.outs.vlan, again.outs.vni], [outs.cidr, outs.vlan, outs.vni]);
  });

  it("reports an SVI removed out of band and puts it back", async () => {
    const { id, outs } = await createSubnet(ctx, web());
    lab.nvue.setApplied("leaf1", ["interface", `vlan${outs.vlan}`], null);
    const { props } = await readSubnet(ctx, id, outs);
    assert.equal(props.realization.complete, false);
    assert.equal((await diffSubnet(id, props, web())).changes, true);
    const { outs: fixed } = await updateSubnet(ctx, id, props, web());
    assert.equal(fixed.realization.complete, true);
    assert.equal((await readSubnet(ctx, id, fixed)).props.realization.complete, true);
  });

  it("on a Metal site: VLAN, VRF IP reservation and an active gateway; all gone after delete", async () => {
    const { id, outs } = await createSubnet(ctx, {
      vpc: vpc.id,
      site: "da",
      size: 26,
      owner: "p/s/Subnet/metal",
    });
    const s = lab.metal.snapshot();
    assert.ok(s.virtualNetworks.some((v) => v.vxlan === outs.vlan));
    assert.equal(s.metalGateways.filter((g) => g.state === "active").length, 1);
    assert.equal(outs.ipv6, false);
    await deleteSubnet(ctx, id, outs);
    const after = lab.metal.snapshot();
    assert.ok(!after.virtualNetworks.some((v) => v.vxlan === outs.vlan));
    assert.equal(after.metalGateways.length, 0);
    assert.deepEqual(await ledger.list({ owner: "p/s/Subnet/metal" }), []);
  });

  it("is checked against its VPC before anything is created", async () => {
    const cases: [Partial<SubnetArgs>, string, RegExp][] = [
      [{ vpc: "vpc-000000000000" }, "vpc", /is not a VPC anyvpc knows/],
      [{ site: "lab" }, "site", /is not one of the VPC's sites. Use one of ams, da/],
      [{ cidr: "192.168.1.0/24" }, "cidr", /outside the VPC's/],
      [{ size: 12 }, "size", /must be at least 16/],
      [
        { site: "da", size: 20 },
        "size",
        /cannot be a subnet on the Equinix Metal site da. Metal VRF subnets are \/22 to \/29/,
      ],
      [{ site: "da", ipv6: true }, "ipv6", /is not supported on the Equinix Metal site da yet/],
    ];
    for (const [patch, field, reason] of cases) {
      const { failures } = await checkSubnet(ctx, {}, {
        ...web(),
        owner: "p/s/Subnet/x",
        ...patch,
      } as SubnetArgs);
      const f = failures.find((x) => x.property === field);
      assert.ok(f, `${JSON.stringify(patch)}: ${JSON.stringify(failures)}`);
      assert.match(f.reason, reason);
    }
  });

  it("delete removes the VLAN, VNI and SVI from every leaf and releases the plan", async () => {
    const { id, outs } = await createSubnet(ctx, web());
    await deleteSubnet(ctx, id, outs);
    await deleteSubnet(ctx, id, outs); // already gone: fine
    for (const leaf of ["leaf1", "leaf2"]) {
      assert.equal(
        (lab.nvue.applied(leaf).interface as Record<string, unknown> | undefined)?.[`vlan${outs.vlan}`],
        undefined,
      );
    }
    assert.deepEqual(await ledger.list({ owner: "p/s/Subnet/web" }), []);
  });
});
