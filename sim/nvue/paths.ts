// The NVUE config paths the simulator accepts in a PATCH, each held to NVIDIA's documentation: the
// `nv set` command that NVIDIA's Cumulus Linux NVUE command reference (or, where the reference lacks
// it, the Cumulus Linux user guide) documents for it, the value type it takes, the release checked,
// and what changed between 5.x releases. A PATCH that writes a path or value outside this table is
// refused with a 400 naming the path, as a switch refuses an unknown property.
//
// A path is the `nv set` command with one JSON object level per word: `nv set acl A rule 10 match ip
// tcp dest-port 443` is `{"acl":{"A":{"rule":{"10":{"match":{"ip":{"tcp":{"dest-port":{"443":{}}}}}}}}}}`.
// Segments in angle brackets are keys the user chooses (names, ids, prefixes); the simulator does not
// check their form at PATCH time (the apply-time validation in validate.ts does, where it matters).
//
// `writer: "anyvpc"` rows are every path anyvpc's NVUE driver writes (provider/drivers/nvue/intent.ts;
// test/sim/nvue-paths.test.ts fails when the driver writes a path that is not here). `writer:
// "fabric"` rows are underlay settings an operator configures and that anyvpc never writes; the
// simulator's own tests and hand-built fabrics use them.
//
// Release checked: 5.9 (the user guide of 5.9 and the NVUE command reference, whose entries state the
// release that introduced each command). Differences between 5.x releases that touch these paths:
// - 5.7.0 moved the ACL port matches under the protocol (`match ip dest-port` →
//   `match ip tcp|udp dest-port`; 5.0-5.6 only had the former). Source: WHATS_NEW_57.
// - 5.15 renames `enable on|off` to `state enabled|disabled` (and `on|off` leaves to
//   `enabled|disabled`), and moves `interface <id> ip address|vrr` to `interface <id> ipv4|ipv6 ...`
//   and `interface <id> ip vrf` to `interface <id> vrf`. Source: CHANGED_515. The table describes the
//   5.7-5.14 schema; a 5.15 switch refuses anyvpc's `enable`/`ip` paths.

import { parseIp, parsePrefix } from "./net";
import { isTree, type ConfigValue } from "./tree";

export type NvueValueType =
  /** A collection entry or presence marker: the value is an object (`{}` or one with documented children). */
  | { kind: "object" }
  /** The strings "on" / "off". */
  | { kind: "on-off" }
  | { kind: "enum"; values: readonly string[] }
  /** A JSON integer in [min, max], or one of `keywords` (strings). */
  | { kind: "integer"; min: number; max: number; keywords?: readonly string[] }
  /** An IPv4 or IPv6 address with prefix length, as a string. */
  | { kind: "ip-prefix" }
  /** An IPv4 or IPv6 address, as a string. */
  | { kind: "ip-address" }
  /** A MAC address (or "auto"). */
  | { kind: "mac" }
  /** The name of another NVUE object (a VRF, a route map, a prefix list): a non-empty string. */
  | { kind: "name" }
  /** Free text. */
  | { kind: "text" };

export interface NvuePathRow {
  /** The JSON path, "/"-separated; "<...>" segments are user-chosen keys. */
  path: string;
  /** The `nv set` command NVIDIA documents for it. */
  command: string;
  value: NvueValueType;
  writer: "anyvpc" | "fabric";
  /** Whether NVIDIA's documentation has it (every row here is documented; see `source`). */
  documented: boolean;
  /** The Cumulus Linux release whose documentation was checked. */
  release: string;
  /** The documentation page(s) that document it. */
  source: string[];
  /** How the path differs between 5.x releases, or a caveat NVIDIA's documentation states. */
  differs?: string;
}

