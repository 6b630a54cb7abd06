// The fabric intent for NVUE, as pure functions from planned values to config changes: VPC → VRF
// with L3VNI and route targets; Subnet → VLAN + L2VNI + SVI with an anycast gateway in the VRF;
// Attachment → a port's access VLAN or trunk membership. Identifiers that become JSON keys or path
// segments are allow-listed here, so a name can never escape its field or address another object.
import { AnyvpcError } from "../../errors";
import type { ConfigTree } from "./client";
import type { ConfigChange } from "./revisions";

const vrfName = /^[A-Za-z][A-Za-z0-9_-]{0,14}$/; // a Linux VRF device name: at most 15 characters
const interfaceName = /^(swp[0-9]+(s[0-9]+)?|bond[0-9]+|eth[0-9]+)$/;
const routeTarget = /^[0-9]{1,10}:[0-9]{1,10}$/;
/** Printable text without line breaks or control characters, for free-text values. */
const description = /^[^\p{Cc}]{0,255}$/u;

function check(ok: boolean, what: string, value: unknown, fix: string): void {
  if (!ok)
    throw new AnyvpcError(`${what} ${JSON.stringify(value)} is not allowed on an NVUE switch`, {
      value,
      fix,
    });
}

function checkVrfName(vrf: string): void {
  check(vrfName.test(vrf), "VRF name", vrf, "use 1-15 letters, digits, '_' or '-', starting with a letter");
}

function int(value: number, min: number, max: number, what: string): string {
  check(
    Number.isInteger(value) && value >= min && value <= max,
    what,
    value,
    `use an integer from ${min} to ${max}`,
  );
  return String(value);
}

export interface VrfIntent {
  vrf: string;
  l3Vni: number;
  routeTarget: string;
  asn: number;
}

export function vrfChanges(v: VrfIntent): ConfigChange[] {
  checkVrfName(v.vrf);
  check(routeTarget.test(v.routeTarget), "route target", v.routeTarget, "use ASN:number");
  const rt = { [v.routeTarget]: {} };
  return [
    {
      path: ["vrf", v.vrf],
      value: {
        evpn: { enable: "on", vni: { [int(v.l3Vni, 1, 16_777_214, "L3VNI")]: {} } },
        router: {
          bgp: {
            enable: "on",
            "autonomous-system": Number(int(v.asn, 1, 4_294_967_295, "ASN")),
            "route-import": { "from-evpn": { "route-target": rt } },
            "route-export": { "to-evpn": { "route-target": rt } },
          },
        },
      },
    },
  ];
}

export function removeVrfChanges(vrf: string): ConfigChange[] {
  checkVrfName(vrf);
  return [{ path: ["vrf", vrf], value: null }];
}

export interface SubnetIntent {
  vrf: string;
  vlan: number;
  vni: number;
  /** Anycast gateway with prefix length, e.g. "10.1.10.1/24" (and IPv6 the same way). */
  gateways: string[];
  description?: string;
}

export function subnetChanges(s: SubnetIntent): ConfigChange[] {
  checkVrfName(s.vrf);
  const vlan = int(s.vlan, 2, 4094, "VLAN");
  const svi: ConfigTree = {
    type: "svi",
    vlan: Number(vlan),
    ip: {
      vrf: s.vrf,
      vrr: {
        enable: "on",
        "mac-address": "00:00:5E:00:01:00",
        address: Object.fromEntries(s.gateways.map((g) => [g, {}])),
      },
    },
  };
  if (s.description !== undefined) {
    check(
      description.test(s.description),
      "description",
      s.description,
      "use printable text without line breaks, at most 255 characters",
    );
    svi.description = s.description;
  }
  return [
    {
      path: ["bridge", "domain", "br_default", "vlan", vlan],
      value: { vni: { [int(s.vni, 1, 16_777_214, "VNI")]: {} } },
    },
    { path: ["interface", `vlan${vlan}`], value: svi },
  ];
}

