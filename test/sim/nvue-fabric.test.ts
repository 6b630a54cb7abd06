// The fabric reachability model over switch configs: bridging and routing rules on small cases,
// then the isolation proof on a generated fabric (3 VPCs x 4 subnets x 12 servers on 4 leaves,
// configured through the simulator's HTTP API): every pair inside a VPC connects, no pair across
// VPCs does, until route targets leak two VRFs into each other.
import assert from "node:assert/strict";
import {
  canReach,
  startNvueSimulator,
  type ConfigTree,
  type Endpoint,
  type NvueSimulator,
  type ServerPort,
  type SwitchSpec,
} from "../../sim/nvue";

type Json = Record<string, unknown>;
const USER = "cumulus";
const PASS = "fabric-pass";
const rt = (l3vni: number) => `65000:${l3vni}`;

function vrf(l3vni: number, imports = [rt(l3vni)], exports = [rt(l3vni)]): ConfigTree {
  return {
    evpn: { enable: "on", vni: { [String(l3vni)]: {} } },
    router: {
      bgp: {
        enable: "on",
        "autonomous-system": 65101,
        "route-import": { "from-evpn": { "route-target": Object.fromEntries(imports.map((r) => [r, {}])) } },
        "route-export": { "to-evpn": { "route-target": Object.fromEntries(exports.map((r) => [r, {}])) } },
      },
    },
  };
}

function svi(vlan: number, vrfName: string, gw: string, own: string): ConfigTree {
  return {
    type: "svi",
    vlan,
    ip: {
      vrf: vrfName,
      address: { [own]: {} },
      vrr: { enable: "on", address: { [gw]: {} }, "mac-address": "00:00:5E:00:01:00" },
    },
  };
}

const access = (vlan: number): ConfigTree => ({ bridge: { domain: { br_default: { access: vlan } } } });
const trunk = (vlans: number[], untagged?: number | "none"): ConfigTree => ({
  bridge: {
    domain: {
      br_default: {
        vlan: Object.fromEntries(vlans.map((v) => [String(v), {}])),
        ...(untagged === undefined ? {} : { untagged }),
      },
    },
  },
});

