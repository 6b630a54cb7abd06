// The configuration grammar: for each CLI mode, a table of command patterns and what each does to
// the running-config. A pattern is a string of words: literals, `{arg:type}` for a typed token
// (see tokens.ts) and `{arg:a|b}` for a choice of literals. A line matches a command only when every
// word matches and nothing is left over; EOS keywords are matched exactly (eAPI does not expand
// abbreviations unless the request asks for autoComplete, which the simulator ignores).
//
// Sources for the command set and modes: /work/shared/notes/nvue-and-eos.md §2 (from the
// aristanetworks/avd intended configs) and the EOS manual's VXLAN chapter
// (arista.com/en/um-eos/eos-vxlan-configuration): `interface Vxlan1` mode, `vxlan source-interface`,
// `vxlan udp-port` (default 4789), `vxlan vlan N vni M`, `vxlan vrf V vni M`.

import {
  DEFAULT_VXLAN_UDP_PORT,
  naturalCompare,
  type AclEntry,
  type BgpVlanConfig,
  type BgpVrfConfig,
  type EthernetConfig,
  type RouterBgpConfig,
  type RunningConfig,
  type SviConfig,
  type VxlanConfig,
} from "./model";
import { TOKEN_TYPES, type TokenContext, type TokenParser, type TokenValue } from "./tokens";

export type ConfigMode =
  | "config"
  | "vlan"
  | "vrf-instance"
  | "if-ethernet"
  | "if-vlan"
  | "if-vxlan"
  | "acl"
  | "router-bgp"
  | "bgp-vlan"
  | "bgp-vrf";

/** A mode on the CLI's mode stack, with the object it edits ("Ethernet1", "10", "RED", ...). */
export interface ModeFrame {
  mode: ConfigMode;
  key: string;
}

export type Args = Record<string, TokenValue>;

/** A command that is valid CLI but cannot be carried out (EOS answers these with a `%` message). */
export class CommandRefused extends Error {}

export interface ConfigCommand {
  mode: ConfigMode;
  syntax: string;
  /** Changes the config; returns the sub-mode the line enters, if it enters one. */
  run(config: RunningConfig, args: Args, frame: ModeFrame): ModeFrame | void;
}

type Slot =
  | { kind: "literal"; word: string }
  | { kind: "choice"; arg: string; words: string[] }
  | { kind: "typed"; arg: string; parse: TokenParser };

export interface CompiledCommand<T> {
  command: T;
  slots: Slot[];
}

export function compileSyntax(syntax: string): Slot[] {
  return syntax.split(" ").map((word): Slot => {
    const m = /^\{([a-zA-Z]+):([^}]+)\}$/.exec(word);
    if (!m?.[1] || !m[2]) return { kind: "literal", word };
    const [, arg, type] = m;
    if (type.includes("|") || !(type in TOKEN_TYPES)) {
      if (!/^[a-z-]+(?:\|[a-z-]+)+$/.test(type)) throw new Error(`unknown token type in "${syntax}"`);
      return { kind: "choice", arg, words: type.split("|") };
    }
    return { kind: "typed", arg, parse: TOKEN_TYPES[type] as TokenParser };
  });
}

export type MatchResult<T> =
  | { ok: true; command: T; args: Args }
  /** `at`: index of the first word no command accepts; `incomplete`: the line ended too early. */
  | { ok: false; at: number; incomplete: boolean };

/** Match the words of one line against a table; on failure, report the furthest any command got. */
export function matchCommand<T>(
  table: CompiledCommand<T>[],
  words: string[],
  ctx: TokenContext,
): MatchResult<T> {
  let best = { at: 0, incomplete: false };
  for (const { command, slots } of table) {
    const args: Args = {};
    let i = 0;
    for (; i < slots.length && i < words.length; i++) {
      const slot = slots[i] as Slot;
      const word = words[i] as string;
      if (slot.kind === "literal") {
        if (word !== slot.word) break;
      } else if (slot.kind === "choice") {
        if (!slot.words.includes(word)) break;
        args[slot.arg] = word;
      } else {
        const value = slot.parse(word, ctx);
        if (value === undefined) break;
        args[slot.arg] = value;
      }
    }
    if (i === slots.length && i === words.length) return { ok: true, command, args };
    const incomplete = i === words.length && i < slots.length;
    if (i > best.at || (i === best.at && incomplete)) best = { at: i, incomplete };
  }
  return { ok: false, ...best };
}

