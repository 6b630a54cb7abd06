// A user's network through its whole life with the real Pulumi CLI over the simulated fabric:
// up → preview --expect-no-changes → updates in place → a replacement → refresh after an
// out-of-band change reports the drift and the next up repairs it → destroy leaves the fabric
// and the ledger exactly as they were.
import assert from "node:assert/strict";
import { contains, prefix } from "../../provider/ipam/prefix";
import { labServers } from "../../sim/lab";
import { canReach, childTree, keysOf } from "../../sim/nvue";
import { ledgerAllocations, openTestStack, type TestStack } from "./helpers";

type Out = {
  vpcs: Record<string, { id: string; cidr: string; ipv6Cidr?: string; vrf: string; tags?: object }>;
  subnets: Record<
    string,
    { id: string; cidr: string; gateway: string; vlan: number; vni: number; ipv6Cidr?: string; size: number }
  >;
  attachments: Record<
    string,
    { ip: string; ipv6?: string; prefixLength: number; vlan: number; mode: string; hostConfig: string }
  >;
};

/** The program's config: a VPC over both sites with IPv6, three subnets, three attachments. */
function network(change: { tags?: object; subnetName?: string; n2Mode?: string; appSize?: number } = {}) {
  return {
    vpcs: [
      {
        name: "prod",
        args: { sites: ["ams", "da"], ipv6: true, ...(change.tags ? { tags: change.tags } : {}) },
      },
      { name: "dev", args: { sites: ["ams"] } },
    ],
    subnets: [
      {
        name: "web",
        args: { vpc: "prod", site: "ams", ...(change.subnetName ? { name: change.subnetName } : {}) },
      },
      { name: "app", args: { vpc: "prod", site: "ams", size: change.appSize ?? 25 } },
      { name: "metal", args: { vpc: "prod", site: "da", size: 28 } },
      { name: "devnet", args: { vpc: "dev", site: "ams" } },
    ],
    attachments: [
      { name: "n1", args: { subnet: "web", server: "node-1" } },
      { name: "n2", args: { subnet: "app", server: "node-2", mode: change.n2Mode ?? "access" } },
      { name: "n3", args: { subnet: "devnet", server: "node-3" } },
      { name: "m1", args: { subnet: "metal", metalDevice: { device: "node-1" } } },
    ],
  };
}

/** The steps `pulumi preview --json` plans, as "op name" strings for the named resources. */
async function plannedSteps(t: TestStack): Promise<string[]> {
  const r = await t.stack.preview(["--json"]);
  const steps = (JSON.parse(r.stdout) as { steps?: { op: string; urn: string }[] }).steps ?? [];
  return steps
    .filter((s) => s.op !== "same" && s.urn.includes("anyvpc:"))
    .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
    .sort();
}