describe("fabric model: small cases", () => {
  // leaf1: VLAN 10 → VNI 10010 and VLAN 20 → VNI 10020 in VRF RED; leaf2 maps VNI 10010 to VLAN 110.
  const leaf1: ConfigTree = {
    vrf: { RED: vrf(4001), BLUE: vrf(4002) },
    bridge: {
      domain: {
        br_default: {
          vlan: {
            "10": { vni: { "10010": {} } },
            "20": { vni: { "10020": {} } },
            "30": { vni: { "10030": {} } },
            "40": {},
          },
        },
      },
    },
    interface: {
      vlan10: svi(10, "RED", "10.1.10.1/24", "10.1.10.2/24"),
      vlan20: svi(20, "RED", "10.1.20.1/24", "10.1.20.2/24"),
      vlan30: svi(30, "BLUE", "10.2.30.1/24", "10.2.30.2/24"),
      swp1: access(10),
      swp2: access(20),
      swp3: trunk([10, 30]),
      swp4: access(30),
      swp5: access(40),
      swp6: access(40),
      swp7: trunk([10, 20], "none"),
      swp8: { link: { state: "down" }, ...access(10) },
      bond1: { type: "bond", bond: { member: { swp9: {}, swp10: {} } }, ...access(20) },
    },
  };
  const leaf2: ConfigTree = {
    vrf: { RED: vrf(4001), BLUE: vrf(4002) },
    bridge: {
      domain: {
        br_default: { vlan: { "110": { vni: { "10010": {} } }, "30": { vni: { "10030": {} } }, "40": {} } },
      },
    },
    interface: {
      vlan110: svi(110, "RED", "10.1.10.1/24", "10.1.10.3/24"),
      vlan30: svi(30, "BLUE", "10.2.30.1/24", "10.2.30.3/24"),
      swp1: access(110),
      swp2: access(30),
      swp3: access(40),
    },
  };
  const configs = { leaf1, leaf2 };
  const ports: ServerPort[] = [
    { server: "a", switch: "leaf1", port: "swp1" },
    { server: "b", switch: "leaf1", port: "swp2" },
    { server: "t", switch: "leaf1", port: "swp3" },
    { server: "blue1", switch: "leaf1", port: "swp4" },
    { server: "l1", switch: "leaf1", port: "swp5" },
    { server: "l2", switch: "leaf1", port: "swp6" },
    { server: "nn", switch: "leaf1", port: "swp7" },
    { server: "down", switch: "leaf1", port: "swp8" },
    { server: "bonded", switch: "leaf1", port: "swp9" },
    { server: "c", switch: "leaf2", port: "swp1" },
    { server: "blue2", switch: "leaf2", port: "swp2" },
    { server: "l3", switch: "leaf2", port: "swp3" },
  ];
  const reach = (a: Endpoint, b: Endpoint) => canReach(configs, ports, a, b);

  it("bridges one L2VNI across leaves even when the VLAN ids differ", () => {
    const r = reach({ server: "a", ip: "10.1.10.5/24" }, { server: "c", ip: "10.1.10.6/24" });
    assert.deepEqual([r.reachable, r.via], [true, "bridged"], r.reason);
    assert.match(r.reason, /VLAN 10 on leaf1 \(L2VNI 10010\).*VLAN 110 on leaf2 \(L2VNI 10010\)/);
  });

  it("routes across subnets of one VRF, locally and across leaves, both ways", () => {
    const local = reach({ server: "a", ip: "10.1.10.5/24" }, { server: "b", ip: "10.1.20.5/24" });
    assert.deepEqual([local.reachable, local.via], [true, "routed"], local.reason);
    const remote = reach({ server: "b", ip: "10.1.20.5/24" }, { server: "c", ip: "10.1.10.6/24" });
    assert.deepEqual([remote.reachable, remote.via], [true, "routed"], remote.reason);
    assert.match(remote.reason, /L3VNI 4001/);
    const bonded = reach({ server: "bonded", ip: "10.1.20.9/24" }, { server: "c", ip: "10.1.10.6/24" });
    assert.equal(bonded.reachable, true, bonded.reason);
  });

  it("keeps VRFs apart and needs matching subnets and segments", () => {
    const blue = reach({ server: "a", ip: "10.1.10.5/24" }, { server: "blue2", ip: "10.2.30.7/24" });
    assert.deepEqual([blue.reachable, blue.via], [false, "none"]);
    assert.match(blue.reason, /imports none of the route targets \[65000:4002\]/);
    // Same subnet written on hosts in different broadcast domains: no router helps.
    const seg = reach({ server: "a", ip: "10.1.10.5/24" }, { server: "b", ip: "10.1.10.6/24" });
    assert.equal(seg.reachable, false);
    assert.match(seg.reason, /different L2 segments/);
    // A host whose address is outside its VLAN's gateway subnet cannot route.
    const wrongNet = reach({ server: "a", ip: "10.9.9.5/24" }, { server: "b", ip: "10.1.20.5/24" });
    assert.match(wrongNet.reason, /no anycast \(VRR\) gateway in 10\.9\.9\.0\/24/);
  });

  it("follows trunk tags, native VLANs and port state", () => {
    const tagged = reach(
      { server: "t", ip: "10.2.30.8/24", vlan: 30 },
      { server: "blue2", ip: "10.2.30.7/24" },
    );
    assert.equal(tagged.via, "bridged", tagged.reason);
    const notCarried = reach(
      { server: "t", ip: "10.1.20.8/24", vlan: 20 },
      { server: "b", ip: "10.1.20.5/24" },
    );
    assert.equal(notCarried.reachable, false);
    assert.match(notCarried.reason, /does not carry VLAN 20/);
    const taggedOnAccess = reach(
      { server: "a", ip: "10.1.10.5/24", vlan: 10 },
      { server: "c", ip: "10.1.10.6/24" },
    );
    assert.match(taggedOnAccess.reason, /access port of VLAN 10/);
    // Untagged on a trunk lands in the bridge's untagged VLAN (1), which is not in this bridge.
    const native = reach({ server: "t", ip: "10.1.10.8/24" }, { server: "a", ip: "10.1.10.5/24" });
    assert.match(native.reason, /VLAN 1 .* not in bridge/);
    const none = reach({ server: "nn", ip: "10.1.10.8/24" }, { server: "a", ip: "10.1.10.5/24" });
    assert.match(none.reason, /drops untagged frames/);
    const down = reach({ server: "down", ip: "10.1.10.8/24" }, { server: "a", ip: "10.1.10.5/24" });
    assert.match(down.reason, /is down/);
    assert.match(
      reach({ server: "ghost", ip: "10.1.10.8/24" }, { server: "a", ip: "10.1.10.5/24" }).reason,
      /no switch port/,
    );
  });

  it("bridges a VLAN without a VNI only inside one switch", () => {
    assert.equal(
      reach({ server: "l1", ip: "10.4.0.1/24" }, { server: "l2", ip: "10.4.0.2/24" }).via,
      "bridged",
    );
    const far = reach({ server: "l1", ip: "10.4.0.1/24" }, { server: "l3", ip: "10.4.0.3/24" });
    assert.equal(far.reachable, false);
    assert.match(far.reason, /no VNI/);
  });

  it("needs route targets both ways for a leak", () => {
    const oneWay = {
      leaf1: { ...leaf1, vrf: { RED: vrf(4001, [rt(4001), rt(4002)]), BLUE: vrf(4002) } },
      leaf2: { ...leaf2, vrf: { RED: vrf(4001, [rt(4001), rt(4002)]), BLUE: vrf(4002) } },
    };
    const a = { server: "a", ip: "10.1.10.5/24" };
    const blue = { server: "blue1", ip: "10.2.30.7/24" };
    const r1 = canReach(oneWay, ports, a, blue);
    assert.equal(r1.reachable, false);
    assert.match(r1.reason, /blue1 → a: VRF BLUE on leaf1 imports no route target exported by VRF RED/);
    const both = {
      leaf1: {
        ...leaf1,
        vrf: { RED: vrf(4001, [rt(4001), rt(4002)]), BLUE: vrf(4002, [rt(4002), rt(4001)]) },
      },
      leaf2,
    };
    const r2 = canReach(both, ports, a, blue);
    assert.deepEqual([r2.reachable, r2.via], [true, "routed"], r2.reason);
    // Across leaves the packet travels in RED's L3VNI and lands in RED on leaf2, which does not
    // leak BLUE there: still unreachable.
    const r3 = canReach(both, ports, a, { server: "blue2", ip: "10.2.30.7/24" });
    assert.equal(r3.reachable, false);
    assert.match(r3.reason, /lands in VRF RED on leaf2, which has no route to VRF BLUE/);
  });
});