export function removeSubnetChanges(vlan: number): ConfigChange[] {
  const id = int(vlan, 2, 4094, "VLAN");
  return [
    { path: ["interface", `vlan${id}`], value: null },
    { path: ["bridge", "domain", "br_default", "vlan", id], value: null },
  ];
}

export interface PortIntent {
  port: string;
  vlan: number;
  mode: "access" | "trunk";
}

export function portChanges(p: PortIntent): ConfigChange[] {
  check(
    interfaceName.test(p.port),
    "interface",
    p.port,
    "use a switch port name such as swp5, swp1s0 or bond1",
  );
  const vlan = int(p.vlan, 2, 4094, "VLAN");
  const domain: ConfigTree = p.mode === "access" ? { access: Number(vlan) } : { vlan: { [vlan]: {} } };
  return [{ path: ["interface", p.port, "bridge", "domain", "br_default"], value: domain }];
}

/**
 * Takes a VLAN off a port. When `lastUse` (no other attachment uses the port), the port leaves the
 * bridge entirely, so nothing of anyvpc's is left behind on it.
 */
export function removePortChanges(p: PortIntent & { lastUse?: boolean }): ConfigChange[] {
  check(
    interfaceName.test(p.port),
    "interface",
    p.port,
    "use a switch port name such as swp5, swp1s0 or bond1",
  );
  const vlan = int(p.vlan, 2, 4094, "VLAN");
  const at = ["interface", p.port, "bridge", "domain", "br_default"];
  if (p.lastUse) return [{ path: ["interface", p.port, "bridge"], value: null }];
  return p.mode === "access"
    ? [{ path: [...at, "access"], value: null }]
    : [{ path: [...at, "vlan", vlan], value: null }];
}

/** A VPC's end of an interconnect on the border leaf: the link VLAN, its SVI in the VRF, eBGP to Metal. */
export interface BorderIntent {
  vrf: string;
  /** The border port cabled to the interconnection; carries every VPC's link VLAN, tagged. */
  port: string;
  vlan: number;
  /** The leaf's address on the link with prefix length, e.g. "10.1.0.2/30". */
  address: string;
  /** The Metal VRF's address on the link: the BGP neighbor. */
  peer: string;
  peerAsn: number;
}

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function borderChanges(b: BorderIntent): ConfigChange[] {
  checkVrfName(b.vrf);
  check(interfaceName.test(b.port), "interface", b.port, "use a switch port name such as swp5 or bond1");
  const [addr, len] = b.address.split("/");
  check(
    ipv4.test(addr ?? "") && /^(30|31)$/.test(len ?? ""),
    "link address",
    b.address,
    "use an IPv4 /30 or /31",
  );
  check(ipv4.test(b.peer), "BGP neighbor", b.peer, "use an IPv4 address");
  const vlan = int(b.vlan, 2, 4094, "VLAN");
  return [
    // A switch-local VLAN (no VNI): the link does not stretch across the fabric.
    { path: ["bridge", "domain", "br_default", "vlan", vlan], value: {} },
    { path: ["interface", b.port, "bridge", "domain", "br_default", "vlan", vlan], value: {} },
    {
      path: ["interface", `vlan${vlan}`],
      value: { type: "svi", vlan: Number(vlan), ip: { vrf: b.vrf, address: { [b.address]: {} } } },
    },
    {
      path: ["vrf", b.vrf, "router", "bgp"],
      value: {
        neighbor: {
          [b.peer]: { type: "numbered", "remote-as": Number(int(b.peerAsn, 1, 4_294_967_295, "ASN")) },
        },
        // Metal's routes go to the other leaves as EVPN type-5; the VPC's subnets go to Metal.
        "address-family": {
          "ipv4-unicast": { enable: "on", redistribute: { connected: { enable: "on" } } },
        },
      },
    },
  ];
}

