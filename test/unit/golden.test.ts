// The golden table: known plans that must not change without review. If a planner change alters
// one, the diff of test/unit/golden-plans.json is what a reviewer reads; regenerate it with
// `UPDATE_GOLDEN=1 npx mocha test/unit/golden.test.ts` only when the change is intended.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hostSpace, planHost, subnetLayout } from "../../provider/ipam/hosts";
import { formatPrefix, prefix } from "../../provider/ipam/prefix";
import { formatRouteTarget, routeTargetRange } from "../../provider/ipam/route-target";
import { AddressSpace, NumberPool } from "../../provider/ipam/space";

type Step = number | string | { release: string };

/** Runs allocation steps over a parent: a number is a length, a string an explicit prefix. */
function planPrefixes(parent: string, steps: Step[]): string[] {
  let space = AddressSpace.of(prefix(parent));
  return steps.map((s) => {
    if (typeof s === "number") {
      const r = space.allocate(s);
      space = r.space;
      return formatPrefix(r.prefix);
    }
    if (typeof s === "string") {
      space = space.claim(prefix(s));
      return s;
    }
    space = space.release(prefix(s.release));
    return `released ${s.release}`;
  });
}

function planHosts(subnet: string, reserve: number, count: number): string[] {
  const layout = subnetLayout(prefix(subnet), { reserve });
  let space = hostSpace(layout);
  const out = [`gateway ${layout.gateway}`];
  for (let i = 0; i < count; i++) {
    const r = planHost(space);
    space = r.space;
    out.push(r.address);
  }
  return out;
}

function planNumbers(
  from: number,
  to: number,
  reserved: { from: number; to: number }[],
  steps: (null | number | { release: number })[],
): string[] {
  let pool = NumberPool.of({ from, to }, reserved);
  return steps.map((s) => {
    if (s === null) {
      const r = pool.allocate();
      pool = r.pool;
      return String(r.value);
    }
    if (typeof s === "number") {
      pool = pool.claim(s);
      return `claimed ${s}`;
    }
    pool = pool.release(s.release);
    return `released ${s.release}`;
  });
}

function planRouteTargets(asn: number, count: number): string[] {
  const range = routeTargetRange(asn);
  let pool = NumberPool.of(range);
  const out = [`range ${range.from}-${range.to}`];
  for (let i = 0; i < count; i++) {
    const r = pool.allocate();
    pool = r.pool;
    out.push(formatRouteTarget(asn, r.value));
  }
  return out;
}

export function goldenPlans(): Record<string, string[]> {
  return {
    "VPCs from 10.0.0.0/8": planPrefixes("10.0.0.0/8", [
      16,
      16,
      "10.200.0.0/16",
      12,
      24,
      16,
      { release: "10.1.0.0/16" },
      16,
      20,
    ]),
    "subnets of 10.0.0.0/16": planPrefixes("10.0.0.0/16", [24, 24, 26, 22, 24, 26, 28]),
    "IPv6 VPCs from fd00::/8": planPrefixes("fd00::/8", [48, 48, 56, 48]),
    "IPv6 subnets of fd00:0:1::/48": planPrefixes("fd00:0:1::/48", [64, 64, 64, 60, 64]),
    "hosts of 10.0.1.0/24, 2 reserved": planHosts("10.0.1.0/24", 2, 3),
    "hosts of 10.0.2.0/30": planHosts("10.0.2.0/30", 0, 1),
    "hosts of 2001:db8:0:1::/64": planHosts("2001:db8:0:1::/64", 0, 3),
    "VLANs 2-4094 without 1002-1005": planNumbers(
      2,
      4094,
      [{ from: 1002, to: 1005 }],
      [null, null, 100, null, { release: 3 }, null],
    ),
    "VNIs 10000-16777215": planNumbers(10000, 16777215, [], [null, null, 10500, null]),
    "route targets of AS 65000": planRouteTargets(65000, 3),
    "route targets of AS 4200000000": planRouteTargets(4200000000, 2),
  };
}

const goldenFile = path.join(__dirname, "golden-plans.json");

describe("golden plans", () => {
  it("match test/unit/golden-plans.json", () => {
    const plans = goldenPlans();
    if (process.env.UPDATE_GOLDEN) writeFileSync(goldenFile, JSON.stringify(plans, null, 2) + "\n");
    assert.deepEqual(plans, JSON.parse(readFileSync(goldenFile, "utf8")));
  });
});
