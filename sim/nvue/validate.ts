// Apply-time validation of a whole switch config, the checks that make a revision `invalid`.
// Each issue has a location (a path like the PATCH URL path) and a human reason.

import { CONTROL_CHARS, asVlanId, parseIp, parsePrefix, parseVni } from "./net";
import { IMPLICIT_VRFS, bridgeDomains, portVlans, vrfs } from "./read";
import { childScalar, childTree, isTree, keysOf, type ConfigTree } from "./tree";

export interface ValidationIssue {
  code: string;
  location: string;
  reason: string;
}

const RT = /^(?:auto|(?:\d{1,10}|\d{1,3}(?:\.\d{1,3}){3}|\*):\d{1,10})$/;
const RD = /^(?:auto|(?:\d{1,10}|\d{1,3}(?:\.\d{1,3}){3}):\d{1,10})$/;
const MAC = /^(?:auto|[0-9a-f]{2}(?::[0-9a-f]{2}){5})$/i;
/** Interfaces every Cumulus switch has whether or not they are in the port list. */
const ALWAYS_PRESENT = new Set(["eth0", "lo"]);

function loc(...segs: (string | number)[]): string {
  return (
    "/" + segs.map((s) => (typeof s === "string" && CONTROL_CHARS.test(s) ? JSON.stringify(s) : s)).join("/")
  );
}

function walkKeys(v: ConfigTree, path: string[], issues: ValidationIssue[]): void {
  for (const [k, child] of Object.entries(v)) {
    if (CONTROL_CHARS.test(k))
      issues.push({
        code: "bad_name",
        location: loc(...path, k),
        reason: `name ${JSON.stringify(k)} contains a control character`,
      });
    if (isTree(child)) walkKeys(child, [...path, k], issues);
  }
}