// Documentation pages checked (docs.nvidia.com, sources in github.com/CumulusNetworks/docs).
const DOCS = "https://docs.nvidia.com/networking-ethernet-software";
export const NVUE_DOC_PAGES = {
  REF_ACL: `${DOCS}/nvue-reference/Set-and-Unset-Commands/ACL/`,
  REF_BGP: `${DOCS}/nvue-reference/Set-and-Unset-Commands/BGP/`,
  REF_BGP_EVPN: `${DOCS}/nvue-reference/Set-and-Unset-Commands/BGP-EVPN/`,
  REF_BRIDGE: `${DOCS}/nvue-reference/Set-and-Unset-Commands/Bridge/`,
  REF_EVPN: `${DOCS}/nvue-reference/Set-and-Unset-Commands/EVPN/`,
  REF_INTERFACE: `${DOCS}/nvue-reference/Set-and-Unset-Commands/Interface/`,
  REF_POLICY: `${DOCS}/nvue-reference/Set-and-Unset-Commands/Router-Policy/`,
  REF_STATIC: `${DOCS}/nvue-reference/Set-and-Unset-Commands/Static-Routing/`,
  REF_VRR: `${DOCS}/nvue-reference/Set-and-Unset-Commands/VRR/`,
  UG59_ACL: `${DOCS}/cumulus-linux-59/System-Configuration/Access-Control-Lists/Access-Control-List-Configuration/`,
  UG59_EVPN_BASIC: `${DOCS}/cumulus-linux-59/Network-Virtualization/Ethernet-Virtual-Private-Network-EVPN/Basic-Configuration/`,
  UG59_INTER_SUBNET: `${DOCS}/cumulus-linux-59/Network-Virtualization/Ethernet-Virtual-Private-Network-EVPN/Inter-subnet-Routing/`,
  UG59_ROUTE_FILTERING: `${DOCS}/cumulus-linux-59/Layer-3/Routing/Route-Filtering-and-Redistribution/`,
  UG59_STATIC: `${DOCS}/cumulus-linux-59/Layer-3/Routing/Static-Routing/`,
  UG59_VRF: `${DOCS}/cumulus-linux-59/Layer-3/VRFs/Virtual-Routing-and-Forwarding-VRF/`,
  WHATS_NEW_57: `${DOCS}/cumulus-linux-57/Whats-New/`,
  CHANGED_515: `${DOCS}/cumulus-linux-515/Whats-New/New-and-Changed-NVUE-Commands/`,
} as const;
const P = NVUE_DOC_PAGES;

const OBJECT: NvueValueType = { kind: "object" };
const ON_OFF: NvueValueType = { kind: "on-off" };
const NAME: NvueValueType = { kind: "name" };
const ASN: NvueValueType = { kind: "integer", min: 1, max: 4_294_967_295 };
const STATE_515 = "5.15: `... state enabled|disabled` replaces `... enable on|off` (CHANGED_515)";
const IP_515 = "5.15: under `interface <interface-id> ipv4|ipv6` instead of `ip` (CHANGED_515)";

function row(
  writer: NvuePathRow["writer"],
  path: string,
  command: string,
  value: NvueValueType,
  source: string[],
  differs?: string,
): NvuePathRow {
  return {
    path,
    command,
    value,
    writer,
    documented: true,
    release: "5.9",
    source,
    ...(differs ? { differs } : {}),
  };
}
type RowArgs = [path: string, command: string, value: NvueValueType, source: string[], differs?: string];
const anyvpc = (...a: RowArgs) => row("anyvpc", ...a);
const fabric = (...a: RowArgs) => row("fabric", ...a);

const ACL_RULE = "acl/<acl-id>/rule/<rule-id>";
const NEIGHBOR = "vrf/<vrf-id>/router/bgp/neighbor/<neighbor-id>";
const PORT_DOMAIN = "interface/<interface-id>/bridge/domain/<domain-id>";
const PORT_SPEC = "interface <interface-id> bridge domain <domain-id>";