// ---- The generated fabric --------------------------------------------------------------------

const LEAVES = 4;
const VPCS = 3;
const SUBNETS = 4;
const SERVERS = 12;

interface Vm {
  vpc: number;
  subnet: number;
  endpoint: Endpoint;
}

/** VLAN of (vpc, subnet) on a leaf: the same everywhere except leaf4, which numbers its own. */
const vlanOf = (leaf: number, v: number, s: number) => (leaf === 3 ? 2000 : 100) + v * 10 + s;
const vniOf = (v: number, s: number) => 10000 + v * 100 + s;
const l3vniOf = (v: number) => 4001 + v;
/** VPC 0 and VPC 2 use the same addresses: isolation must not depend on addressing. */
const netOf = (v: number, s: number) => `10.${v === 2 ? 0 : v}.${s}`;

function buildFabric(): {
  trees: Record<string, ConfigTree>;
  ports: ServerPort[];
  vms: Vm[];
  specs: SwitchSpec[];
} {
  const specs: SwitchSpec[] = [];
  const trees: Record<string, ConfigTree> = {};
  const nextPort: number[] = [];
  for (let l = 0; l < LEAVES; l++) {
    const name = `leaf${l + 1}`;
    const vtep = `10.255.0.${l + 1}`;
    specs.push({ name, ports: Array.from({ length: 48 }, (_, i) => `swp${i + 1}`), vtep, asn: 65101 + l });
    nextPort.push(1);
    const vlans: ConfigTree = {};
    const interfaces: ConfigTree = { lo: { type: "loopback", ip: { address: { [`${vtep}/32`]: {} } } } };
    const vrfs: ConfigTree = {};
    for (let v = 0; v < VPCS; v++) {
      vrfs[`vpc${v}`] = vrf(l3vniOf(v));
      for (let s = 0; s < SUBNETS; s++) {
        const vlan = vlanOf(l, v, s);
        vlans[String(vlan)] = { vni: { [String(vniOf(v, s))]: {} } };
        interfaces[`vlan${vlan}`] = svi(
          vlan,
          `vpc${v}`,
          `${netOf(v, s)}.1/24`,
          `${netOf(v, s)}.${250 + l}/24`,
        );
      }
    }
    trees[name] = {
      router: {
        bgp: { enable: "on", "autonomous-system": 65101 + l, "router-id": vtep },
        vrr: { enable: "on" },
      },
      evpn: { enable: "on" },
      nve: { vxlan: { enable: "on", source: { address: vtep }, "arp-nd-suppress": "on" } },
      bridge: { domain: { br_default: { type: "vlan-aware", vlan: vlans } } },
      vrf: vrfs,
      interface: interfaces,
    };
  }
  const ports: ServerPort[] = [];
  const vms: Vm[] = [];
  let bonds = 0;
  for (let v = 0; v < VPCS; v++)
    for (let s = 0; s < SUBNETS; s++)
      for (let k = 0; k < SERVERS; k++) {
        const l = (k + s + v) % LEAVES;
        const sw = `leaf${l + 1}`;
        const itfs = (trees[sw] as { interface: ConfigTree }).interface;
        const port = `swp${nextPort[l]}`;
        nextPort[l] = (nextPort[l] ?? 1) + 1;
        const server = `vpc${v}-s${s}-h${k}`;
        const vlan = vlanOf(l, v, s);
        const endpoint: Endpoint = { server, ip: `${netOf(v, s)}.${10 + k}/24` };
        if (k % 3 === 2) {
          // A trunk carrying this subnet and the next one of the same VPC; the server tags.
          itfs[port] = trunk([vlan, vlanOf(l, v, (s + 1) % SUBNETS)]);
          endpoint.vlan = vlan;
        } else if (k % 6 === 1) {
          const bond = `bond${++bonds}`;
          itfs[bond] = { type: "bond", bond: { member: { [port]: {} } }, ...access(vlan) };
        } else {
          itfs[port] = access(vlan);
        }
        ports.push({ server, switch: sw, port });
        vms.push({ vpc: v, subnet: s, endpoint });
      }
  return { trees, ports, vms, specs };
}

