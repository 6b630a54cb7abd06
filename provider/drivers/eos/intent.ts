// The fabric intent for Arista EOS, as pure functions from planned values to CLI lines (one
// command per line, in the order EOS needs them inside one configuration session): VPC → VRF with
// L3VNI and EVPN route targets; Subnet → VLAN + L2VNI + SVI with an anycast gateway in the VRF;
// Attachment → a port's access VLAN or trunk membership; LoadBalancer VIP → ECMP static routes
// and an egress ACL that lets only the listeners through to the VIP. Each has its removal, in
// reverse order.
//
// Every value that becomes part of a line is checked here first: names against allow-lists,
// numbers as integers in range, addresses parsed. A value with a space, `!`, `|`, a control
// character or anything else outside its allow-list is refused with an error naming it, so no
// value can add a word to a command, start a second command or comment out the rest of one
// (/work/shared/notes/nvue-and-eos.md §2, "Injection risks").
//
// The CLI is the contract's (this folder) and aristanetworks/avd's intended configs
// (`examples/single-dc-l3ls/intended/configs/dc1-leaf2a.cfg`): `vrf instance`, `ip routing vrf`,
// `interface Vxlan1` > `vxlan vrf|vlan ... vni`, `router bgp` > `vrf` / `vlan` with `rd`,
// `route-target import|export evpn` / `both`, `redistribute connected|learned`, `interface VlanN` >
// `vrf`, `ip address virtual`.
import ipaddr from "ipaddr.js";
import { AnyvpcError } from "../../errors";

// Names from the contract: VRF and ACL names, VLAN names.
const identifier = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
const vlanNamePattern = /^[A-Za-z0-9_.-]{1,32}$/;
const ethernetPattern = /^Ethernet[1-9][0-9]{0,3}(?:\/[1-9][0-9]{0,3})?$/;
const ipv4Pattern =
  /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;

const MAX_VNI = 16_777_214;
const MAX_ASN = 4_294_967_295;

/** The value as an error shows it: quoted and escaped (a newline shows as \n), long ones cut. */
function shown(value: unknown): string {
  if (typeof value !== "string") return typeof value === "object" ? JSON.stringify(value) : String(value);
  return value.length > 64
    ? `${JSON.stringify(value.slice(0, 64))}… (${value.length} characters)`
    : JSON.stringify(value);
}

function refuse(what: string, value: unknown, fix: string): never {
  throw new AnyvpcError(`${what} ${shown(value)} is not allowed on an EOS switch`, { value, fix });
}

function name(value: unknown, what: string, pattern: RegExp, fix: string): string {
  if (typeof value !== "string" || !pattern.test(value)) refuse(what, value, fix);
  return value;
}

function vrfName(value: unknown): string {
  const vrf = name(
    value,
    "VRF name",
    identifier,
    "use 1-100 letters, digits, '_' or '-', starting with a letter",
  );
  // EOS's own VRF cannot be created or removed (the contract's simulator refuses it too).
  if (vrf.toLowerCase() === "default") refuse("VRF name", value, "use a name other than the default VRF's");
  return vrf;
}

const aclName = (value: unknown) =>
  name(value, "ACL name", identifier, "use 1-100 letters, digits, '_' or '-', starting with a letter");

const ethernet = (value: unknown) =>
  name(value, "interface", ethernetPattern, "use an Ethernet port name such as Ethernet5 or Ethernet49/1");

function int(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    refuse(what, value, `use an integer from ${min} to ${max}`);
  return value;
}

// VLAN 1 is every port's default VLAN: EOS does not print `switchport access vlan 1`, and it is
// never a subnet's.
const vlanId = (value: unknown) => int(value, 2, 4094, "VLAN");
const vni = (value: unknown, what = "VNI") => int(value, 1, MAX_VNI, what);
const asNumber = (value: unknown) => int(value, 1, MAX_ASN, "ASN");

