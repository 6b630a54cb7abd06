// Token types of the CLI grammar: each turns one whitespace-free word of a command line into a
// typed value, or refuses it (undefined). Numbers are range-checked, names allow-listed, addresses
// parsed strictly, so a word that is not exactly what EOS expects never reaches the config.

import ipaddr from "ipaddr.js";
import type { EosSwitchSpec } from "./model";

export type TokenValue = string | number | number[];

export interface TokenContext {
  spec: EosSwitchSpec;
}

export type TokenParser = (word: string, ctx: TokenContext) => TokenValue | undefined;

/** A decimal integer without sign, leading zeros or exponent, within [min, max]. */
export function parseInteger(word: string, min: number, max: number): number | undefined {
  if (!/^(?:0|[1-9][0-9]{0,9})$/.test(word)) return undefined;
  const n = Number(word);
  return n >= min && n <= max ? n : undefined;
}

function integer(min: number, max: number): TokenParser {
  return (word) => parseInteger(word, min, max);
}

function pattern(re: RegExp, reserved: string[] = []): TokenParser {
  return (word) => (re.test(word) && !reserved.includes(word) ? word : undefined);
}

/** Names from the contract: VRF and ACL names. `default` is EOS's own VRF and cannot be created. */
export const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;
export const VLAN_NAME = /^[A-Za-z0-9_.-]{1,32}$/;
export const SESSION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Dotted-quad IPv4 address, each octet 0-255 without leading zeros. */
export function parseIpv4(word: string): string | undefined {
  const parts = word.split(".");
  if (parts.length !== 4) return undefined;
  for (const p of parts) if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
  return word;
}

function ipv4ToNumber(addr: string): number {
  return addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** "A.B.C.D/len" with len 0-32; `network` also demands zero host bits (a route prefix). */
function ipv4Prefix(opts: { network: boolean; minLen: number }): TokenParser {
  return (word) => {
    const m = /^([0-9.]+)\/(0|[1-9][0-9]?)$/.exec(word);
    if (!m?.[1] || m[2] === undefined) return undefined;
    const addr = parseIpv4(m[1]);
    const len = Number(m[2]);
    if (!addr || len < opts.minLen || len > 32) return undefined;
    if (opts.network) {
      const hostBits = 2 ** (32 - len);
      if (ipv4ToNumber(addr) % hostBits !== 0) return undefined;
    }
    return word;
  };
}

/** "X:Y::Z/len", rendered in canonical compressed lower-case form. */
function ipv6InterfaceAddress(word: string): string | undefined {
  const m = /^([0-9A-Fa-f:.]+)\/(0|[1-9][0-9]{0,2})$/.exec(word);
  if (!m?.[1] || m[2] === undefined || !m[1].includes(":")) return undefined;
  const len = Number(m[2]);
  if (len < 1 || len > 128 || !ipaddr.IPv6.isValid(m[1])) return undefined;
  return `${ipaddr.IPv6.parse(m[1]).toString()}/${len}`;
}

/** MAC as `xx:xx:xx:xx:xx:xx` or `xxxx.xxxx.xxxx`; EOS shows the colon form in lower case. */
function macAddress(word: string): string | undefined {
  let hex: string | undefined;
  if (/^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/.test(word)) hex = word.replaceAll(":", "");
  else if (/^[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}$/.test(word)) hex = word.replaceAll(".", "");
  if (!hex) return undefined;
  return hex.toLowerCase().match(/../g)?.join(":");
}

/**
 * Route distinguisher / route target: `<ASN>:<nn>` or `<A.B.C.D>:<nn>`. A 2-byte ASN takes a
 * 4-byte assigned number, a 4-byte ASN or an IPv4 address a 2-byte one (RFC 4364 §4.2 types 0-2).
 */
function routeDistinguisherOrTarget(word: string): string | undefined {
  const m = /^([0-9.]+):(0|[1-9][0-9]{0,9})$/.exec(word);
  if (!m?.[1] || m[2] === undefined) return undefined;
  const assigned = Number(m[2]);
  if (m[1].includes(".")) return parseIpv4(m[1]) && assigned <= 65535 ? word : undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(m[1])) return undefined;
  const asn = Number(m[1]);
  if (asn > 4294967295) return undefined;
  return assigned <= (asn <= 65535 ? 4294967295 : 65535) ? word : undefined;
}

