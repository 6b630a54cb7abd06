// Reading an Arista EOS switch back: `show running-config` text as a tree, the CLI modes a list of
// config lines walks through, and whether a running-config holds what a list of lines asked for
// (positive lines present, `no ...` lines absent). Pure: no I/O, for the site and for tests.
//
// Running-config layout (as the EOS eAPI contract in this folder states it and as real
// `show running-config` dumps and the aristanetworks/avd intended configs, e.g.
// `examples/single-dc-l3ls/intended/configs/dc1-leaf2a.cfg`, show it): one command per line,
// sub-mode lines indented 3 spaces per level, `!` comment/separator lines (also indented inside
// `router bgp`), a final `end`. EOS leaves defaults out: access mode, access VLAN 1, a trunk
// allowing every VLAN. It prints VLANs without settings on one line (`vlan 20,30-31`), VLAN lists
// as ranges, and well-known ACL ports by name (`eq https` for 443): the EOS default control-plane
// ACL and EOS config fixtures show `eq bgp`, `eq ssh`, `eq ntp`, `eq snmp`, `eq bootps`,
// `eq microsoft-ds`, `eq mlag`.
import { AnyvpcError } from "../../errors";

/** One line of the running-config and, for a line that opens a sub-mode, the lines inside it. */
export interface ConfigNode {
  /** The command, without indentation; runs of spaces collapsed. */
  line: string;
  children: ConfigNode[];
}

/**
 * Parses `show running-config` text into a tree rooted at an empty line: indentation gives the
 * level (3 spaces each); `!` lines, blank lines and the final `end` are left out. A line indented
 * deeper than one level below the previous one is taken as a child of the deepest open line.
 */
export function parseRunningConfig(text: string): ConfigNode {
  const root: ConfigNode = { line: "", children: [] };
  // open[d] is the node whose children are at level d (open[0] is the root).
  const open: ConfigNode[] = [root];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, "");
    const command = line.trimStart();
    if (command === "" || command.startsWith("!")) continue;
    const level = Math.min(Math.floor((line.length - command.length) / 3), open.length - 1);
    if (level === 0 && command === "end") continue;
    const node: ConfigNode = { line: command.replace(/\s+/g, " "), children: [] };
    open[level]!.children.push(node);
    open.length = level + 1;
    open.push(node);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// CLI modes. A line that enters a sub-mode is followed by that mode's lines; `exit` leaves one
// mode; a line the current mode does not know is tried in the enclosing modes, as EOS does (so
// `vlan 10` under `router bgp` > `vrf X` is BGP's `vlan 10`, under `interface Ethernet1` the
// global one). The tables cover the subset anyvpc writes (the contract's CLI list).

type Mode = "global" | "vrf-instance" | "vlan" | "interface" | "acl" | "bgp" | "bgp-vlan" | "bgp-vrf";

const enters: Record<Mode, readonly (readonly [RegExp, Mode])[]> = {
  global: [
    [/^vrf instance \S+$/, "vrf-instance"],
    [/^vlan \d+$/, "vlan"],
    [/^interface \S+$/, "interface"],
    [/^ip access-list \S+$/, "acl"],
    [/^router bgp \d+$/, "bgp"],
  ],
  bgp: [
    [/^vlan \d+$/, "bgp-vlan"],
    [/^vrf \S+$/, "bgp-vrf"],
  ],
  "vrf-instance": [],
  vlan: [],
  interface: [],
  acl: [],
  "bgp-vlan": [],
  "bgp-vrf": [],
};

/** Lines each mode takes without entering a sub-mode; global mode takes anything. */
const leaves: Record<Mode, RegExp | undefined> = {
  global: /^/,
  "vrf-instance": undefined,
  vlan: /^(?:no )?name(?: |$)/,
  interface:
    /^(?:no |default )?(?:switchport|ip access-group|vrf|ip address|ipv6 address|vxlan|description|shutdown|mtu)(?: |$)/,
  acl: /^(?:no )?(?:\d+|remark|statistics)(?: |$)/,
  bgp: /^(?:no )?(?:router-id|neighbor|maximum-paths|bgp|redistribute|address-family|vlan|vrf)(?: |$)/,
  "bgp-vlan": /^(?:no )?(?:rd|route-target|redistribute)(?: |$)/,
  "bgp-vrf": /^(?:no )?(?:rd|route-target|redistribute|router-id|neighbor|maximum-paths)(?: |$)/,
};

function entered(mode: Mode, line: string): Mode | undefined {
  return enters[mode].find(([re]) => re.test(line))?.[1];
}

/** One line of a list, placed: the sub-mode lines above it (from global mode) and what it does. */
export interface PlacedLine {
  /** The lines that opened the modes this line is in, outermost first ([] for global mode). */
  path: string[];
  line: string;
  /** The line opens a sub-mode (its own lines follow it). */
  opens: boolean;
  /** A `no <line>` whose `<line>` would open a sub-mode here: removes that whole block. */
  removesBlock: boolean;
}

