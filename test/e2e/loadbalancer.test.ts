// examples/kubernetes through the real CLI over the simulated lab: three nodes and a bastion, a load
// balancer with 443→6443 and 80; then a node drained from the backends, a listener added, a node
// that stops answering taken out by `up --refresh`, and destroy leaving fabric and ledger empty.
import assert from "node:assert/strict";
import { labServers } from "../../sim/lab";
import { canReachVip, childTree, keysOf, type Endpoint } from "../../sim/nvue";
import { ledgerAllocations, openTestStack, previewCreates, stateNames, type TestStack } from "./helpers";

type Out = {
  vip: string;
  inService: string[];
  backends: { server: string; health: string; ip: string }[];
  addresses: Record<string, string>;
  prefixLength: number;
};

describe("e2e: examples/kubernetes, a load balancer's life", function () {
  this.timeout(600_000);
  let t: TestStack;
  let out: Out;
  const ports = Object.entries(labServers).map(([server, p]) => ({ server, switch: p.switch, port: p.port }));
  const configs = () => ({ leaf1: t.lab.nvue.applied("leaf1"), leaf2: t.lab.nvue.applied("leaf2") });
  const ep = (name: string, server = name): Endpoint => ({
    server,
    ip: `${out.addresses[name]}/${out.prefixLength}`,
  });
  const nodes = ["node-1", "node-2", "node-3"];
  /** Which nodes get a packet to vip:port from the bastion, per the switches' applied configs. */
  const receivers = (port: number) =>
    canReachVip(
      configs(),
      ports,
      ep("bastion", "node-4"),
      { vip: out.vip, port },
      nodes.map((n) => ep(n)),
    ).receivers.sort();
  const refresh = async () => (out = (await t.stack.outputs()) as unknown as Out);

  before(async () => {
    t = await openTestStack("examples/kubernetes");
    for (const n of nodes) await t.lab.serve(n, 6443);
  });
  after(async () => {
    await t?.close();
  });

  it("up: the VIP in the VPC, routed to all three nodes, on 443 and 80 only", async () => {
    const planned = await previewCreates(t);
    await t.stack.up();
    assert.deepEqual(planned, await stateNames(t), "a fresh preview lists every resource up creates");
    await refresh();
    assert.deepEqual(
      out.backends.map((b) => [b.server, b.health]),
      nodes.map((n) => [n, "healthy"]),
    );
    assert.deepEqual(receivers(443), nodes);
    assert.deepEqual(receivers(80), nodes);
    assert.deepEqual(receivers(22), [], "nothing but the listeners");
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("a node drained from the backends stops receiving, in place", async () => {
    t.stack.setConfigValue("anyvpc-kubernetes:backends", ["node-1", "node-3"]);
    await t.stack.up();
    await refresh();
    assert.deepEqual(receivers(443), ["node-1", "node-3"]);
  });

  it("a listener added answers on its port", async () => {
    t.stack.setConfigValue("anyvpc-kubernetes:extraListeners", [{ port: 8443 }]);
    await t.stack.up();
    await refresh();
    assert.deepEqual(receivers(8443), ["node-1", "node-3"]);
    await t.stack.preview(["--expect-no-changes"]);
  });

  it("a node that stops answering is taken out by up --refresh, and back when it answers again", async () => {
    await t.lab.stopServing("node-3", 6443);
    await t.stack.up(["--refresh"]);
    await refresh();
    assert.equal(out.backends.find((b) => b.server === "node-3")?.health, "unhealthy");
    assert.deepEqual(receivers(443), ["node-1"]);
    await t.lab.serve("node-3", 6443);
    await t.stack.up(["--refresh"]);
    await refresh();
    assert.deepEqual(receivers(443), ["node-1", "node-3"]);
  });

  it("destroy leaves the fabric and the ledger empty", async () => {
    await t.stack.destroy();
    assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
    for (const leaf of ["leaf1", "leaf2"]) {
      const tree = t.lab.nvue.applied(leaf);
      for (const key of ["vrf", "acl", "interface"])
        assert.deepEqual(keysOf(childTree(tree, key)), [], `${leaf} ${key}`);
    }
    const metal = t.lab.metal.snapshot();
    assert.deepEqual([metal.vrfs, metal.ipReservations.filter((r) => !r.management)], [[], []]);
  });
});
