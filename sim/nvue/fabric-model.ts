// The fabric reachability model: "can server A talk to server B?" answered from the switches'
// applied NVUE configs only. It follows a frame from the server port into its VLAN and L2VNI
// (bridged), or to the VLAN's anycast gateway, its VRF and L3VNI, and the route targets that
// decide which VRF learns which routes (routed, both directions).

import { contains, formatPrefix, parsePrefix, sameSubnet, type Prefix } from "./net";
import { bridgeDomains, exportTargets, importsAny, portVlans, vrfs, type VrfInfo } from "./read";
import { childScalar, childTree, keysOf, type ConfigTree } from "./tree";

export interface ServerPort {
  server: string;
  switch: string;
  port: string;
}

export interface Endpoint {
  server: string;
  /** Host address with prefix length, e.g. "10.1.10.5/24". */
  ip: string;
  /** The 802.1Q tag the server sends (trunk ports); omitted = untagged. */
  vlan?: number;
}

export interface Reachability {
  reachable: boolean;
  via: "bridged" | "routed" | "none";
  reason: string;
}

interface Attachment {
  switch: string;
  port: string;
  /** The interface that carries the bridge config (the port, or the bond it belongs to). */
  iface: string;
  config: ConfigTree;
  domain: string;
  vlan: number;
  vni: number | undefined;
  /** Identity of the broadcast domain: the L2VNI, or a switch-local VLAN without one. */
  segment: string;
}

interface Gateway {
  svi: string;
  vrf: VrfInfo;
  address: string;
}

type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

function isDown(config: ConfigTree, iface: string): boolean {
  return childScalar(config, "interface", iface, "link", "state") === "down";
}

function bondOf(config: ConfigTree, port: string): string | undefined {
  const itfs = childTree(config, "interface");
  return keysOf(itfs).find((n) => keysOf(childTree(itfs, n, "bond", "member")).includes(port));
}

function attach(configs: Record<string, ConfigTree>, sp: ServerPort, ep: Endpoint): Result<Attachment> {
  const config = configs[sp.switch];
  const at = `${sp.switch}:${sp.port}`;
  if (!config) return { ok: false, reason: `no applied config for switch ${sp.switch}` };
  const iface = bondOf(config, sp.port) ?? sp.port;
  if (isDown(config, sp.port) || isDown(config, iface)) return { ok: false, reason: `${at} is down` };
  const domains = bridgeDomains(config);
  const pv = portVlans(config, iface, domains);
  const name = iface === sp.port ? at : `${at} (in ${iface})`;
  if (!pv) return { ok: false, reason: `${name} is not a bridge member` };
  const dom = domains.get(pv.domain);
  if (!dom) return { ok: false, reason: `${name} is in bridge ${pv.domain}, which does not exist` };
  let vlan: number;
  if (ep.vlan === undefined) {
    const untagged = pv.access ?? pv.native;
    if (untagged === undefined) return { ok: false, reason: `${name} drops untagged frames (untagged none)` };
    vlan = untagged;
  } else {
    if (pv.access !== undefined)
      return {
        ok: false,
        reason: `${name} does not carry VLAN ${ep.vlan}: it is an access port of VLAN ${pv.access}`,
      };
    const carried = pv.trunk ?? [...dom.vlans.keys()];
    if (!carried.includes(ep.vlan)) return { ok: false, reason: `${name} does not carry VLAN ${ep.vlan}` };
    vlan = ep.vlan;
  }
  const bv = dom.vlans.get(vlan);
  if (!bv) return { ok: false, reason: `VLAN ${vlan} of ${name} is not in bridge ${pv.domain}` };
  const vni = bv.vnis.length === 1 ? bv.vnis[0] : undefined;
  const segment = vni !== undefined ? `vni:${vni}` : `local:${sp.switch}:${pv.domain}:${vlan}`;
  return {
    ok: true,
    value: { switch: sp.switch, port: sp.port, iface, config, domain: pv.domain, vlan, vni, segment },
  };
}

function describeSegment(a: Attachment): string {
  return a.vni !== undefined
    ? `VLAN ${a.vlan} on ${a.switch} (L2VNI ${a.vni})`
    : `VLAN ${a.vlan} on ${a.switch} (no VNI)`;
}

