// Prefixes as plain values: IPv4 and IPv6 share one representation (a BigInt network address and a
// length), so every planner function has one code path for both families.
import ipaddr from "ipaddr.js";

export type IpVersion = 4 | 6;

export interface Prefix {
  readonly version: IpVersion;
  /** The network address as an unsigned integer (host bits are always zero). */
  readonly network: bigint;
  readonly length: number;
}

export function addressBits(version: IpVersion): number {
  return version === 4 ? 32 : 128;
}

export type ParseResult = { ok: true; prefix: Prefix } | { ok: false; reason: string };

function parseAddress(text: string): { version: IpVersion; value: bigint } | undefined {
  let bytes: number[];
  let version: IpVersion;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    bytes = ipaddr.IPv4.parse(text).toByteArray();
    version = 4;
  } else if (text.includes(":") && ipaddr.IPv6.isValid(text) && !text.includes("%")) {
    const v6 = ipaddr.IPv6.parse(text);
    // An IPv4-mapped form would make one address parse two ways; keep families apart.
    if (v6.isIPv4MappedAddress() && text.includes(".")) return undefined;
    bytes = v6.toByteArray();
    version = 6;
  } else {
    return undefined;
  }
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return { version, value };
}

export function formatAddress(version: IpVersion, value: bigint): string {
  const count = version === 4 ? 4 : 16;
  const bytes = new Array<number>(count);
  let v = value;
  for (let i = count - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  const addr = ipaddr.fromByteArray(bytes);
  return addr.kind() === "ipv6" ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.version, p.network)}/${p.length}`;
}

export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt(addressBits(p.version) - p.length);
}

/** The last address inside p. */
export function lastAddress(p: Prefix): bigint {
  return p.network + prefixSize(p) - 1n;
}

/**
 * Parses "address/length" strictly: four-part decimal IPv4 or IPv6 without a zone, a length that
 * fits the family, and no host bits set. The reason names what is wrong and, where it can, the fix.
 */
export function parsePrefix(text: unknown): ParseResult {
  if (typeof text !== "string") return { ok: false, reason: "is not a string" };
  const slash = text.indexOf("/");
  if (slash < 0) {
    return { ok: false, reason: "has no prefix length (write it as address/length, e.g. 10.20.0.0/16)" };
  }
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  const addr = parseAddress(addrText);
  if (!addr) return { ok: false, reason: `has an invalid IP address '${addrText}'` };
  const bits = addressBits(addr.version);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) {
    return {
      ok: false,
      reason: `has an invalid prefix length '${lenText}' (IPv${addr.version} allows 0 to ${bits})`,
    };
  }
  const length = Number(lenText);
  const hostMask = (1n << BigInt(bits - length)) - 1n;
  if ((addr.value & hostMask) !== 0n) {
    const network = addr.value & ~hostMask;
    return {
      ok: false,
      reason: `has host bits set; the network is ${formatAddress(addr.version, network)}/${length}`,
    };
  }
  return { ok: true, prefix: { version: addr.version, network: addr.value, length } };
}

/** Parses a prefix that is known to be valid (tests, constants); throws otherwise. */
export function prefix(text: string): Prefix {
  const r = parsePrefix(text);
  if (!r.ok) throw new Error(`'${text}' ${r.reason}`);
  return r.prefix;
}

export function contains(outer: Prefix, inner: Prefix): boolean {
  return (
    outer.version === inner.version &&
    inner.length >= outer.length &&
    inner.network >= outer.network &&
    lastAddress(inner) <= lastAddress(outer)
  );
}

export function overlaps(a: Prefix, b: Prefix): boolean {
  return a.version === b.version && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.version === b.version && a.network === b.network && a.length === b.length;
}