/** Takes a VPC's link off the border leaf (the VRF itself goes with the VPC). */
export function removeBorderChanges(b: Pick<BorderIntent, "vrf" | "port" | "vlan" | "peer">): ConfigChange[] {
  checkVrfName(b.vrf);
  check(interfaceName.test(b.port), "interface", b.port, "use a switch port name such as swp5 or bond1");
  check(ipv4.test(b.peer), "BGP neighbor", b.peer, "use an IPv4 address");
  const vlan = int(b.vlan, 2, 4094, "VLAN");
  return [
    { path: ["vrf", b.vrf, "router", "bgp", "neighbor", b.peer], value: null },
    { path: ["interface", `vlan${vlan}`], value: null },
    { path: ["interface", b.port, "bridge", "domain", "br_default", "vlan", vlan], value: null },
    { path: ["bridge", "domain", "br_default", "vlan", vlan], value: null },
  ];
}

/** A load balancer's VIP on a leaf: routed in the VPC's VRF to its backends, answering only on its listeners. */
export interface VipIntent {
  vrf: string;
  vip: string;
  /** Backend addresses: one ECMP next hop each. */
  nextHops: string[];
  listeners: { port: number; protocol: "tcp" | "udp" }[];
  /** The ACL's name: one per load balancer. */
  acl: string;
  /**
   * The backends' ports on this leaf: the ACL filters what leaves through them towards the VIP, so
   * the listener restriction holds whichever subnet, leaf or site a client comes from.
   */
  egress: string[];
  /** A public VIP is also routed from the default VRF (where outside traffic arrives) into the VPC's. */
  public?: boolean;
  /**
   * bgp mode: instead of a static route, the leaf peers with the backends on it (their speakers
   * announce the VIP and withdraw it when unhealthy) and accepts from them only the VIP's /32.
   */
  speakers?: { asn: number; peers: string[] };
}

const aclName = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

function checkIpv4(value: string, what: string): void {
  check(ipv4.test(value), what, value, "use an IPv4 address");
}

/**
 * The VIP's config. With `previous` (an update), what it had and no longer has is unset in the
 * same revision (PATCH merges), so next hops and rules change without a moment without a route.
 */
export function vipChanges(v: VipIntent, previous?: VipIntent): ConfigChange[] {
  checkVrfName(v.vrf);
  checkIpv4(v.vip, "VIP");
  v.nextHops.forEach((h) => checkIpv4(h, "next hop"));
  check(aclName.test(v.acl), "ACL name", v.acl, "use letters, digits, '_' or '-', starting with a letter");
  v.egress.forEach((i) =>
    check(interfaceName.test(i), "interface", i, "use a switch port name such as swp5"),
  );
  const rules: ConfigTree = {};
  v.listeners.forEach((l, i) => {
    // `match ip protocol tcp|udp` plus `match ip tcp|udp dest-port <port>`: the port match sits under
    // its protocol since Cumulus Linux 5.7 (5.0-5.6 had `match ip dest-port`).
    check(l.protocol === "tcp" || l.protocol === "udp", "listener protocol", l.protocol, "use tcp or udp");
    const ports: ConfigTree = { [int(l.port, 1, 65535, "port")]: {} };
    const ip: ConfigTree = {
      "dest-ip": `${v.vip}/32`,
      protocol: l.protocol,
      [l.protocol]: { "dest-port": ports },
    };
    // PATCH merges: the port or protocol this rule had before is unset, not left beside the new one.
    const was = previous?.listeners[i];
    if (was && was.protocol !== l.protocol) ip[was.protocol] = null;
    else if (was && was.port !== l.port) ports[String(was.port)] = null;
    rules[String(10 + i)] = { match: { ip }, action: { permit: {} } };
  });
  // Everything else to the VIP is dropped: it answers only on its listeners.
  rules["1000"] = { match: { ip: { "dest-ip": `${v.vip}/32` } }, action: { deny: {} } };
  const via: ConfigTree = Object.fromEntries(v.nextHops.map((h) => [h, {}]));
  for (const h of previous?.nextHops ?? []) if (!(h in via)) via[h] = null;
  (previous?.listeners ?? []).forEach((_, i) => {
    if (!(String(10 + i) in rules)) rules[String(10 + i)] = null;
  });
  const gone = (previous?.egress ?? []).filter((i) => !v.egress.includes(i));
  const leaked: ConfigTree = Object.fromEntries(
    Object.entries(via).map(([h, x]) => [h, x === null ? null : { vrf: v.vrf }]),
  );
  const routing: ConfigChange[] = v.speakers
    ? speakerChanges(v, v.speakers, previous?.speakers?.peers ?? [])
    : [{ path: ["vrf", v.vrf, "router", "static", `${v.vip}/32`], value: { via } }];
  return [
    ...routing,
    ...(v.public
      ? [{ path: ["vrf", "default", "router", "static", `${v.vip}/32`], value: { via: leaked } }]
      : []),
    { path: ["acl", v.acl], value: { type: "ipv4", rule: rules } },
    ...v.egress.map((port) => ({ path: ["interface", port, "acl", v.acl], value: { outbound: {} } })),
    ...gone.map((port) => ({ path: ["interface", port, "acl", v.acl], value: null })),
  ];
}

