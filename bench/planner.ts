// Planner at scale. Each figure runs in a process of its own, so its peak RSS is its own:
//   npx tsx bench/planner.ts            (runs every figure)
//   npx tsx bench/planner.ts v4-24s     (one figure)
import { execFileSync } from "node:child_process";
import { formatPrefix, prefix } from "../provider/ipam/prefix";
import { AddressSpace } from "../provider/ipam/space";

const figures: Record<string, { label: string; parent: string; length: number; count: number }> = {
  "v4-24s": { label: "every /24 of an IPv4 /8", parent: "10.0.0.0/8", length: 24, count: 65_536 },
  "v6-64s": { label: "1,000,000 /64s of an IPv6 /32", parent: "2001:db8::/32", length: 64, count: 1_000_000 },
};

function run(name: string): void {
  const f = figures[name]!;
  let space = AddressSpace.of(prefix(f.parent));
  let last = "";
  const start = process.hrtime.bigint();
  for (let i = 0; i < f.count; i++) {
    const r = space.allocate(f.length);
    space = r.space;
    if (i === f.count - 1) last = formatPrefix(r.prefix);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    `planner: ${f.label}: ${f.count.toLocaleString("en")} allocations in ${(ms / 1000).toFixed(2)} s ` +
      `(${Math.round((f.count / ms) * 1000).toLocaleString("en")}/s), peak RSS ${peakMiB.toFixed(0)} MiB, last ${last}`,
  );
}

const only = process.argv[2];
if (only) run(only);
else
  for (const name of Object.keys(figures))
    execFileSync(process.execPath, ["--import", "tsx", __filename, name], { stdio: "inherit" });
