// A user's network on an Arista EOS site through its life with the real Pulumi CLI: up → preview
// --expect-no-changes → updates in place → refresh after an out-of-band change on a leaf reports
// the drift and the next up repairs it → destroy leaves every leaf's running-config exactly as it
// started and the ledger empty.
import assert from "node:assert/strict";
import { nvueViewOf } from "../../sim/eos";
import { labEosServers } from "../../sim/lab";
import { canReach } from "../../sim/nvue";
import { operatorSession } from "../eos-operator";
import { ledgerAllocations, openTestStack, type TestStack } from "./helpers";

type Out = {
  vpcs: Record<string, { id: string; cidr: string; vrf: string; l3Vni: number; tags?: object }>;
  subnets: Record<string, { id: string; cidr: string; gateway: string; vlan: number; vni: number }>;
  attachments: Record<
    string,
    { ip: string; prefixLength: number; vlan: number; mode: string; hostConfig: string }
  >;
};

/** Two VPCs at site fra: prod with two subnets, dev with one; a server in each subnet. */
function network(change: { tags?: object; n6Mode?: string } = {}) {
  return {
    vpcs: [
      { name: "prod", args: { sites: ["fra"], ...(change.tags ? { tags: change.tags } : {}) } },
      { name: "dev", args: { sites: ["fra"] } },
    ],
    subnets: [
      { name: "web", args: { vpc: "prod", site: "fra" } },
      { name: "app", args: { vpc: "prod", site: "fra", size: 25 } },
      { name: "devnet", args: { vpc: "dev", site: "fra" } },
    ],
    attachments: [
      { name: "n5", args: { subnet: "web", server: "node-5" } },
      { name: "n6", args: { subnet: "app", server: "node-6", mode: change.n6Mode ?? "access" } },
      { name: "n7", args: { subnet: "devnet", server: "node-7" } },
    ],
  };
}

describe("e2e: a network's life cycle on an Arista EOS site", function () {
  this.timeout(600_000);
  let t: TestStack;
  let first: Out;
  const leaves = ["eos1", "eos2"];
  const outputs = async () => (await t.stack.outputs()).out as Out;
  const running = (sw: string) => t.lab.eos.runningConfig(sw);
  /** The fabric model over what the leaves hold now (their running-config seen as the model reads it). */
  const reach = (a: [string, Out["attachments"][string]], b: [string, Out["attachments"][string]]) =>
    canReach(
      Object.fromEntries(leaves.map((sw) => [sw, nvueViewOf(t.lab.eos.config(sw))])),
      Object.entries(labEosServers).map(([server, p]) => ({ server, switch: p.switch, port: p.port })),
      ...([a, b].map(([server, x]) => ({
        server,
        ip: `${x.ip}/${x.prefixLength}`,
        ...(x.mode === "trunk" ? { vlan: x.vlan } : {}),
      })) as [Parameters<typeof canReach>[2], Parameters<typeof canReach>[3]]),
    );

  before(async () => {
    t = await openTestStack("test/programs/network", { "anyvpc-test-network:network": network() });
  });
  after(async () => {
    await t?.close();
  });

  it("up puts each VPC's VRF, each subnet's VLAN and SVI and each server's port on the leaves", async () => {
    for (const sw of leaves) assert.equal(running(sw), t.lab.eosBaseline(sw), `${sw} starts at its baseline`);
    await t.stack.up();
    first = await outputs();
    const prod = first.vpcs.prod!;
    for (const sw of leaves) {
      assert.match(running(sw), new RegExp(`^   vxlan vrf ${prod.vrf} vni ${prod.l3Vni}$`, "m"));
      const web = first.subnets.web!;
      assert.match(
        running(sw),
        new RegExp(
          `^interface Vlan${web.vlan}\\n   vrf ${prod.vrf}\\n   ip address virtual ${web.gateway}/24$`,
          "m",
        ),
      );
    }
    assert.match(
      running("eos2"),
      new RegExp(`^interface Ethernet1\\n   switchport access vlan ${first.subnets.app!.vlan}$`, "m"),
    );
  });

  it("servers of one VPC reach each other across subnets and leaves; another VPC's never", () => {
    const a = first.attachments;
    const n5n6 = reach(["node-5", a.n5!], ["node-6", a.n6!]);
    assert.ok(n5n6.reachable, n5n6.reason);
    const n5n7 = reach(["node-5", a.n5!], ["node-7", a.n7!]);
    assert.ok(!n5n7.reachable, `across VPCs: ${n5n7.reason}`);
  });

  it("a second preview shows no changes", async () => {
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("tags and an attachment's mode change in place", async () => {
    t.stack.setConfigValue(
      "anyvpc-test-network:network",
      network({ tags: { team: "platform" }, n6Mode: "trunk" }),
    );
    await t.stack.up();
    const after = await outputs();
    assert.equal(after.attachments.n6!.mode, "trunk");
    assert.equal(after.attachments.n6!.ip, first.attachments.n6!.ip, "an update keeps the address");
    assert.match(
      running("eos2"),
      new RegExp(
        `^interface Ethernet1\\n   switchport trunk allowed vlan ${first.subnets.app!.vlan}\\n   switchport mode trunk$`,
        "m",
      ),
    );
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("refresh reports a change made out of band on a leaf, and the next up repairs it", async () => {
    const prod = first.vpcs.prod!;
    await operatorSession(t.lab, "eos2", ["interface Vxlan1", `no vxlan vrf ${prod.vrf} vni ${prod.l3Vni}`]);
    const refresh = await t.stack.refresh();
    assert.match(refresh.stdout, /~ +pulumi-nodejs:dynamic\/anyvpc:Vpc +prod +updated/);
    const broken = reach(["node-5", first.attachments.n5!], ["node-6", (await outputs()).attachments.n6!]);
    assert.ok(!broken.reachable, "without its L3VNI on eos2 the VPC is cut there");
    await t.stack.up();
    assert.match(running("eos2"), new RegExp(`^   vxlan vrf ${prod.vrf} vni ${prod.l3Vni}$`, "m"));
    const repaired = reach(["node-5", first.attachments.n5!], ["node-6", (await outputs()).attachments.n6!]);
    assert.ok(repaired.reachable, repaired.reason);
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("destroy leaves every leaf's running-config as it started, and the ledger empty", async () => {
    await t.stack.destroy();
    assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
    for (const sw of leaves) assert.equal(running(sw), t.lab.eosBaseline(sw), `${sw} as it started`);
  });
});
