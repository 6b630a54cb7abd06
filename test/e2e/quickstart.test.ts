// The README's main job through the real Pulumi CLI: up → preview --expect-no-changes → refresh →
// destroy of examples/quickstart, with assertions on outputs, state and the ledger.
import assert from "node:assert/strict";
import { contains, overlaps, prefix } from "../../provider/ipam/prefix";
import { ledgerAllocations, openTestStack, previewCreates, stateNames, type TestStack } from "./helpers";

describe("e2e: examples/quickstart", function () {
  this.timeout(300_000);
  let t: TestStack;

  before(async () => {
    t = await openTestStack("examples/quickstart");
  });
  after(async () => {
    await t?.close();
  });

  it("pulumi up plans a /16 from the pool for prod and pins lab's CIDR", async () => {
    const planned = await previewCreates(t);
    await t.stack.up();
    assert.deepEqual(planned, await stateNames(t), "a fresh preview lists every resource up creates");
    const { vpcs } = (await t.stack.outputs()) as {
      vpcs: Record<string, { cidr: string; sites: string[]; vrf: string }>;
    };
    assert.equal(vpcs.lab!.cidr, "10.200.0.0/16");
    const prod = prefix(vpcs.prod!.cidr);
    assert.equal(prod.length, 16);
    assert.ok(contains(prefix("10.0.0.0/8"), prod) && !overlaps(prod, prefix("10.200.0.0/16")));
    assert.deepEqual(vpcs.prod!.sites, ["ams", "da"]);
    // Realized on the fabric: the VRFs on both leaves of ams, and prod's VRF in the Metal metro.
    const vrfs = [vpcs.lab!.vrf, vpcs.prod!.vrf].sort();
    for (const leaf of ["leaf1", "leaf2"])
      assert.deepEqual(Object.keys(t.lab.nvue.applied(leaf).vrf as object).sort(), vrfs);
    assert.deepEqual(
      t.lab.metal.snapshot().vrfs.map((v) => v.ip_ranges),
      [[vpcs.prod!.cidr]],
    );
    const owners = ledgerAllocations(t.ledgerFile)
      .filter((a) => a.pool === "vpc-ipv4")
      .map((a) => `${a.owner}=${a.value}`)
      .sort();
    assert.deepEqual(owners, [
      `anyvpc-quickstart/e2e/Vpc/lab=10.200.0.0/16`,
      `anyvpc-quickstart/e2e/Vpc/prod=${vpcs.prod!.cidr}`,
    ]);
  });

  it("attaches servers, writes their netplan, and the fabric model lets them reach each other", async () => {
    const out = await t.stack.outputs();
    const atts = out.attachments as Record<
      string,
      { ip: string; prefixLength: number; vlan: number; mode: string; server: string }
    >;
    const n1 = atts.n1!;
    const n2 = atts.n2!;
    assert.match(
      (out.hostConfig as Record<string, string>).n1!,
      new RegExp(`addresses: \\[${n1.ip}/${n1.prefixLength}`),
    );
    const node1 = { site: "ams", server: "node-1", ip: `${n1.ip}/${n1.prefixLength}` };
    const r = t.lab.canReach(node1, {
      site: "ams",
      server: "node-2",
      ip: `${n2.ip}/${n2.prefixLength}`,
      vlan: n2.vlan,
    });
    assert.ok(r.reachable, r.reason);
    // Across the interconnect, to the Metal device in the same VPC.
    const m1 = atts.m1!;
    const metal = t.lab.canReach(node1, { site: "da", device: "node-1", ip: `${m1.ip}/${m1.prefixLength}` });
    assert.ok(metal.reachable, metal.reason);
    const lab = t.lab.canReach(node1, { site: "ams", server: "node-3", ip: "10.200.0.5/24" });
    assert.ok(!lab.reachable, "a server outside the VPC is not reachable");
  });

  it("puts a load balancer in front of node-1: its VIP in the VPC, answering on 443 only", async () => {
    const out = await t.stack.outputs();
    const lb = out.loadBalancer as { vip: string; backends: { server: string; ip: string }[] };
    const prod = (out.vpcs as Record<string, { cidr: string }>).prod!;
    assert.ok(contains(prefix(prod.cidr), prefix(`${lb.vip}/32`)));
    const atts = out.attachments as Record<
      string,
      { ip: string; prefixLength: number; vlan: number; server: string }
    >;
    const client = { server: "node-2", ip: `${atts.n2!.ip}/${atts.n2!.prefixLength}`, vlan: atts.n2!.vlan };
    const backends = [{ server: "node-1", ip: `${atts.n1!.ip}/${atts.n1!.prefixLength}` }];
    assert.deepEqual(t.lab.canReachVip(client, { vip: lb.vip, port: 443 }, backends).receivers, ["node-1"]);
    assert.ok(!t.lab.canReachVip(client, { vip: lb.vip, port: 22 }, backends).reachable);
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

  it("keeps the switch password and the Metal token out of the state", async () => {
    const state = JSON.stringify(await t.stack.exportState());
    for (const s of t.lab.secrets) assert.ok(!state.includes(s.value), `${s.path} is in the state`);
  });

  it("destroy leaves the fabric and the ledger as they were", async () => {
    await t.stack.destroy();
    assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
    for (const leaf of ["leaf1", "leaf2"])
      assert.deepEqual(Object.keys((t.lab.nvue.applied(leaf).vrf as object | undefined) ?? {}), []);
    assert.deepEqual(t.lab.metal.snapshot().vrfs, []);
    assert.deepEqual(t.lab.metal.snapshot().virtualNetworks, []);
    assert.deepEqual(t.lab.metal.snapshot().metalGateways, []);
    for (const leaf of ["leaf1", "leaf2"])
      assert.deepEqual(Object.keys((t.lab.nvue.applied(leaf).interface as object | undefined) ?? {}), []);
  });
});
