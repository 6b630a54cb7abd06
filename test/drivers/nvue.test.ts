// The NVUE driver against simulated Cumulus switches: each realization step read back from
// rev=applied, write combining under concurrency, a bad change not sinking good ones, the
// isolation proof over a generated topology, and names that cannot escape their fields.
import assert from "node:assert/strict";
import { NvueRevisionError } from "../../provider/drivers/nvue/client";
import {
  portChanges,
  removePortChanges,
  removeSubnetChanges,
  subnetChanges,
  vrfChanges,
} from "../../provider/drivers/nvue/intent";
import type { ConfigChange } from "../../provider/drivers/nvue/revisions";
import { NvueSite } from "../../provider/drivers/nvue/site";
import { defaultRetryPolicy } from "../../provider/drivers/retry";
import { canReach, startNvueSimulator, type NvueSimulator, type ServerPort } from "../../sim/nvue";

const leaves = ["leaf1", "leaf2", "leaf3", "leaf4"];
const credentials = { username: "anyvpc", password: `nvue-pw-${process.pid}-${Date.now().toString(36)}` };

function siteFor(sim: NvueSimulator): NvueSite {
  return new NvueSite(
    leaves.map((name) => ({ name, url: sim.baseUrlOf(name), ...credentials })),
    { applyPollMs: 20, retry: { ...defaultRetryPolicy, baseDelayMs: 5, maxDelayMs: 40 } },
  );
}

async function everywhere(site: NvueSite, changes: ConfigChange[]): Promise<void> {
  await site.ensureAll(new Map(leaves.map((l) => [l, changes])));
}

