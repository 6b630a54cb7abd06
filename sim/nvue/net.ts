// Address and id parsing shared by the validator and the fabric model: IPv4/IPv6 prefixes as
// bigints, NVUE VLAN range keys ("10", "10-12", "10,20,30-32") and VNI keys.

import { isIP } from "node:net";

export interface Prefix {
  family: 4 | 6;
  /** The address as written (host bits kept). */
  addr: bigint;
  len: number;
}

function ipv4ToBig(s: string): bigint {
  return s.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

function ipv6ToBig(s: string): bigint {
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = ipv4ToBig(v4[1]);
    text =
      text.slice(0, -v4[1].length) + ((n >> 16n) & 0xffffn).toString(16) + ":" + (n & 0xffffn).toString(16);
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseIp(s: string): { family: 4 | 6; addr: bigint } | undefined {
  const fam = isIP(s);
  if (fam === 4) return { family: 4, addr: ipv4ToBig(s) };
  if (fam === 6) return { family: 6, addr: ipv6ToBig(s) };
  return undefined;
}

/** "10.1.10.5/24" → prefix; a bare address gets a host-length prefix. */
export function parsePrefix(s: string, requireLength = true): Prefix | undefined {
  const slash = s.indexOf("/");
  if (slash < 0 && requireLength) return undefined;
  const ipText = slash < 0 ? s : s.slice(0, slash);
  const ip = parseIp(ipText);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ...ip, len: max };
  const lenText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > max) return undefined;
  return { ...ip, len };
}

function mask(p: { family: 4 | 6; len: number }): bigint {
  const bits = p.family === 4 ? 32n : 128n;
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(p.len))) - 1n);
}

export function network(p: Prefix): bigint {
  return p.addr & mask(p);
}

/** Whether address `ip` lies inside the subnet of prefix `p`. */
export function contains(p: Prefix, ip: { family: 4 | 6; addr: bigint }): boolean {
  return p.family === ip.family && (ip.addr & mask(p)) === network(p);
}

/** Two hosts are on one subnet when each one's address lies in the other's prefix. */
export function sameSubnet(a: Prefix, b: Prefix): boolean {
  return contains(a, b) && contains(b, a);
}

export function formatPrefix(p: Prefix): string {
  if (p.family === 4) {
    const n = network(p);
    const octets = [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn));
    return `${octets.join(".")}/${p.len}`;
  }
  const n = network(p);
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return `${groups.join(":")}/${p.len}`;
}

/** Parses an NVUE VLAN key: comma-separated ids and ranges. Returns the ids or an error. */
export function parseVlanKey(key: string): number[] | string {
  const out = new Set<number>();
  for (const raw of key.split(",")) {
    const item = raw.trim();
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m?.[1]) return `"${key}" is not a VLAN id or range`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return `VLAN range ${item} is reversed`;
    for (const v of [lo, hi]) if (v < 1 || v > 4094) return `VLAN ${v} is out of range 1-4094`;
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return [...out].sort((x, y) => x - y);
}

export const MAX_VNI = 16777214;

export function parseVni(key: string): number | undefined {
  if (!/^\d{1,8}$/.test(key)) return undefined;
  const n = Number(key);
  return n >= 1 && n <= MAX_VNI ? n : undefined;
}

/** A VLAN id given as a number or a numeric string. */
export function asVlanId(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 4094 ? n : undefined;
}

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