export const NVUE_PATHS: readonly NvuePathRow[] = [
  // VPC → VRF with an L3VNI and route targets (vrfChanges).
  anyvpc("vrf/<vrf-id>", "nv set vrf <vrf-id>", OBJECT, [P.UG59_VRF]),
  anyvpc(
    "vrf/<vrf-id>/evpn/enable",
    "nv set vrf <vrf-id> evpn enable on|off",
    ON_OFF,
    [P.REF_EVPN],
    STATE_515,
  ),
  anyvpc("vrf/<vrf-id>/evpn/vni/<vni-id>", "nv set vrf <vrf-id> evpn vni <vni-id>", OBJECT, [
    P.REF_EVPN,
    P.UG59_INTER_SUBNET,
  ]),
  anyvpc(
    "vrf/<vrf-id>/router/bgp/enable",
    "nv set vrf <vrf-id> router bgp enable on|off",
    ON_OFF,
    [P.REF_BGP],
    STATE_515,
  ),
  anyvpc(
    "vrf/<vrf-id>/router/bgp/autonomous-system",
    "nv set vrf <vrf-id> router bgp autonomous-system <1-4294967295>",
    ASN,
    [P.REF_BGP, P.UG59_VRF],
    "UG59_VRF: a VRF's BGP instance must use the global AS",
  ),
  anyvpc(
    "vrf/<vrf-id>/router/bgp/route-import/from-evpn/route-target/<rt-id>",
    "nv set vrf <vrf-id> router bgp route-import from-evpn route-target <rt-id>",
    OBJECT,
    [P.REF_BGP_EVPN, P.UG59_INTER_SUBNET],
  ),
  anyvpc(
    "vrf/<vrf-id>/router/bgp/route-export/to-evpn/route-target/<rt-id>",
    "nv set vrf <vrf-id> router bgp route-export to-evpn route-target <rt-id>",
    OBJECT,
    [P.REF_BGP_EVPN, P.UG59_INTER_SUBNET],
  ),

  // Subnet → VLAN + L2VNI + SVI with the anycast gateway (subnetChanges; borderChanges' link VLAN).
  anyvpc("bridge/domain/<domain-id>/vlan/<vid>", "nv set bridge domain <domain-id> vlan <vid>", OBJECT, [
    P.REF_BRIDGE,
  ]),
  anyvpc(
    "bridge/domain/<domain-id>/vlan/<vid>/vni/<vni-id>",
    "nv set bridge domain <domain-id> vlan <vid> vni <vni-id>",
    OBJECT,
    [P.REF_BRIDGE, P.UG59_EVPN_BASIC],
  ),
  anyvpc("interface/<interface-id>", "nv set interface <interface-id>", OBJECT, [P.REF_INTERFACE]),
  anyvpc(
    "interface/<interface-id>/type",
    "nv set interface <interface-id> type swp|eth|bond|loopback|svi|sub|peerlink|tunnel|bridge|vrf",
    {
      kind: "enum",
      values: ["swp", "eth", "bond", "loopback", "svi", "sub", "peerlink", "tunnel", "bridge", "vrf"],
    },
    [P.REF_INTERFACE],
  ),
  anyvpc(
    "interface/<interface-id>/vlan",
    "nv set interface <interface-id> vlan <1-4094>",
    { kind: "integer", min: 1, max: 4094 },
    [P.REF_INTERFACE],
  ),
  anyvpc(
    "interface/<interface-id>/description",
    "nv set interface <interface-id> description <text>",
    { kind: "text" },
    [P.REF_INTERFACE],
  ),
  anyvpc(
    "interface/<interface-id>/ip/vrf",
    "nv set interface <interface-id> ip vrf <vrf-name>",
    NAME,
    [P.UG59_STATIC, P.UG59_VRF],
    "5.15: `nv set interface <interface-id> vrf <vrf-name>` (CHANGED_515)",
  ),
  anyvpc(
    "interface/<interface-id>/ip/vrr/enable",
    "nv set interface <interface-id> ip vrr enable on|off",
    ON_OFF,
    [P.REF_VRR],
    `${STATE_515}; ${IP_515}`,
  ),
  anyvpc(
    "interface/<interface-id>/ip/vrr/mac-address",
    "nv set interface <interface-id> ip vrr mac-address <mac-address>",
    { kind: "mac" },
    [P.REF_VRR],
    IP_515,
  ),
  anyvpc(
    "interface/<interface-id>/ip/vrr/address/<ip-prefix-id>",
    "nv set interface <interface-id> ip vrr address <ip-prefix-id>",
    OBJECT,
    [P.REF_VRR],
    IP_515,
  ),
  anyvpc(
    "interface/<interface-id>/ip/address/<ip-prefix-id>",
    "nv set interface <interface-id> ip address <ip-prefix-id>",
    OBJECT,
    [P.UG59_STATIC],
    IP_515,
  ),

  // Attachment → a port's access VLAN or trunk membership (portChanges; borderChanges' tagged port).
  anyvpc(PORT_DOMAIN, `nv set ${PORT_SPEC}`, OBJECT, [P.REF_BRIDGE]),
  anyvpc(
    `${PORT_DOMAIN}/access`,
    `nv set ${PORT_SPEC} access <1-4094>|none|auto`,
    { kind: "integer", min: 1, max: 4094, keywords: ["none", "auto"] },
    [P.REF_BRIDGE],
  ),
  anyvpc(`${PORT_DOMAIN}/vlan/<vid>`, `nv set ${PORT_SPEC} vlan <vid>`, OBJECT, [P.REF_BRIDGE]),

  // Interconnect: eBGP to the Metal VRF on the border leaf (borderChanges).
  anyvpc(
    NEIGHBOR,
    "nv set vrf <vrf-id> router bgp neighbor <neighbor-id>",
    OBJECT,
    [P.REF_BGP],
    "the 5.9 user guide's startup.yaml listings (UG59_EVPN_BASIC) show the key as `peer`; the command reference and REST path use `neighbor`",
  ),
  anyvpc(
    `${NEIGHBOR}/type`,
    "nv set vrf <vrf-id> router bgp neighbor <neighbor-id> type numbered|unnumbered",
    {
      kind: "enum",
      values: ["numbered", "unnumbered"],
    },
    [P.REF_BGP],
  ),
  anyvpc(
    `${NEIGHBOR}/remote-as`,
    "nv set vrf <vrf-id> router bgp neighbor <neighbor-id> remote-as <1-4294967295>|auto|internal|external",
    { kind: "integer", min: 1, max: 4_294_967_295, keywords: ["auto", "internal", "external"] },
    [P.REF_BGP],
  ),
  anyvpc(
    "vrf/<vrf-id>/router/bgp/address-family/ipv4-unicast/enable",
    "nv set vrf <vrf-id> router bgp address-family ipv4-unicast enable on|off",
    ON_OFF,
    [P.REF_BGP],
    STATE_515,
  ),
  anyvpc(
    "vrf/<vrf-id>/router/bgp/address-family/ipv4-unicast/redistribute/connected/enable",
    "nv set vrf <vrf-id> router bgp address-family ipv4-unicast redistribute connected enable on|off",
    ON_OFF,
    [P.UG59_VRF],
    STATE_515,
  ),

  // Load balancer VIP: static route (leaked from the default VRF when public), ACL, BGP speakers (vipChanges).
  anyvpc("vrf/<vrf-id>/router/static/<route-id>", "nv set vrf <vrf-id> router static <route-id>", OBJECT, [
    P.REF_STATIC,
  ]),
  anyvpc(
    "vrf/<vrf-id>/router/static/<route-id>/via/<via-id>",
    "nv set vrf <vrf-id> router static <route-id> via <via-id>",
    OBJECT,
    [P.REF_STATIC, P.UG59_STATIC],
  ),
  anyvpc(
    "vrf/<vrf-id>/router/static/<route-id>/via/<via-id>/vrf",
    "nv set vrf <vrf-id> router static <route-id> via <via-id> vrf <vrf-id>",
    NAME,
    [P.REF_STATIC],
    "UG59_VRF says Cumulus Linux supports dynamic VRF route leaking, not static route leaking; the command itself is in the reference since 5.0.0",
  ),
  anyvpc("acl/<acl-id>", "nv set acl <acl-id>", OBJECT, [P.REF_ACL]),
  anyvpc(
    "acl/<acl-id>/type",
    "nv set acl <acl-id> type ipv4|ipv6|mac",
    {
      kind: "enum",
      values: ["ipv4", "ipv6", "mac"],
    },
    [P.UG59_ACL, P.REF_ACL],
    "the reference lists it as `acl <acl-id> rule <rule-id> type`; the user guide's examples set it on the ACL",
  ),
  anyvpc(ACL_RULE, "nv set acl <acl-id> rule <rule-id>", OBJECT, [P.REF_ACL]),
  anyvpc(
    `${ACL_RULE}/match/ip/dest-ip`,
    "nv set acl <acl-id> rule <rule-id> match ip dest-ip <ip-address>",
    {
      kind: "ip-prefix",
    },
    [P.REF_ACL, P.UG59_ACL],
  ),
  anyvpc(
    `${ACL_RULE}/match/ip/protocol`,
    "nv set acl <acl-id> rule <rule-id> match ip protocol tcp|udp|ospf|pim|icmp|icmpv6|igmp",
    { kind: "enum", values: ["tcp", "udp", "ospf", "pim", "icmp", "icmpv6", "igmp"] },
    [P.REF_ACL, P.UG59_ACL],
  ),
  anyvpc(
    `${ACL_RULE}/match/ip/tcp/dest-port/<ip-port-id>`,
    "nv set acl <acl-id> rule <rule-id> match ip tcp dest-port <ip-port-id>",
    OBJECT,
    [P.UG59_ACL, P.WHATS_NEW_57],
    "5.0-5.6: `match ip dest-port <ip-port-id>` (no protocol level); 5.7.0 changed it (WHATS_NEW_57). The command reference has no entry for the new form",
  ),
  anyvpc(
    `${ACL_RULE}/match/ip/udp/dest-port/<ip-port-id>`,
    "nv set acl <acl-id> rule <rule-id> match ip udp dest-port <ip-port-id>",
    OBJECT,
    [P.WHATS_NEW_57],
    "5.0-5.6: `match ip dest-port <ip-port-id>`; 5.7.0 changed it (WHATS_NEW_57). Only the 5.7 changed-commands table names it; neither the reference nor the ACL page shows it",
  ),
  anyvpc(`${ACL_RULE}/action/permit`, "nv set acl <acl-id> rule <rule-id> action permit", OBJECT, [
    P.REF_ACL,
  ]),
  anyvpc(`${ACL_RULE}/action/deny`, "nv set acl <acl-id> rule <rule-id> action deny", OBJECT, [P.REF_ACL]),
  anyvpc(
    "interface/<interface-id>/acl/<acl-id>/outbound",
    "nv set interface <interface-id> acl <acl-id> outbound",
    OBJECT,
    [P.REF_ACL, P.UG59_ACL],
  ),
  anyvpc(
    "router/policy/prefix-list/<prefix-list-id>",
    "nv set router policy prefix-list <prefix-list-id>",
    OBJECT,
    [P.REF_POLICY],
  ),
  anyvpc(
    "router/policy/prefix-list/<prefix-list-id>/type",
    "nv set router policy prefix-list <list-id> type ipv4|ipv6",
    {
      kind: "enum",
      values: ["ipv4", "ipv6"],
    },
    [P.REF_POLICY, P.UG59_ROUTE_FILTERING],
  ),
  anyvpc(
    "router/policy/prefix-list/<prefix-list-id>/rule/<rule-id>/match/<match-id>",
    "nv set router policy prefix-list <prefix-list-id> rule <rule-id> match <match-id>",
    OBJECT,
    [P.REF_POLICY],
  ),
  anyvpc(
    "router/policy/prefix-list/<prefix-list-id>/rule/<rule-id>/match/<match-id>/max-prefix-len",
    "nv set router policy prefix-list <prefix-list-id> rule <rule-id> match <match-id> max-prefix-len <0-128>",
    { kind: "integer", min: 0, max: 128 },
    [P.REF_POLICY, P.UG59_ROUTE_FILTERING],
  ),
  anyvpc(
    "router/policy/prefix-list/<prefix-list-id>/rule/<rule-id>/action",
    "nv set router policy prefix-list <list-id> rule <rule-id> action permit|deny",
    { kind: "enum", values: ["permit", "deny"] },
    [P.REF_POLICY, P.UG59_ROUTE_FILTERING],
  ),
  anyvpc("router/policy/route-map/<route-map-id>", "nv set router policy route-map <route-map-id>", OBJECT, [
    P.REF_POLICY,
  ]),
  anyvpc(
    "router/policy/route-map/<route-map-id>/rule/<rule-id>/match/type",
    "nv set router policy route-map <route-map-id> rule <rule-id> match type ipv4|ipv6",
    { kind: "enum", values: ["ipv4", "ipv6"] },
    [P.UG59_ROUTE_FILTERING],
  ),
  anyvpc(
    "router/policy/route-map/<route-map-id>/rule/<rule-id>/match/ip-prefix-list",
    "nv set router policy route-map <route-map-id> rule <rule-id> match ip-prefix-list <prefix-list-id>",
    NAME,
    [P.REF_POLICY, P.UG59_ROUTE_FILTERING],
  ),
  anyvpc(
    "router/policy/route-map/<route-map-id>/rule/<rule-id>/action/permit",
    "nv set router policy route-map <route-map-id> rule <rule-id> action permit",
    OBJECT,
    [P.REF_POLICY, P.UG59_ROUTE_FILTERING],
  ),
  anyvpc(
    `${NEIGHBOR}/address-family/ipv4-unicast/enable`,
    "nv set vrf <vrf-id> router bgp neighbor <neighbor-id> address-family ipv4-unicast enable on|off",
    ON_OFF,
    [P.UG59_VRF],
    STATE_515,
  ),
  anyvpc(
    `${NEIGHBOR}/address-family/ipv4-unicast/policy/inbound/route-map`,
    "nv set vrf <vrf-id> router bgp neighbor <neighbor-id> address-family ipv4-unicast policy inbound route-map <route-map-id>",
    NAME,
    [P.UG59_ROUTE_FILTERING],
  ),

  // Underlay and switch-wide settings anyvpc never writes (the operator's, or the tests' fabrics).
  fabric("router/bgp/enable", "nv set router bgp enable on|off", ON_OFF, [P.UG59_EVPN_BASIC], STATE_515),
  fabric("router/bgp/autonomous-system", "nv set router bgp autonomous-system <1-4294967295>", ASN, [
    P.UG59_EVPN_BASIC,
  ]),
  fabric("router/bgp/router-id", "nv set router bgp router-id <ipv4>", { kind: "ip-address" }, [
    P.UG59_EVPN_BASIC,
  ]),
  fabric("router/vrr/enable", "nv set router vrr enable on|off", ON_OFF, [P.REF_VRR], STATE_515),
  fabric("evpn/enable", "nv set evpn enable on|off", ON_OFF, [P.UG59_EVPN_BASIC], STATE_515),
  fabric("nve/vxlan/enable", "nv set nve vxlan enable on|off", ON_OFF, [P.UG59_EVPN_BASIC], STATE_515),
  fabric("nve/vxlan/source/address", "nv set nve vxlan source address <ipv4>", { kind: "ip-address" }, [
    P.UG59_EVPN_BASIC,
  ]),
  fabric(
    "nve/vxlan/arp-nd-suppress",
    "nv set nve vxlan arp-nd-suppress on|off",
    ON_OFF,
    [P.CHANGED_515],
    "5.15: enabled|disabled (CHANGED_515)",
  ),
  fabric("bridge/domain/<domain-id>", "nv set bridge domain <domain-id>", OBJECT, [P.REF_BRIDGE]),
  fabric(
    "bridge/domain/<domain-id>/type",
    "nv set bridge domain <domain-id> type vlan-aware",
    {
      kind: "enum",
      values: ["vlan-aware"],
    },
    [P.REF_BRIDGE],
  ),
  fabric(
    "bridge/domain/<domain-id>/untagged",
    "nv set bridge domain <domain-id> untagged <1-4094>|none",
    { kind: "integer", min: 1, max: 4094, keywords: ["none"] },
    [P.REF_BRIDGE],
  ),
  fabric(
    "bridge/domain/<domain-id>/vlan-vni-offset",
    "nv set bridge domain <domain-id> vlan-vni-offset <0-16777214>",
    { kind: "integer", min: 0, max: 16_777_214 },
    [P.REF_BRIDGE],
    "listed as an attribute of `nv set bridge domain <domain-id>`; no entry of its own in the reference",
  ),
  fabric(
    `${PORT_DOMAIN}/untagged`,
    `nv set ${PORT_SPEC} untagged <1-4094>|none|auto`,
    { kind: "integer", min: 1, max: 4094, keywords: ["none", "auto"] },
    [P.REF_BRIDGE],
  ),
  fabric(
    "interface/<interface-id>/bond/member/<member-id>",
    "nv set interface <interface-id> bond member <member-id>",
    OBJECT,
    [P.REF_INTERFACE],
  ),
  fabric(
    "interface/<interface-id>/acl/<acl-id>/inbound",
    "nv set interface <interface-id> acl <acl-id> inbound",
    OBJECT,
    [P.REF_ACL, P.UG59_ACL],
  ),
  fabric(
    "vrf/<vrf-id>/router/bgp/rd",
    "nv set vrf <vrf-id> router bgp rd <route-distinguisher>",
    { kind: "text" },
    [P.UG59_INTER_SUBNET],
  ),
  fabric(
    "vrf/<vrf-id>/router/bgp/router-id",
    "nv set vrf <vrf-id> router bgp router-id <ipv4>",
    { kind: "ip-address" },
    [P.UG59_VRF],
  ),
];

