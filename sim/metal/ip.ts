// IPv4/IPv6 arithmetic on bigints: parsing, containment, overlap and block allocation.
import { isIPv4, isIPv6 } from "node:net";

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** First address of the block (host bits may be set when parsed with allowHostBits). */
  network: bigint;
  prefix: number;
}

export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  if (isIPv4(text)) {
    const value = text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(text)) return { family: 6, value: parseIpv6(text) };
  return undefined;
}

function parseIpv6(text: string): bigint {
  let body = text;
  // An embedded dotted quad ("::ffff:1.2.3.4") stands for the last two groups.
  const lastColon = body.lastIndexOf(":");
  const tail = body.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIp(tail);
    const v = v4?.value ?? 0n;
    body = `${body.slice(0, lastColon + 1)}${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = body.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - headGroups.length - restGroups.length;
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill("0"), ...restGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function formatIp(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // Compress the longest run (of at least two) of zero groups, as RFC 5952 prescribes.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** Parses "a.b.c.d/n" or "x::/n". Returns undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > familyBits(ip.family)) return undefined;
  return { family: ip.family, network: ip.value, prefix };
}

export function blockSize(c: Cidr): bigint {
  return 1n << BigInt(familyBits(c.family) - c.prefix);
}

export function maskNetwork(family: Family, value: bigint, prefix: number): bigint {
  const hostBits = BigInt(familyBits(family) - prefix);
  return (value >> hostBits) << hostBits;
}

export function isNetworkAddress(c: Cidr): boolean {
  return maskNetwork(c.family, c.network, c.prefix) === c.network;
}

export function lastAddress(c: Cidr): bigint {
  return c.network + blockSize(c) - 1n;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    inner.prefix >= outer.prefix &&
    maskNetwork(outer.family, inner.network, outer.prefix) === outer.network
  );
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.family, c.network)}/${c.prefix}`;
}

export function netmask(family: Family, prefix: number): string {
  const bits = familyBits(family);
  const all = (1n << BigInt(bits)) - 1n;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return formatIp(family, all ^ hostMask);
}

/** First aligned block of `prefix` inside `pool` that overlaps none of `taken`. */
export function allocateBlock(pool: Cidr, prefix: number, taken: Cidr[]): Cidr | undefined {
  if (prefix < pool.prefix) return undefined;
  const size = 1n << BigInt(familyBits(pool.family) - prefix);
  for (let start = pool.network; start + size - 1n <= lastAddress(pool); start += size) {
    const candidate: Cidr = { family: pool.family, network: start, prefix };
    if (!taken.some((t) => cidrOverlaps(t, candidate))) return candidate;
  }
  return undefined;
}
