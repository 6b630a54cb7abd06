// The bad-input matrix: over a network that is already up, each case adds one bad resource and
// runs the real `pulumi preview`. Every case must fail with its own message, naming the property
// and the value, and nothing may reach the fabric or the ledger. A second part does the same on a
// fresh stack, where the bad resource depends on resources new in the same program.
import assert from "node:assert/strict";
import { ledgerAllocations, openTestStack, previewCreates, stateNames, type TestStack } from "./helpers";

type Spec = { name: string; args: Record<string, unknown> };
interface Network {
  vpcs: Spec[];
  subnets: Spec[];
  attachments: Spec[];
  loadBalancers: Spec[];
}

/** What is up before the cases run: two VPCs, each with a subnet and an attached server. */
const base: Network = {
  vpcs: [
    { name: "prod", args: { sites: ["ams", "da"], cidr: "10.1.0.0/16" } },
    { name: "dev", args: { sites: ["ams"] } },
  ],
  subnets: [
    { name: "web", args: { vpc: "prod", site: "ams", cidr: "10.1.1.0/24" } },
    { name: "metal", args: { vpc: "prod", site: "da", size: 28 } },
    { name: "devnet", args: { vpc: "dev", site: "ams" } },
  ],
  attachments: [
    { name: "n1", args: { subnet: "web", server: "node-1", ip: "10.1.1.10" } },
    { name: "n3", args: { subnet: "devnet", server: "node-3" } },
  ],
  loadBalancers: [],
};

interface Case {
  what: string;
  add: Partial<Record<keyof Network, Record<string, unknown>>>;
  /** Pulumi prints `property P value {V} has a problem: R`; the expectation matches that line. */
  property: string;
  reason: RegExp;
}

const vpc = (args: Record<string, unknown>) => ({ vpcs: { sites: ["ams"], ...args } });
const subnet = (args: Record<string, unknown>) => ({ subnets: { vpc: "prod", site: "ams", ...args } });
const attach = (args: Record<string, unknown>) => ({ attachments: { subnet: "web", ...args } });
const lb = (args: Record<string, unknown>) => ({
  loadBalancers: { vpc: "prod", listeners: [{ port: 443 }], backends: ["n1"], ...args },
});