export function validateConfig(config: ConfigTree, sw: { ports: string[] }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (code: string, location: string, reason: string) => issues.push({ code, location, reason });
  walkKeys(config, [], issues);

  // Bridge VLANs and L2VNIs.
  const domains = bridgeDomains(config);
  const l2vniOwner = new Map<number, string>();
  for (const d of domains.values()) {
    for (const e of d.errors) add("bad_vlan", loc("bridge", "domain", d.name, "vlan", e.key), e.reason);
    for (const [id, v] of d.vlans) {
      const where = loc("bridge", "domain", d.name, "vlan", v.key, "vni");
      for (const bad of v.badVnis) add("bad_vni", where, `"${bad}" is not a VNI (1-16777214 or auto)`);
      if (v.vnis.length > 1)
        add("bad_vni", where, `VLAN ${id} maps to more than one VNI (${v.vnis.join(", ")})`);
      for (const vni of v.vnis) {
        const owner = l2vniOwner.get(vni);
        const me = `VLAN ${id} of ${d.name}`;
        if (owner) add("duplicate_vni", where, `VNI ${vni} is mapped by both ${owner} and ${me}`);
        else l2vniOwner.set(vni, me);
      }
    }
  }

  // VRFs: L3VNIs, route targets, static routes.
  const allVrfs = vrfs(config);
  const configuredVrfs = new Set(keysOf(config["vrf"]));
  const l3vniOwner = new Map<number, string>();
  const interfaces = childTree(config, "interface") ?? {};
  const interfaceExists = (n: string) =>
    sw.ports.includes(n) || ALWAYS_PRESENT.has(n) || Object.prototype.hasOwnProperty.call(interfaces, n);
  for (const name of configuredVrfs) {
    const v = allVrfs.get(name);
    if (!v) continue;
    const where = loc("vrf", name, "evpn", "vni");
    if (v.l3vniKeys.length > 1)
      add("bad_vni", where, `VRF ${name} has more than one L3VNI (${v.l3vniKeys.join(", ")})`);
    for (const k of v.l3vniKeys) {
      const vni = parseVni(k);
      if (vni === undefined) {
        add("bad_vni", loc("vrf", name, "evpn", "vni", k), `"${k}" is not a VNI (1-16777214)`);
        continue;
      }
      const owner = l3vniOwner.get(vni);
      if (owner)
        add(
          "duplicate_vni",
          loc("vrf", name, "evpn", "vni", k),
          `L3VNI ${vni} is used by VRFs ${owner} and ${name}`,
        );
      else l3vniOwner.set(vni, name);
      const l2 = l2vniOwner.get(vni);
      if (l2)
        add(
          "duplicate_vni",
          loc("vrf", name, "evpn", "vni", k),
          `L3VNI ${vni} of VRF ${name} is also the L2VNI of ${l2}`,
        );
    }
    const bgp = childTree(config, "vrf", name, "router", "bgp");
    const rd = childScalar(bgp, "rd");
    if (rd !== undefined && !RD.test(String(rd)))
      add(
        "bad_value",
        loc("vrf", name, "router", "bgp", "rd"),
        `route distinguisher "${String(rd)}" is not ASN:NN or IP:NN`,
      );
    for (const dir of [
      ["route-import", "from-evpn"],
      ["route-export", "to-evpn"],
    ] as const) {
      for (const rt of keysOf(childTree(bgp, dir[0], dir[1], "route-target")))
        if (!RT.test(rt))
          add(
            "bad_value",
            loc("vrf", name, "router", "bgp", dir[0], dir[1], "route-target", rt),
            `route target "${rt}" is not ASN:NN, IP:NN or auto`,
          );
    }
    const statics = childTree(config, "vrf", name, "router", "static");
    for (const pfx of keysOf(statics)) {
      const where = loc("vrf", name, "router", "static", pfx);
      if (!parsePrefix(pfx)) add("bad_value", where, `static route prefix "${pfx}" is not an address/length`);
      for (const nh of keysOf(childTree(statics, pfx, "via"))) {
        if (parseIp(nh) || nh === "blackhole" || nh === "reject" || interfaceExists(nh)) continue;
        add(
          "bad_value",
          `${where}/via/${nh}`,
          `next hop "${nh}" is not an address, blackhole or an interface`,
        );
      }
    }
  }

  // Interfaces.
  const bondOf = new Map<string, string>();
  for (const name of Object.keys(interfaces)) {
    const itf = childTree(interfaces, name) ?? {};
    const type = childScalar(itf, "type");
    const where = loc("interface", name);
    const sviName = /^vlan(\d+)$/.exec(name);
    if (type === "svi" || sviName) {
      const field = childScalar(itf, "vlan");
      const fromName = sviName?.[1] === undefined ? undefined : asVlanId(sviName[1]);
      const vlan = field !== undefined ? asVlanId(field) : fromName;
      if (vlan === undefined) add("bad_vlan", where, `SVI ${name} has no VLAN id in 1-4094`);
      else if (fromName !== undefined && vlan !== fromName)
        add("bad_vlan", `${where}/vlan`, `SVI ${name} is named for VLAN ${fromName} but sets vlan ${vlan}`);
      else if (![...domains.values()].some((d) => d.vlans.has(vlan)))
        add("missing_reference", where, `SVI ${name}: VLAN ${vlan} does not exist in any bridge domain`);
      for (const a of keysOf(childTree(itf, "ip", "vrr", "address")))
        if (!parsePrefix(a))
          add("bad_value", `${where}/ip/vrr/address/${a}`, `"${a}" is not an address/length`);
      const mac = childScalar(itf, "ip", "vrr", "mac-address");
      if (mac !== undefined && !MAC.test(String(mac)))
        add("bad_value", `${where}/ip/vrr/mac-address`, `"${String(mac)}" is not a MAC address`);
    } else if (name === "lo") {
      if (type !== undefined && type !== "loopback")
        add("bad_value", `${where}/type`, `lo must have type loopback`);
    } else if (type === "bond" || /^bond/.test(name)) {
      if (type !== "bond") add("bad_value", where, `bond interface ${name} needs type bond`);
      for (const m of keysOf(childTree(itf, "bond", "member"))) {
        if (!sw.ports.includes(m))
          add(
            "unknown_interface",
            `${where}/bond/member/${m}`,
            `bond member ${m} is not a port of this switch`,
          );
        const other = bondOf.get(m);
        if (other)
          add("bad_value", `${where}/bond/member/${m}`, `${m} is a member of both ${other} and ${name}`);
        else bondOf.set(m, name);
      }
    } else if (type === "sub" || name.includes(".")) {
      const parent = name.slice(0, name.lastIndexOf("."));
      if (!name.includes(".") || !interfaceExists(parent))
        add("unknown_interface", where, `sub-interface ${name} has no parent interface`);
    } else if (type === "peerlink") {
      // The MLAG peer link bond; its members are checked like a bond's.
    } else if (!sw.ports.includes(name) && !ALWAYS_PRESENT.has(name)) {
      add("unknown_interface", where, `interface ${name} does not exist on this switch`);
    }

    for (const a of keysOf(childTree(itf, "ip", "address")))
      if (!parsePrefix(a)) add("bad_value", `${where}/ip/address/${a}`, `"${a}" is not an address/length`);
    const vrf = childScalar(itf, "ip", "vrf");
    if (vrf !== undefined && !configuredVrfs.has(String(vrf)) && !IMPLICIT_VRFS.has(String(vrf)))
      add("missing_reference", `${where}/ip/vrf`, `${name} is in VRF ${String(vrf)}, which does not exist`);

    const pv = portVlans(config, name, domains);
    if (pv) {
      for (const e of pv.errors) add("bad_vlan", e.location, e.reason);
      const dom = domains.get(pv.domain);
      const bwhere = `${where}/bridge/domain/${pv.domain}`;
      if (!dom) {
        add("missing_reference", bwhere, `${name} is a member of bridge ${pv.domain}, which does not exist`);
        continue;
      }
      if (pv.access !== undefined && !dom.vlans.has(pv.access))
        add(
          "missing_reference",
          `${bwhere}/access`,
          `${name}: access VLAN ${pv.access} is not in bridge ${pv.domain}`,
        );
      for (const v of pv.trunk ?? [])
        if (!dom.vlans.has(v))
          add(
            "missing_reference",
            `${bwhere}/vlan`,
            `${name}: trunk VLAN ${v} is not in bridge ${pv.domain}`,
          );
      const untagged = asVlanId(childScalar(itf, "bridge", "domain", pv.domain, "untagged"));
      if (untagged !== undefined && untagged !== dom.untagged && !dom.vlans.has(untagged))
        add(
          "missing_reference",
          `${bwhere}/untagged`,
          `${name}: untagged VLAN ${untagged} is not in bridge ${pv.domain}`,
        );
    }
  }
  return issues;
}