function ipv4(value: unknown, what: string): string {
  if (typeof value !== "string" || !ipv4Pattern.test(value))
    refuse(what, value, "use an IPv4 address in dotted-quad form, e.g. 10.1.2.3");
  return value;
}

/** An interface address "A.B.C.D/len" or "X:Y::Z/len", IPv6 in the compressed lower-case form EOS prints. */
function gateway(value: unknown): { family: 4 | 6; text: string } {
  const fix = "use an address with prefix length, e.g. 10.1.2.1/24 or fd00::1/64";
  if (typeof value !== "string") refuse("gateway", value, fix);
  const m = /^([0-9A-Fa-f:.]+)\/([1-9][0-9]{0,2})$/.exec(value);
  const addr = m?.[1] ?? "";
  const len = Number(m?.[2]);
  if (ipv4Pattern.test(addr) && len <= 32) return { family: 4, text: `${addr}/${len}` };
  if (addr.includes(":") && !addr.includes(".") && ipaddr.IPv6.isValid(addr) && len <= 128)
    return { family: 6, text: `${ipaddr.IPv6.parse(addr).toRFC5952String()}/${len}` };
  return refuse("gateway", value, fix);
}

/**
 * A route distinguisher or route target, "<admin>:<assigned>" per RFC 4364 §4.2: a 2-byte ASN with
 * a 4-byte number (type 0), an IPv4 address with a 2-byte number (type 1) or a 4-byte ASN with a
 * 2-byte number (type 2). EOS and the contract's simulator refuse anything else.
 */
export function isRouteDistinguisher(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = /^([0-9.]+):(0|[1-9][0-9]{0,9})$/.exec(value);
  if (!m) return false;
  const assigned = Number(m[2]);
  if (m[1]!.includes(".")) return ipv4Pattern.test(m[1]!) && assigned <= 65_535;
  if (!/^[1-9][0-9]{0,9}$/.test(m[1]!)) return false;
  const admin = Number(m[1]);
  return admin <= MAX_ASN && assigned <= (admin <= 65_535 ? MAX_ASN : 65_535);
}

/**
 * The route distinguisher of a VRF or VLAN on one switch: `<routerId>:<n>`, unique per switch
 * (the avd intended configs' form). An IPv4 address takes only a 2-byte number, so above 65535
 * (the default VNI pools are) it is `<asn>:<n>` with a 2-byte ASN; with a 4-byte ASN as well, no
 * RD of either form can carry `n`, and it is refused.
 */
export function routeDistinguisher(routerId: string, asn: number, n: number): string {
  ipv4(routerId, "router id");
  asNumber(asn);
  if (n <= 65_535) return `${routerId}:${n}`;
  if (asn <= 65_535) return `${asn}:${n}`;
  return refuse(
    "route distinguisher number",
    n,
    `an RD takes a number above 65535 only with a 2-byte ASN (the site's ASN is ${asn}); use VNIs up to 65535`,
  );
}

/**
 * A subnet's route target: `<vni>:<vni>` (the avd intended configs' form) while the VNI fits the
 * 2-byte admin field; above 65535 that form is not a valid route target, and it is `<asn>:<vni>`
 * with a 2-byte ASN (every leaf derives the same one).
 */
export function subnetRouteTarget(asn: number, l2Vni: number): string {
  asNumber(asn);
  vni(l2Vni);
  if (l2Vni <= 65_535) return `${l2Vni}:${l2Vni}`;
  if (asn <= 65_535) return `${asn}:${l2Vni}`;
  return refuse(
    "route target VNI",
    l2Vni,
    `a route target takes a VNI above 65535 only with a 2-byte ASN (the site's ASN is ${asn}); use VNIs up to 65535`,
  );
}

// ---------------------------------------------------------------------------------------------

export interface VrfIntent {
  vrf: string;
  l3Vni: number;
  /** The VPC's EVPN route target, imported and exported, e.g. "65000:1000001". */
  routeTarget: string;
  /** The switch's BGP ASN (its `router bgp`). */
  asn: number;
  /** The switch's BGP router id, the admin part of its route distinguishers. */
  routerId: string;
}

