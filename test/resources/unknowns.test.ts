// Values unknown at preview, at any depth. A program that is valid once every id is known must
// pass every check while some of its values are still unknown (the oracle: the same inputs, fully
// known, pass); what is known and wrong is still refused, named with its value.
import assert from "node:assert/strict";
import fc from "fast-check";
import type { AttachmentState, SubnetState, VpcState } from "../../provider/generated/schema";
import { createAttachment } from "../../provider/resources/attachment";
import { unknownValue, type CheckFailure, type ProviderContext } from "../../provider/resources/common";
import {
  checkLoadBalancer,
  createLoadBalancer,
  diffLoadBalancer,
} from "../../provider/resources/loadbalancer";
import { checkSubnet, createSubnet, diffSubnet } from "../../provider/resources/subnet";
import { checkVpc, createVpc, diffVpc } from "../../provider/resources/vpc";
import { checkAttachment, diffAttachment } from "../../provider/resources/attachment";
import type { Lab } from "../../sim/lab";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON paths of every value inside `v` (containers and leaves), the root excluded. */
function pathsOf(v: Json, at: (string | number)[] = []): (string | number)[][] {
  if (v === null || typeof v !== "object") return [];
  const entries: [string | number, Json][] = Array.isArray(v)
    ? v.map((e, i) => [i, e])
    : Object.entries(v).filter(([k]) => k !== "owner");
  return entries.flatMap(([k, e]) => [[...at, k], ...pathsOf(e, [...at, k])]);
}

/** `v` with the value at each of `paths` replaced by Pulumi's unknown marker. */
function withUnknowns<T>(v: T, paths: (string | number)[][]): T {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  for (const p of paths) {
    let node = copy;
    for (const k of p.slice(0, -1)) {
      const next = node[k];
      if (next === null || typeof next !== "object") break;
      node = next as Record<string | number, unknown>;
    }
    if (node[p[p.length - 1]!] !== undefined) node[p[p.length - 1]!] = unknownValue;
  }
  return copy as T;
}

type Check = (ctx: ProviderContext, olds: object, news: never) => Promise<{ failures: CheckFailure[] }>;
type Diff = (id: string, olds: never, news: never) => Promise<{ changes: boolean; replaces: string[] }>;