async function applyThroughApi(sim: NvueSimulator, sw: string, tree: unknown): Promise<void> {
  const auth = "Basic " + Buffer.from(`${USER}:${PASS}`).toString("base64");
  const headers = { authorization: auth, "content-type": "application/json" };
  const base = sim.baseUrlOf(sw);
  const created = (await (await fetch(`${base}/revision`, { method: "POST", headers })).json()) as Json;
  const rev = encodeURIComponent(Object.keys(created)[0] as string);
  const patched = await fetch(`${base}/?rev=${rev}`, {
    method: "PATCH",
    headers,
    body: JSON.stringify(tree),
  });
  assert.equal(patched.status, 200);
  const body = JSON.stringify({ state: "apply", "auto-prompt": { ays: "ays_yes" } });
  assert.equal((await fetch(`${base}/revision/${rev}`, { method: "PATCH", headers, body })).status, 200);
  for (;;) {
    const r = (await (await fetch(`${base}/revision/${rev}`, { headers })).json()) as Json;
    if (r["state"] === "applied") return;
    assert.equal(r["state"], "apply", JSON.stringify(r));
    await new Promise((res) => setTimeout(res, 5));
  }
}

function allPairs(
  configs: Record<string, ConfigTree>,
  ports: ServerPort[],
  vms: Vm[],
  connected: (a: Vm, b: Vm) => boolean,
) {
  const wrong: string[] = [];
  let reachable = 0;
  let bridged = 0;
  let checked = 0;
  for (let i = 0; i < vms.length; i++)
    for (let j = i + 1; j < vms.length; j++) {
      const a = vms[i] as Vm;
      const b = vms[j] as Vm;
      const r = canReach(configs, ports, a.endpoint, b.endpoint);
      checked++;
      const want = connected(a, b);
      const wantVia = !want ? "none" : a.vpc === b.vpc && a.subnet === b.subnet ? "bridged" : "routed";
      if (r.reachable !== want || r.via !== wantVia)
        wrong.push(`${a.endpoint.server} ↔ ${b.endpoint.server}: got ${r.via}, want ${wantVia}: ${r.reason}`);
      if (r.reachable) reachable++;
      if (r.via === "bridged") bridged++;
    }
  return { wrong, reachable, bridged, checked };
}

