// The NVUE fabric reachability model on EOS leaves: config pushed to two simulated EOS switches over
// real eAPI runCmds requests, read back with sim.config(), turned into the model's view with
// nvueViewOf and asked "can server A reach server B?". Two VPCs (VRF + L3VNI + route targets, two
// subnets each with VLAN, L2VNI and anycast gateway, servers on both leaves): every pair inside a
// VPC connects, no pair across VPCs does, removing one route-target import breaks exactly the
// cross-leaf routed pairs of that VPC, and a VIP (ECMP static routes + listener ACL) reaches its
// backends only on its listeners.
import assert from "node:assert/strict";
import {
  IMPLICIT_DENY_RULE,
  NO_EXPORTS,
  NO_IMPORTS,
  baselineConfig,
  nvueViewOf,
  startEosSimulator,
  type EosSimulator,
  type EosSwitchSpec,
} from "../../sim/eos";
import {
  canReach,
  canReachVip,
  childTree,
  type ConfigTree,
  type Endpoint,
  type ServerPort,
} from "../../sim/nvue";

const USER = "admin";
const PASS = "eos-fabric-pass";
const SWITCHES: EosSwitchSpec[] = [1, 2].map((i) => ({
  name: `eos${i}`,
  ports: Array.from({ length: 8 }, (_, p) => `Ethernet${p + 1}`),
  asn: 65000 + i,
  routerId: `10.255.0.${i}`,
  vtep: `10.254.0.${i}`,
}));
const NAMES = SWITCHES.map((s) => s.name);

// ---- a raw eAPI client: JSON-RPC runCmds over fetch ----

interface RpcReply {
  result?: unknown[];
  error?: { code: number; message: string; data: unknown[] };
}

async function runCmds(sim: EosSimulator, sw: string, cmds: string[]): Promise<RpcReply> {
  const res = await fetch(`${sim.urlOf(sw)}/command-api`, {
    method: "POST",
    headers: {
      authorization: "Basic " + Buffer.from(`${USER}:${PASS}`).toString("base64"),
      "content-type": "application/json-rpc",
    },
    body: JSON.stringify({ jsonrpc: "2.0", method: "runCmds", params: { version: 1, cmds }, id: 1 }),
  });
  assert.equal(res.status, 200, `${sw}: HTTP ${res.status}`);
  return (await res.json()) as RpcReply;
}

let sessions = 0;
/** One configuration session with `lines`, committed in the same call; fails the test on an error. */
async function configure(sim: EosSimulator, sw: string, lines: string[]): Promise<void> {
  const r = await runCmds(sim, sw, ["enable", `configure session fabric-${++sessions}`, ...lines, "commit"]);
  assert.equal(r.error, undefined, `${sw}: ${JSON.stringify(r.error)}`);
}

// ---- the two VPCs, written the way an EOS leaf of an EVPN fabric holds them ----

interface Vpc {
  vrf: string;
  l3vni: number;
  rt: string;
  subnets: { vlan: number; vni: number; gateway: string }[];
}

const RED: Vpc = {
  vrf: "RED",
  l3vni: 50001,
  rt: "65000:50001",
  subnets: [
    { vlan: 10, vni: 10010, gateway: "10.1.10.1/24" },
    { vlan: 20, vni: 10020, gateway: "10.1.20.1/24" },
  ],
};
// BLUE reuses RED's first subnet (10.1.10.0/24) on another VLAN: overlapping address space.
const BLUE: Vpc = {
  vrf: "BLUE",
  l3vni: 50002,
  rt: "65000:50002",
  subnets: [
    { vlan: 30, vni: 10030, gateway: "10.2.30.1/24" },
    { vlan: 40, vni: 10040, gateway: "10.1.10.1/24" },
  ],
};
const VPCS = [RED, BLUE];