/** A VPC on one switch: the VRF, routing in it, its L3VNI on Vxlan1 and its EVPN instance in BGP. */
export function vrfLines(v: VrfIntent): string[] {
  const vrf = vrfName(v.vrf);
  const l3 = vni(v.l3Vni, "L3VNI");
  const asn = asNumber(v.asn);
  if (!isRouteDistinguisher(v.routeTarget))
    refuse("route target", v.routeTarget, "use ASN:number (or IPv4:number) as in RFC 4364");
  const rd = routeDistinguisher(v.routerId, asn, l3);
  return [
    // The VRF first: everything below refers to it.
    `vrf instance ${vrf}`,
    "exit",
    `ip routing vrf ${vrf}`,
    "interface Vxlan1",
    `vxlan vrf ${vrf} vni ${l3}`,
    "exit",
    `router bgp ${asn}`,
    `vrf ${vrf}`,
    `rd ${rd}`,
    `route-target import evpn ${v.routeTarget}`,
    `route-target export evpn ${v.routeTarget}`,
    "redistribute connected",
    "redistribute static",
    "exit",
    "exit",
  ];
}

/** Takes a VPC off a switch: BGP first, then the L3VNI, routing, and the VRF last. */
export function removeVrfLines(v: Pick<VrfIntent, "vrf" | "l3Vni" | "asn">): string[] {
  const vrf = vrfName(v.vrf);
  const l3 = vni(v.l3Vni, "L3VNI");
  const asn = asNumber(v.asn);
  return [
    `router bgp ${asn}`,
    `no vrf ${vrf}`,
    "exit",
    "interface Vxlan1",
    `no vxlan vrf ${vrf} vni ${l3}`,
    "exit",
    `no ip routing vrf ${vrf}`,
    `no vrf instance ${vrf}`,
  ];
}

export interface SubnetIntent {
  vrf: string;
  vlan: number;
  vni: number;
  /** Anycast gateways with prefix length: at most one IPv4 and one IPv6, e.g. ["10.1.2.1/24", "fd00::1/64"]. */
  gateways: string[];
  /** The VLAN's name. */
  name?: string;
  asn: number;
  routerId: string;
}

/** A subnet on one switch: VLAN, SVI with the anycast gateway in the VRF, L2VNI, its EVPN instance. */
export function subnetLines(s: SubnetIntent): string[] {
  const vrf = vrfName(s.vrf);
  const vlan = vlanId(s.vlan);
  const l2 = vni(s.vni);
  const asn = asNumber(s.asn);
  if (!Array.isArray(s.gateways)) refuse("gateways", s.gateways, "give a list of gateway addresses");
  const gateways = s.gateways.map(gateway);
  for (const family of [4, 6] as const)
    if (gateways.filter((g) => g.family === family).length > 1)
      refuse("gateways", s.gateways, `give at most one IPv${family} gateway`);
  const rd = routeDistinguisher(s.routerId, asn, l2);
  const rt = subnetRouteTarget(asn, l2);
  const lines = [`vlan ${vlan}`];
  if (s.name !== undefined)
    lines.push(
      `name ${name(s.name, "VLAN name", vlanNamePattern, "use 1-32 letters, digits, '_', '.' or '-'")}`,
    );
  lines.push(
    "exit",
    `interface Vlan${vlan}`,
    // The VRF before the addresses: EOS drops an interface's addresses when its VRF changes.
    `vrf ${vrf}`,
    ...gateways.map((g) => `${g.family === 4 ? "ip" : "ipv6"} address virtual ${g.text}`),
    "exit",
    "interface Vxlan1",
    `vxlan vlan ${vlan} vni ${l2}`,
    "exit",
    `router bgp ${asn}`,
    `vlan ${vlan}`,
    `rd ${rd}`,
    `route-target both ${rt}`,
    "redistribute learned",
    "exit",
    "exit",
  );
  return lines;
}