// Typed access to matched arguments (the pattern fixes their types).
const str = (args: Args, name: string) => args[name] as string;
const num = (args: Args, name: string) => args[name] as number;
const ids = (args: Args, name: string) => args[name] as number[];

function existing<T>(record: Record<string, T>, key: string, what: string): T {
  if (!Object.hasOwn(record, key)) throw new Error(`internal: ${what} ${key} vanished while in its mode`);
  return record[key] as T;
}

function addSorted(list: string[], item: string): string[] {
  return list.includes(item) ? list : [...list, item].sort(naturalCompare);
}

const ALL_VLANS = Array.from({ length: 4094 }, (_, i) => i + 1);

/** Store a trunk's allowed list the way EOS prints it: unset when it is every VLAN. */
function setTrunkAllowed(port: EthernetConfig, vlans: number[] | "none"): void {
  if (vlans !== "none" && vlans.length === ALL_VLANS.length) delete port.trunkAllowed;
  else port.trunkAllowed = vlans === "none" || vlans.length > 0 ? vlans : "none";
}

function currentTrunkAllowed(port: EthernetConfig): number[] {
  if (port.trunkAllowed === undefined) return ALL_VLANS;
  return port.trunkAllowed === "none" ? [] : port.trunkAllowed;
}

const ethernet = (c: RunningConfig, f: ModeFrame): EthernetConfig => existing(c.ethernet, f.key, "interface");
const svi = (c: RunningConfig, f: ModeFrame): SviConfig => existing(c.svis, f.key, "interface Vlan");
const vxlan = (c: RunningConfig): VxlanConfig => {
  if (!c.vxlan) throw new Error("internal: interface Vxlan1 vanished while in its mode");
  return c.vxlan;
};
const bgp = (c: RunningConfig): RouterBgpConfig => {
  if (!c.routerBgp) throw new Error("internal: router bgp vanished while in its mode");
  return c.routerBgp;
};
const bgpVlan = (c: RunningConfig, f: ModeFrame): BgpVlanConfig => existing(bgp(c).vlans, f.key, "bgp vlan");
const bgpVrf = (c: RunningConfig, f: ModeFrame): BgpVrfConfig => existing(bgp(c).vrfs, f.key, "bgp vrf");

function aclEntry(c: RunningConfig, f: ModeFrame, entry: AclEntry): void {
  const entries = existing(c.acls, f.key, "ip access-list");
  // EOS keeps one rule per sequence number; re-using one is refused (the wording is the simulator's).
  if (entries.some((e) => e.seq === entry.seq))
    throw new CommandRefused(`Duplicate sequence number ${entry.seq}`);
  c.acls[f.key] = [...entries, entry].sort((a, b) => a.seq - b.seq);
}