function vpcLines(sw: EosSwitchSpec, v: Vpc): string[] {
  const lines = [
    `vrf instance ${v.vrf}`,
    "exit",
    `ip routing vrf ${v.vrf}`,
    "interface Vxlan1",
    `vxlan vrf ${v.vrf} vni ${v.l3vni}`,
    "exit",
    `router bgp ${sw.asn}`,
    `vrf ${v.vrf}`,
    `rd ${sw.routerId}:${v.l3vni}`,
    `route-target import evpn ${v.rt}`,
    `route-target export evpn ${v.rt}`,
    "redistribute connected",
    "redistribute static",
    "exit",
    "exit",
  ];
  for (const s of v.subnets)
    lines.push(
      `vlan ${s.vlan}`,
      "exit",
      `interface Vlan${s.vlan}`,
      `vrf ${v.vrf}`,
      `ip address virtual ${s.gateway}`,
      "exit",
      "interface Vxlan1",
      `vxlan vlan ${s.vlan} vni ${s.vni}`,
      "exit",
      `router bgp ${sw.asn}`,
      `vlan ${s.vlan}`,
      `rd ${sw.routerId}:${s.vni}`,
      `route-target both 65000:${s.vni}`,
      "redistribute learned",
      "exit",
      "exit",
    );
  return lines;
}

// ---- servers ----

interface Server {
  server: string;
  vpc: Vpc;
  switch: string;
  port: string;
  ip: string;
  /** The server's VLAN; sent tagged when `tagged`, else the port's access VLAN. */
  vlan: number;
  tagged?: boolean;
}

const SERVERS: Server[] = [
  { server: "red-a", vpc: RED, switch: "eos1", port: "Ethernet1", vlan: 10, ip: "10.1.10.11/24" },
  { server: "red-b", vpc: RED, switch: "eos2", port: "Ethernet1", vlan: 10, ip: "10.1.10.12/24" },
  { server: "red-c", vpc: RED, switch: "eos2", port: "Ethernet2", vlan: 20, ip: "10.1.20.13/24" },
  // Tagged on a trunk that carries both RED VLANs.
  {
    server: "red-t",
    vpc: RED,
    switch: "eos1",
    port: "Ethernet3",
    vlan: 20,
    tagged: true,
    ip: "10.1.20.14/24",
  },
  { server: "blue-a", vpc: BLUE, switch: "eos1", port: "Ethernet2", vlan: 30, ip: "10.2.30.21/24" },
  { server: "blue-b", vpc: BLUE, switch: "eos2", port: "Ethernet3", vlan: 40, ip: "10.1.10.22/24" },
  { server: "blue-c", vpc: BLUE, switch: "eos1", port: "Ethernet4", vlan: 40, ip: "10.1.10.23/24" },
];

/** Each server's port: an access port of its VLAN, or a trunk of every VLAN of its VPC. */
const portLines = (sw: string) =>
  SERVERS.filter((s) => s.switch === sw).flatMap((s) => [
    `interface ${s.port}`,
    ...(s.tagged
      ? [
          "switchport mode trunk",
          `switchport trunk allowed vlan ${s.vpc.subnets.map((n) => n.vlan).join(",")}`,
        ]
      : ["switchport mode access", `switchport access vlan ${s.vlan}`]),
    "exit",
  ]);
const PORTS: ServerPort[] = SERVERS.map((s) => ({ server: s.server, switch: s.switch, port: s.port }));
const ep = (s: Server): Endpoint => ({ server: s.server, ip: s.ip, ...(s.tagged ? { vlan: s.vlan } : {}) });
const byName = (name: string) => SERVERS.find((s) => s.server === name)!;

// ---- the fabric model over the EOS switches' committed configs ----

function views(sim: EosSimulator): Record<string, ConfigTree> {
  return Object.fromEntries(NAMES.map((n) => [n, nvueViewOf(sim.config(n))]));
}
const reach = (sim: EosSimulator, a: Server, b: Server) => canReach(views(sim), PORTS, ep(a), ep(b));

/** Every ordered pair of distinct servers. */
const PAIRS = SERVERS.flatMap((a) => SERVERS.filter((b) => b !== a).map((b) => [a, b] as const));

/**
 * What the pair should do: bridged when on one subnet of one VPC, routed between two subnets of one
 * VPC unless the pair crosses leaves and a leaf in `noImport` (switch:VRF) imports nothing.
 */
function expected(a: Server, b: Server, noImport: string[] = []): "bridged" | "routed" | "none" {
  if (a.vpc !== b.vpc) return "none";
  if (a.vlan === b.vlan) return "bridged";
  if (a.switch === b.switch) return "routed";
  const broken = [a.switch, b.switch].some((sw) => noImport.includes(`${sw}:${a.vpc.vrf}`));
  return broken ? "none" : "routed";
}

