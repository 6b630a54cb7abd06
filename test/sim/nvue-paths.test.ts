// NVUE paths held to NVIDIA's documentation: the simulator refuses a PATCH of an undocumented path or
// value with a 400 naming the path, and every path anyvpc's NVUE driver writes is in the table
// (sim/nvue/paths.ts), so the table and the driver cannot drift apart. The driver's config, applied
// through the simulator, is what the fabric model reads: the VIP answers on its listeners only.
import assert from "node:assert/strict";
import type { ConfigChange } from "../../provider/drivers/nvue/revisions";
import {
  borderChanges,
  portChanges,
  removeBorderChanges,
  removePortChanges,
  removeSubnetChanges,
  removeVipChanges,
  removeVrfChanges,
  subnetChanges,
  vipChanges,
  vrfChanges,
  type VipIntent,
} from "../../provider/drivers/nvue/intent";
import { canReachVip, startNvueSimulator, type NvueSimulator, type ServerPort } from "../../sim/nvue";
import { NVUE_PATHS, checkPatch, rowFor, type NvuePathRow } from "../../sim/nvue/paths";

type Json = Record<string, unknown>;
const USER = "cumulus";
const PASS = "paths-Secret-1";
const auth = "Basic " + Buffer.from(`${USER}:${PASS}`).toString("base64");