/** Takes a subnet off a switch, in reverse: BGP, the L2VNI, the SVI, the VLAN. */
export function removeSubnetLines(s: Pick<SubnetIntent, "vlan" | "vni" | "asn">): string[] {
  const vlan = vlanId(s.vlan);
  const l2 = vni(s.vni);
  const asn = asNumber(s.asn);
  return [
    `router bgp ${asn}`,
    `no vlan ${vlan}`,
    "exit",
    "interface Vxlan1",
    `no vxlan vlan ${vlan} vni ${l2}`,
    "exit",
    `no interface Vlan${vlan}`,
    `no vlan ${vlan}`,
  ];
}

export interface PortIntent {
  port: string;
  vlan: number;
  mode: "access" | "trunk";
  /** Removal only: no other attachment uses the port, so it goes back to its defaults (access, VLAN 1, every VLAN on a trunk). */
  lastUse?: boolean;
  /**
   * Trunk only: no other attachment uses the port yet. EOS lets a trunk carry every VLAN by
   * default and `add` to that keeps every VLAN, so the first attachment sets the list to its VLAN
   * alone; later ones add theirs.
   */
  firstUse?: boolean;
}

function checkMode(mode: unknown): "access" | "trunk" {
  if (mode !== "access" && mode !== "trunk") refuse("port mode", mode, "use access or trunk");
  return mode;
}

/** An attachment on its switch port: the access VLAN, or the VLAN added to the trunk. */
export function portLines(p: PortIntent): string[] {
  const port = ethernet(p.port);
  const vlan = vlanId(p.vlan);
  if (checkMode(p.mode) === "access")
    return [`interface ${port}`, "switchport mode access", `switchport access vlan ${vlan}`, "exit"];
  return [
    `interface ${port}`,
    "switchport mode trunk",
    p.firstUse ? `switchport trunk allowed vlan ${vlan}` : `switchport trunk allowed vlan add ${vlan}`,
    "exit",
  ];
}

/**
 * Takes an attachment off its port. The last one puts the port back to its defaults, line by
 * line (not `default interface`, which would also drop a load balancer's ACL on the port).
 */
export function removePortLines(p: PortIntent): string[] {
  const port = ethernet(p.port);
  const vlan = vlanId(p.vlan);
  const mode = checkMode(p.mode);
  if (p.lastUse)
    return [
      `interface ${port}`,
      mode === "access" ? "no switchport access vlan" : "no switchport trunk allowed vlan",
      "no switchport mode",
      "exit",
    ];
  return [
    `interface ${port}`,
    mode === "access" ? "no switchport access vlan" : `switchport trunk allowed vlan remove ${vlan}`,
    "exit",
  ];
}

export interface VipIntent {
  vrf: string;
  vip: string;
  /** Backend addresses: one ECMP next hop each. */
  nextHops: string[];
  listeners: { port: number; protocol: "tcp" | "udp" }[];
  /** The ACL's name: one per load balancer. */
  acl: string;
  /** The backends' ports on this switch: the ACL filters what leaves through them. */
  egressPorts: string[];
}

// ACL sequence numbers: listeners from 10 in steps of 10, then the deny for the rest of the VIP's
// traffic and the permit for everything else.
const LISTENER_SEQ_STEP = 10;
const MAX_LISTENERS = 9_999;
const DENY_SEQ = 100_000;
const PERMIT_ALL_SEQ = 100_010;

interface CheckedVip {
  vrf: string;
  vip: string;
  nextHops: string[];
  acl: string;
  egressPorts: string[];
  /** Sequence number → rule text, in order. */
  entries: Map<number, string>;
}

