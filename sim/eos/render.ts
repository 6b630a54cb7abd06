// `show running-config` from the structured config, in EOS's canonical order and layout, and the
// unified diff of `show session-config diffs`.
//
// Layout, as in `show running-config` of vEOS-lab 4.29 and cEOS 4.33 dumps and the
// aristanetworks/avd intended configs (eos-intended-config.j2 fixes the section order):
// - two comment lines (`! Command: show running-config`, `! device: <host> (<model>, EOS-<ver>)`);
// - top-level sections, each preceded by a `!` line: hostname; VLANs (VLANs with no settings share
//   one `vlan 10,20-22` line); each `vrf instance`; interfaces, Ethernet (every port, even with
//   nothing under it), Loopback, Vlan, Vxlan; `ip virtual-router mac-address`; each
//   `ip access-list`; `ip routing` with its `ip routing vrf` lines; the `ip route vrf` lines;
//   `router bgp`;
// - sub-mode lines indented 3 spaces per level; inside a sub-mode, a nested block (`vlan 10` or
//   `vrf RED` under `router bgp`) is preceded by an indented `!`;
// - a final `!` and `end`.
// Defaults are not printed (access mode, access VLAN 1, all VLANs allowed on a trunk), except
// `vxlan udp-port 4789`, which EOS shows on a fresh Vxlan1 (EOS manual, VXLAN configuration).

import {
  SIM_EOS_VERSION,
  SIM_MODEL_NAME,
  naturalCompare,
  type AclEntry,
  type EthernetConfig,
  type RunningConfig,
  type StaticRoute,
} from "./model";
import { formatVlanList, portName } from "./tokens";

/** A config line; `children` is set on lines that open a sub-mode (even when nothing is inside). */
export interface ConfigLine {
  text: string;
  children?: ConfigLine[];
}

const leaf = (text: string): ConfigLine => ({ text });
const block = (text: string, children: ConfigLine[]): ConfigLine => ({ text, children });

const byNumber = (a: string, b: string) => Number(a) - Number(b);

function vlanSections(config: RunningConfig): ConfigLine[][] {
  const sections: ConfigLine[][] = [];
  let plain: number[] = [];
  const flush = () => {
    if (plain.length > 0) sections.push([block(`vlan ${formatVlanList(plain)}`, [])]);
    plain = [];
  };
  for (const id of Object.keys(config.vlans).sort(byNumber)) {
    const name = config.vlans[id]?.name;
    if (name === undefined) {
      plain.push(Number(id));
      continue;
    }
    flush();
    sections.push([block(`vlan ${id}`, [leaf(`name ${name}`)])]);
  }
  flush();
  return sections;
}

function ethernetLines(port: EthernetConfig): ConfigLine[] {
  const lines: ConfigLine[] = [];
  if (port.accessVlan !== undefined) lines.push(leaf(`switchport access vlan ${port.accessVlan}`));
  if (port.trunkAllowed !== undefined)
    lines.push(
      leaf(
        `switchport trunk allowed vlan ${port.trunkAllowed === "none" ? "none" : formatVlanList(port.trunkAllowed)}`,
      ),
    );
  if (port.mode === "trunk") lines.push(leaf("switchport mode trunk"));
  if (port.accessGroupIn !== undefined) lines.push(leaf(`ip access-group ${port.accessGroupIn} in`));
  if (port.accessGroupOut !== undefined) lines.push(leaf(`ip access-group ${port.accessGroupOut} out`));
  return lines;
}

export function aclEntryText(e: AclEntry): string {
  const destination = e.destination === "any" ? "any" : `host ${e.destination.host}`;
  const port = e.port !== undefined && e.protocol !== "ip" ? ` eq ${portName(e.protocol, e.port)}` : "";
  return `${e.seq} ${e.action} ${e.protocol} any ${destination}${port}`;
}

