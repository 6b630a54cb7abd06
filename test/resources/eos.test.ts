// The Arista EOS site kind, at the handler level over the simulated lab (site fra, leaves eos1 and
// eos2 behind eAPI): a VPC, two subnets, access and trunk attachments and a load balancer end up in
// the leaves' running-config; deleting them all gives back exactly the baseline running-config,
// ports included; a name that tries to add a CLI line adds none.
import assert from "node:assert/strict";
import type {
  AttachmentState,
  LoadBalancerState,
  SubnetState,
  VpcState,
} from "../../provider/generated/schema";
import { createAttachment, deleteAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import {
  createLoadBalancer,
  deleteLoadBalancer,
  readLoadBalancer,
} from "../../provider/resources/loadbalancer";
import { createSubnet, deleteSubnet, readSubnet } from "../../provider/resources/subnet";
import { createVpc, deleteVpc, readVpc } from "../../provider/resources/vpc";
import type { Lab } from "../../sim/lab";
import { operatorSession } from "../eos-operator";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };

describe("an Arista EOS site", function () {
  this.timeout(300_000);
  let ctx: ProviderContext;
  let lab: Lab;
  const running = (sw: string) => lab.eos.runningConfig(sw);
  const leaves = ["eos1", "eos2"];
  before(async () => {
    ({ ctx, lab } = await labContext());
  });
  after(async () => {
    await lab?.close();
  });

  it("realizes a VPC, subnets, attachments and a load balancer, and destroy gives back the baseline", async () => {
    const baseline = leaves.map((sw) => running(sw));
    assert.deepEqual(
      baseline,
      leaves.map((sw) => lab.eosBaseline(sw)),
    );
    // An operator's own setting on a port anyvpc will use: it must come back after destroy.
    await operatorSession(lab, "eos1", [
      "interface Ethernet2",
      "switchport mode trunk",
      "switchport trunk allowed vlan 42",
    ]);
    const before = leaves.map((sw) => running(sw));

    const prod: Made<VpcState> = await createVpc(ctx, {
      name: "prod",
      sites: ["fra"],
      owner: "p/s/Vpc/prod",
    });
    const web: Made<SubnetState> = await createSubnet(ctx, {
      vpc: prod.id,
      site: "fra",
      // A name that tries to add a CLI line: it becomes part of the VLAN's name, never a command.
      name: "web\nno router bgp 65010 | !",
      owner: "p/s/Subnet/web",
    });
    const db: Made<SubnetState> = await createSubnet(ctx, {
      vpc: prod.id,
      site: "fra",
      owner: "p/s/Subnet/db",
    });
    for (const sw of leaves) {
      const text = running(sw);
      assert.match(text, new RegExp(`^vrf instance ${prod.outs.vrf}$`, "m"));
      assert.match(text, new RegExp(`^   vxlan vrf ${prod.outs.vrf} vni ${prod.outs.l3Vni}$`, "m"));
      assert.match(text, new RegExp(`^   vxlan vlan ${web.outs.vlan} vni ${web.outs.vni}$`, "m"));
      assert.match(
        text,
        new RegExp(
          `^interface Vlan${web.outs.vlan}\\n   vrf ${prod.outs.vrf}\\n   ip address virtual ${web.outs.gateway}/24$`,
          "m",
        ),
      );
      assert.match(text, /^router bgp 65010$/m, "the BGP process is still there");
      assert.doesNotMatch(text, /^no /m);
    }
    const n5: Made<AttachmentState> = await createAttachment(ctx, {
      subnet: web.id,
      server: "node-5",
      owner: "p/s/Attachment/n5",
    });
    const n7a: Made<AttachmentState> = await createAttachment(ctx, {
      subnet: web.id,
      server: "node-7",
      mode: "trunk",
      owner: "p/s/Attachment/n7a",
    });
    const n7b: Made<AttachmentState> = await createAttachment(ctx, {
      subnet: db.id,
      server: "node-7",
      mode: "trunk",
      owner: "p/s/Attachment/n7b",
    });
    assert.match(
      running("eos1"),
      new RegExp(`^interface Ethernet1\\n   switchport access vlan ${web.outs.vlan}$`, "m"),
    );
    // EOS prints a VLAN list compressed: two consecutive VLANs as a range.
    const [lo, hi] = [web.outs.vlan, db.outs.vlan].sort((a, b) => a - b) as [number, number];
    assert.match(
      running("eos1"),
      new RegExp(
        `^interface Ethernet2\\n   switchport trunk allowed vlan ${lo}${hi === lo + 1 ? "-" : ","}${hi}$`,
        "m",
      ),
    );
    assert.match(n5.outs.hostConfig, /eth0:/);

    const lb: Made<LoadBalancerState> = await createLoadBalancer(ctx, {
      vpc: prod.id,
      listeners: [{ port: 443 }],
      backends: [n5.id, n7a.id],
      owner: "p/s/LoadBalancer/api",
    });
    for (const sw of leaves) {
      const text = running(sw);
      assert.match(text, new RegExp(`^ip route vrf ${prod.outs.vrf} ${lb.outs.vip}/32 ${n5.outs.ip}$`, "m"));
      assert.match(text, new RegExp(`^ip route vrf ${prod.outs.vrf} ${lb.outs.vip}/32 ${n7a.outs.ip}$`, "m"));
    }
    assert.match(running("eos1"), /^ {3}ip access-group lb-[0-9a-f]{12} out$/m);
    assert.equal((await readLoadBalancer(ctx, lb.id, lb.outs)).props.realization.complete, true);
    assert.equal((await readSubnet(ctx, web.id, web.outs)).props.realization.complete, true);

    // Out of band, someone removes the VRF's L3VNI on eos2: refresh sees the VPC incomplete there.
    await operatorSession(lab, "eos2", [
      "interface Vxlan1",
      `no vxlan vrf ${prod.outs.vrf} vni ${prod.outs.l3Vni}`,
    ]);
    const read = (await readVpc(ctx, prod.id, prod.outs)).props;
    assert.equal(read.realization.fra?.complete, false);
    assert.deepEqual(read.realization.fra, { kind: "eos", complete: false, switches: ["eos1"] });

    await deleteLoadBalancer(ctx, lb.id, lb.outs);
    for (const a of [n7b, n7a, n5]) await deleteAttachment(ctx, a.id, a.outs);
    await deleteSubnet(ctx, db.id, db.outs);
    await deleteSubnet(ctx, web.id, web.outs);
    await deleteVpc(ctx, prod.id, prod.outs);
    assert.deepEqual(
      leaves.map((sw) => running(sw)),
      before,
      "every leaf as before, ports included",
    );
    assert.deepEqual(await ctx.ledger.list({}), []);
  });
});
