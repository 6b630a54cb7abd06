// Two stacks (two teams, two CI jobs) sharing one PostgreSQL ledger, run concurrently through the
// real CLI, get disjoint plans (CIDRs, VLANs, VNIs, L3VNIs) on one shared fabric; destroying both
// releases everything they held.
import assert from "node:assert/strict";
import { overlaps, prefix } from "../../provider/ipam/prefix";
import { PostgresLedger } from "../../provider/ledger/postgres";
import { postgresUrl } from "../ledger/engines";
import { startLab } from "../../sim/lab";
import { openTestStack } from "./helpers";

describe("e2e: two stacks sharing a PostgreSQL ledger", function () {
  this.timeout(300_000);

  it("plan disjoint VPCs and subnets when run at the same time, and release them all on destroy", async () => {
    const url = postgresUrl();
    const run = Date.now().toString(36);
    const vpcs = Array.from({ length: 6 }, (_, i) => ({ name: `v${i}`, args: { sites: ["ams"], size: 20 } }));
    const subnets = vpcs.flatMap((v) =>
      [0, 1].map((j) => ({ name: `${v.name}s${j}`, args: { vpc: v.name, site: "ams", size: 24 } })),
    );
    // A pool of sixteen /20s, so twelve VPCs fill most of it.
    const lab = await startLab({ applyMs: 100 });
    const stacks = await Promise.all(
      ["blue", "green"].map((team) =>
        openTestStack(
          "test/programs/network",
          { "anyvpc-test-network:network": { vpcs, subnets } },
          { stack: `${team}-${run}`, ledgerUrl: url, vpcPool: "10.99.0.0/16", lab },
        ),
      ),
    );
    const ledger = new PostgresLedger(url);
    // The database outlives test runs: release what an earlier, interrupted run may have left.
    for (const owner of new Set(
      (await ledger.list()).map((a) => a.owner).filter((o) => /^anyvpc-test-network\/(blue|green)-/.test(o)),
    )) {
      await ledger.release(owner);
    }
    try {
      await Promise.all(stacks.map((t) => t.stack.up()));
      type Out = {
        vpcs: Record<string, { cidr: string }>;
        subnets: Record<string, { vlan: number; vni: number }>;
      };
      const outs = await Promise.all(stacks.map(async (t) => (await t.stack.outputs()).out as Out));
      const cidrs = outs.flatMap((o) => Object.values(o.vpcs).map((v) => v.cidr));
      assert.equal(cidrs.length, 12);
      const prefixes = cidrs.map((c) => prefix(c));
      for (let i = 0; i < prefixes.length; i++) {
        for (let j = i + 1; j < prefixes.length; j++)
          assert.ok(!overlaps(prefixes[i]!, prefixes[j]!), `${cidrs[i]} overlaps ${cidrs[j]}`);
      }
      const held = (await ledger.list()).filter((a) => a.owner.includes(run));
      assert.equal(held.filter((a) => a.pool === "vpc-ipv4").length, 12);
      const l3Vnis = held.filter((a) => a.pool === "l3vni").map((a) => a.value);
      assert.equal(new Set(l3Vnis).size, 12, "every VPC of both stacks has its own L3VNI");
      const subnetOuts = outs.flatMap((o) => Object.values(o.subnets));
      assert.equal(subnetOuts.length, 24);
      assert.equal(
        new Set(subnetOuts.map((s) => s.vlan)).size,
        24,
        "one site, so every subnet has its own VLAN",
      );
      assert.equal(new Set(subnetOuts.map((s) => s.vni)).size, 24, "every subnet has its own L2VNI");
      // Both stacks name their VPCs v0..v5; on the shared switches each still got its own VRF.
      assert.equal(Object.keys(lab.nvue.applied("leaf1").vrf as object).length, 12);

      await Promise.all(stacks.map((t) => t.stack.destroy()));
      assert.deepEqual(
        (await ledger.list()).filter((a) => a.owner.includes(run)),
        [],
      );
    } finally {
      await Promise.all(stacks.map((t) => t.stack.destroy().catch(() => undefined)));
      await ledger.close();
      await Promise.all(stacks.map((t) => t.close()));
      await lab.close();
    }
  });
});