function ipv4Number(addr: string): number {
  return addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function compareRoutes(a: StaticRoute, b: StaticRoute): number {
  const [pa = "", la = "0"] = a.prefix.split("/");
  const [pb = "", lb = "0"] = b.prefix.split("/");
  return (
    naturalCompare(a.vrf, b.vrf) ||
    ipv4Number(pa) - ipv4Number(pb) ||
    Number(la) - Number(lb) ||
    ipv4Number(a.nextHop) - ipv4Number(b.nextHop)
  );
}

function routerBgpBlock(config: RunningConfig): ConfigLine | undefined {
  const bgp = config.routerBgp;
  if (!bgp) return undefined;
  const children: ConfigLine[] = [];
  if (bgp.routerId) children.push(leaf(`router-id ${bgp.routerId}`));
  for (const id of Object.keys(bgp.vlans).sort(byNumber)) {
    const v = bgp.vlans[id];
    if (!v) continue;
    const lines: ConfigLine[] = [];
    if (v.rd) lines.push(leaf(`rd ${v.rd}`));
    for (const rt of v.routeTargetBoth) lines.push(leaf(`route-target both ${rt}`));
    if (v.redistributeLearned) lines.push(leaf("redistribute learned"));
    children.push(block(`vlan ${id}`, lines));
  }
  for (const name of Object.keys(bgp.vrfs).sort(naturalCompare)) {
    const v = bgp.vrfs[name];
    if (!v) continue;
    const lines: ConfigLine[] = [];
    if (v.rd) lines.push(leaf(`rd ${v.rd}`));
    for (const rt of v.routeTargetImportEvpn) lines.push(leaf(`route-target import evpn ${rt}`));
    for (const rt of v.routeTargetExportEvpn) lines.push(leaf(`route-target export evpn ${rt}`));
    if (v.redistributeConnected) lines.push(leaf("redistribute connected"));
    if (v.redistributeStatic) lines.push(leaf("redistribute static"));
    children.push(block(`vrf ${name}`, lines));
  }
  return block(`router bgp ${bgp.asn}`, children);
}

/** The config as top-level sections, each printed after a `!` line. */
export function configSections(config: RunningConfig): ConfigLine[][] {
  const sections: ConfigLine[][] = [[leaf(`hostname ${config.hostname}`)]];
  sections.push(...vlanSections(config));
  for (const vrf of Object.keys(config.vrfs).sort(naturalCompare))
    sections.push([block(`vrf instance ${vrf}`, [])]);
  for (const port of Object.keys(config.ethernet).sort(naturalCompare))
    sections.push([block(`interface ${port}`, ethernetLines(config.ethernet[port] ?? {}))]);
  for (const n of Object.keys(config.loopbacks).sort(byNumber)) {
    const address = config.loopbacks[n]?.ipAddress;
    sections.push([block(`interface Loopback${n}`, address ? [leaf(`ip address ${address}`)] : [])]);
  }
  for (const id of Object.keys(config.svis).sort(byNumber)) {
    const svi = config.svis[id] ?? {};
    const lines: ConfigLine[] = [];
    if (svi.vrf) lines.push(leaf(`vrf ${svi.vrf}`));
    if (svi.ipAddressVirtual) lines.push(leaf(`ip address virtual ${svi.ipAddressVirtual}`));
    if (svi.ipv6AddressVirtual) lines.push(leaf(`ipv6 address virtual ${svi.ipv6AddressVirtual}`));
    sections.push([block(`interface Vlan${id}`, lines)]);
  }
  if (config.vxlan) {
    const vx = config.vxlan;
    const lines: ConfigLine[] = [];
    if (vx.sourceInterface) lines.push(leaf(`vxlan source-interface ${vx.sourceInterface}`));
    lines.push(leaf(`vxlan udp-port ${vx.udpPort}`));
    for (const vlan of Object.keys(vx.vlanVni).sort(byNumber))
      lines.push(leaf(`vxlan vlan ${vlan} vni ${vx.vlanVni[vlan]}`));
    for (const vrf of Object.keys(vx.vrfVni).sort(naturalCompare))
      lines.push(leaf(`vxlan vrf ${vrf} vni ${vx.vrfVni[vrf]}`));
    sections.push([block("interface Vxlan1", lines)]);
  }
  if (config.virtualRouterMac)
    sections.push([leaf(`ip virtual-router mac-address ${config.virtualRouterMac}`)]);
  for (const acl of Object.keys(config.acls).sort(naturalCompare))
    sections.push([
      block(
        `ip access-list ${acl}`,
        (config.acls[acl] ?? []).map((e) => leaf(aclEntryText(e))),
      ),
    ]);
  sections.push([
    leaf(config.ipRouting ? "ip routing" : "no ip routing"),
    ...config.ipRoutingVrfs.map((vrf) => leaf(`ip routing vrf ${vrf}`)),
  ]);
  if (config.staticRoutes.length > 0)
    sections.push(
      [...config.staticRoutes]
        .sort(compareRoutes)
        .map((r) => leaf(`ip route vrf ${r.vrf} ${r.prefix} ${r.nextHop}`)),
    );
  const bgp = routerBgpBlock(config);
  if (bgp) sections.push([bgp]);
  return sections;
}

function headerComment(config: RunningConfig): string {
  return `! device: ${config.hostname} (${SIM_MODEL_NAME}, EOS-${SIM_EOS_VERSION})`;
}

function emit(line: ConfigLine, depth: number, out: string[]): void {
  const indent = "   ".repeat(depth);
  out.push(indent + line.text);
  for (const child of line.children ?? []) {
    if (child.children) out.push(`${indent}   !`);
    emit(child, depth + 1, out);
  }
}

/** The text of `show running-config`, ending with "end\n". */
export function renderRunningConfig(config: RunningConfig): string {
  const out = ["! Command: show running-config", headerComment(config)];
  for (const section of configSections(config)) {
    out.push("!");
    for (const line of section) emit(line, 0, out);
  }
  out.push("!", "end");
  return out.join("\n") + "\n";
}

interface JsonBlock {
  cmds: Record<string, JsonBlock | null>;
}

function jsonOf(lines: ConfigLine[]): JsonBlock {
  const cmds: Record<string, JsonBlock | null> = {};
  for (const line of lines) cmds[line.text] = line.children ? jsonOf(line.children) : null;
  return { cmds };
}

/**
 * `show running-config` with format json: each line a key, sub-modes nested under `cmds`. The
 * exact EOS shape is unverified; the contract reads the text form.
 */
export function runningConfigJson(config: RunningConfig): { header: string[]; cmds: JsonBlock["cmds"] } {
  return { header: [headerComment(config)], ...jsonOf(configSections(config).flat()) };
}

/**
 * A unified diff with 3 lines of context, as `show session-config diffs` prints it
 * (`--- system:/running-config`, `+++ session:/<name>-session-config`, `@@` hunks).
 */
export function unifiedDiff(before: string, after: string, fromLabel: string, toLabel: string): string {
  // Both texts end with a newline; it is not a line of its own.
  const a = before.replace(/\n$/, "").split("\n");
  const b = after.replace(/\n$/, "").split("\n");
  // Longest common subsequence lengths of the suffixes a[i..] and b[j..].
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  const lcs = (i: number, j: number) => (table[i] as number[])[j] as number;
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (table[i] as number[])[j] =
        a[i] === b[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
  const ops: { kind: " " | "-" | "+"; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", text: a[i] as string });
      i++;
      j++;
    } else if (lcs(i + 1, j) >= lcs(i, j + 1)) ops.push({ kind: "-", text: a[i++] as string });
    else ops.push({ kind: "+", text: b[j++] as string });
  }
  while (i < a.length) ops.push({ kind: "-", text: a[i++] as string });
  while (j < b.length) ops.push({ kind: "+", text: b[j++] as string });
  const changed = ops.map((op, n) => (op.kind !== " " ? n : -1)).filter((n) => n >= 0);
  if (changed.length === 0) return "";
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  const CONTEXT = 3;
  for (let k = 0; k < changed.length;) {
    const start = Math.max(0, (changed[k] as number) - CONTEXT);
    let end = Math.min(ops.length - 1, (changed[k] as number) + CONTEXT);
    while (k + 1 < changed.length && (changed[k + 1] as number) - CONTEXT <= end + 1) {
      k++;
      end = Math.min(ops.length - 1, (changed[k] as number) + CONTEXT);
    }
    k++;
    const hunk = ops.slice(start, end + 1);
    const aCount = hunk.filter((op) => op.kind !== "+").length;
    const bCount = hunk.filter((op) => op.kind !== "-").length;
    // Line numbers of the hunk's first line in each file (1-based), computed from the ops before it.
    const aStart = ops.slice(0, start).filter((op) => op.kind !== "+").length + 1;
    const bStart = ops.slice(0, start).filter((op) => op.kind !== "-").length + 1;
    out.push(
      `@@ -${aCount === 0 ? aStart - 1 : aStart},${aCount} +${bCount === 0 ? bStart - 1 : bStart},${bCount} @@`,
    );
    for (const op of hunk) out.push(op.kind + op.text);
  }
  return out.join("\n") + "\n";
}