/**
 * Walks a list of config lines through the CLI modes as EOS would. Returns each line placed, and
 * the depth left open at the end (how many `exit`s bring the session back to global mode).
 * Throws on an `exit` in global mode: in a configuration session it would leave the session.
 */
export function walkModes(lines: readonly string[]): { placed: PlacedLine[]; depth: number } {
  const stack: { mode: Mode; line: string }[] = [];
  const placed: PlacedLine[] = [];
  for (const raw of lines) {
    const line = raw.trim().replace(/\s+/g, " ");
    if (line === "exit") {
      if (stack.length === 0)
        throw new AnyvpcError("`exit` in global configuration mode would leave the configuration session", {
          value: raw,
          fix: "close only the sub-modes the lines opened",
        });
      stack.pop();
      continue;
    }
    if (line === "end") {
      stack.length = 0;
      continue;
    }
    for (let keep = stack.length; keep >= 0; keep--) {
      const mode: Mode = keep === 0 ? "global" : stack[keep - 1]!.mode;
      const sub = entered(mode, line);
      if (sub || leaves[mode]?.test(line)) {
        stack.length = keep;
        const path = stack.map((f) => f.line);
        const bare = line.startsWith("no ") ? line.slice(3) : undefined;
        placed.push({
          path,
          line,
          opens: sub !== undefined,
          removesBlock: bare !== undefined && entered(mode, bare) !== undefined,
        });
        if (sub) stack.push({ mode: sub, line });
        break;
      }
    }
  }
  return { placed, depth: stack.length };
}

/** The lines followed by the `exit`s that bring them back to global configuration mode. */
export function closeModes(lines: readonly string[]): string[] {
  return [...lines, ...Array<string>(walkModes(lines).depth).fill("exit")];
}

// ---------------------------------------------------------------------------------------------
// What the running-config must show after a list of lines was committed.

/**
 * Well-known port names EOS prints in ACL entries instead of numbers (IANA service names; those
 * seen in EOS configs: the default control-plane ACL and config-parser fixtures). A name missing
 * here makes a read-back fail loudly, never pass wrongly.
 */
const portNames: Record<"tcp" | "udp", Record<string, number>> = {
  tcp: {
    "ftp-data": 20,
    ftp: 21,
    ssh: 22,
    telnet: 23,
    smtp: 25,
    domain: 53,
    www: 80,
    pop3: 110,
    sunrpc: 111,
    nntp: 119,
    bgp: 179,
    ldap: 389,
    https: 443,
    "microsoft-ds": 445,
    ldaps: 636,
    ldp: 646,
    mlag: 4432,
  },
  udp: {
    domain: 53,
    bootps: 67,
    bootpc: 68,
    tftp: 69,
    ntp: 123,
    snmp: 161,
    snmptrap: 162,
    syslog: 514,
    mlag: 4432,
  },
};

/** A line as compared: spaces collapsed, ACL ports as numbers. */
function normalize(line: string): string {
  const words = line.trim().split(/\s+/);
  const m = /^\d+ (?:permit|deny) (tcp|udp) /.exec(words.join(" "));
  if (m) {
    const names = portNames[m[1] as "tcp" | "udp"];
    for (let i = 1; i < words.length; i++)
      if (words[i - 1] === "eq" && Object.hasOwn(names, words[i]!)) words[i] = String(names[words[i]!]);
  }
  return words.join(" ");
}

/** `a`'s words are the first words of `b`. */
function wordPrefix(a: string, b: string): boolean {
  const x = a.split(" ");
  const y = b.split(" ");
  return x.length <= y.length && x.every((w, i) => w === y[i]);
}

/** VLAN ids of a list such as "10,20-22"; undefined when it is not one. */
export function parseVlanList(text: string): Set<number> | undefined {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi > 4094 || hi < lo) return undefined;
    for (let v = lo; v <= hi; v++) out.add(v);
  }
  return out;
}

const trunkOp = /^switchport trunk allowed vlan (?:(add|remove) )?(\S+)$/;

/** VLANs a port's trunk allows, from its lines: every VLAN when no list is configured. */
function trunkAllowed(children: readonly string[]): Set<number> {
  const line = children.find((c) => c.startsWith("switchport trunk allowed vlan "));
  if (line === undefined) return parseVlanList("1-4094")!;
  const list = line.slice("switchport trunk allowed vlan ".length);
  return list === "none" ? new Set() : (parseVlanList(list) ?? new Set());
}

/** Settings with one value: a later line of the same key replaces an earlier one. */
function keyOf(line: string): string {
  const single: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^(\d+)(?: |$)/, (m) => `seq ${m[1]}`],
    [/^switchport mode(?: |$)/, () => "switchport mode"],
    [/^switchport access vlan(?: |$)/, () => "switchport access vlan"],
    [/^vxlan vlan (\d+) vni(?: |$)/, (m) => `vxlan vlan ${m[1]}`],
    [/^vxlan vrf (\S+) vni(?: |$)/, (m) => `vxlan vrf ${m[1]}`],
    [/^(name|rd|router-id|vrf)(?: |$)/, (m) => m[1]!],
  ];
  for (const [re, key] of single) {
    const m = re.exec(line);
    if (m) return key(m);
  }
  return line;
}