/** Every configuration command the simulator accepts, by mode. */
export const CONFIG_COMMANDS: ConfigCommand[] = [
  // Global configuration mode.
  {
    mode: "config",
    syntax: "vrf instance {vrf:vrfName}",
    run(c, a) {
      c.vrfs[str(a, "vrf")] = {};
      return { mode: "vrf-instance", key: str(a, "vrf") };
    },
  },
  {
    mode: "config",
    syntax: "no vrf instance {vrf:vrfName}",
    run: (c, a) => void delete c.vrfs[str(a, "vrf")],
  },
  { mode: "config", syntax: "ip routing", run: (c) => void (c.ipRouting = true) },
  { mode: "config", syntax: "no ip routing", run: (c) => void (c.ipRouting = false) },
  {
    mode: "config",
    syntax: "ip routing vrf {vrf:vrfName}",
    run: (c, a) => void (c.ipRoutingVrfs = addSorted(c.ipRoutingVrfs, str(a, "vrf"))),
  },
  {
    mode: "config",
    syntax: "no ip routing vrf {vrf:vrfName}",
    run: (c, a) => void (c.ipRoutingVrfs = c.ipRoutingVrfs.filter((v) => v !== str(a, "vrf"))),
  },
  {
    mode: "config",
    syntax: "ip virtual-router mac-address {mac:mac}",
    run: (c, a) => void (c.virtualRouterMac = str(a, "mac")),
  },
  { mode: "config", syntax: "no ip virtual-router mac-address", run: (c) => void delete c.virtualRouterMac },
  {
    mode: "config",
    syntax: "no ip virtual-router mac-address {mac:mac}",
    run: (c, a) => {
      if (c.virtualRouterMac === str(a, "mac")) delete c.virtualRouterMac;
    },
  },
  {
    mode: "config",
    syntax: "vlan {vlan:vlanId}",
    run(c, a) {
      const key = String(num(a, "vlan"));
      if (!Object.hasOwn(c.vlans, key)) c.vlans[key] = {};
      return { mode: "vlan", key };
    },
  },
  {
    mode: "config",
    syntax: "no vlan {vlan:vlanId}",
    run: (c, a) => void delete c.vlans[String(num(a, "vlan"))],
  },
  {
    mode: "config",
    syntax: "interface {if:ethernet}",
    run: (_c, a) => ({ mode: "if-ethernet", key: str(a, "if") }),
  },
  // A physical port cannot be deleted: both forms put it back to factory defaults.
  {
    mode: "config",
    syntax: "default interface {if:ethernet}",
    run: (c, a) => void (c.ethernet[str(a, "if")] = {}),
  },
  {
    mode: "config",
    syntax: "no interface {if:ethernet}",
    run: (c, a) => void (c.ethernet[str(a, "if")] = {}),
  },
  {
    mode: "config",
    syntax: "interface {if:vlanInterface}",
    run(c, a) {
      const key = str(a, "if").slice("Vlan".length);
      if (!Object.hasOwn(c.svis, key)) c.svis[key] = {};
      return { mode: "if-vlan", key };
    },
  },
  {
    mode: "config",
    syntax: "no interface {if:vlanInterface}",
    run: (c, a) => void delete c.svis[str(a, "if").slice("Vlan".length)],
  },
  {
    mode: "config",
    syntax: "interface Vxlan1",
    run(c) {
      c.vxlan ??= { udpPort: DEFAULT_VXLAN_UDP_PORT, vlanVni: {}, vrfVni: {} };
      return { mode: "if-vxlan", key: "Vxlan1" };
    },
  },
  { mode: "config", syntax: "no interface Vxlan1", run: (c) => void delete c.vxlan },
  {
    mode: "config",
    syntax: "ip access-list {acl:aclName}",
    run(c, a) {
      if (!Object.hasOwn(c.acls, str(a, "acl"))) c.acls[str(a, "acl")] = [];
      return { mode: "acl", key: str(a, "acl") };
    },
  },
  {
    mode: "config",
    syntax: "no ip access-list {acl:aclName}",
    run: (c, a) => void delete c.acls[str(a, "acl")],
  },
  {
    mode: "config",
    syntax: "ip route vrf {vrf:vrfName} {prefix:routePrefix} {nextHop:ipv4}",
    run(c, a) {
      const route = { vrf: str(a, "vrf"), prefix: str(a, "prefix"), nextHop: str(a, "nextHop") };
      const same = (r: typeof route) =>
        r.vrf === route.vrf && r.prefix === route.prefix && r.nextHop === route.nextHop;
      // Several next hops for one prefix are kept side by side: ECMP.
      if (!c.staticRoutes.some(same)) c.staticRoutes.push(route);
    },
  },
  {
    mode: "config",
    syntax: "no ip route vrf {vrf:vrfName} {prefix:routePrefix} {nextHop:ipv4}",
    run(c, a) {
      c.staticRoutes = c.staticRoutes.filter(
        (r) => !(r.vrf === str(a, "vrf") && r.prefix === str(a, "prefix") && r.nextHop === str(a, "nextHop")),
      );
    },
  },
  {
    mode: "config",
    syntax: "no ip route vrf {vrf:vrfName} {prefix:routePrefix}",
    run(c, a) {
      c.staticRoutes = c.staticRoutes.filter(
        (r) => !(r.vrf === str(a, "vrf") && r.prefix === str(a, "prefix")),
      );
    },
  },
  {
    mode: "config",
    syntax: "router bgp {asn:asn}",
    run(c, a) {
      const asn = num(a, "asn");
      // EOS runs one BGP instance; entering it under another AS number is refused.
      if (c.routerBgp && c.routerBgp.asn !== asn)
        throw new CommandRefused(`BGP is already running with AS number ${c.routerBgp.asn}`);
      c.routerBgp ??= { asn, vlans: {}, vrfs: {} };
      return { mode: "router-bgp", key: String(asn) };
    },
  },
  {
    mode: "config",
    syntax: "no router bgp {asn:asn}",
    run(c, a) {
      if (c.routerBgp && c.routerBgp.asn !== num(a, "asn"))
        throw new CommandRefused(`BGP is running with AS number ${c.routerBgp.asn}, not ${num(a, "asn")}`);
      delete c.routerBgp;
    },
  },

  // vlan <id>
  {
    mode: "vlan",
    syntax: "name {name:vlanName}",
    run: (c, a, f) => void (existing(c.vlans, f.key, "vlan").name = str(a, "name")),
  },
  { mode: "vlan", syntax: "no name", run: (c, _a, f) => void delete existing(c.vlans, f.key, "vlan").name },

  // vrf instance <name>: nothing inside in this subset; its lines fall back to global mode.

  // interface EthernetN
  {
    mode: "if-ethernet",
    syntax: "switchport mode access",
    run: (c, _a, f) => void delete ethernet(c, f).mode,
  },
  {
    mode: "if-ethernet",
    syntax: "switchport mode trunk",
    run: (c, _a, f) => void (ethernet(c, f).mode = "trunk"),
  },
  { mode: "if-ethernet", syntax: "no switchport mode", run: (c, _a, f) => void delete ethernet(c, f).mode },
  {
    mode: "if-ethernet",
    syntax: "switchport access vlan {vlan:vlanId}",
    run(c, a, f) {
      // VLAN 1 is the default and is not printed.
      if (num(a, "vlan") === 1) delete ethernet(c, f).accessVlan;
      else ethernet(c, f).accessVlan = num(a, "vlan");
    },
  },
  {
    mode: "if-ethernet",
    syntax: "no switchport access vlan",
    run: (c, _a, f) => void delete ethernet(c, f).accessVlan,
  },
  {
    mode: "if-ethernet",
    syntax: "switchport trunk allowed vlan none",
    run: (c, _a, f) => setTrunkAllowed(ethernet(c, f), "none"),
  },
  {
    mode: "if-ethernet",
    syntax: "switchport trunk allowed vlan {vlans:vlanList}",
    run: (c, a, f) => setTrunkAllowed(ethernet(c, f), ids(a, "vlans")),
  },
  {
    mode: "if-ethernet",
    syntax: "switchport trunk allowed vlan add {vlans:vlanList}",
    run(c, a, f) {
      const port = ethernet(c, f);
      const merged = new Set([...currentTrunkAllowed(port), ...ids(a, "vlans")]);
      setTrunkAllowed(
        port,
        [...merged].sort((x, y) => x - y),
      );
    },
  },
  {
    mode: "if-ethernet",
    syntax: "switchport trunk allowed vlan remove {vlans:vlanList}",
    run(c, a, f) {
      const port = ethernet(c, f);
      const removed = new Set(ids(a, "vlans"));
      setTrunkAllowed(
        port,
        currentTrunkAllowed(port).filter((v) => !removed.has(v)),
      );
    },
  },
  {
    mode: "if-ethernet",
    syntax: "no switchport trunk allowed vlan",
    run: (c, _a, f) => void delete ethernet(c, f).trunkAllowed,
  },
  {
    mode: "if-ethernet",
    syntax: "ip access-group {acl:aclName} {dir:in|out}",
    run(c, a, f) {
      const port = ethernet(c, f);
      if (str(a, "dir") === "in") port.accessGroupIn = str(a, "acl");
      else port.accessGroupOut = str(a, "acl");
    },
  },
  {
    mode: "if-ethernet",
    syntax: "no ip access-group {acl:aclName} {dir:in|out}",
    run(c, a, f) {
      const port = ethernet(c, f);
      if (str(a, "dir") === "in" && port.accessGroupIn === str(a, "acl")) delete port.accessGroupIn;
      if (str(a, "dir") === "out" && port.accessGroupOut === str(a, "acl")) delete port.accessGroupOut;
    },
  },

  // interface VlanN (SVI)
  { mode: "if-vlan", syntax: "vrf {vrf:vrfName}", run: (c, a, f) => void (svi(c, f).vrf = str(a, "vrf")) },
  { mode: "if-vlan", syntax: "no vrf", run: (c, _a, f) => void delete svi(c, f).vrf },
  {
    mode: "if-vlan",
    syntax: "no vrf {vrf:vrfName}",
    run(c, a, f) {
      if (svi(c, f).vrf === str(a, "vrf")) delete svi(c, f).vrf;
    },
  },
  {
    mode: "if-vlan",
    syntax: "ip address virtual {addr:interfaceAddress}",
    run: (c, a, f) => void (svi(c, f).ipAddressVirtual = str(a, "addr")),
  },
  {
    mode: "if-vlan",
    syntax: "no ip address virtual",
    run: (c, _a, f) => void delete svi(c, f).ipAddressVirtual,
  },
  {
    mode: "if-vlan",
    syntax: "no ip address virtual {addr:interfaceAddress}",
    run(c, a, f) {
      if (svi(c, f).ipAddressVirtual === str(a, "addr")) delete svi(c, f).ipAddressVirtual;
    },
  },
  {
    mode: "if-vlan",
    syntax: "ipv6 address virtual {addr:interfaceAddress6}",
    run: (c, a, f) => void (svi(c, f).ipv6AddressVirtual = str(a, "addr")),
  },
  {
    mode: "if-vlan",
    syntax: "no ipv6 address virtual",
    run: (c, _a, f) => void delete svi(c, f).ipv6AddressVirtual,
  },
  {
    mode: "if-vlan",
    syntax: "no ipv6 address virtual {addr:interfaceAddress6}",
    run(c, a, f) {
      if (svi(c, f).ipv6AddressVirtual === str(a, "addr")) delete svi(c, f).ipv6AddressVirtual;
    },
  },

  // interface Vxlan1
  {
    mode: "if-vxlan",
    syntax: "vxlan source-interface {lo:loopback}",
    run: (c, a) => void (vxlan(c).sourceInterface = str(a, "lo")),
  },
  { mode: "if-vxlan", syntax: "no vxlan source-interface", run: (c) => void delete vxlan(c).sourceInterface },
  {
    mode: "if-vxlan",
    syntax: "vxlan udp-port {port:vxlanUdpPort}",
    run: (c, a) => void (vxlan(c).udpPort = num(a, "port")),
  },
  {
    mode: "if-vxlan",
    syntax: "no vxlan udp-port",
    run: (c) => void (vxlan(c).udpPort = DEFAULT_VXLAN_UDP_PORT),
  },
  {
    mode: "if-vxlan",
    syntax: "vxlan vlan {vlan:vlanId} vni {vni:vni}",
    run: (c, a) => void (vxlan(c).vlanVni[String(num(a, "vlan"))] = num(a, "vni")),
  },
  {
    mode: "if-vxlan",
    syntax: "no vxlan vlan {vlan:vlanId} vni",
    run: (c, a) => void delete vxlan(c).vlanVni[String(num(a, "vlan"))],
  },
  {
    mode: "if-vxlan",
    syntax: "no vxlan vlan {vlan:vlanId} vni {vni:vni}",
    run(c, a) {
      const map = vxlan(c).vlanVni;
      const key = String(num(a, "vlan"));
      if (Object.hasOwn(map, key) && map[key] === num(a, "vni")) delete map[key];
    },
  },
  {
    mode: "if-vxlan",
    syntax: "vxlan vrf {vrf:vrfName} vni {vni:vni}",
    run: (c, a) => void (vxlan(c).vrfVni[str(a, "vrf")] = num(a, "vni")),
  },
  {
    mode: "if-vxlan",
    syntax: "no vxlan vrf {vrf:vrfName} vni",
    run: (c, a) => void delete vxlan(c).vrfVni[str(a, "vrf")],
  },
  {
    mode: "if-vxlan",
    syntax: "no vxlan vrf {vrf:vrfName} vni {vni:vni}",
    run(c, a) {
      const map = vxlan(c).vrfVni;
      if (Object.hasOwn(map, str(a, "vrf")) && map[str(a, "vrf")] === num(a, "vni"))
        delete map[str(a, "vrf")];
    },
  },

  // ip access-list <name>
  {
    mode: "acl",
    syntax: "{seq:aclSeq} {action:permit|deny} tcp any host {host:ipv4} eq {port:tcpPort}",
    run: (c, a, f) =>
      aclEntry(c, f, {
        seq: num(a, "seq"),
        action: str(a, "action") as AclEntry["action"],
        protocol: "tcp",
        destination: { host: str(a, "host") },
        port: num(a, "port"),
      }),
  },
  {
    mode: "acl",
    syntax: "{seq:aclSeq} {action:permit|deny} udp any host {host:ipv4} eq {port:udpPort}",
    run: (c, a, f) =>
      aclEntry(c, f, {
        seq: num(a, "seq"),
        action: str(a, "action") as AclEntry["action"],
        protocol: "udp",
        destination: { host: str(a, "host") },
        port: num(a, "port"),
      }),
  },
  {
    mode: "acl",
    syntax: "{seq:aclSeq} {action:permit|deny} ip any host {host:ipv4}",
    run: (c, a, f) =>
      aclEntry(c, f, {
        seq: num(a, "seq"),
        action: str(a, "action") as AclEntry["action"],
        protocol: "ip",
        destination: { host: str(a, "host") },
      }),
  },
  {
    mode: "acl",
    syntax: "{seq:aclSeq} {action:permit|deny} ip any any",
    run: (c, a, f) =>
      aclEntry(c, f, {
        seq: num(a, "seq"),
        action: str(a, "action") as AclEntry["action"],
        protocol: "ip",
        destination: "any",
      }),
  },
  {
    mode: "acl",
    syntax: "no {seq:aclSeq}",
    run: (c, a, f) =>
      void (c.acls[f.key] = existing(c.acls, f.key, "ip access-list").filter((e) => e.seq !== num(a, "seq"))),
  },

  // router bgp <asn>
  { mode: "router-bgp", syntax: "router-id {id:ipv4}", run: (c, a) => void (bgp(c).routerId = str(a, "id")) },
  { mode: "router-bgp", syntax: "no router-id", run: (c) => void delete bgp(c).routerId },
  {
    mode: "router-bgp",
    syntax: "vlan {vlan:vlanId}",
    run(c, a) {
      const key = String(num(a, "vlan"));
      const vlans = bgp(c).vlans;
      if (!Object.hasOwn(vlans, key)) vlans[key] = { routeTargetBoth: [], redistributeLearned: false };
      return { mode: "bgp-vlan", key };
    },
  },
  {
    mode: "router-bgp",
    syntax: "no vlan {vlan:vlanId}",
    run: (c, a) => void delete bgp(c).vlans[String(num(a, "vlan"))],
  },
  {
    mode: "router-bgp",
    syntax: "vrf {vrf:vrfName}",
    run(c, a) {
      const vrfs = bgp(c).vrfs;
      if (!Object.hasOwn(vrfs, str(a, "vrf")))
        vrfs[str(a, "vrf")] = {
          routeTargetImportEvpn: [],
          routeTargetExportEvpn: [],
          redistributeConnected: false,
          redistributeStatic: false,
        };
      return { mode: "bgp-vrf", key: str(a, "vrf") };
    },
  },
  {
    mode: "router-bgp",
    syntax: "no vrf {vrf:vrfName}",
    run: (c, a) => void delete bgp(c).vrfs[str(a, "vrf")],
  },

  // router bgp > vlan <id>
  { mode: "bgp-vlan", syntax: "rd {rd:rdOrRt}", run: (c, a, f) => void (bgpVlan(c, f).rd = str(a, "rd")) },
  { mode: "bgp-vlan", syntax: "no rd", run: (c, _a, f) => void delete bgpVlan(c, f).rd },
  {
    mode: "bgp-vlan",
    syntax: "no rd {rd:rdOrRt}",
    run(c, a, f) {
      if (bgpVlan(c, f).rd === str(a, "rd")) delete bgpVlan(c, f).rd;
    },
  },
  {
    mode: "bgp-vlan",
    syntax: "route-target both {rt:rdOrRt}",
    run(c, a, f) {
      const v = bgpVlan(c, f);
      v.routeTargetBoth = addSorted(v.routeTargetBoth, str(a, "rt"));
    },
  },
  {
    mode: "bgp-vlan",
    syntax: "no route-target both {rt:rdOrRt}",
    run(c, a, f) {
      const v = bgpVlan(c, f);
      v.routeTargetBoth = v.routeTargetBoth.filter((rt) => rt !== str(a, "rt"));
    },
  },
  {
    mode: "bgp-vlan",
    syntax: "redistribute learned",
    run: (c, _a, f) => void (bgpVlan(c, f).redistributeLearned = true),
  },
  {
    mode: "bgp-vlan",
    syntax: "no redistribute learned",
    run: (c, _a, f) => void (bgpVlan(c, f).redistributeLearned = false),
  },

  // router bgp > vrf <name>
  { mode: "bgp-vrf", syntax: "rd {rd:rdOrRt}", run: (c, a, f) => void (bgpVrf(c, f).rd = str(a, "rd")) },
  { mode: "bgp-vrf", syntax: "no rd", run: (c, _a, f) => void delete bgpVrf(c, f).rd },
  {
    mode: "bgp-vrf",
    syntax: "no rd {rd:rdOrRt}",
    run(c, a, f) {
      if (bgpVrf(c, f).rd === str(a, "rd")) delete bgpVrf(c, f).rd;
    },
  },
  {
    mode: "bgp-vrf",
    syntax: "route-target {dir:import|export} evpn {rt:rdOrRt}",
    run(c, a, f) {
      const v = bgpVrf(c, f);
      if (str(a, "dir") === "import")
        v.routeTargetImportEvpn = addSorted(v.routeTargetImportEvpn, str(a, "rt"));
      else v.routeTargetExportEvpn = addSorted(v.routeTargetExportEvpn, str(a, "rt"));
    },
  },
  {
    mode: "bgp-vrf",
    syntax: "no route-target {dir:import|export} evpn {rt:rdOrRt}",
    run(c, a, f) {
      const v = bgpVrf(c, f);
      const keep = (rt: string) => rt !== str(a, "rt");
      if (str(a, "dir") === "import") v.routeTargetImportEvpn = v.routeTargetImportEvpn.filter(keep);
      else v.routeTargetExportEvpn = v.routeTargetExportEvpn.filter(keep);
    },
  },
  {
    mode: "bgp-vrf",
    syntax: "redistribute {what:connected|static}",
    run(c, a, f) {
      if (str(a, "what") === "connected") bgpVrf(c, f).redistributeConnected = true;
      else bgpVrf(c, f).redistributeStatic = true;
    },
  },
  {
    mode: "bgp-vrf",
    syntax: "no redistribute {what:connected|static}",
    run(c, a, f) {
      if (str(a, "what") === "connected") bgpVrf(c, f).redistributeConnected = false;
      else bgpVrf(c, f).redistributeStatic = false;
    },
  },
];

/** The tables compiled once, by mode. */
export const CONFIG_TABLES: Record<ConfigMode, CompiledCommand<ConfigCommand>[]> = (() => {
  const tables = {} as Record<ConfigMode, CompiledCommand<ConfigCommand>[]>;
  for (const mode of [
    "config",
    "vlan",
    "vrf-instance",
    "if-ethernet",
    "if-vlan",
    "if-vxlan",
    "acl",
    "router-bgp",
    "bgp-vlan",
    "bgp-vrf",
  ] as ConfigMode[])
    tables[mode] = [];
  for (const command of CONFIG_COMMANDS)
    tables[command.mode].push({ command, slots: compileSyntax(command.syntax) });
  return tables;
})();
