// LoadBalancer handlers over the simulated lab: a VIP planned in the VPC's load balancer range (or
// the public pool), routed ECMP to the backends on every leaf, answering only on its listeners;
// backend health probed for real at the lab's probe addresses, unhealthy backends taken out on the
// next update; listeners and backends changed in place; bad input refused at check; delete clean.
import assert from "node:assert/strict";
import type {
  AttachmentArgs,
  AttachmentState,
  LoadBalancerArgs,
  LoadBalancerState,
  VpcState,
} from "../../provider/generated/schema";
import { contains, prefix } from "../../provider/ipam/prefix";
import type { FileLedger } from "../../provider/ledger/file";
import { createAttachment, deleteAttachment } from "../../provider/resources/attachment";
import type { ProviderContext } from "../../provider/resources/common";
import {
  checkLoadBalancer,
  createLoadBalancer,
  deleteLoadBalancer,
  diffLoadBalancer,
  readLoadBalancer,
  updateLoadBalancer,
} from "../../provider/resources/loadbalancer";
import { createSubnet } from "../../provider/resources/subnet";
import { createVpc } from "../../provider/resources/vpc";
import { labServers, type Lab } from "../../sim/lab";
import { canReachVip, canReachVipFromOutside, childTree, keysOf, type Endpoint } from "../../sim/nvue";
import { labContext } from "./lab-context";

type Made<T> = { id: string; outs: T };