function checkVip(v: VipIntent): CheckedVip {
  const vrf = vrfName(v.vrf);
  const vip = ipv4(v.vip, "VIP");
  const acl = aclName(v.acl);
  if (!Array.isArray(v.nextHops)) refuse("next hops", v.nextHops, "give a list of IPv4 addresses");
  if (!Array.isArray(v.listeners)) refuse("listeners", v.listeners, "give a list of {port, protocol}");
  if (!Array.isArray(v.egressPorts)) refuse("egress ports", v.egressPorts, "give a list of Ethernet ports");
  const nextHops = [...new Set(v.nextHops.map((h) => ipv4(h, "next hop")))];
  const egressPorts = [...new Set(v.egressPorts.map(ethernet))];
  const listeners = new Map<string, string>();
  for (const l of v.listeners) {
    const protocol = l?.protocol;
    if (protocol !== "tcp" && protocol !== "udp") refuse("listener protocol", protocol, "use tcp or udp");
    const port = int(l.port, 1, 65_535, "listener port");
    listeners.set(
      `${protocol}/${String(port).padStart(5, "0")}`,
      `permit ${protocol} any host ${vip} eq ${port}`,
    );
  }
  if (listeners.size > MAX_LISTENERS)
    refuse("listener count", listeners.size, `use at most ${MAX_LISTENERS} listeners`);
  const entries = new Map<number, string>();
  [...listeners.keys()].sort().forEach((k, i) => entries.set((i + 1) * LISTENER_SEQ_STEP, listeners.get(k)!));
  // Everything else to the VIP is dropped: it answers only on its listeners.
  entries.set(DENY_SEQ, `deny ip any host ${vip}`);
  entries.set(PERMIT_ALL_SEQ, "permit ip any any");
  return { vrf, vip, nextHops, acl, egressPorts, entries };
}

const route = (v: CheckedVip, hop: string) => `ip route vrf ${v.vrf} ${v.vip}/32 ${hop}`;

/**
 * A VIP on one switch: its ACL (before any port applies it), the ACL out on each backend port,
 * then the ECMP routes that draw traffic to the VIP. With `previous` (an update), what it had and
 * no longer has is removed in the same session. Each ACL entry is written as `no <seq>` then the
 * entry, so writing it again over an ACL that already holds it is not refused as a duplicate
 * sequence number.
 */
export function vipLines(v: VipIntent, previous?: VipIntent): string[] {
  const now = checkVip(v);
  const before = previous ? checkVip(previous) : undefined;
  const lines = [`ip access-list ${now.acl}`];
  if (before && before.acl === now.acl)
    for (const seq of before.entries.keys()) if (!now.entries.has(seq)) lines.push(`no ${seq}`);
  for (const [seq, rule] of now.entries) lines.push(`no ${seq}`, `${seq} ${rule}`);
  lines.push("exit");
  for (const port of now.egressPorts)
    lines.push(`interface ${port}`, `ip access-group ${now.acl} out`, "exit");
  lines.push(...now.nextHops.map((h) => route(now, h)));
  if (before) {
    const routes = new Set(now.nextHops.map((h) => route(now, h)));
    lines.push(
      ...before.nextHops
        .map((h) => route(before, h))
        .filter((r) => !routes.has(r))
        .map((r) => `no ${r}`),
    );
    for (const port of before.egressPorts)
      if (before.acl !== now.acl || !now.egressPorts.includes(port))
        lines.push(`interface ${port}`, `no ip access-group ${before.acl} out`, "exit");
    if (before.acl !== now.acl) lines.push(`no ip access-list ${before.acl}`);
  }
  return lines;
}

/** Takes a VIP off a switch, in reverse: its routes, the ACL off the ports, the ACL. */
export function removeVipLines(v: VipIntent): string[] {
  const c = checkVip(v);
  return [
    ...c.nextHops.map((h) => `no ${route(c, h)}`),
    ...c.egressPorts.flatMap((port) => [`interface ${port}`, `no ip access-group ${c.acl} out`, "exit"]),
    `no ip access-list ${c.acl}`,
  ];
}