describe("NVUE driver against the switch simulator", function () {
  this.timeout(180_000);
  let sim: NvueSimulator;
  let site: NvueSite;

  before(async () => {
    sim = await startNvueSimulator({
      switches: leaves.map((name, i) => ({
        name,
        ports: Array.from({ length: 16 }, (_, p) => `swp${p + 1}`),
        vtep: `10.10.10.${i + 1}`,
        asn: 65101 + i,
      })),
      credentials,
      knobs: { applyMs: 150 },
    });
    site = siteFor(sim);
  });
  after(() => sim?.close());

  it("VPC → a VRF with L3VNI and route targets on every leaf, as applied", async () => {
    await everywhere(site, vrfChanges({ vrf: "prod", l3Vni: 4001, routeTarget: "65000:4001", asn: 65000 }));
    for (const leaf of leaves) {
      const vrf = sim.applied(leaf).vrf as Record<string, { evpn: { vni: object } }>;
      assert.deepEqual(Object.keys(vrf.prod!.evpn.vni), ["4001"]);
      assert.ok(await site.read(leaf, ["vrf", "prod", "router", "bgp", "route-import"]));
    }
  });

  it("Subnet → VLAN + L2VNI + SVI with the anycast gateway; Attachment → an access port; both removable", async () => {
    await everywhere(site, subnetChanges({ vrf: "prod", vlan: 10, vni: 10010, gateways: ["10.1.10.1/24"] }));
    await site.ensure("leaf1", portChanges({ port: "swp3", vlan: 10, mode: "access" }));
    assert.deepEqual(
      await site.read("leaf1", ["interface", "swp3", "bridge", "domain", "br_default", "access"]),
      10,
    );
    assert.ok(await site.read("leaf2", ["interface", "vlan10", "ip", "vrr"]));
    await site.ensure("leaf1", removePortChanges({ port: "swp3", vlan: 10, mode: "access" }));
    await everywhere(site, removeSubnetChanges(10));
    assert.equal(await site.read("leaf1", ["interface", "vlan10"]), undefined);
    assert.equal(
      await site.read("leaf1", ["interface", "swp3", "bridge", "domain", "br_default", "access"]),
      undefined,
    );
  });

  it("a change the switch refuses fails with its reason, without sinking changes combined with it", async () => {
    const bad = site.ensure(
      "leaf2",
      subnetChanges({ vrf: "nosuchvrf", vlan: 20, vni: 10020, gateways: ["10.1.20.1/24"] }),
    );
    const good = site.ensure(
      "leaf2",
      subnetChanges({ vrf: "prod", vlan: 21, vni: 10021, gateways: ["10.1.21.1/24"] }),
    );
    await assert.rejects(bad, (e: unknown) => e instanceof NvueRevisionError && /nosuchvrf/.test(e.message));
    await good;
    assert.ok(await site.read("leaf2", ["interface", "vlan21"]));
    assert.equal(await site.read("leaf2", ["interface", "vlan20"]), undefined);
    await site.ensure("leaf2", removeSubnetChanges(21));
  });

  it("100 concurrent subnet creations cost a handful of applies per leaf, not 100", async () => {
    const before = leaves.map((l) => sim.applyCount(l));
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        everywhere(
          site,
          subnetChanges({ vrf: "prod", vlan: 100 + i, vni: 20_000 + i, gateways: [`10.2.${i}.1/24`] }),
        ),
      ),
    );
    const applies = leaves.map((l, i) => sim.applyCount(l) - before[i]!);
    for (const n of applies) assert.ok(n >= 1 && n <= 5, `applies per leaf: ${applies.join(", ")}`);
    for (const leaf of leaves) {
      const vlans = Object.keys(
        (sim.applied(leaf).bridge as { domain: { br_default: { vlan: object } } }).domain.br_default.vlan,
      );
      assert.ok(vlans.length >= 100);
    }
    await Promise.all(Array.from({ length: 100 }, (_, i) => everywhere(site, removeSubnetChanges(100 + i))));
  });

  it("isolation: 3 VPCs × 4 subnets × 12 servers over 4 leaves reach inside their VPC and never across", async () => {
    const serverPorts: ServerPort[] = [];
    const endpoints: { server: string; ip: string; vpc: number }[] = [];
    for (let v = 0; v < 3; v++) {
      const vrf = `tenant${v}`;
      await everywhere(
        site,
        vrfChanges({ vrf, l3Vni: 5000 + v, routeTarget: `65000:${5000 + v}`, asn: 65000 }),
      );
      for (let s = 0; s < 4; s++) {
        const vlan = 300 + v * 10 + s;
        await everywhere(
          site,
          subnetChanges({ vrf, vlan, vni: 30_000 + vlan, gateways: [`10.${50 + v}.${s}.1/24`] }),
        );
        for (let n = 0; n < 3; n++) {
          const index = v * 12 + s * 3 + n; // 12 servers per VPC, spread over the leaves
          const leaf = leaves[index % 4]!;
          const port = `swp${Math.floor(index / 4) + 1}`;
          const server = `srv${index}`;
          await site.ensure(leaf, portChanges({ port, vlan, mode: "access" }));
          serverPorts.push({ server, switch: leaf, port });
          endpoints.push({ server, ip: `10.${50 + v}.${s}.${10 + n}/24`, vpc: v });
        }
      }
    }
    const configs = Object.fromEntries(leaves.map((l) => [l, sim.applied(l)]));
    let inside = 0;
    let across = 0;
    for (const a of endpoints) {
      for (const b of endpoints) {
        if (a === b) continue;
        const r = canReach(configs, serverPorts, a, b);
        if (a.vpc === b.vpc) {
          assert.ok(r.reachable, `${a.server} → ${b.server}: ${r.reason}`);
          inside++;
        } else {
          assert.ok(!r.reachable, `${a.server} → ${b.server} crosses VPCs: ${r.reason}`);
          across++;
        }
      }
    }
    assert.equal(inside, 3 * 12 * 11);
    assert.equal(across, 36 * 24);
  });

  it("a description with quotes, braces or path characters stays inside its own field", async () => {
    const before = sim.applied("leaf3");
    const tricky = 'web "tier" }, "vrf": {"evil": {}}, ../../vrf/prod';
    await site.ensure(
      "leaf3",
      subnetChanges({ vrf: "prod", vlan: 40, vni: 10040, gateways: ["10.1.40.1/24"], description: tricky }),
    );
    const after = sim.applied("leaf3");
    assert.equal((after.interface as Record<string, { description?: string }>).vlan40!.description, tricky);
    assert.deepEqual(
      Object.keys(after.vrf as object).sort(),
      Object.keys(before.vrf as object).sort(),
      "no VRF was added or removed",
    );
    assert.throws(
      () => subnetChanges({ vrf: "prod", vlan: 41, vni: 10041, gateways: [], description: "line\nbreak" }),
      /description/,
    );
    await site.ensure("leaf3", removeSubnetChanges(40));
  });

  it("never puts the switch password in the simulator's request log", () => {
    assert.ok(!JSON.stringify(sim.requests).includes(credentials.password));
  });
});