function assertMatrix(sim: EosSimulator, noImport: string[] = []): void {
  const configs = views(sim);
  const wrong = PAIRS.flatMap(([a, b]) => {
    const r = canReach(configs, PORTS, ep(a), ep(b));
    const want = expected(a, b, noImport);
    return r.via === want ? [] : [`${a.server} → ${b.server}: want ${want}, got ${r.via} (${r.reason})`];
  });
  assert.deepEqual(wrong, []);
}

describe("EOS fabric view: the NVUE fabric model over two EOS leaves", function () {
  let sim: EosSimulator;

  before(async () => {
    sim = await startEosSimulator({ switches: SWITCHES, username: USER, password: PASS });
    for (const sw of SWITCHES)
      await configure(sim, sw.name, [...VPCS.flatMap((v) => vpcLines(sw, v)), ...portLines(sw.name)]);
  });
  after(() => sim.close());

  it("maps the running-config onto the NVUE paths the model reads", () => {
    const v = nvueViewOf(sim.config("eos1"));
    assert.deepEqual(childTree(v, "vrf", "RED"), {
      evpn: { enable: "on", vni: { "50001": {} } },
      router: {
        bgp: {
          "autonomous-system": 65001,
          "route-import": { "from-evpn": { "route-target": { "65000:50001": {} } } },
          "route-export": { "to-evpn": { "route-target": { "65000:50001": {} } } },
        },
      },
    });
    assert.deepEqual(childTree(v, "bridge", "domain", "br_default", "vlan"), {
      "1": {},
      "10": { vni: { "10010": {} } },
      "20": { vni: { "10020": {} } },
      "30": { vni: { "10030": {} } },
      "40": { vni: { "10040": {} } },
    });
    assert.deepEqual(childTree(v, "interface", "vlan10"), {
      type: "svi",
      vlan: 10,
      ip: { vrf: "RED", vrr: { enable: "on", address: { "10.1.10.1/24": {} } } },
    });
    assert.deepEqual(childTree(v, "interface", "Ethernet1", "bridge"), {
      domain: { br_default: { access: 10 } },
    });
    assert.deepEqual(childTree(v, "interface", "Ethernet3", "bridge"), {
      domain: { br_default: { vlan: { "10": {}, "20": {} }, untagged: "none" } },
    });
    // An untouched port is an access port of VLAN 1, as on EOS.
    assert.deepEqual(childTree(v, "interface", "Ethernet8", "bridge"), {
      domain: { br_default: { access: 1 } },
    });
  });

  it("bridges one subnet across the two leaves (same L2VNI)", () => {
    const r = reach(sim, byName("red-a"), byName("red-b"));
    assert.deepEqual([r.reachable, r.via], [true, "bridged"], r.reason);
    assert.match(r.reason, /VLAN 10 on eos1 \(L2VNI 10010\).*VLAN 10 on eos2 \(L2VNI 10010\)/);
  });

  it("routes between two subnets of one VPC, on one leaf and across leaves, tagged or not", () => {
    const across = reach(sim, byName("red-a"), byName("red-c"));
    assert.deepEqual([across.reachable, across.via], [true, "routed"], across.reason);
    assert.match(across.reason, /VRF RED on eos1 → L3VNI 50001 → VRF RED on eos2/);
    const local = reach(sim, byName("red-b"), byName("red-c"));
    assert.deepEqual([local.reachable, local.via], [true, "routed"], local.reason);
    const tagged = reach(sim, byName("red-t"), byName("red-b"));
    assert.deepEqual([tagged.reachable, tagged.via], [true, "routed"], tagged.reason);
  });

  it("never connects the two VPCs, even where their address space overlaps", () => {
    const local = reach(sim, byName("red-a"), byName("blue-a"));
    assert.equal(local.reachable, false);
    assert.match(local.reason, /VRF RED on eos1 imports no route target exported by VRF BLUE/);
    const across = reach(sim, byName("red-c"), byName("blue-a"));
    assert.equal(across.reachable, false);
    assert.match(across.reason, /imports none of the route targets \[65000:50002\]/);
    // Same subnet text, different VLANs and VNIs: no bridge joins them.
    const overlap = reach(sim, byName("red-b"), byName("blue-b"));
    assert.equal(overlap.reachable, false);
    assert.match(overlap.reason, /different L2 segments/);
    assertMatrix(sim);
  });

  it("removing one route-target import breaks exactly that VPC's cross-leaf routed pairs", async () => {
    for (const sw of SWITCHES)
      for (const v of VPCS) {
        const bgp = [`router bgp ${sw.asn}`, `vrf ${v.vrf}`];
        await configure(sim, sw.name, [...bgp, `no route-target import evpn ${v.rt}`]);
        const view = childTree(nvueViewOf(sim.config(sw.name)), "vrf", v.vrf, "router", "bgp");
        assert.deepEqual(childTree(view, "route-import", "from-evpn", "route-target"), { [NO_IMPORTS]: {} });
        assertMatrix(sim, [`${sw.name}:${v.vrf}`]);
        await configure(sim, sw.name, [...bgp, `route-target import evpn ${v.rt}`]);
        assertMatrix(sim);
      }
  });

  it("a VRF without route targets or routing carries nothing across leaves (no NVUE auto targets)", async () => {
    const eos2 = SWITCHES[1]!;
    await configure(sim, "eos2", [`router bgp ${eos2.asn}`, `no vrf ${RED.vrf}`]);
    const bgp = childTree(nvueViewOf(sim.config("eos2")), "vrf", "RED", "router", "bgp");
    assert.deepEqual(childTree(bgp, "route-export", "to-evpn", "route-target"), { [NO_EXPORTS]: {} });
    const r = reach(sim, byName("red-a"), byName("red-c"));
    assert.equal(r.reachable, false);
    assert.match(r.reason, /imports none of the route targets \[none\]/);
    await configure(sim, "eos2", vpcLines(eos2, RED));
    await configure(sim, "eos2", [`no ip routing vrf ${RED.vrf}`]);
    const off = reach(sim, byName("red-b"), byName("red-c"));
    assert.equal(off.reachable, false);
    assert.match(off.reason, /no anycast \(VRR\) gateway/);
    await configure(sim, "eos2", [`ip routing vrf ${RED.vrf}`]);
    assertMatrix(sim);
  });

  it("a VLAN whose VNI is not in EVPN (no BGP vlan block) bridges only inside one leaf", async () => {
    const eos2 = SWITCHES[1]!;
    await configure(sim, "eos2", [`router bgp ${eos2.asn}`, "no vlan 10"]);
    const r = reach(sim, byName("red-a"), byName("red-b"));
    assert.equal(r.reachable, false);
    assert.match(r.reason, /VLAN 10 on eos2 \(no VNI\)/);
    await configure(sim, "eos2", vpcLines(eos2, RED));
    assertMatrix(sim);
  });

  it("a route-target leak joins exactly the two VPCs it names", async () => {
    const leak = (verb: "" | "no ") =>
      Promise.all(
        SWITCHES.map((sw) =>
          configure(sim, sw.name, [
            `router bgp ${sw.asn}`,
            `vrf ${RED.vrf}`,
            `${verb}route-target import evpn ${BLUE.rt}`,
            "exit",
            `vrf ${BLUE.vrf}`,
            `${verb}route-target import evpn ${RED.rt}`,
          ]),
        ),
      );
    await leak("");
    const r = reach(sim, byName("red-a"), byName("blue-a"));
    assert.deepEqual([r.reachable, r.via], [true, "routed"], r.reason);
    await leak("no ");
    assertMatrix(sim);
  });

  describe("a VIP: ECMP static routes to the backends and a listener ACL out on their ports", () => {
    const VIP = "10.1.99.10";
    const backends = [byName("red-b"), byName("red-c")];
    const vipLines = (sw: EosSwitchSpec) => [
      "ip access-list VIP-WEB",
      "10 permit tcp any host 10.1.99.10 eq 443",
      "20 permit udp any host 10.1.99.10 eq 53",
      "100000 deny ip any host 10.1.99.10",
      "100010 permit ip any any",
      "exit",
      ...backends
        .filter((b) => b.switch === sw.name)
        .flatMap((b) => [`interface ${b.port}`, "ip access-group VIP-WEB out", "exit"]),
      ...backends.map((b) => `ip route vrf RED ${VIP}/32 ${b.ip.split("/")[0]}`),
    ];
    const vip = (client: Server, port: number, protocol?: "tcp" | "udp") =>
      canReachVip(views(sim), PORTS, ep(client), { vip: VIP, port, protocol }, backends.map(ep));

    before(async () => {
      for (const sw of SWITCHES) await configure(sim, sw.name, vipLines(sw));
    });

    it("maps the routes and the ACL", () => {
      const v = nvueViewOf(sim.config("eos2"));
      assert.deepEqual(childTree(v, "vrf", "RED", "router", "static"), {
        "10.1.99.10/32": { via: { "10.1.10.12": {}, "10.1.20.13": {} } },
      });
      assert.deepEqual(childTree(v, "interface", "Ethernet1", "acl"), { "VIP-WEB": { outbound: {} } });
      assert.deepEqual(childTree(v, "acl", "VIP-WEB", "rule", "10"), {
        action: { permit: {} },
        match: { ip: { protocol: "tcp", "dest-ip": "10.1.99.10/32", tcp: { "dest-port": { "443": {} } } } },
      });
      assert.deepEqual(childTree(v, "acl", "VIP-WEB", "rule", IMPLICIT_DENY_RULE), {
        action: { deny: {} },
        match: { ip: {} },
      });
    });

    it("reaches every backend on a listener, from either leaf", () => {
      for (const client of [byName("red-a"), byName("red-t")]) {
        const r = vip(client, 443);
        assert.deepEqual(r.receivers, ["red-b", "red-c"], r.reason);
      }
      assert.deepEqual(vip(byName("red-a"), 53, "udp").receivers, ["red-b", "red-c"]);
    });

    it("drops what is not a listener, and clients of another VPC have no route", () => {
      const closed = vip(byName("red-a"), 80);
      assert.equal(closed.reachable, false);
      assert.match(closed.reason, /ACL VIP-WEB rule 100000 denies it on Ethernet1/);
      assert.equal(vip(byName("red-a"), 53, "tcp").reachable, false);
      const other = vip(byName("blue-a"), 443);
      assert.equal(other.reachable, false);
      assert.match(other.reason, /VRF BLUE on eos1 has no route to 10\.1\.99\.10/);
    });

    it("an ACL's implicit deny drops what no entry permits", async () => {
      await configure(sim, "eos2", ["ip access-list VIP-WEB", "no 100000", "no 100010"]);
      const r = vip(byName("red-a"), 80);
      assert.equal(r.reachable, false);
      assert.match(r.reason, new RegExp(`ACL VIP-WEB rule ${IMPLICIT_DENY_RULE} denies it`));
      assert.deepEqual(vip(byName("red-a"), 443).receivers, ["red-b", "red-c"]);
    });

    it("one backend's route gone: only the other receives", async () => {
      await configure(sim, "eos1", [`no ip route vrf RED ${VIP}/32 10.1.20.13`]);
      assert.deepEqual(vip(byName("red-a"), 443).receivers, ["red-b"]);
      assert.deepEqual(vip(byName("red-b"), 443).receivers, ["red-b", "red-c"]);
    });
  });
});

describe("EOS fabric view: defaults of an untouched switch", () => {
  const [one, two] = SWITCHES.map((s) => nvueViewOf(baselineConfig(s)));
  const configs = { eos1: one!, eos2: two! };
  const ports: ServerPort[] = [
    { server: "x", switch: "eos1", port: "Ethernet5" },
    { server: "y", switch: "eos1", port: "Ethernet6" },
    { server: "z", switch: "eos2", port: "Ethernet5" },
  ];

  it("bridges untouched ports of one switch in VLAN 1, and nothing across switches", () => {
    const near = canReach(
      configs,
      ports,
      { server: "x", ip: "192.0.2.1/24" },
      { server: "y", ip: "192.0.2.2/24" },
    );
    assert.deepEqual([near.reachable, near.via], [true, "bridged"], near.reason);
    const far = canReach(
      configs,
      ports,
      { server: "x", ip: "192.0.2.1/24" },
      { server: "z", ip: "192.0.2.3/24" },
    );
    assert.equal(far.reachable, false);
    assert.match(far.reason, /no VNI/);
  });

  it("does not change its input", () => {
    const config = baselineConfig(SWITCHES[0]!);
    const before = structuredClone(config);
    nvueViewOf(config);
    assert.deepEqual(config, before);
  });
});