// ---------------------------------------------------------------------------------------------
// Matching a PATCH against the table.

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  row?: NvuePathRow;
}

const newNode = (): Node => ({ literal: new Map() });
const isParam = (seg: string) => /^<[^<>]+>$/.test(seg);

function buildTrie(rows: readonly NvuePathRow[]): Node {
  const root = newNode();
  for (const r of rows) {
    let node = root;
    for (const seg of r.path.split("/")) {
      if (isParam(seg)) node = node.param ??= newNode();
      else {
        let next = node.literal.get(seg);
        if (!next) node.literal.set(seg, (next = newNode()));
        node = next;
      }
    }
    if (node.row) throw new Error(`NVUE path table: ${r.path} is listed twice`);
    node.row = r;
  }
  return root;
}

const ROOT = buildTrie(NVUE_PATHS);

function step(nodes: Node[], seg: string): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    const lit = n.literal.get(seg);
    if (lit) out.push(lit);
    if (n.param) out.push(n.param);
  }
  return out;
}

function nodesAt(path: readonly string[]): Node[] {
  let nodes = [ROOT];
  for (const seg of path) nodes = step(nodes, seg);
  return nodes;
}

/** The table row for a concrete path (segments), if the path is one. */
export function rowFor(path: readonly string[]): NvuePathRow | undefined {
  return nodesAt(path).find((n) => n.row)?.row;
}