describe("e2e: a network's life cycle over both fabrics", function () {
  this.timeout(600_000);
  let t: TestStack;
  let first: Out;
  const outputs = async () => (await t.stack.outputs()).out as Out;
  const endpoint = (server: string, a: Out["attachments"][string]) => ({
    server,
    ip: `${a.ip}/${a.prefixLength}`,
    ...(a.mode === "trunk" ? { vlan: a.vlan } : {}),
  });
  const reach = (a: Parameters<typeof canReach>[2], b: Parameters<typeof canReach>[3]) =>
    canReach(
      { leaf1: t.lab.nvue.applied("leaf1"), leaf2: t.lab.nvue.applied("leaf2") },
      Object.entries(labServers).map(([server, p]) => ({ server, switch: p.switch, port: p.port })),
      a,
      b,
    );

  before(async () => {
    t = await openTestStack("test/programs/network", { "anyvpc-test-network:network": network() });
  });
  after(async () => {
    await t?.close();
  });

  it("up plans everything inside its parent, with IPv6 for the VPC, its subnets and servers", async () => {
    await t.stack.up();
    first = await outputs();
    const prod = first.vpcs.prod!;
    assert.equal(prefix(prod.ipv6Cidr!).length, 48);
    for (const name of ["web", "app"]) {
      const s = first.subnets[name]!;
      assert.ok(contains(prefix(prod.cidr), prefix(s.cidr)), `${name} inside the VPC`);
      assert.equal(prefix(s.ipv6Cidr!).length, 64);
      assert.ok(contains(prefix(prod.ipv6Cidr!), prefix(s.ipv6Cidr!)));
    }
    const n1 = first.attachments.n1!;
    assert.ok(contains(prefix(first.subnets.web!.ipv6Cidr!), prefix(`${n1.ipv6}/128`)));
    assert.match(n1.hostConfig, new RegExp(`addresses: \\[${n1.ip}/24, ${n1.ipv6}/64\\]`));
    // On the fabric: the VRF on both leaves, the Metal VLAN carrying the device's bond0.
    for (const leaf of ["leaf1", "leaf2"])
      assert.ok((t.lab.nvue.applied(leaf).vrf as Record<string, unknown>)[prod.vrf], `VRF on ${leaf}`);
    const metal = t.lab.metal.snapshot();
    assert.deepEqual(
      metal.virtualNetworks.map((v) => v.vxlan),
      [first.subnets.metal!.vlan],
    );
  });

  it("servers of one VPC reach each other across subnets, leaves and sites; another VPC's never", () => {
    const a = first.attachments;
    const n1n2 = reach(endpoint("node-1", a.n1!), endpoint("node-2", a.n2!));
    assert.ok(n1n2.reachable, n1n2.reason);
    const n1n3 = reach(endpoint("node-1", a.n1!), endpoint("node-3", a.n3!));
    assert.ok(!n1n3.reachable, `across VPCs: ${n1n3.reason}`);
    // Across sites only over the interconnect, and only inside the VPC.
    const m1 = { site: "da", device: "node-1", ip: `${a.m1!.ip}/${a.m1!.prefixLength}` };
    const n1m1 = t.lab.canReach({ site: "ams", ...endpoint("node-1", a.n1!) }, m1);
    assert.ok(n1m1.reachable, n1m1.reason);
    const n3m1 = t.lab.canReach({ site: "ams", ...endpoint("node-3", a.n3!) }, m1);
    assert.ok(!n3m1.reachable, `across VPCs and sites: ${n3m1.reason}`);
  });

  it("a second preview shows no changes", async () => {
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("tags, a subnet's name and an attachment's mode change in place", async () => {
    t.stack.setConfigValue(
      "anyvpc-test-network:network",
      network({ tags: { team: "platform" }, subnetName: "frontend", n2Mode: "trunk" }),
    );
    assert.deepEqual(await plannedSteps(t), ["update n2", "update prod", "update web"]);
    await t.stack.up();
    const after = await outputs();
    assert.deepEqual(after.vpcs.prod!.tags, { team: "platform" });
    assert.equal(after.attachments.n2!.mode, "trunk");
    assert.equal(after.attachments.n2!.ip, first.attachments.n2!.ip, "an update keeps the address");
    assert.match(after.attachments.n2!.hostConfig, new RegExp(`id: ${first.subnets.app!.vlan}`));
    const trunk = childTree(
      t.lab.nvue.applied("leaf2"),
      "interface",
      "swp1",
      "bridge",
      "domain",
      "br_default",
    );
    assert.deepEqual(keysOf(childTree(trunk, "vlan")), [String(first.subnets.app!.vlan)]);
    const r = reach(endpoint("node-1", after.attachments.n1!), endpoint("node-2", after.attachments.n2!));
    assert.ok(r.reachable, r.reason);
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("a new size replaces the subnet, and its attachment moves with it", async () => {
    t.stack.setConfigValue(
      "anyvpc-test-network:network",
      network({
        tags: { team: "platform" },
        subnetName: "frontend",
        n2Mode: "trunk",
        appSize: 26,
      }),
    );
    const steps = await plannedSteps(t);
    assert.ok(steps.includes("replace app"), steps.join(", "));
    await t.stack.up();
    const after = await outputs();
    assert.equal(prefix(after.subnets.app!.cidr).length, 26);
    assert.ok(contains(prefix(after.subnets.app!.cidr), prefix(`${after.attachments.n2!.ip}/32`)));
    assert.equal(after.subnets.web!.cidr, first.subnets.web!.cidr, "other subnets never move");
    assert.equal(after.attachments.n1!.ip, first.attachments.n1!.ip);
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("refresh reports changes made out of band, and the next up repairs them", async () => {
    // An operator takes the VRF out of EVPN on leaf2 and clears node-2's port there.
    const vrf = first.vpcs.prod!.vrf;
    t.lab.nvue.setApplied("leaf2", ["vrf", vrf, "evpn"], null);
    t.lab.nvue.setApplied("leaf2", ["interface", "swp1"], null);
    const refresh = await t.stack.refresh();
    assert.match(refresh.stdout, /~ +pulumi-nodejs:dynamic\/anyvpc:Vpc +prod +updated/);
    assert.match(refresh.stdout, /~ +pulumi-nodejs:dynamic\/anyvpc:Attachment +n2 +updated/);
    assert.deepEqual(await plannedSteps(t), ["update n2", "update prod"]);
    await t.stack.up();
    assert.ok(childTree(t.lab.nvue.applied("leaf2"), "vrf", vrf, "evpn"), "the VRF is in EVPN again");
    const r = reach(
      endpoint("node-1", (await outputs()).attachments.n1!),
      endpoint("node-2", (await outputs()).attachments.n2!),
    );
    assert.ok(r.reachable, r.reason);
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("destroy leaves the fabric and the ledger exactly as before", async () => {
    await t.stack.destroy();
    assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
    for (const leaf of ["leaf1", "leaf2"]) {
      const tree = t.lab.nvue.applied(leaf);
      assert.deepEqual(keysOf(childTree(tree, "vrf")), [], `${leaf} VRFs`);
      assert.deepEqual(keysOf(childTree(tree, "interface")), [], `${leaf} interfaces`);
      assert.deepEqual(
        keysOf(childTree(tree, "bridge", "domain", "br_default", "vlan")),
        [],
        `${leaf} VLANs`,
      );
    }
    const metal = t.lab.metal.snapshot();
    assert.deepEqual(metal.vrfs, []);
    assert.deepEqual(metal.virtualNetworks, []);
    assert.deepEqual(metal.metalGateways, []);
    assert.deepEqual(metal.virtualCircuits, [], "the interconnect link is gone");
  });
});