interface Expectation {
  path: string[];
  /** The line without `no `. */
  line: string;
  absent: boolean;
  block: boolean;
}

function conflicts(a: Expectation, b: Expectation): boolean {
  if (a.block !== b.block) return false;
  if (a.line === b.line || wordPrefix(a.line, b.line) || wordPrefix(b.line, a.line)) return true;
  if (a.block) return false;
  if (keyOf(a.line) === keyOf(b.line)) return true;
  const ta = trunkOp.exec(a.line);
  const tb = trunkOp.exec(b.line);
  if (!ta || !tb) return false;
  if (!ta[1] || !tb[1]) return true; // a whole list replaces every add/remove
  const la = parseVlanList(ta[2]!) ?? new Set();
  return [...(parseVlanList(tb[2]!) ?? [])].some((v) => la.has(v));
}

const under = (path: readonly string[], prefix: readonly string[]) =>
  prefix.length <= path.length && prefix.every((p, i) => p === path[i]);

/**
 * What `lines` ask the running-config to show, the last word on each setting winning: a line
 * present, a `no` line's subject absent, a block open or removed.
 */
function expectations(lines: readonly string[]): Expectation[] {
  let list: Expectation[] = [];
  for (const p of walkModes(lines).placed) {
    if (p.line.startsWith("default ")) {
      // Back to defaults: nothing to check, and what was asked inside it no longer holds.
      const subject = p.line.slice("default ".length);
      list = list.filter((e) => !(under(e.path, p.path) && wordPrefix(subject, e.path[p.path.length] ?? "")));
      continue;
    }
    const absent = p.line.startsWith("no ");
    const e: Expectation = {
      path: p.path,
      line: absent ? p.line.slice(3) : p.line,
      absent,
      block: p.opens || p.removesBlock,
    };
    list = list.filter((x) => {
      if (x.path.join("\n") === e.path.join("\n") && conflicts(x, e)) return false;
      // A removed block takes what was asked inside it along.
      if (e.absent && e.block && under(x.path, [...e.path, e.line])) return false;
      return true;
    });
    list.push(e);
  }
  return list;
}

function findBlock(parent: ConfigNode, line: string, topLevel: boolean): ConfigNode | undefined {
  const vlan = topLevel ? /^vlan (\d+)$/.exec(line) : null;
  if (vlan) {
    const id = Number(vlan[1]);
    return parent.children.find((c) => {
      const m = /^vlan (\S+)$/.exec(c.line);
      return m !== null && (parseVlanList(m[1]!)?.has(id) ?? false);
    });
  }
  const want = normalize(line);
  return parent.children.find((c) => normalize(c.line) === want);
}

function holds(tree: ConfigNode, e: Expectation): boolean {
  let node: ConfigNode | undefined = tree;
  for (const [i, step] of e.path.entries()) {
    node = findBlock(node, step, i === 0);
    if (!node) return e.absent;
  }
  if (e.block) return (findBlock(node, e.line, e.path.length === 0) !== undefined) !== e.absent;
  const children = node.children.map((c) => normalize(c.line));
  const line = normalize(e.line);
  // Access mode is the default and is not printed: it holds when no other mode is configured.
  if (line === "switchport mode access" || (e.absent && line === "switchport mode"))
    return !children.some((c) => c.startsWith("switchport mode ") && c !== "switchport mode access");
  const trunk = trunkOp.exec(line);
  if (trunk && !e.absent) {
    const allowed = trunkAllowed(children);
    if (trunk[2] === "none" && !trunk[1]) return allowed.size === 0;
    const list = [...(parseVlanList(trunk[2]!) ?? [])];
    if (trunk[1] === "add") return list.every((v) => allowed.has(v));
    if (trunk[1] === "remove") return list.every((v) => !allowed.has(v));
    return list.length === allowed.size && list.every((v) => allowed.has(v));
  }
  if (e.absent) return !children.some((c) => wordPrefix(line, c));
  return children.includes(line);
}

/**
 * What of `lines` the running-config does not show, as `mode line > ... > line` texts (a `no`
 * line's subject still present is shown as `no <line>`). Empty when the config holds them all.
 */
export function missingLines(tree: ConfigNode, lines: readonly string[]): string[] {
  return expectations(lines)
    .filter((e) => !holds(tree, e))
    .map((e) => [...e.path, `${e.absent ? "no " : ""}${e.line}`].join(" > "));
}

/** True when the running-config shows everything `lines` configure and nothing they remove. */
export function holdsLines(tree: ConfigNode, lines: readonly string[]): boolean {
  return missingLines(tree, lines).length === 0;
}
