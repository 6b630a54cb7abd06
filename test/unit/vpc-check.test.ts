// The Vpc's check: every bad input is reported with its field, its value and a fix, and the dry-run
// plan against the ledger never writes to it.
import assert from "node:assert/strict";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FileLedger } from "../../provider/ledger/file";
import { unknownValue, type ProviderContext } from "../../provider/resources/common";
import { checkVpc, diffVpc } from "../../provider/resources/vpc";
import type { Fabric, VpcArgs } from "../../provider/generated/schema";
import { Sites } from "../../provider/sites";

const nvueSite = (asn: number) => ({
  kind: "nvue" as const,
  asn,
  switches: { leaf1: { url: "https://leaf1.invalid:8765/nvue_v1", username: "u", password: "p" } },
  servers: {},
});
const fabric: Fabric = {
  sites: { ams: nvueSite(65000), lab: nvueSite(65001) },
  pools: { vpcIpv4: "10.0.0.0/8" },
};

function context(): ProviderContext {
  const dir = mkdtempSync(path.join(tmpdir(), "anyvpc-vpc-"));
  return {
    fabric,
    ledger: new FileLedger(path.join(dir, "ledger.json")),
    sites: new Sites(fabric), // check and diff never call a fabric
  };
}

const base: VpcArgs = { sites: ["ams"], owner: "p/s/Vpc/prod" };

describe("Vpc check", () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["malformed CIDR", { cidr: "10.0.0.0/33" }, "cidr", /invalid prefix length '33'/],
    ["host bits set", { cidr: "10.1.2.3/16" }, "cidr", /network is 10.1.0.0\/16/],
    ["IPv6 where IPv4 is expected", { cidr: "fd00::/48" }, "cidr", /IPv6 prefix where IPv4 is expected/],
    [
      "CIDR outside the pool",
      { cidr: "192.168.0.0/16" },
      "cidr",
      /outside the fabric's VPC pool 10.0.0.0\/8/,
    ],
    [
      "unknown site",
      { sites: ["ams", "fra"] },
      "sites[1]",
      /not a site of the fabric. Known sites: ams, lab/,
    ],
    ["no sites", { sites: [] }, "sites", /needs at least 1 item/],
    ["duplicate sites", { sites: ["ams", "ams"] }, "sites", /duplicate items/],
    ["size out of range", { size: 30 }, "size", /must be at most 28. Use a prefix length from 8 to 28/],
    [
      "size and cidr together",
      { size: 16, cidr: "10.1.0.0/16" },
      "size",
      /cannot be given together with cidr/,
    ],
    [
      "unknown property",
      { cidrs: "10.0.0.0/16" },
      "cidrs",
      /not a known property. Known properties: name, sites, cidr/,
    ],
    ["bad name", { name: "Prod_1" }, "name", /lowercase letters/],
    ["wrong type", { size: "16" }, "size", /must be integer/],
  ];
  for (const [title, patch, field, reason] of cases) {
    it(`rejects ${title}, naming ${field}`, async () => {
      const r = await checkVpc(context(), {}, { ...base, ...patch } as VpcArgs);
      const f = r.failures.find((x) => x.property === field);
      assert.ok(f, `expected a failure on ${field}, got ${JSON.stringify(r.failures)}`);
      assert.match(f.reason, reason);
    });
  }

  it("accepts unknown values at preview and validates the rest", async () => {
    const r = await checkVpc(context(), {}, { ...base, cidr: unknownValue } as VpcArgs);
    assert.deepEqual(r.failures, []);
  });

  it("reports an explicit CIDR that overlaps another VPC's, naming its holder, without writing", async () => {
    const ctx = context();
    await ctx.ledger.allocate("vpc-ipv4", { kind: "prefix", parent: "10.0.0.0/8" }, "p/s/Vpc/a", {
      prefix: "10.1.0.0/16",
    });
    const before = await ctx.ledger.list();
    const r = await checkVpc(ctx, {}, { ...base, owner: "p/s/Vpc/b", cidr: "10.1.128.0/17" });
    assert.equal(r.failures[0]?.property, "cidr");
    assert.match(r.failures[0]!.reason, /overlaps 10.1.0.0\/16 held by p\/s\/Vpc\/a/);
    assert.deepEqual(await ctx.ledger.list(), before);
  });

  it("writes nothing to the ledger when checking", async () => {
    const ctx = context();
    await checkVpc(ctx, {}, base);
    assert.equal(existsSync((ctx.ledger as FileLedger).file), false);
  });
});

describe("Vpc diff", () => {
  it("replaces on cidr/size changes and updates sites and tags in place", async () => {
    const olds = {
      name: "prod",
      sites: ["ams"],
      cidr: "10.0.0.0/16",
      size: 16,
      owner: "o",
      l3Vni: 1_000_000,
      vrf: "prod",
      realization: {},
    };
    assert.deepEqual((await diffVpc("id", olds, { ...base })).replaces, []);
    assert.equal((await diffVpc("id", olds, { ...base, name: "prod" })).changes, false);
    assert.deepEqual((await diffVpc("id", olds, { ...base, size: 20 })).replaces, ["size"]);
    assert.deepEqual((await diffVpc("id", olds, { ...base, cidr: "10.9.0.0/16" })).replaces, ["cidr"]);
    assert.deepEqual((await diffVpc("id", olds, { ...base, cidr: "10.0.0.0/16" })).replaces, []);
    const tags = await diffVpc("id", olds, { ...base, name: "prod", tags: { a: "b" } });
    assert.equal(tags.changes, true);
    assert.deepEqual(tags.replaces, []);
  });
});