describe("LoadBalancer on a switch fabric", function () {
  this.timeout(120_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let ledger: FileLedger;
  let prod: Made<VpcState>;
  const att: Record<string, Made<AttachmentState>> = {};
  let api: Made<LoadBalancerState>;
  const owner = "p/s/LoadBalancer/api";
  const target = 16443;
  // The lab's servers plus two more ports cabled for a client of the VPC and one of another VPC.
  const ports = [
    ...Object.entries(labServers).map(([server, p]) => ({ server, switch: p.switch, port: p.port })),
    { server: "client", switch: "leaf1", port: "swp5" },
    { server: "stranger", switch: "leaf2", port: "swp5" },
  ];
  const configs = () => ({ leaf1: lab.nvue.applied("leaf1"), leaf2: lab.nvue.applied("leaf2") });
  const ep = (server: string): Endpoint => ({
    server,
    ip: `${att[server]!.outs.ip}/${att[server]!.outs.prefixLength}`,
  });
  const backends = () => ["node-1", "node-2", "node-3"].map(ep);
  const lbArgs = (over: Partial<LoadBalancerArgs> = {}): LoadBalancerArgs => ({
    vpc: prod.id,
    listeners: [{ port: 443, targetPort: target }],
    backends: [att["node-1"]!.id, att["node-2"]!.id, att["node-3"]!.id],
    owner,
    ...over,
  });
  const failure = async (args: LoadBalancerArgs, field: string) => {
    const { failures } = await checkLoadBalancer(ctx, {}, args);
    const f = failures.find((x) => x.property === field);
    assert.ok(f, `expected a failure on ${field}: ${JSON.stringify(failures)}`);
    return f.reason;
  };

  before(async () => {
    ({ ctx, lab, ledger } = await labContext());
    prod = await createVpc(ctx, { name: "prod", sites: ["ams"], owner: "p/s/Vpc/prod" });
    const web = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/web" });
    const app = await createSubnet(ctx, { vpc: prod.id, site: "ams", owner: "p/s/Subnet/app" });
    const dev = await createVpc(ctx, { name: "dev", sites: ["ams"], owner: "p/s/Vpc/dev" });
    const devnet = await createSubnet(ctx, { vpc: dev.id, site: "ams", owner: "p/s/Subnet/devnet" });
    const attach = async (name: string, args: Omit<AttachmentArgs, "owner">) =>
      (att[name] = await createAttachment(ctx, { ...args, owner: `p/s/Attachment/${name}` }));
    await attach("node-1", { subnet: web.id, server: "node-1" });
    await attach("node-2", { subnet: web.id, server: "node-2" });
    await attach("node-3", { subnet: app.id, server: "node-3" });
    await attach("client", { subnet: app.id, port: { switch: "leaf1", interface: "swp5" } });
    await attach("stranger", { subnet: devnet.id, port: { switch: "leaf2", interface: "swp5" } });
    for (const s of ["node-1", "node-2", "node-3"]) await lab.serve(s, target);
  });
  after(() => lab?.close());

  it("plans a VIP in the VPC's load balancer range and routes it to every healthy backend", async () => {
    api = await createLoadBalancer(ctx, lbArgs());
    assert.ok(contains(prefix(prod.outs.cidr), prefix(`${api.outs.vip}/32`)));
    const range = (await ledger.list({ owner: "p/s/Vpc/prod#lb-range" }))[0]!;
    assert.equal(prefix(range.value).length, 27);
    assert.ok(contains(prefix(range.value), prefix(`${api.outs.vip}/32`)));
    assert.deepEqual(
      api.outs.backends.map((b) => b.health),
      ["healthy", "healthy", "healthy"],
    );
    for (const leaf of ["leaf1", "leaf2"]) {
      const via = childTree(
        lab.nvue.applied(leaf),
        "vrf",
        prod.outs.vrf,
        "router",
        "static",
        `${api.outs.vip}/32`,
        "via",
      );
      assert.deepEqual(keysOf(via).sort(), api.outs.inService.slice().sort(), leaf);
    }
  });

  it("answers inside the VPC on its listeners only, and not at all from another VPC", () => {
    const on443 = canReachVip(configs(), ports, ep("client"), { vip: api.outs.vip, port: 443 }, backends());
    assert.ok(on443.reachable, on443.reason);
    assert.deepEqual(on443.receivers.sort(), ["node-1", "node-2", "node-3"]);
    const on22 = canReachVip(configs(), ports, ep("client"), { vip: api.outs.vip, port: 22 }, backends());
    assert.ok(!on22.reachable);
    assert.match(on22.reason, /denies/);
    const outsider = canReachVip(
      configs(),
      ports,
      ep("stranger"),
      { vip: api.outs.vip, port: 443 },
      backends(),
    );
    assert.ok(!outsider.reachable, outsider.reason);
  });

  it("a backend that stops answering is read as unhealthy and leaves the route on the next update", async () => {
    await lab.stopServing("node-2", target);
    const read = await readLoadBalancer(ctx, api.id, api.outs);
    const node2 = read.props.backends.find((b) => b.server === "node-2")!;
    assert.equal(node2.health, "unhealthy");
    assert.match(node2.reason ?? "", /refused/);
    assert.ok((await diffLoadBalancer(api.id, read.props, lbArgs())).changes);
    api = { id: api.id, outs: (await updateLoadBalancer(ctx, api.id, read.props, lbArgs())).outs };
    assert.ok(!api.outs.inService.includes(att["node-2"]!.outs.ip));
    const r = canReachVip(configs(), ports, ep("client"), { vip: api.outs.vip, port: 443 }, backends());
    assert.deepEqual(r.receivers.sort(), ["node-1", "node-3"]);
    assert.ok(!(await diffLoadBalancer(api.id, api.outs, lbArgs())).changes, "settled: no further change");
  });

  it("changes listeners and backends in place", async () => {
    const args = lbArgs({
      listeners: [
        { port: 443, targetPort: target },
        { port: 80, targetPort: 16080 },
      ],
      backends: [att["node-1"]!.id, att["node-2"]!.id],
    });
    const d = await diffLoadBalancer(api.id, api.outs, args);
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    assert.deepEqual((await diffLoadBalancer(api.id, api.outs, { ...args, mode: "bgp" })).replaces, ["mode"]);
    assert.deepEqual((await diffLoadBalancer(api.id, api.outs, { ...args, public: true })).replaces, [
      "public",
    ]);
    api = { id: api.id, outs: (await updateLoadBalancer(ctx, api.id, api.outs, args)).outs };
    const on80 = canReachVip(configs(), ports, ep("client"), { vip: api.outs.vip, port: 80 }, backends());
    assert.deepEqual(on80.receivers, ["node-1"], on80.reason);
    const via = childTree(
      lab.nvue.applied("leaf1"),
      "vrf",
      prod.outs.vrf,
      "router",
      "static",
      `${api.outs.vip}/32`,
      "via",
    );
    assert.deepEqual(keysOf(via), [att["node-1"]!.outs.ip], "node-3 left, node-2 still unhealthy");
  });

  it("refuses to delete an attachment that is still a backend", async () => {
    await assert.rejects(
      deleteAttachment(ctx, att["node-1"]!.id, att["node-1"]!.outs),
      /is a backend of load balancer loadbalancer-[0-9a-f]+.*Remove it from the load balancer's backends first/,
    );
  });

  it("refuses bad input at check, each with its own message", async () => {
    const other = att["stranger"]!.id;
    assert.match(await failure(lbArgs({ vip: "10.255.0.9" }), "vip"), /outside the VPC's/);
    assert.match(
      await failure(lbArgs({ public: true, vip: "198.51.100.7" }), "vip"),
      /outside the public VIP pool 203\.0\.113\.0\/24/,
    );
    assert.match(
      await failure(lbArgs({ backends: [other] }), "backends[0]"),
      /in VPC dev, not in this load balancer's VPC prod/,
    );
    assert.match(
      await failure(
        lbArgs({ listeners: [{ port: 443 }, { port: 443, targetPort: 8443 }] }),
        "listeners[1].port",
      ),
      /declared twice \(also listeners\[0\]\)/,
    );
    assert.match(
      await failure(lbArgs({ listeners: [{ port: 0 }] }), "listeners[0].port"),
      /must be at least 1/,
    );
    assert.match(
      await failure(lbArgs({ listeners: [{ port: 65536 }] }), "listeners[0].port"),
      /must be at most 65535/,
    );
    assert.match(await failure(lbArgs({ vip: att["node-1"]!.outs.ip }), "vip"), /Subnet\/web/);
  });

  it("a public VIP comes from the public pool and is reachable from outside", async () => {
    const web = await createLoadBalancer(
      ctx,
      lbArgs({ public: true, owner: "p/s/LoadBalancer/web", backends: [att["node-1"]!.id] }),
    );
    assert.ok(contains(prefix("203.0.113.0/24"), prefix(`${web.outs.vip}/32`)));
    const r = canReachVipFromOutside(configs(), ports, "leaf2", { vip: web.outs.vip, port: 443 }, backends());
    assert.deepEqual(r.receivers, ["node-1"], r.reason);
    assert.ok(
      !canReachVipFromOutside(configs(), ports, "leaf2", { vip: api.outs.vip, port: 443 }, backends())
        .reachable,
    );
    await deleteLoadBalancer(ctx, web.id, web.outs);
  });

  it("bgp mode: the leaves peer with the backends' speakers and take only the VIP from them", async () => {
    const speakers = await createLoadBalancer(
      ctx,
      lbArgs({
        mode: "bgp",
        owner: "p/s/LoadBalancer/speakers",
        backends: [att["node-1"]!.id, att["node-3"]!.id],
      }),
    );
    const { vip } = speakers.outs;
    assert.ok(speakers.outs.backends.every((b) => b.health === "unknown" && /speaker/.test(b.reason ?? "")));
    assert.deepEqual(
      speakers.outs.bgpPeers?.map((p) => [
        p.server,
        p.localAddress,
        p.peerAddresses[0],
        p.localAsn,
        p.peerAsn,
      ]),
      ["node-1", "node-3"].map((n) => [n, att[n]!.outs.ip, att[n]!.outs.gateway, 65200, 65000]),
    );
    assert.match(speakers.outs.speakerConfig ?? "", new RegExp(`route ${vip.replace(/\./g, "\\.")}/32`));
    // Nothing answers until a speaker announces; then only the announcing backends receive.
    const ip = (n: string) => att[n]!.outs.ip;
    const at443 = (announcing: string[]) =>
      canReachVip(configs(), ports, ep("client"), { vip, port: 443 }, backends(), announcing);
    assert.ok(!at443([]).reachable);
    assert.deepEqual(at443([ip("node-1"), ip("node-3")]).receivers.sort(), ["node-1", "node-3"]);
    assert.deepEqual(at443([ip("node-3")]).receivers, ["node-3"], "node-1's speaker withdrew");
    assert.deepEqual(
      at443([ip("node-2")]).receivers,
      [],
      "node-2 is no backend: its announcement is not taken",
    );
    assert.ok(
      !canReachVip(configs(), ports, ep("client"), { vip, port: 22 }, backends(), [ip("node-1")]).reachable,
    );
    assert.match(
      (await checkLoadBalancer(ctx, {}, lbArgs({ mode: "bgp", public: true }))).failures[0]!.reason,
      /cannot serve a public VIP at the NVUE switch-fabric site ams yet/,
    );
    await deleteLoadBalancer(ctx, speakers.id, speakers.outs);
    for (const leaf of ["leaf1", "leaf2"])
      assert.deepEqual(keysOf(childTree(lab.nvue.applied(leaf), "router", "policy")), [], leaf);
  });

  it("delete leaves no route, ACL or VIP behind", async () => {
    await deleteLoadBalancer(ctx, api.id, api.outs);
    await deleteLoadBalancer(ctx, api.id, api.outs); // already gone: fine
    for (const leaf of ["leaf1", "leaf2"]) {
      const tree = lab.nvue.applied(leaf);
      assert.deepEqual(keysOf(childTree(tree, "vrf", prod.outs.vrf, "router", "static")), [], leaf);
      assert.deepEqual(keysOf(childTree(tree, "acl")), [], leaf);
      assert.deepEqual(keysOf(childTree(tree, "vrf", "default", "router", "static")), [], leaf);
    }
    assert.deepEqual(await ledger.list({ owner }), []);
    await deleteAttachment(ctx, att["node-1"]!.id, att["node-1"]!.outs); // no longer a backend
  });
});

describe("LoadBalancer at an Equinix Metal metro", function () {
  this.timeout(120_000);
  let ctx: ProviderContext;
  let lab: Lab;
  let vpc: Made<VpcState>;
  const att: Record<string, Made<AttachmentState>> = {};
  let lb: Made<LoadBalancerState>;
  const args = (over: Partial<LoadBalancerArgs> = {}): LoadBalancerArgs => ({
    vpc: vpc.id,
    public: true,
    listeners: [{ port: 443 }],
    backends: [att.m1!.id, att.m2!.id],
    owner: "p/s/LoadBalancer/edge",
    ...over,
  });
  const publicBlocks = () =>
    lab.metal.snapshot().ipReservations.filter((r) => r.type === "public_ipv4" && !r.management);

  before(async () => {
    ({ ctx, lab } = await labContext());
    vpc = await createVpc(ctx, { name: "edge", sites: ["da"], owner: "p/s/Vpc/edge" });
    const net = await createSubnet(ctx, { vpc: vpc.id, site: "da", size: 28, owner: "p/s/Subnet/edge" });
    for (const [name, device] of [
      ["m1", "node-1"],
      ["m2", "node-2"],
    ] as const)
      att[name] = await createAttachment(ctx, {
        subnet: net.id,
        // eth1 out of the bond (hybrid): bond0 keeps the private address BGP peers from.
        metalDevice: { device, port: "eth1" },
        owner: `p/s/Attachment/${name}`,
      });
  });
  after(() => lab?.close());

  it("refuses a private VIP, a chosen VIP and ecmp mode at a Metal site", async () => {
    const reasons = async (a: LoadBalancerArgs) => (await checkLoadBalancer(ctx, {}, a)).failures;
    assert.match(
      (await reasons(args({ public: false })))[0]!.reason,
      /must be true at the Equinix Metal site da/,
    );
    assert.match((await reasons(args({ vip: "147.28.0.9" })))[0]!.reason, /cannot be chosen/);
    assert.match((await reasons(args({ mode: "ecmp" })))[0]!.reason, /is not available/);
    assert.deepEqual(await reasons(args()), []);
  });

  it("reserves an elastic IP, enables BGP and gives each backend what its speaker needs", async () => {
    lb = await createLoadBalancer(ctx, args());
    assert.ok(contains(prefix("147.28.0.0/22"), prefix(`${lb.outs.vip}/32`)), lb.outs.vip);
    assert.equal(publicBlocks().length, 1);
    assert.equal(lab.metal.snapshot().bgpSessions.length, 2);
    assert.deepEqual(lb.outs.bgpPeers?.map((p) => p.server).sort(), ["node-1", "node-2"]);
    for (const p of lb.outs.bgpPeers ?? []) assert.ok(p.peerAddresses.length > 0 && p.peerAsn > 0);
    assert.match(lb.outs.speakerConfig ?? "", new RegExp(`route ${lb.outs.vip.replace(/\./g, "\\.")}/32`));
    assert.ok(lb.outs.backends.every((b) => b.health === "unknown" && /speaker/.test(b.reason ?? "")));
    // anyvpc enabled the project's BGP, with a password the speakers need (a secret output).
    assert.match(lb.outs.bgpPassword ?? "", /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d]{10,20}$/);
    assert.ok(!(lb.outs.speakerConfig ?? "").includes(lb.outs.bgpPassword!), "the snippet holds no secret");
    // anyvpc enabled the project's BGP, with a password the speakers need (a secret output).
    assert.match(lb.outs.bgpPassword ?? "", /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d]{10,20}$/);
    assert.ok(!(lb.outs.speakerConfig ?? "").includes(lb.outs.bgpPassword!), "the snippet holds no secret");
    // A retried create adopts what exists: still one elastic IP, two sessions.
    const again = await createLoadBalancer(ctx, args());
    assert.equal(again.outs.vip, lb.outs.vip);
    assert.equal(publicBlocks().length, 1);
  });

  it("a backend removed loses its BGP session; read sees the rest in place", async () => {
    lb = {
      id: lb.id,
      outs: (await updateLoadBalancer(ctx, lb.id, lb.outs, args({ backends: [att.m1!.id] }))).outs,
    };
    assert.equal(lab.metal.snapshot().bgpSessions.length, 1);
    assert.equal((await readLoadBalancer(ctx, lb.id, lb.outs)).props.realization.complete, true);
  });

  it("delete releases the elastic IP and the sessions", async () => {
    await deleteLoadBalancer(ctx, lb.id, lb.outs);
    await deleteLoadBalancer(ctx, lb.id, lb.outs); // already gone: fine
    assert.deepEqual(publicBlocks(), []);
    assert.deepEqual(lab.metal.snapshot().bgpSessions, []);
  });
});
