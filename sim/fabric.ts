// The reachability model over a whole hybrid fabric: NVUE sites (from the switches' applied
// configs, sim/nvue's model) and Equinix Metal metros (from the Metal simulator's state), joined
// only by declared interconnects. A path between the two kinds of site needs every hop to exist:
// the endpoint's VLAN and VRF gateway on each side, an active VRF virtual circuit of the Metal VRF
// on the interconnection, the link VLAN on the border leaf's cabled port, an SVI in the VPC's VRF
// on the link subnet, and an eBGP session whose addresses and ASNs match the circuit's.
import type { MetalSimState } from "./metal";
import {
  canReach,
  childTree,
  gatewayVrf,
  keysOf,
  type ConfigTree,
  type Reachability,
  type ServerPort,
} from "./nvue";

export interface NvueEndpoint {
  site: string;
  server: string;
  /** Address with prefix length. */
  ip: string;
  vlan?: number;
}

export interface MetalEndpoint {
  site: string;
  /** Device hostname. */
  device: string;
  /** Default bond0. */
  port?: string;
  /** Address with prefix length. */
  ip: string;
}

export type FabricEndpoint = NvueEndpoint | MetalEndpoint;

/** What the model reads: every site's state, and the interconnects as the fabric description declares them. */
export interface HybridFabric {
  nvue: Record<string, { configs: Record<string, ConfigTree>; servers: ServerPort[] }>;
  metal: Record<string, { state: MetalSimState; devices: { id: string; hostname: string }[] }>;
  interconnects: Record<
    string,
    {
      nvue: { site: string; switch: string; port: string };
      metal: { site: string; connectionId: string; port?: string };
    }
  >;
}

type Step<T> = { ok: true; value: T } | { ok: false; reason: string };

function v4(s: string): bigint | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  return m.slice(1).reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
}

function inPrefix(ip: string, network: string, length: number): boolean {
  const a = v4(ip);
  const n = v4(network);
  if (a === undefined || n === undefined) return false;
  const shift = BigInt(32 - length);
  return a >> shift === n >> shift;
}

/** A Metal endpoint's VRF: its port carries a VLAN whose VRF gateway's reservation holds its address. */
function metalVrf(site: HybridFabric["metal"][string], ep: MetalEndpoint): Step<string> {
  const device = site.devices.find((d) => d.hostname === ep.device || d.id === ep.device);
  if (!device) return { ok: false, reason: `device ${ep.device} is not in the metro` };
  const portName = ep.port ?? "bond0";
  const port = site.state.ports.find((p) => p.device_id === device.id && p.name === portName);
  if (!port) return { ok: false, reason: `${ep.device} has no port ${portName}` };
  const [address] = ep.ip.split("/");
  for (const vnId of port.virtual_network_ids) {
    for (const gw of site.state.metalGateways.filter(
      (g) => g.virtual_network_id === vnId && g.state === "active",
    )) {
      const r = site.state.ipReservations.find((x) => x.id === gw.ip_reservation_id);
      if (r?.network && gw.vrf_id && inPrefix(address!, r.network, r.cidr))
        return { ok: true, value: gw.vrf_id };
    }
  }
  return {
    ok: false,
    reason: `${ep.device} ${portName} carries no VLAN with an active VRF gateway for ${ep.ip}`,
  };
}

/**
 * The border leaf's side of a circuit: the link VLAN on the cabled port, an SVI on the link
 * subnet in some VRF, and a BGP neighbor in that VRF at the circuit's Metal address with the
 * Metal VRF's ASN. Returns that VRF's name.
 */
function borderVrf(
  config: ConfigTree,
  port: string,
  vc: MetalSimState["virtualCircuits"][number],
  metalAsn: number,
): Step<string> {
  const trunk = keysOf(childTree(config, "interface", port, "bridge", "domain", "br_default", "vlan"));
  if (!trunk.includes(String(vc.nni_vlan)))
    return { ok: false, reason: `border port ${port} does not carry link VLAN ${vc.nni_vlan}` };
  const svi = childTree(config, "interface", `vlan${vc.nni_vlan}`);
  const length = vc.subnet.split("/")[1];
  if (!keysOf(childTree(svi, "ip", "address")).includes(`${vc.customer_ip}/${length}`))
    return { ok: false, reason: `no SVI with ${vc.customer_ip}/${length} on link VLAN ${vc.nni_vlan}` };
  const vrf = String(childTree(svi, "ip")?.vrf ?? "default");
  const neighbor = childTree(config, "vrf", vrf, "router", "bgp", "neighbor", vc.metal_ip);
  if (!neighbor) return { ok: false, reason: `VRF ${vrf} on the border has no BGP neighbor ${vc.metal_ip}` };
  if (Number(neighbor["remote-as"]) !== metalAsn)
    return {
      ok: false,
      reason: `BGP neighbor ${vc.metal_ip} in VRF ${vrf} expects AS ${String(neighbor["remote-as"])}, the Metal VRF is AS ${metalAsn}`,
    };
  const asn = Number(childTree(config, "vrf", vrf, "router", "bgp")?.["autonomous-system"]);
  if (asn !== vc.peer_asn)
    return {
      ok: false,
      reason: `VRF ${vrf} on the border speaks AS ${asn}, the circuit expects AS ${vc.peer_asn}`,
    };
  return { ok: true, value: vrf };
}