function gateway(a: Attachment, host: Prefix): Result<Gateway> {
  const itfs = childTree(a.config, "interface");
  const named = `vlan${a.vlan}`;
  const svi =
    childTree(itfs, named) !== undefined
      ? named
      : keysOf(itfs).find(
          (n) => childScalar(itfs, n, "type") === "svi" && Number(childScalar(itfs, n, "vlan")) === a.vlan,
        );
  if (svi === undefined)
    return { ok: false, reason: `VLAN ${a.vlan} on ${a.switch} has no SVI (no gateway)` };
  if (isDown(a.config, svi)) return { ok: false, reason: `SVI ${svi} on ${a.switch} is down` };
  const vrr = childTree(itfs, svi, "ip", "vrr");
  const addrs = childScalar(vrr, "enable") === "off" ? [] : keysOf(childTree(vrr, "address"));
  const address = addrs.find((s) => {
    const p = parsePrefix(s);
    return p !== undefined && contains(p, host);
  });
  if (address === undefined)
    return {
      ok: false,
      reason: `SVI ${svi} on ${a.switch} has no anycast (VRR) gateway in ${formatPrefix(host)}`,
    };
  const vrfName = String(childScalar(itfs, svi, "ip", "vrf") ?? "default");
  const all = vrfs(a.config);
  const vrf = all.get(vrfName);
  if (!vrf || (!keysOf(a.config["vrf"]).includes(vrfName) && vrfName !== "default"))
    return {
      ok: false,
      reason: `SVI ${svi} on ${a.switch} is in VRF ${vrfName}, which does not exist there`,
    };
  return { ok: true, value: { svi, vrf, address } };
}

/** Whether a packet from x (in gx's VRF on x's switch) gets to y (in gy's VRF on y's switch). */
function forward(x: Attachment, gx: Gateway, y: Attachment, gy: Gateway): Result<string> {
  const vx = gx.vrf;
  const vy = gy.vrf;
  if (x.switch === y.switch) {
    if (vx.name === vy.name) return { ok: true, value: `VRF ${vx.name} on ${x.switch}` };
    const rt = importsAny(vx, exportTargets(vy));
    return rt
      ? { ok: true, value: `VRF ${vx.name} on ${x.switch} imports ${rt} from VRF ${vy.name}` }
      : {
          ok: false,
          reason: `VRF ${vx.name} on ${x.switch} imports no route target exported by VRF ${vy.name}`,
        };
  }
  const exported = exportTargets(vy);
  const rt = importsAny(vx, exported);
  if (!rt)
    return {
      ok: false,
      reason: `VRF ${vx.name} on ${x.switch} imports none of the route targets [${exported.join(", ")}] that VRF ${vy.name} on ${y.switch} exports`,
    };
  if (vx.l3vni === undefined) return { ok: false, reason: `VRF ${vx.name} on ${x.switch} has no L3VNI` };
  // The ingress leaf encapsulates with its own VRF's L3VNI; the egress leaf decapsulates into
  // whichever of its VRFs owns that VNI, which must be y's VRF or leak y's routes locally.
  const landing = [...vrfs(y.config).values()].find(
    (v) => v.l3vni === vx.l3vni && keysOf(y.config["vrf"]).includes(v.name),
  );
  if (!landing)
    return {
      ok: false,
      reason: `no VRF on ${y.switch} has L3VNI ${vx.l3vni} (of VRF ${vx.name} on ${x.switch})`,
    };
  if (landing.name === vy.name)
    return {
      ok: true,
      value: `VRF ${vx.name} on ${x.switch} → L3VNI ${vx.l3vni} → VRF ${vy.name} on ${y.switch}`,
    };
  const local = importsAny(landing, exportTargets(vy));
  if (!local)
    return {
      ok: false,
      reason: `L3VNI ${vx.l3vni} lands in VRF ${landing.name} on ${y.switch}, which has no route to VRF ${vy.name} (L3VNIs differ and no leak there)`,
    };
  return {
    ok: true,
    value: `VRF ${vx.name} on ${x.switch} → L3VNI ${vx.l3vni} → VRF ${landing.name} on ${y.switch}, leaked into VRF ${vy.name} via ${local}`,
  };
}

