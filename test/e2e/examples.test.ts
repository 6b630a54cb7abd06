// Every example in examples/ is a real Pulumi program: each runs here against the simulated lab
// with the real CLI as a user runs it (preview on a fresh stack → up → preview --expect-no-changes
// → destroy) and leaves nothing behind. quickstart and kubernetes have tests of their own.
import assert from "node:assert/strict";
import { contains, prefix } from "../../provider/ipam/prefix";
import { readdirSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../../scripts/lib/pulumi";
import { ledgerAllocations, openTestStack, previewCreates, stateNames, type TestStack } from "./helpers";

// Stack outputs are JSON from `pulumi stack output --json`; each check reads the shape its example exports.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Outputs = Record<string, any>;

const examples: { dir: string; check(out: Outputs, t: TestStack): void }[] = [
  {
    dir: "examples/on-prem-evpn",
    check(out, t) {
      assert.deepEqual(Object.keys(out.addresses).sort(), ["node-1", "node-2", "node-3", "node-4"]);
      assert.ok(contains(prefix(out.subnets.web.cidr), prefix(`${out.addresses["node-1"]}/32`)));
      assert.ok(contains(prefix(out.subnets.data.cidr), prefix(`${out.addresses["node-4"]}/32`)));
      assert.match(out.netplan["node-4"], new RegExp(`id: ${out.subnets.data.vlan}`));
      for (const leaf of ["leaf1", "leaf2"])
        assert.ok((t.lab.nvue.applied(leaf).vrf as Record<string, unknown>)[out.vpc.vrf]);
    },
  },
  {
    dir: "examples/on-prem-eos",
    check(out, t) {
      assert.deepEqual(Object.keys(out.addresses).sort(), ["node-5", "node-6", "node-7", "node-8"]);
      for (const leaf of ["eos1", "eos2"]) {
        const running = t.lab.eos.runningConfig(leaf);
        assert.match(running, new RegExp(`^vrf instance ${out.vpc.vrf}$`, "m"));
        assert.match(
          running,
          new RegExp(`^   vxlan vlan ${out.subnets.web.vlan} vni ${out.subnets.web.vni}$`, "m"),
        );
        assert.match(running, new RegExp(`^ip route vrf ${out.vpc.vrf} ${out.vip}/32 `, "m"));
      }
      // The same VPC's VRF on the Cumulus leaves, with the batch subnet.
      for (const leaf of ["leaf1", "leaf2"])
        assert.ok((t.lab.nvue.applied(leaf).vrf as Record<string, unknown>)[out.vpc.vrf]);
    },
  },
  {
    dir: "examples/equinix-metal",
    check(out, t) {
      assert.equal(prefix(out.vpcCidr).length, 20);
      const metal = t.lab.metal.snapshot();
      assert.deepEqual(
        metal.vrfs.map((v) => v.ip_ranges),
        [[out.vpcCidr]],
      );
      assert.deepEqual(
        metal.virtualNetworks.map((v) => v.vxlan),
        [out.subnet.vlan],
      );
      assert.equal(Object.keys(out.addresses).length, 2);
      // The load balancer: an elastic IP of the metro, a BGP session per device, a speaker snippet.
      assert.ok(metal.ipReservations.some((r) => r.type === "public_ipv4" && !r.management));
      assert.equal(metal.bgpSessions.length, 2);
      assert.equal(out.loadBalancer.bgpPeers.length, 2);
      assert.match(
        out.loadBalancer.speakerConfig,
        new RegExp(`route ${out.loadBalancer.vip.replace(/\./g, "\\.")}/32`),
      );
      assert.equal(out.bgpPassword, "[secret]", "the BGP password is a secret output");
    },
  },
  {
    dir: "examples/hybrid",
    check(out, t) {
      assert.ok(contains(prefix(out.plan.vpc), prefix(out.plan.rack.cidr)));
      assert.ok(contains(prefix(out.plan.vpc), prefix(out.plan.cloud.cidr)));
      assert.equal(t.lab.metal.snapshot().vrfs.length, 1);
      // The rack server and the Metal worker reach each other over the lab's interconnect.
      const r = t.lab.canReach(
        { site: "ams", server: "node-1", ip: `${out.plan.db}/${prefix(out.plan.rack.cidr).length}` },
        { site: "da", device: "node-2", ip: `${out.plan.worker}/${prefix(out.plan.cloud.cidr).length}` },
      );
      assert.ok(r.reachable, r.reason);
    },
  },
];

/** Examples whose life cycle, fresh preview included, is walked by a test file of their own. */
const testedElsewhere = ["examples/quickstart", "examples/kubernetes"];

describe("e2e: examples", function () {
  this.timeout(600_000);
  it("covers every example program", () => {
    const programs = readdirSync(path.join(repoRoot, "examples"), { withFileTypes: true })
      .filter(
        (d) =>
          d.isDirectory() && readdirSync(path.join(repoRoot, "examples", d.name)).includes("Pulumi.yaml"),
      )
      .map((d) => `examples/${d.name}`)
      .sort();
    assert.deepEqual(programs, [...examples.map((e) => e.dir), ...testedElsewhere].sort());
  });

  for (const ex of examples) {
    it(`${ex.dir}: a fresh preview lists every resource, up, no changes on a second preview, destroy leaves nothing`, async () => {
      const t = await openTestStack(ex.dir);
      try {
        const planned = await previewCreates(t);
        await t.stack.up();
        assert.deepEqual(planned, await stateNames(t), "the preview listed what up created");
        ex.check(await t.stack.outputs(), t);
        await t.stack.preview(["--expect-no-changes"]);
        await t.stack.destroy();
        assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
        const metal = t.lab.metal.snapshot();
        assert.deepEqual(
          [metal.vrfs, metal.virtualNetworks, metal.metalGateways, metal.virtualCircuits, metal.bgpSessions],
          [[], [], [], [], []],
        );
        assert.deepEqual(
          metal.ipReservations.filter((r) => r.type === "public_ipv4" && !r.management),
          [],
        );
        for (const leaf of ["leaf1", "leaf2"])
          assert.deepEqual(Object.keys((t.lab.nvue.applied(leaf).vrf as object | undefined) ?? {}), []);
        for (const leaf of ["eos1", "eos2"])
          assert.equal(t.lab.eos.runningConfig(leaf), t.lab.eosBaseline(leaf), `${leaf} as it started`);
      } finally {
        await t.close();
      }
    });
  }
});