/** Whether the concrete path is a table path or leads to one (an object NVUE has, so it can be unset). */
export function isKnownPath(path: readonly string[]): boolean {
  return nodesAt(path).length > 0;
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** Whether `value` (a scalar) is of type `t`. */
export function acceptsValue(t: NvueValueType, value: unknown): boolean {
  switch (t.kind) {
    case "object":
      return isTree(value);
    case "on-off":
      return value === "on" || value === "off";
    case "enum":
      return typeof value === "string" && t.values.includes(value);
    case "integer":
      if (typeof value === "string") return (t.keywords ?? []).includes(value);
      return typeof value === "number" && Number.isInteger(value) && value >= t.min && value <= t.max;
    case "ip-prefix":
      return typeof value === "string" && parsePrefix(value) !== undefined;
    case "ip-address":
      return typeof value === "string" && parseIp(value) !== undefined;
    case "mac":
      return typeof value === "string" && (value === "auto" || MAC.test(value));
    case "name":
      return typeof value === "string" && value !== "";
    case "text":
      return typeof value === "string";
  }
}

export function describeType(t: NvueValueType): string {
  switch (t.kind) {
    case "object":
      return "an object";
    case "on-off":
      return 'one of "on", "off"';
    case "enum":
      return `one of ${t.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "integer":
      return `an integer from ${t.min} to ${t.max}${t.keywords?.length ? ` or one of ${t.keywords.map((k) => JSON.stringify(k)).join(", ")}` : ""}`;
    case "ip-prefix":
      return "an IP address with prefix length";
    case "ip-address":
      return "an IP address";
    case "mac":
      return 'a MAC address or "auto"';
    case "name":
      return "a name";
    case "text":
      return "text";
  }
}

const where = (path: readonly string[]) => "/" + path.join("/");

function check(nodes: Node[], path: string[], value: ConfigValue): string | undefined {
  if (nodes.length === 0)
    return `${where(path)} is not a property of the NVUE schema (not in the documented NVUE path table)`;
  if (value === null) return undefined; // unsetting anything the schema has
  const scalarRows = nodes.flatMap((n) => (n.row && n.row.value.kind !== "object" ? [n.row] : []));
  if (isTree(value)) {
    if (scalarRows.length === nodes.length)
      return `${where(path)} takes ${describeType(scalarRows[0]!.value)}, not an object`;
    for (const [k, v] of Object.entries(value)) {
      const err = check(step(nodes, k), [...path, k], v);
      if (err) return err;
    }
    return undefined;
  }
  if (scalarRows.length === 0)
    return `${where(path)} is an object in the NVUE schema, not ${JSON.stringify(value)}`;
  if (scalarRows.some((r) => acceptsValue(r.value, value))) return undefined;
  return `${where(path)}: ${JSON.stringify(value)} is not ${describeType(scalarRows[0]!.value)}`;
}

/**
 * Why a PATCH of `value` at `path` writes something outside the table (naming the first offending
 * path), or undefined when every path and value in it is documented. Nulls (unsets) are accepted at
 * any path the table has or leads to.
 */
export function checkPatch(path: readonly string[], value: ConfigValue): string | undefined {
  let nodes = [ROOT];
  for (let i = 0; i < path.length; i++) {
    nodes = step(nodes, path[i]!);
    if (nodes.length === 0) return check([], path.slice(0, i + 1), value);
  }
  return check(nodes, [...path], value);
}