function pair(
  a: Endpoint,
  pa: Prefix,
  xa: Attachment,
  b: Endpoint,
  pb: Prefix,
  xb: Attachment,
): Reachability {
  const subnetA = formatPrefix(pa);
  if (sameSubnet(pa, pb)) {
    if (xa.segment === xb.segment)
      return {
        reachable: true,
        via: "bridged",
        reason: `bridged in subnet ${subnetA}: ${a.server} on ${describeSegment(xa)}, ${b.server} on ${describeSegment(xb)}`,
      };
    return {
      reachable: false,
      via: "none",
      reason: `${a.server} and ${b.server} share subnet ${subnetA} but sit on different L2 segments (${describeSegment(xa)} vs ${describeSegment(xb)})`,
    };
  }
  const ga = gateway(xa, pa);
  if (!ga.ok) return { reachable: false, via: "none", reason: `${a.server}: ${ga.reason}` };
  const gb = gateway(xb, pb);
  if (!gb.ok) return { reachable: false, via: "none", reason: `${b.server}: ${gb.reason}` };
  const there = forward(xa, ga.value, xb, gb.value);
  if (!there.ok)
    return { reachable: false, via: "none", reason: `${a.server} → ${b.server}: ${there.reason}` };
  const back = forward(xb, gb.value, xa, ga.value);
  if (!back.ok) return { reachable: false, via: "none", reason: `${b.server} → ${a.server}: ${back.reason}` };
  return {
    reachable: true,
    via: "routed",
    reason: `routed ${subnetA} → ${formatPrefix(pb)}: ${there.value}; back: ${back.value}`,
  };
}

/**
 * Whether endpoint `a` can reach endpoint `b` (both directions), from the applied configs only.
 * A server with several ports is reachable when any pair of its ports works.
 */
export function canReach(
  configs: Record<string, ConfigTree>,
  serverPorts: ServerPort[],
  a: Endpoint,
  b: Endpoint,
): Reachability {
  const none = (reason: string): Reachability => ({ reachable: false, via: "none", reason });
  const pa = parsePrefix(a.ip);
  const pb = parsePrefix(b.ip);
  if (!pa) return none(`${a.server}: "${a.ip}" is not an address with prefix length`);
  if (!pb) return none(`${b.server}: "${b.ip}" is not an address with prefix length`);
  const side = (ep: Endpoint): Result<Attachment[]> => {
    const ports = serverPorts.filter((s) => s.server === ep.server);
    if (ports.length === 0) return { ok: false, reason: `server ${ep.server} has no switch port` };
    const results = ports.map((sp) => attach(configs, sp, ep));
    const good = results.flatMap((r) => (r.ok ? [r.value] : []));
    if (good.length > 0) return { ok: true, value: good };
    const first = results.find((r): r is { ok: false; reason: string } => !r.ok);
    return { ok: false, reason: `${ep.server}: ${first?.reason ?? "no usable port"}` };
  };
  const sa = side(a);
  if (!sa.ok) return none(sa.reason);
  const sb = side(b);
  if (!sb.ok) return none(sb.reason);
  let firstFailure: Reachability | undefined;
  for (const xa of sa.value)
    for (const xb of sb.value) {
      const r = pair(a, pa, xa, b, pb, xb);
      if (r.reachable) return r;
      firstFailure ??= r;
    }
  return firstFailure ?? none("no port pair");
}

/**
 * Where an endpoint's routed traffic enters the fabric: its leaf and the VRF of its subnet's
 * anycast gateway (for paths that leave the site, e.g. over an interconnect).
 */
export function gatewayVrf(
  configs: Record<string, ConfigTree>,
  serverPorts: ServerPort[],
  ep: Endpoint,
): { ok: true; switch: string; vrf: VrfInfo } | { ok: false; reason: string } {
  const host = parsePrefix(ep.ip);
  if (!host) return { ok: false, reason: `${ep.server}: "${ep.ip}" is not an address with prefix length` };
  let reason = `server ${ep.server} has no switch port`;
  for (const sp of serverPorts.filter((s) => s.server === ep.server)) {
    const at = attach(configs, sp, ep);
    if (!at.ok) {
      reason = `${ep.server}: ${at.reason}`;
      continue;
    }
    const gw = gateway(at.value, host);
    if (gw.ok) return { ok: true, switch: sp.switch, vrf: gw.value.vrf };
    reason = `${ep.server}: ${gw.reason}`;
  }
  return { ok: false, reason };
}