describe("fabric model: generated fabric of 3 VPCs x 4 subnets x 12 servers on 4 leaves", function () {
  this.timeout(60_000);
  let sim: NvueSimulator;
  let ports: ServerPort[];
  let vms: Vm[];
  let configs: Record<string, ConfigTree>;

  before(async () => {
    const fabric = buildFabric();
    ports = fabric.ports;
    vms = fabric.vms;
    sim = await startNvueSimulator({
      switches: fabric.specs,
      credentials: { username: USER, password: PASS },
      knobs: { applyMs: 5 },
    });
    await Promise.all(Object.entries(fabric.trees).map(([sw, tree]) => applyThroughApi(sim, sw, tree)));
    configs = Object.fromEntries(fabric.specs.map((s) => [s.name, sim.applied(s.name)]));
  });
  after(async () => sim.close());

  it("accepted every leaf config", () => {
    assert.equal(vms.length, VPCS * SUBNETS * SERVERS);
    for (const s of Object.keys(configs)) assert.equal(sim.applyCount(s), 1);
    assert.ok(
      vms.some((v) => v.endpoint.vlan !== undefined),
      "some servers tag on trunks",
    );
  });

  it("connects every pair inside a VPC and no pair across VPCs", () => {
    const r = allPairs(configs, ports, vms, (a, b) => a.vpc === b.vpc);
    assert.deepEqual(r.wrong.slice(0, 5), [], `${r.wrong.length} wrong of ${r.checked}`);
    const perVpc = (SUBNETS * SERVERS * (SUBNETS * SERVERS - 1)) / 2;
    assert.equal(r.reachable, VPCS * perVpc);
    assert.equal(r.bridged, VPCS * SUBNETS * ((SERVERS * (SERVERS - 1)) / 2));
    assert.equal(r.checked, (vms.length * (vms.length - 1)) / 2);
  });

  it("a route-target leak between two VPCs connects exactly those two", async () => {
    const leak = { vrf: Object.fromEntries([0, 1].map((v) => [`vpc${v}`, leakImport(l3vniOf(1 - v))])) };
    await Promise.all(Object.keys(configs).map((sw) => applyThroughApi(sim, sw, leak)));
    const leaked = Object.fromEntries(Object.keys(configs).map((s) => [s, sim.applied(s)]));
    const linked = (v: number) => (v === 2 ? 2 : 0);
    const r = allPairs(leaked, ports, vms, (a, b) => linked(a.vpc) === linked(b.vpc));
    assert.deepEqual(r.wrong.slice(0, 5), [], `${r.wrong.length} wrong of ${r.checked}`);
    const a = vms.find((v) => v.vpc === 0)?.endpoint as Endpoint;
    const b = vms.find(
      (v) => v.vpc === 1 && ports.find((p) => p.server === v.endpoint.server)?.switch !== "leaf1",
    );
    const across = canReach(leaked, ports, a, (b as Vm).endpoint);
    assert.match(across.reason, /leaked into VRF vpc1 via 65000:4002/);
  });

  it("follows drift in the applied config: a port moved into another VPC's VLAN", () => {
    const victim = vms.find((v) => v.vpc === 2 && v.endpoint.vlan === undefined) as Vm;
    const sp = ports.find((p) => p.server === victim.endpoint.server) as ServerPort;
    const l = Number(sp.switch.slice(4)) - 1;
    const moved = structuredClone(configs);
    const itfs = (moved[sp.switch] as { interface: ConfigTree }).interface;
    const bondName = Object.keys(itfs).find((n) => JSON.stringify(itfs[n]).includes(`"${sp.port}"`));
    itfs[bondName ?? sp.port] = {
      ...(bondName ? { type: "bond", bond: { member: { [sp.port]: {} } } } : {}),
      ...access(vlanOf(l, 0, victim.subnet)),
    };
    const peer = vms.find(
      (v) => v.vpc === 0 && v.subnet === victim.subnet && v.endpoint.ip !== victim.endpoint.ip,
    ) as Vm;
    assert.equal(canReach(configs, ports, victim.endpoint, peer.endpoint).reachable, false);
    const r = canReach(moved, ports, victim.endpoint, peer.endpoint);
    assert.deepEqual([r.reachable, r.via], [true, "bridged"], r.reason);
  });
});

function leakImport(otherL3vni: number): ConfigTree {
  return {
    router: { bgp: { "route-import": { "from-evpn": { "route-target": { [rt(otherL3vni)]: {} } } } } },
  };
}