describe("check with values unknown at preview, at any depth", function () {
  this.timeout(120_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let prod: Made<VpcState>;
  let web: Made<SubnetState>;
  let metal: Made<SubnetState>;
  const att: Record<string, Made<AttachmentState>> = {};

  before(async () => {
    ({ ctx, lab } = await labContext());
    prod = await createVpc(ctx, { name: "prod", sites: ["ams", "da"], owner: "p/s/Vpc/prod" });
    web = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/web" });
    metal = await createSubnet(ctx, { vpc: prod.id, site: "da", size: 28, owner: "p/s/Subnet/metal" });
    att.n1 = await createAttachment(ctx, { subnet: web.id, server: "node-1", owner: "p/s/Attachment/n1" });
    att.n2 = await createAttachment(ctx, { subnet: web.id, server: "node-2", owner: "p/s/Attachment/n2" });
  });
  after(() => lab?.close());

  // New resources of every kind, valid once known, written as a user's program would give them.
  const programs = (): { kind: string; check: Check; args: Json }[] => [
    {
      kind: "Vpc",
      check: checkVpc as unknown as Check,
      args: {
        name: "dev",
        sites: ["ams", "da"],
        size: 20,
        ipv6: true,
        tags: { team: "a" },
        owner: "p/s/Vpc/dev",
      },
    },
    {
      kind: "Subnet",
      check: checkSubnet as unknown as Check,
      args: { vpc: prod.id, site: "ams", cidr: "10.0.200.0/24", tags: { t: "x" }, owner: "p/s/Subnet/db" },
    },
    {
      kind: "Subnet at a Metal metro",
      check: checkSubnet as unknown as Check,
      args: { vpc: prod.id, site: "da", size: 27, owner: "p/s/Subnet/m2" },
    },
    {
      kind: "Attachment by port",
      check: checkAttachment as unknown as Check,
      args: {
        subnet: web.id,
        port: { switch: "leaf1", interface: "swp7" },
        mode: "trunk",
        owner: "p/s/Attachment/p7",
      },
    },
    {
      kind: "Attachment of a Metal device",
      check: checkAttachment as unknown as Check,
      args: {
        subnet: metal.id,
        metalDevice: { device: "node-1", port: "bond0" },
        owner: "p/s/Attachment/m1",
      },
    },
    {
      kind: "LoadBalancer",
      check: checkLoadBalancer as unknown as Check,
      args: {
        vpc: prod.id,
        listeners: [
          { port: 443, targetPort: 8443 },
          { port: 80, protocol: "tcp" },
        ],
        backends: [att.n1!.id, att.n2!.id],
        healthCheck: { protocol: "http", port: 8443, path: "/healthz" },
        owner: "p/s/LoadBalancer/api",
      },
    },
  ];

  it("the oracle: each program passes its check fully known", async () => {
    for (const p of programs()) {
      const { failures } = await p.check(ctx, {}, p.args as never);
      assert.deepEqual(failures, [], p.kind);
    }
  });

  it("passes every check with any values unknown (ids, list elements, nested fields, whole objects)", async () => {
    for (const p of programs()) {
      const paths = pathsOf(p.args);
      await fc.assert(
        fc.asyncProperty(fc.subarray(paths, { minLength: 1 }), async (chosen) => {
          const news = withUnknowns(p.args, chosen);
          const { failures } = await p.check(ctx, {}, news as never);
          assert.deepEqual(failures, [], `${p.kind} with ${JSON.stringify(news)}`);
        }),
        { numRuns: 40 },
      );
    }
  });

  it("diffs with any values unknown: never throws; an unknown identity input (vpc, subnet, site, cidr ...) replaces", async () => {
    const api = await createLoadBalancer(ctx, {
      vpc: prod.id,
      listeners: [{ port: 443 }],
      backends: [att.n1!.id],
      owner: "p/s/LoadBalancer/diffed",
    });
    const made: { kind: string; diff: Diff; olds: unknown; news: Json; replacing: string[] }[] = [
      {
        kind: "Vpc",
        diff: diffVpc as unknown as Diff,
        olds: prod.outs,
        news: { name: "prod", sites: ["ams", "da"], owner: "p/s/Vpc/prod" },
        replacing: [],
      },
      {
        kind: "Subnet",
        diff: diffSubnet as unknown as Diff,
        olds: web.outs,
        news: { vpc: prod.id, site: "ams", owner: "p/s/Subnet/web" },
        replacing: ["vpc", "site"],
      },
      {
        kind: "Attachment",
        diff: diffAttachment as unknown as Diff,
        olds: att.n1!.outs,
        news: { subnet: web.id, server: "node-1", owner: "p/s/Attachment/n1" },
        replacing: ["subnet", "server"],
      },
      {
        kind: "LoadBalancer",
        diff: diffLoadBalancer as unknown as Diff,
        olds: api.outs,
        news: {
          vpc: prod.id,
          listeners: [{ port: 443 }],
          backends: [att.n1!.id],
          healthCheck: { protocol: "tcp", port: 443 },
          owner: "p/s/LoadBalancer/diffed",
        },
        replacing: ["vpc"],
      },
    ];
    for (const m of made) {
      const unchanged = await m.diff("id", m.olds as never, m.news as never);
      assert.deepEqual(unchanged.replaces, [], `${m.kind} fully known`);
      await fc.assert(
        fc.asyncProperty(fc.subarray(pathsOf(m.news), { minLength: 1 }), async (chosen) => {
          const news = withUnknowns(m.news, chosen);
          const d = await m.diff("id", m.olds as never, news as never);
          for (const field of m.replacing)
            if (chosen.some((p) => p[0] === field))
              assert.ok(d.replaces.includes(field), `${m.kind}: ${field} unknown`);
          if (d.replaces.length) assert.ok(d.changes);
        }),
        { numRuns: 40 },
      );
    }
  });

  it("a load balancer over attachments not yet created: every backend id unknown", async () => {
    const { failures } = await checkLoadBalancer(
      ctx,
      {},
      {
        vpc: unknownValue,
        listeners: [{ port: 443 }],
        backends: [unknownValue, unknownValue],
        owner: "p/s/LoadBalancer/new",
      },
    );
    assert.deepEqual(failures, []);
  });

  it("still refuses what is known and wrong beside what is unknown, repeating nested values", async () => {
    const lb = await checkLoadBalancer(
      ctx,
      {},
      {
        vpc: prod.id,
        listeners: [{ port: unknownValue as unknown as number }, { port: 70000 }],
        backends: [unknownValue, "attachment-00000000000x"],
        owner: "p/s/LoadBalancer/bad",
      },
    );
    const byProperty = Object.fromEntries(lb.failures.map((f) => [f.property, f.reason]));
    assert.match(byProperty["listeners[1].port"] ?? "", /^70000 must be at most 65535/);
    assert.match(byProperty["backends[1]"] ?? "", /^"attachment-00000000000x" .*Attachment ids/);
    assert.equal(lb.failures.length, 2, JSON.stringify(lb.failures));

    const att = await checkAttachment(
      ctx,
      {},
      {
        subnet: unknownValue,
        port: { switch: unknownValue, interface: "swp 7" },
        owner: "p/s/Attachment/bad",
      },
    );
    assert.deepEqual(
      att.failures.map((f) => f.property),
      ["port.interface"],
    );
    assert.match(att.failures[0]!.reason, /^"swp 7" /);
  });

  it("refuses a listener port declared twice while the VPC is unknown", async () => {
    const { failures } = await checkLoadBalancer(
      ctx,
      {},
      {
        vpc: unknownValue,
        listeners: [{ port: 80 }, { port: 80 }],
        backends: [unknownValue],
        owner: "p/s/LoadBalancer/twice",
      },
    );
    assert.deepEqual(
      failures.map((f) => [f.property, f.reason]),
      [["listeners[1].port", "80 is declared twice (also listeners[0]). Give each listener its own port"]],
    );
  });

  it("refuses a known backend of the wrong kind while its siblings are unknown", async () => {
    const { failures } = await checkLoadBalancer(
      ctx,
      {},
      {
        vpc: prod.id,
        listeners: [{ port: 443 }],
        backends: [unknownValue, "attachment-000000000000"],
        owner: "p/s/LoadBalancer/bad2",
      },
    );
    assert.deepEqual(
      failures.map((f) => f.property),
      ["backends[1]"],
    );
    assert.match(failures[0]!.reason, /is not an Attachment anyvpc knows/);
  });

  it("refuses a load balancer with no backends, at preview", async () => {
    const { failures } = await checkLoadBalancer(
      ctx,
      {},
      {
        vpc: prod.id,
        listeners: [{ port: 443 }],
        backends: [] as unknown as [string],
        owner: "p/s/LoadBalancer/empty",
      },
    );
    assert.deepEqual(
      failures.map((f) => [f.property, f.reason]),
      [["backends", "needs at least 1 item. List one or more Attachment ids, e.g. [n1.id, n2.id]"]],
    );
  });
});