/** VLAN ids and ranges, "10,20-22": sorted, without duplicates. */
export function parseVlanList(word: string): number[] | undefined {
  const out = new Set<number>();
  for (const part of word.split(",")) {
    const m = /^([1-9][0-9]{0,3})(?:-([1-9][0-9]{0,3}))?$/.exec(part);
    if (!m?.[1]) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 4094 || hi > 4094 || hi < lo) return undefined;
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** "10,20,21,22" → "10,20-22", as EOS prints VLAN lists. */
export function formatVlanList(ids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length;) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === (ids[j] as number) + 1) j++;
    parts.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * Port names EOS prints instead of numbers in ACL entries. Only names seen in EOS configs are
 * listed (the EOS default control-plane ACL and published `ip access-list` examples); the real
 * table is larger, so a port outside it is printed here as a number where EOS may print a name.
 */
export const PORT_NAMES: Record<"tcp" | "udp", Record<string, number>> = {
  tcp: {
    ssh: 22,
    telnet: 23,
    domain: 53,
    www: 80,
    bgp: 179,
    https: 443,
    "microsoft-ds": 445,
    ldp: 646,
    mlag: 4432,
  },
  udp: { domain: 53, bootps: 67, bootpc: 68, tftp: 69, ntp: 123, snmp: 161, mlag: 4432 },
};

export function portName(protocol: "tcp" | "udp", port: number): string {
  const found = Object.entries(PORT_NAMES[protocol]).find(([, n]) => n === port);
  return found ? found[0] : String(port);
}

/** An Ethernet port the switch has: "Ethernet7" or "Ethernet49/1". */
function ethernetPort(word: string, ctx: TokenContext): string | undefined {
  return /^Ethernet[1-9][0-9]*(?:\/[1-9][0-9]*)?$/.test(word) && ctx.spec.ports.includes(word)
    ? word
    : undefined;
}

/** "Loopback1", "Vlan10": a fixed prefix and a number in range, written together as EOS prints them. */
function numberedInterface(prefix: string, min: number, max: number): TokenParser {
  return (word) =>
    word.startsWith(prefix) && parseInteger(word.slice(prefix.length), min, max) !== undefined
      ? word
      : undefined;
}

/** A port number, or a name EOS knows for it under this protocol; the value is the number. */
function l4Port(protocol: "tcp" | "udp"): TokenParser {
  const names = PORT_NAMES[protocol];
  return (word) => parseInteger(word, 0, 65535) ?? (Object.hasOwn(names, word) ? names[word] : undefined);
}

/** Every token type a grammar pattern can name as `{arg:type}`. */
export const TOKEN_TYPES: Record<string, TokenParser> = {
  vlanId: integer(1, 4094),
  vni: integer(1, 16777214),
  asn: integer(1, 4294967295),
  aclSeq: integer(1, 4294967295),
  vxlanUdpPort: integer(1024, 65535),
  vrfName: pattern(IDENTIFIER, ["default"]),
  aclName: pattern(IDENTIFIER),
  vlanName: pattern(VLAN_NAME),
  sessionName: pattern(SESSION_NAME),
  ipv4: (w) => parseIpv4(w),
  routePrefix: ipv4Prefix({ network: true, minLen: 0 }),
  interfaceAddress: ipv4Prefix({ network: false, minLen: 1 }),
  interfaceAddress6: (w) => ipv6InterfaceAddress(w),
  mac: (w) => macAddress(w),
  rdOrRt: (w) => routeDistinguisherOrTarget(w),
  vlanList: (w) => parseVlanList(w),
  tcpPort: l4Port("tcp"),
  udpPort: l4Port("udp"),
  ethernet: ethernetPort,
  loopback: numberedInterface("Loopback", 0, 8191),
  vlanInterface: numberedInterface("Vlan", 1, 4094),
};