function crossSite(fabric: HybridFabric, a: NvueEndpoint, b: MetalEndpoint): Reachability {
  const none = (reason: string): Reachability => ({ reachable: false, via: "none", reason });
  const nvue = fabric.nvue[a.site];
  const metal = fabric.metal[b.site];
  if (!nvue || !metal) return none(`unknown site ${nvue ? b.site : a.site}`);
  const onPrem = gatewayVrf(nvue.configs, nvue.servers, a);
  if (!onPrem.ok) return none(onPrem.reason);
  const inMetal = metalVrf(metal, b);
  if (!inMetal.ok) return none(inMetal.reason);
  const metalVrfRecord = metal.state.vrfs.find((v) => v.id === inMetal.value);
  if (!metalVrfRecord) return none(`Metal VRF ${inMetal.value} does not exist`);
  const reasons: string[] = [];
  for (const [name, ic] of Object.entries(fabric.interconnects)) {
    if (ic.nvue.site !== a.site || ic.metal.site !== b.site) continue;
    const circuits = metal.state.virtualCircuits.filter(
      (vc) => vc.connection_id === ic.metal.connectionId && vc.vrf_id === inMetal.value,
    );
    if (circuits.length === 0) reasons.push(`${name}: Metal VRF ${metalVrfRecord.name} has no circuit on it`);
    for (const vc of circuits) {
      if (vc.status !== "active") {
        reasons.push(`${name}: circuit ${vc.id} is ${vc.status}`);
        continue;
      }
      const config = nvue.configs[ic.nvue.switch];
      if (!config) {
        reasons.push(`${name}: no applied config for border switch ${ic.nvue.switch}`);
        continue;
      }
      const border = borderVrf(config, ic.nvue.port, vc, metalVrfRecord.local_asn);
      if (!border.ok) {
        reasons.push(`${name}: ${border.reason}`);
        continue;
      }
      // Inside the site, the border's VRF must be the endpoint's VRF: the same VRF on every leaf,
      // joined by its L3VNI (EVPN type-5 carries the Metal routes to a's leaf and back).
      if (border.value !== onPrem.vrf.name) {
        reasons.push(
          `${name}: the link lands in VRF ${border.value}, ${a.server} routes in VRF ${onPrem.vrf.name}`,
        );
        continue;
      }
      return {
        reachable: true,
        via: "routed",
        reason: `routed: ${a.server} in VRF ${onPrem.vrf.name} on ${onPrem.switch} → border ${ic.nvue.switch} VLAN ${vc.nni_vlan} → eBGP ${vc.customer_ip}↔${vc.metal_ip} → Metal VRF ${metalVrfRecord.name} → ${b.device}`,
      };
    }
  }
  return none(
    reasons.length
      ? reasons.join("; ")
      : `no interconnect joins ${a.site} and ${b.site}: sites stay apart without one`,
  );
}

/** Whether `a` and `b` reach each other (both ways), wherever each is. */
export function canReachAcross(fabric: HybridFabric, a: FabricEndpoint, b: FabricEndpoint): Reachability {
  const isNvue = (e: FabricEndpoint): e is NvueEndpoint => "server" in e;
  if (isNvue(a) && isNvue(b)) {
    if (a.site !== b.site)
      return { reachable: false, via: "none", reason: "NVUE sites are joined only through Metal" };
    const site = fabric.nvue[a.site];
    if (!site) return { reachable: false, via: "none", reason: `unknown site ${a.site}` };
    return canReach(site.configs, site.servers, a, b);
  }
  if (!isNvue(a) && !isNvue(b)) {
    const site = fabric.metal[a.site];
    if (!site || a.site !== b.site) return { reachable: false, via: "none", reason: "different metros" };
    const va = metalVrf(site, a);
    const vb = metalVrf(site, b);
    if (!va.ok || !vb.ok)
      return { reachable: false, via: "none", reason: va.ok ? (vb as { reason: string }).reason : va.reason };
    return va.value === vb.value
      ? { reachable: true, via: "routed", reason: `routed inside Metal VRF ${va.value}` }
      : { reachable: false, via: "none", reason: "different Metal VRFs" };
  }
  return isNvue(a) ? crossSite(fabric, a, b as MetalEndpoint) : crossSite(fabric, b as NvueEndpoint, a);
}
