// Write combining on an NVUE site: 100 subnet creations issued at once against 4 simulated leaves
// whose applies take 1 s each (the simulator's default, close to a real switch). Prints the
// revisions applied per leaf and the wall time.
//   npx tsx bench/nvue-batching.ts
import { subnetChanges, vrfChanges } from "../provider/drivers/nvue/intent";
import { NvueSite } from "../provider/drivers/nvue/site";
import { startNvueSimulator } from "../sim/nvue";

async function main(): Promise<void> {
  const leaves = ["leaf1", "leaf2", "leaf3", "leaf4"];
  const credentials = { username: "bench", password: "bench-password" };
  const sim = await startNvueSimulator({
    switches: leaves.map((name, i) => ({ name, ports: ["swp1"], vtep: `10.10.10.${i + 1}`, asn: 65101 + i })),
    credentials,
    knobs: { applyMs: 1000 },
  });
  try {
    const site = new NvueSite(
      leaves.map((name) => ({ name, url: sim.baseUrlOf(name), ...credentials })),
      { applyPollMs: 50 },
    );
    await site.ensureAll(
      new Map(
        leaves.map((l) => [
          l,
          vrfChanges({ vrf: "prod", l3Vni: 4001, routeTarget: "65000:4001", asn: 65000 }),
        ]),
      ),
    );
    // Two arrival patterns: all at once, and spread evenly over 3 s (as a Pulumi run issues
    // creations while their dependencies finish).
    for (const [label, spreadMs, base] of [
      ["at once", 0, 100],
      ["spread over 3 s", 3000, 300],
    ] as const) {
      const before = leaves.map((l) => sim.applyCount(l));
      const start = Date.now();
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          await new Promise((r) => setTimeout(r, (spreadMs * i) / 100));
          const vlan = base + i;
          await site.ensureAll(
            new Map(
              leaves.map((l) => [
                l,
                subnetChanges({
                  vrf: "prod",
                  vlan,
                  vni: 20_000 + vlan,
                  gateways: [`10.${vlan >> 8}.${vlan & 255}.1/24`],
                }),
              ]),
            ),
          );
        }),
      );
      const applies = leaves.map((l, i) => sim.applyCount(l) - before[i]!);
      console.log(
        `nvue: 100 subnet creations ${label} on a 4-leaf site (1 s per apply): ${applies.join(", ")} applies per leaf ` +
          `instead of 100, ${((Date.now() - start) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await sim.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