const cases: Case[] = [
  {
    what: "malformed VPC CIDR",
    add: vpc({ cidr: "10.0.0.1/33" }),
    property: "cidr",
    reason: /invalid prefix length '33'/,
  },
  {
    what: "VPC CIDR with host bits",
    add: vpc({ cidr: "10.9.3.0/16" }),
    property: "cidr",
    reason: /10\.9\.0\.0\/16/,
  },
  {
    what: "VPC CIDR overlapping another VPC",
    add: vpc({ cidr: "10.1.128.0/17" }),
    property: "cidr",
    reason: /Vpc\/prod/,
  },
  {
    what: "VPC CIDR outside the pool",
    add: vpc({ cidr: "192.168.0.0/16" }),
    property: "cidr",
    reason: /outside the fabric's VPC pool 10\.0\.0\.0\/8/,
  },
  {
    what: "IPv6 CIDR as the VPC's IPv4 CIDR",
    add: vpc({ cidr: "fd00::/48" }),
    property: "cidr",
    reason: /IPv4/,
  },
  {
    what: "unknown site",
    add: vpc({ sites: ["ams", "nowhere"] }),
    property: "sites[1]",
    reason: /not a site of the fabric.*Known sites: ams, da/,
  },
  { what: "no sites", add: vpc({ sites: [] }), property: "sites", reason: /needs at least 1 item/ },
  {
    what: "cidr and size together",
    add: vpc({ cidr: "10.50.0.0/16", size: 16 }),
    property: "size",
    reason: /together with cidr/,
  },
  {
    what: "VPC size shorter than any pool",
    add: vpc({ size: 4 }),
    property: "size",
    reason: /must be at least 8/,
  },
  {
    what: "VPC size larger than the space left",
    add: vpc({ size: 8 }),
    property: "size",
    reason: /largest free block/,
  },
  {
    what: "VPC size out of range",
    add: vpc({ size: 31 }),
    property: "size",
    reason: /must be at most 28/,
  },
  {
    what: "subnet outside its VPC",
    add: subnet({ cidr: "10.2.0.0/24" }),
    property: "cidr",
    reason: /outside the (VPC's|cidr) 10\.1\.0\.0\/16/,
  },
  {
    what: "subnet overlapping another subnet",
    add: subnet({ cidr: "10.1.1.128/25" }),
    property: "cidr",
    reason: /Subnet( "|\/)web/,
  },
  {
    what: "malformed subnet CIDR",
    add: subnet({ cidr: "10.1.2.0/24x" }),
    property: "cidr",
    reason: /not a valid IPv4 CIDR/,
  },
  {
    what: "subnet larger than the space left in its VPC",
    add: subnet({ size: 16 }),
    property: "size",
    reason: /no free \/16 left in 10\.1\.0\.0\/16.*largest free block is 10\.1\.128\.0\/17/,
  },
  {
    what: "subnet at a site its VPC does not span",
    add: subnet({ vpc: "dev", site: "da" }),
    property: "site",
    reason: /not one of the (VPC's sites|sites of Vpc "dev")/,
  },
  {
    what: "subnet of an unknown VPC",
    add: subnet({ vpc: "vpc-000000000000" }),
    property: "vpc",
    reason: /not a VPC anyvpc knows/,
  },
  {
    what: "Metal subnet larger than Metal allows",
    add: subnet({ site: "da", size: 20 }),
    property: "size",
    reason: /\/22 to \/29/,
  },
  {
    what: "IPv6 subnet in a VPC without IPv6",
    add: subnet({ ipv6: true }),
    property: "ipv6",
    reason: /needs a VPC with IPv6/,
  },
  {
    what: "unknown server",
    add: attach({ server: "node-9" }),
    property: "server",
    reason: /not a server of site ams.*node-1/,
  },
  {
    what: "unknown switch",
    add: attach({ port: { switch: "leaf9", interface: "swp5" } }),
    property: "port.switch",
    reason: /leaf9.*Known switches: leaf1, leaf2/,
  },
  {
    what: "two targets",
    add: attach({ server: "node-2", port: { switch: "leaf1", interface: "swp5" } }),
    property: "port",
    reason: /together with server/,
  },
  {
    what: "no target",
    add: attach({}),
    property: "server",
    reason: /is required.*exactly one of server, port or metalDevice/,
  },
  {
    what: "duplicate explicit IP",
    add: attach({ server: "node-2", ip: "10.1.1.10" }),
    property: "ip",
    reason: /Attachment\/n1/,
  },
  {
    what: "IP outside the subnet",
    add: attach({ server: "node-2", ip: "10.1.9.9" }),
    property: "ip",
    reason: /10\.1\.1\.0\/24/,
  },
  {
    what: "malformed IP",
    add: attach({ server: "node-2", ip: "10.1.1.256" }),
    property: "ip",
    reason: /not a valid IPv4 address/,
  },
  {
    what: "the gateway as IP",
    add: attach({ server: "node-2", ip: "10.1.1.1" }),
    property: "ip",
    reason: /is the gateway of subnet 10\.1\.1\.0\/24/,
  },
  {
    what: "a port held by another VPC",
    add: attach({ server: "node-3" }),
    property: "server",
    reason: /belongs to VPC dev \(anyvpc-test-network\/e2e\/Vpc\/dev/,
  },
  {
    what: "a Metal device on a switch site",
    add: attach({ metalDevice: { device: "node-1" } }),
    property: "metalDevice",
    reason: /switch-fabric site.*Use server or port/,
  },
  {
    what: "unknown Metal device",
    add: attach({ subnet: "metal", metalDevice: { device: "node-9" } }),
    property: "metalDevice.device",
    reason: /not a device of the Metal project/,
  },
  {
    what: "unknown attachment mode",
    add: attach({ server: "node-2", mode: "hybrid" }),
    property: "mode",
    reason: /is not one of "access", "trunk"/,
  },
  {
    what: "load balancer VIP outside the VPC",
    add: lb({ vip: "10.2.0.10" }),
    property: "vip",
    reason: /is outside the VPC's 10\.1\.0\.0\/16/,
  },
  {
    what: "load balancer backend of another VPC",
    add: lb({ backends: ["n3"] }),
    property: "backends[0]",
    reason: /is in (VPC dev|Vpc "dev"), not in (this|the) load balancer's (VPC prod|Vpc "prod")/,
  },
  {
    what: "duplicate listener ports",
    add: lb({ listeners: [{ port: 443 }, { port: 443, targetPort: 8443 }] }),
    property: "listeners[1].port",
    reason: /is declared twice \(also listeners\[0\]\)/,
  },
  {
    what: "listener port 0",
    add: lb({ listeners: [{ port: 0 }] }),
    property: "listeners[0].port",
    reason: /must be at least 1/,
  },
  {
    what: "listener port above 65535",
    add: lb({ listeners: [{ port: 65536 }] }),
    property: "listeners[0].port",
    reason: /must be at most 65535/,
  },
];

describe("e2e: the bad-input matrix at preview", function () {
  this.timeout(900_000);
  let t: TestStack;
  let ledgerBefore: unknown;
  let fabricBefore: unknown;
  const fabric = () => ({
    leaf1: t.lab.nvue.applyCount("leaf1"),
    leaf2: t.lab.nvue.applyCount("leaf2"),
    metal: t.lab.metal.snapshot(),
  });

  before(async () => {
    t = await openTestStack("test/programs/network", { "anyvpc-test-network:network": base });
    await t.stack.up();
    ledgerBefore = ledgerAllocations(t.ledgerFile);
    fabricBefore = fabric();
  });
  after(async () => {
    await t?.stack.destroy().catch(() => undefined);
    await t?.close();
  });

  it(`has at least 25 cases, each with its own message`, () => {
    assert.ok(cases.length >= 25);
    assert.equal(new Set(cases.map((c) => `${c.property} ${c.reason.source}`)).size, cases.length);
  });

  for (const c of cases) {
    it(`${c.what}: fails at preview on ${c.property}, and creates nothing`, async () => {
      const net = structuredClone(base);
      for (const [kind, args] of Object.entries(c.add))
        net[kind as keyof Network].push({ name: "bad", args: args as Record<string, unknown> });
      t.stack.setConfigValue("anyvpc-test-network:network", net);
      const r = await t.stack.preview([], { allowFailure: true });
      const out = r.stdout + r.stderr;
      assert.notEqual(r.code, 0, `preview must fail:\n${out}`);
      // The provider's check failure, or (when the bad resource and what it conflicts with are
      // declared in this program) the program's own refusal, which names the resource too.
      const line = out
        .split("\n")
        .find(
          (l) =>
            (l.includes(`property ${c.property} value`) && l.includes("has a problem")) ||
            l.includes(`"bad": ${c.property} `),
        );
      assert.ok(line, `no check failure on ${c.property}:\n${out}`);
      assert.match(line, c.reason);
      assert.deepEqual(ledgerAllocations(t.ledgerFile), ledgerBefore);
      assert.deepEqual(fabric(), fabricBefore);
    });
  }
});

/**
 * On a fresh stack, a bad resource that depends on resources new in the same program: ids are
 * unknown at preview, so the provider cannot compare them then; the program's own checks (or the
 * provider's, for what is known) refuse them at preview, and `pulumi up` (whose preview comes
 * first) creates nothing.
 */
const fresh: Network = {
  vpcs: [
    { name: "prod", args: { sites: ["ams"], cidr: "10.1.0.0/16" } },
    { name: "dev", args: { sites: ["ams"] } },
  ],
  subnets: [
    { name: "web", args: { vpc: "prod", site: "ams", cidr: "10.1.1.0/24" } },
    { name: "devnet", args: { vpc: "dev", site: "ams" } },
  ],
  attachments: [
    { name: "n1", args: { subnet: "web", server: "node-1" } },
    { name: "n2", args: { subnet: "web", server: "node-2" } },
    { name: "d3", args: { subnet: "devnet", server: "node-3" } },
  ],
  loadBalancers: [],
};

const freshCases: { what: string; add: Case["add"]; error: RegExp }[] = [
  {
    what: "a load balancer over a new attachment of another new VPC",
    add: { loadBalancers: { vpc: "prod", listeners: [{ port: 443 }], backends: ["n1", "d3"] } },
    error:
      /LoadBalancer "bad": backends\[1\] \(Attachment "d3"\) is in Vpc "dev", not in the load balancer's Vpc "prod"/,
  },
  {
    what: "a load balancer listing a new attachment twice",
    add: { loadBalancers: { vpc: "prod", listeners: [{ port: 443 }], backends: ["n1", "n2", "n1"] } },
    error: /LoadBalancer "bad": backends\[2\] \(Attachment "n1"\) is listed twice \(also backends\[0\]\)/,
  },
  {
    what: "a load balancer over new attachments with no backends",
    add: { loadBalancers: { vpc: "prod", listeners: [{ port: 443 }], backends: [] } },
    error: /property backends value .* has a problem: needs at least 1 item/,
  },
  {
    what: "a load balancer over new attachments with a listener port twice",
    add: { loadBalancers: { vpc: "prod", listeners: [{ port: 80 }, { port: 80 }], backends: ["n1"] } },
    error: /property listeners\[1\]\.port value .* has a problem: 80 is declared twice/,
  },
  {
    what: "a subnet of a new VPC outside its CIDR",
    add: { subnets: { vpc: "prod", site: "ams", cidr: "10.2.0.0/24" } },
    error: /Subnet "bad": cidr "10\.2\.0\.0\/24" is outside the cidr 10\.1\.0\.0\/16 of Vpc "prod"/,
  },
  {
    what: "two new subnets of one new VPC with overlapping explicit CIDRs",
    add: { subnets: { vpc: "prod", site: "ams", cidr: "10.1.1.128/25" } },
    error:
      /Subnet "bad": cidr "10\.1\.1\.128\/25" overlaps cidr "10\.1\.1\.0\/24" of Subnet "web" in Vpc "prod"/,
  },
  {
    what: "a subnet at a site its new VPC does not span",
    add: { subnets: { vpc: "prod", site: "da", size: 28 } },
    error: /Subnet "bad": site "da" is not one of the sites of Vpc "prod" \(ams\)/,
  },
  {
    what: "an attachment's address outside its new subnet",
    add: { attachments: { subnet: "web", server: "node-4", ip: "10.1.2.10" } },
    error: /Attachment "bad": ip "10\.1\.2\.10" is outside the cidr 10\.1\.1\.0\/24 of Subnet "web"/,
  },
];

describe("e2e: the bad-input matrix on a fresh stack, over resources new in the same program", function () {
  this.timeout(900_000);
  let t: TestStack;
  let fabricBefore: unknown;
  const fabric = () => ({
    leaf1: t.lab.nvue.applyCount("leaf1"),
    leaf2: t.lab.nvue.applyCount("leaf2"),
    metal: t.lab.metal.snapshot(),
  });
  const program = (add: Case["add"] = {}) => {
    const net = structuredClone(fresh);
    for (const [kind, args] of Object.entries(add))
      net[kind as keyof Network].push({ name: "bad", args: args as Record<string, unknown> });
    return net;
  };

  before(async () => {
    t = await openTestStack("test/programs/network", { "anyvpc-test-network:network": fresh });
    fabricBefore = fabric();
  });
  after(async () => {
    await t?.stack.destroy().catch(() => undefined);
    await t?.close();
  });

  it("previews the valid program, a load balancer over new attachments included, with every resource to create", async () => {
    const net = program({
      loadBalancers: { vpc: "prod", listeners: [{ port: 443 }], backends: ["n1", "n2"] },
    });
    t.stack.setConfigValue("anyvpc-test-network:network", net);
    const created = await previewCreates(t);
    assert.deepEqual(created, ["bad", "d3", "dev", "devnet", "n1", "n2", "prod", "web"]);
    assert.deepEqual(fabric(), fabricBefore);
  });

  for (const c of freshCases) {
    it(`${c.what}: refused at preview, and up creates nothing`, async () => {
      t.stack.setConfigValue("anyvpc-test-network:network", program(c.add));
      const preview = await t.stack.preview([], { allowFailure: true });
      const out = preview.stdout + preview.stderr;
      assert.notEqual(preview.code, 0, `preview must fail:\n${out}`);
      assert.match(out, c.error);
      assert.doesNotMatch(out, /\n\s+at /, "no stack trace");
      const up = await t.stack.run(["up", "--yes", ...t.stack.stackArgs()], { allowFailure: true });
      assert.notEqual(up.code, 0);
      assert.match(up.stdout + up.stderr, c.error);
      assert.deepEqual(await stateNames(t), []);
      assert.deepEqual(ledgerAllocations(t.ledgerFile), []);
      assert.deepEqual(fabric(), fabricBefore);
    });
  }
});