/** The leaf's BGP sessions with the backends' speakers, taking only the VIP from them. */
function speakerChanges(
  v: VipIntent,
  sp: { asn: number; peers: string[] },
  before: string[],
): ConfigChange[] {
  sp.peers.forEach((p) => checkIpv4(p, "BGP neighbor"));
  const asn = Number(int(sp.asn, 1, 4_294_967_295, "ASN"));
  const neighbor = {
    type: "numbered",
    "remote-as": asn,
    "address-family": { "ipv4-unicast": { enable: "on", policy: { inbound: { "route-map": v.acl } } } },
  };
  return [
    {
      path: ["router", "policy", "prefix-list", v.acl],
      value: {
        type: "ipv4",
        rule: { "10": { match: { [`${v.vip}/32`]: { "max-prefix-len": 32 } }, action: "permit" } },
      },
    },
    {
      path: ["router", "policy", "route-map", v.acl],
      value: { rule: { "10": { match: { type: "ipv4", "ip-prefix-list": v.acl }, action: { permit: {} } } } },
    },
    ...sp.peers.map((p) => ({ path: ["vrf", v.vrf, "router", "bgp", "neighbor", p], value: neighbor })),
    ...before
      .filter((p) => !sp.peers.includes(p))
      .map((p) => ({ path: ["vrf", v.vrf, "router", "bgp", "neighbor", p], value: null })),
  ];
}

export function removeVipChanges(
  v: Pick<VipIntent, "vrf" | "vip" | "acl" | "egress" | "public" | "speakers">,
): ConfigChange[] {
  checkVrfName(v.vrf);
  checkIpv4(v.vip, "VIP");
  check(aclName.test(v.acl), "ACL name", v.acl, "use letters, digits, '_' or '-', starting with a letter");
  return [
    ...v.egress.map((port) => ({ path: ["interface", port, "acl", v.acl], value: null })),
    { path: ["acl", v.acl], value: null },
    ...(v.speakers
      ? [
          ...v.speakers.peers.map((p) => ({
            path: ["vrf", v.vrf, "router", "bgp", "neighbor", p],
            value: null,
          })),
          { path: ["router", "policy", "route-map", v.acl], value: null },
          { path: ["router", "policy", "prefix-list", v.acl], value: null },
        ]
      : [{ path: ["vrf", v.vrf, "router", "static", `${v.vip}/32`], value: null }]),
    ...(v.public ? [{ path: ["vrf", "default", "router", "static", `${v.vip}/32`], value: null }] : []),
  ];
}