function api(sim: NvueSimulator, sw = "leaf1") {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(sim.baseUrlOf(sw) + path, {
      method,
      headers: { authorization: auth, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json | undefined };
  };
  const q = (rev: string) => `?rev=${encodeURIComponent(rev)}`;
  return {
    async newRevision(): Promise<string> {
      const r = await call("POST", "/revision");
      return Object.keys(r.body as Json)[0] as string;
    },
    patch: (rev: string, path: string, body: unknown) => call("PATCH", `${path}${q(rev)}`, body),
    del: (rev: string, path: string) => call("DELETE", `${path}${q(rev)}`),
    async applyAndWait(rev: string): Promise<Json> {
      const enc = encodeURIComponent(rev);
      await call("PATCH", `/revision/${enc}`, { state: "apply", "auto-prompt": { ays: "ays_yes" } });
      for (;;) {
        const r = (await call("GET", `/revision/${enc}`)).body as Json;
        if (r["state"] !== "apply" && r["state"] !== "pending") return r;
        await new Promise((res) => setTimeout(res, 5));
      }
    },
  };
}

const urlPath = (segs: readonly string[]) => "/" + segs.map(encodeURIComponent).join("/");

// ---------------------------------------------------------------------------------------------
// A representative set of intents: every kind of change the driver makes, creation, update and removal.

const VRF = "prod";
const vip = (over: Partial<VipIntent> = {}): VipIntent => ({
  vrf: VRF,
  vip: "10.1.99.10",
  nextHops: ["10.1.10.12", "10.1.10.13"],
  listeners: [
    { port: 443, protocol: "tcp" },
    { port: 53, protocol: "udp" },
  ],
  acl: "lb-web",
  egress: ["swp2", "swp3"],
  ...over,
});
const speakers = { asn: 65301, peers: ["10.1.10.12", "10.1.10.13"] };

function representativeChanges(): ConfigChange[] {
  return [
    ...vrfChanges({ vrf: VRF, l3Vni: 4001, routeTarget: "65000:4001", asn: 65101 }),
    ...subnetChanges({
      vrf: VRF,
      vlan: 10,
      vni: 10010,
      gateways: ["10.1.10.1/24", "2001:db8:10::1/64"],
      description: 'web "tier"',
    }),
    ...portChanges({ port: "swp1", vlan: 10, mode: "access" }),
    ...portChanges({ port: "bond1", vlan: 10, mode: "trunk" }),
    ...borderChanges({
      vrf: VRF,
      port: "swp16",
      vlan: 3001,
      address: "10.1.0.2/30",
      peer: "10.1.0.1",
      peerAsn: 65530,
    }),
    // A public VIP updated in place: a listener gone, a port and a protocol changed, a next hop and
    // a backend port gone.
    ...vipChanges(
      vip({ public: true }),
      vip({
        public: true,
        nextHops: ["10.1.10.12", "10.1.10.13", "10.1.10.14"],
        listeners: [
          { port: 8443, protocol: "tcp" },
          { port: 53, protocol: "tcp" },
          { port: 22, protocol: "tcp" },
        ],
        egress: ["swp2", "swp3", "swp4"],
      }),
    ),
    // bgp mode: the leaf peers with the backends' speakers and takes only the VIP's /32 from them.
    ...vipChanges(
      vip({ acl: "lb-bgp", speakers }),
      vip({ acl: "lb-bgp", speakers: { ...speakers, peers: ["10.1.10.9"] } }),
    ),
    ...removeVipChanges(vip({ public: true })),
    ...removeVipChanges(vip({ acl: "lb-bgp", speakers })),
    ...removeBorderChanges({ vrf: VRF, port: "swp16", vlan: 3001, peer: "10.1.0.1" }),
    ...removePortChanges({ port: "swp1", vlan: 10, mode: "access" }),
    ...removePortChanges({ port: "bond1", vlan: 10, mode: "trunk" }),
    ...removePortChanges({ port: "swp1", vlan: 10, mode: "access", lastUse: true }),
    ...removeSubnetChanges(10),
    ...removeVrfChanges(VRF),
  ];
}

interface Leaf {
  path: string[];
  value: unknown;
}

/** Every path a change writes: scalars, empty objects (collection entries) and nulls (unsets). */
function leaves(path: readonly string[], value: unknown): Leaf[] {
  if (value !== null && typeof value === "object" && Object.keys(value).length > 0)
    return Object.entries(value).flatMap(([k, v]) => leaves([...path, k], v));
  return [{ path: [...path], value }];
}

const isParam = (seg: string) => /^<[^<>]+>$/.test(seg);
/** Whether concrete `path` is `row`'s path or leads to it. */
function leadsTo(row: NvuePathRow, path: readonly string[]): boolean {
  const pattern = row.path.split("/");
  return pattern.length >= path.length && path.every((s, i) => isParam(pattern[i]!) || pattern[i] === s);
}

describe("NVUE path table", () => {
  it("documents every row: an nv set command, its value type, the release checked and NVIDIA sources", () => {
    assert.ok(NVUE_PATHS.length > 40);
    for (const r of NVUE_PATHS) {
      assert.match(r.command, /^nv set /, r.path);
      assert.equal(r.release, "5.9", r.path);
      assert.ok(r.documented, `${r.path} is not documented`);
      assert.ok(r.source.length > 0, `${r.path} has no source`);
      for (const s of r.source)
        assert.match(s, /^https:\/\/docs\.nvidia\.com\/networking-ethernet-software\//, r.path);
      // The command names the path's words in order (placeholders aside).
      const words = r.command.split(" ");
      let at = 0;
      for (const seg of r.path.split("/").filter((s) => !isParam(s))) {
        at = words.indexOf(seg, at);
        assert.ok(at >= 0, `${r.command} does not spell ${r.path}`);
        at++;
      }
    }
    const acl = rowFor(["acl", "a", "rule", "10", "match", "ip", "tcp", "dest-port", "443"]);
    assert.equal(acl?.command, "nv set acl <acl-id> rule <rule-id> match ip tcp dest-port <ip-port-id>");
    assert.match(acl?.differs ?? "", /5\.0-5\.6: `match ip dest-port/);
  });

  it("holds every path the driver writes for a VPC, subnet, ports, border, VIP and bgp speakers, and nothing stale", () => {
    const changes = representativeChanges();
    const used = new Set<NvuePathRow>();
    const problems: string[] = [];
    for (const c of changes) {
      const bad = checkPatch(c.path, c.value as never);
      if (bad) problems.push(bad);
      for (const l of leaves(c.path, c.value)) {
        const where = "/" + l.path.join("/");
        if (l.value === null) {
          const rows = NVUE_PATHS.filter((r) => r.writer === "anyvpc" && leadsTo(r, l.path));
          if (!rows.length) problems.push(`unset of ${where} leads to no anyvpc path in the table`);
          rows.filter((r) => r.path.split("/").length === l.path.length).forEach((r) => used.add(r));
          continue;
        }
        const row = rowFor(l.path);
        if (!row) problems.push(`${where} is not in the table`);
        else if (row.writer !== "anyvpc")
          problems.push(`${where} is in the table as ${row.writer}, not anyvpc`);
        for (let n = 1; n <= l.path.length; n++) {
          const r = rowFor(l.path.slice(0, n));
          if (r) used.add(r);
        }
      }
    }
    assert.deepEqual(problems, []);
    const unused = NVUE_PATHS.filter((r) => r.writer === "anyvpc" && !used.has(r)).map((r) => r.path);
    assert.deepEqual(unused, [], "anyvpc rows no intent writes");
  });

  it("writes the ACL's port under its protocol, as NVIDIA documents since 5.7", () => {
    const acl = vipChanges(vip()).find((c) => c.path[0] === "acl")!;
    const rule = (acl.value as Json)["rule"] as Record<string, { match: { ip: Json } }>;
    assert.deepEqual(rule["10"]!.match.ip, {
      "dest-ip": "10.1.99.10/32",
      protocol: "tcp",
      tcp: { "dest-port": { "443": {} } },
    });
    assert.deepEqual(rule["11"]!.match.ip, {
      "dest-ip": "10.1.99.10/32",
      protocol: "udp",
      udp: { "dest-port": { "53": {} } },
    });
    // An update unsets what a rule no longer matches: the old port, or the old protocol's ports.
    const updated = vipChanges(
      vip(),
      vip({
        listeners: [
          { port: 8443, protocol: "tcp" },
          { port: 53, protocol: "tcp" },
        ],
      }),
    ).find((c) => c.path[0] === "acl")!;
    const u = (updated.value as Json)["rule"] as Record<string, { match: { ip: Json } }>;
    assert.deepEqual(u["10"]!.match.ip["tcp"], { "dest-port": { "443": {}, "8443": null } });
    assert.equal(u["11"]!.match.ip["tcp"], null);
  });
});

describe("NVUE simulator refuses what the table does not document", () => {
  let sim: NvueSimulator;
  before(async () => {
    sim = await startNvueSimulator({
      switches: [
        {
          name: "leaf1",
          ports: Array.from({ length: 16 }, (_, i) => `swp${i + 1}`),
          vtep: "10.0.0.1",
          asn: 65101,
        },
      ],
      credentials: { username: USER, password: PASS },
      knobs: { applyMs: 5 },
    });
  });
  after(async () => sim.close());

  const rule = (ip: Json) => ({
    acl: { x: { type: "ipv4", rule: { "1": { match: { ip }, action: { permit: {} } } } } },
  });

  it("an ACL port match without its protocol level (acl.x.rule.1.match.ip.dest-port) is a 400 naming the path", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    const documented = rule({ protocol: "tcp", tcp: { "dest-port": { "443": {} } } });
    assert.equal((await c.patch(rev, "/", documented)).status, 200);
    // The same rule with `tcp.` dropped from the path: what anyvpc wrote before.
    const dropped = await c.patch(rev, "/", rule({ protocol: "tcp", "dest-port": { "443": {} } }));
    assert.equal(dropped.status, 400);
    assert.match(String(dropped.body?.["detail"]), /\/acl\/x\/rule\/1\/match\/ip\/dest-port\b/);
    assert.equal(dropped.body?.["status"], 400);
    assert.equal(typeof dropped.body?.["title"], "string");
    // Addressed in the URL instead of the body: refused the same way.
    const inUrl = await c.patch(rev, "/acl/x/rule/1/match/ip/dest-port", { "443": {} });
    assert.equal(inUrl.status, 400);
    assert.match(String(inUrl.body?.["detail"]), /\/acl\/x\/rule\/1\/match\/ip\/dest-port\b/);
    const entry = sim.requests.filter((e) => e.method === "PATCH" && e.status === 400).at(-1);
    assert.match(JSON.stringify(entry?.responseBody), /dest-port/);
    // Nothing refused was staged: the revision applies the documented rule only.
    const done = await c.applyAndWait(rev);
    assert.equal(done["state"], "applied", JSON.stringify(done));
    assert.deepEqual(sim.applied("leaf1")["acl"], documented.acl);
  });

  it("a value of the wrong type is a 400 naming the path", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    const cases: [string, unknown, RegExp][] = [
      ["/vrf/RED/evpn", { enable: "yes" }, /\/vrf\/RED\/evpn\/enable: "yes" is not one of "on", "off"/],
      ["/vrf/RED/evpn", { enable: true }, /\/vrf\/RED\/evpn\/enable/],
      [
        "/interface/swp1/bridge/domain/br_default",
        { access: "10" },
        /\/access: "10" is not an integer from 1 to 4094/,
      ],
      ["/interface/swp1/bridge/domain/br_default", { access: 5000 }, /\/access: 5000/],
      ["/acl/x/rule/1/match/ip", { protocol: "sctp" }, /\/protocol: "sctp" is not one of "tcp", "udp"/],
      ["/acl/x/rule/1/match/ip", { "dest-ip": "10.1.99.300/32" }, /\/dest-ip/],
      ["/interface/vlan10", { type: {} }, /\/interface\/vlan10\/type takes one of/],
      [
        "/vrf/RED/router/bgp/route-import/from-evpn/route-target",
        { "65000:1": "on" },
        /route-target\/65000:1 is an object/,
      ],
      [
        "/vrf/RED/router/bgp/neighbor/10.1.0.1",
        { "remote-as": "65000" },
        /remote-as: "65000" is not an integer/,
      ],
      ["/interface/vlan10/ip/vrr", { "mac-address": "00:00:5E:00:01" }, /mac-address/],
      ["/", { system: { hostname: "leaf1" } }, /\/system is not a property of the NVUE schema/],
    ];
    for (const [path, body, detail] of cases) {
      const r = await c.patch(rev, path, body);
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.match(String(r.body?.["detail"]), detail);
    }
  });

  it("unsets (null) of any path the table has are accepted; of unknown paths they are refused", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    for (const [path, body] of [
      ["/", { acl: { x: null } }],
      ["/acl/x", null],
      ["/vrf/RED/router/bgp", { rd: null, neighbor: { "10.1.0.1": null } }],
      ["/interface/swp1/bridge", null],
      ["/interface/swp2/acl/lb/outbound", null],
      ["/router/policy/prefix-list/lb", null],
    ] as [string, unknown][])
      assert.equal((await c.patch(rev, path, body)).status, 200, `${path} ${JSON.stringify(body)}`);
    const unknown = await c.patch(rev, "/acl/x/rule/1/match/ip/dest-port", null);
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.body?.["detail"]), /\/acl\/x\/rule\/1\/match\/ip\/dest-port/);
    assert.equal((await c.del(rev, "/acl/x")).status, 204, "DELETE is unchanged");
  });

  it("applies everything the driver writes, and the fabric model reads the VIP's ACL from the documented paths", async () => {
    const c = api(sim);
    const rev = await c.newRevision();
    const changes = [
      ...vrfChanges({ vrf: VRF, l3Vni: 4001, routeTarget: "65000:4001", asn: 65101 }),
      ...subnetChanges({ vrf: VRF, vlan: 10, vni: 10010, gateways: ["10.1.10.1/24"], description: "web" }),
      ...portChanges({ port: "swp1", vlan: 10, mode: "access" }),
      ...portChanges({ port: "swp2", vlan: 10, mode: "access" }),
      ...portChanges({ port: "swp3", vlan: 10, mode: "trunk" }),
      ...borderChanges({
        vrf: VRF,
        port: "swp16",
        vlan: 3001,
        address: "10.1.0.2/30",
        peer: "10.1.0.1",
        peerAsn: 65530,
      }),
      ...vipChanges(
        vip({ public: true, nextHops: ["10.1.10.12"], egress: ["swp2"] }),
        vip({
          public: true,
          nextHops: ["10.1.10.12"],
          egress: ["swp2"],
          listeners: [{ port: 80, protocol: "tcp" }],
        }),
      ),
      ...vipChanges(vip({ vip: "10.1.99.11", acl: "lb-bgp", speakers, nextHops: [], egress: ["swp2"] })),
    ];
    for (const ch of changes) {
      const r =
        ch.value === null
          ? await c.del(rev, urlPath(ch.path))
          : await c.patch(rev, urlPath(ch.path), ch.value);
      assert.ok(r.status === 200 || r.status === 204, `${urlPath(ch.path)}: ${JSON.stringify(r.body)}`);
    }
    const done = await c.applyAndWait(rev);
    assert.equal(done["state"], "applied", JSON.stringify(done));

    const configs = { leaf1: sim.applied("leaf1") };
    const ports: ServerPort[] = [
      { server: "client", switch: "leaf1", port: "swp1" },
      { server: "web", switch: "leaf1", port: "swp2" },
    ];
    const client = { server: "client", ip: "10.1.10.5/24" };
    const backends = [{ server: "web", ip: "10.1.10.12/24" }];
    const to = (port: number, protocol?: "tcp" | "udp") =>
      canReachVip(configs, ports, client, { vip: "10.1.99.10", port, protocol }, backends);
    assert.deepEqual(to(443).receivers, ["web"], to(443).reason);
    assert.deepEqual(to(53, "udp").receivers, ["web"], to(53, "udp").reason);
    assert.equal(to(443, "udp").reachable, false, "443 listens on tcp only");
    assert.equal(to(53).reachable, false, "53 listens on udp only");
    assert.match(to(80).reason, /ACL lb-web rule 1000 denies it on swp2/);
    assert.equal(to(22).reachable, false);
  });
});
