// Readers that turn a switch's config tree into the facts both the validator and the fabric model
// need: bridge VLANs with their VNIs, VRFs with L3VNIs and route targets, port VLAN membership.

import { asVlanId, parseVlanKey, parseVni } from "./net";
import { childScalar, childTree, isTree, keysOf, type ConfigTree } from "./tree";

export interface BridgeVlan {
  /** The key the VLAN came from ("10" or a range key such as "10-12"). */
  key: string;
  vnis: number[];
  /** VNI keys that are not VNIs. */
  badVnis: string[];
}

export interface BridgeDomain {
  name: string;
  vlans: Map<number, BridgeVlan>;
  /** The VLAN untagged frames land in (`untagged`, default 1), or undefined for "none". */
  untagged: number | undefined;
  /** Keys that are not VLAN ids or ranges, and VLANs listed under two keys. */
  errors: { key: string; reason: string }[];
}

export function bridgeDomains(config: ConfigTree): Map<string, BridgeDomain> {
  const out = new Map<string, BridgeDomain>();
  const domains = childTree(config, "bridge", "domain");
  for (const name of keysOf(domains)) {
    const d = childTree(domains, name) ?? {};
    const offsetRaw = childScalar(d, "vlan-vni-offset");
    const offset = typeof offsetRaw === "number" ? offsetRaw : Number(offsetRaw ?? 0) || 0;
    const untaggedRaw = childScalar(d, "untagged");
    const dom: BridgeDomain = {
      name,
      vlans: new Map(),
      untagged: untaggedRaw === "none" ? undefined : (asVlanId(untaggedRaw) ?? 1),
      errors: [],
    };
    const vlans = childTree(d, "vlan");
    for (const key of keysOf(vlans)) {
      const ids = parseVlanKey(key);
      if (typeof ids === "string") {
        dom.errors.push({ key, reason: ids });
        continue;
      }
      const vniTree = childTree(vlans, key, "vni");
      for (const id of ids) {
        const vnis: number[] = [];
        const badVnis: string[] = [];
        for (const vk of keysOf(vniTree)) {
          const n = vk === "auto" ? parseVni(String(id + offset)) : parseVni(vk);
          if (n === undefined) badVnis.push(vk);
          else vnis.push(n);
        }
        const prior = dom.vlans.get(id);
        if (prior)
          dom.errors.push({ key, reason: `VLAN ${id} is listed under both "${prior.key}" and "${key}"` });
        else dom.vlans.set(id, { key, vnis, badVnis });
      }
    }
    out.set(name, dom);
  }
  return out;
}

/** The route targets of one direction; "auto" (or none configured) is derived as ASN:L3VNI. */
export interface RouteTargets {
  explicit: string[];
  auto: boolean;
}

export interface VrfInfo {
  name: string;
  l3vniKeys: string[];
  l3vni: number | undefined;
  asn: string | undefined;
  imports: RouteTargets;
  exports: RouteTargets;
}

function targets(t: ConfigTree | undefined): RouteTargets {
  const keys = keysOf(t);
  const explicit = keys.filter((k) => k !== "auto");
  return { explicit, auto: explicit.length === 0 || keys.includes("auto") };
}

export const IMPLICIT_VRFS = new Set(["default", "mgmt"]);

export function vrfs(config: ConfigTree): Map<string, VrfInfo> {
  const out = new Map<string, VrfInfo>();
  const all = childTree(config, "vrf");
  const globalAsn = childScalar(config, "router", "bgp", "autonomous-system");
  for (const name of new Set([...keysOf(all), ...IMPLICIT_VRFS])) {
    const v = childTree(all, name) ?? {};
    const l3vniKeys = keysOf(childTree(v, "evpn", "vni"));
    const bgp = childTree(v, "router", "bgp");
    const asn = childScalar(bgp, "autonomous-system") ?? globalAsn;
    out.set(name, {
      name,
      l3vniKeys,
      l3vni: l3vniKeys.length === 1 ? parseVni(l3vniKeys[0] as string) : undefined,
      asn: asn === undefined ? undefined : String(asn),
      imports: targets(childTree(bgp, "route-import", "from-evpn", "route-target")),
      exports: targets(childTree(bgp, "route-export", "to-evpn", "route-target")),
    });
  }
  return out;
}

/** The concrete export route targets of a VRF (auto expands to ASN:L3VNI). */
export function exportTargets(v: VrfInfo): string[] {
  const out = [...v.exports.explicit];
  if (v.exports.auto && v.l3vni !== undefined) out.push(`${v.asn ?? "0"}:${v.l3vni}`);
  return out;
}

/**
 * Whether `importer` imports any of `exported`. Auto import matches any ASN with the importer's
 * L3VNI (FRR ignores the ASN of auto-derived targets, so auto works across eBGP leaves).
 */
export function importsAny(importer: VrfInfo, exported: string[]): string | undefined {
  for (const rt of exported) {
    if (importer.imports.explicit.includes(rt)) return rt;
    const star = rt.replace(/^[^:]*:/, "*:");
    if (importer.imports.explicit.includes(star)) return rt;
    if (importer.imports.auto && importer.l3vni !== undefined && rt.endsWith(`:${importer.l3vni}`)) return rt;
  }
  return undefined;
}

export interface PortVlans {
  domain: string;
  access: number | undefined;
  /** Trunk VLANs; undefined when the port inherits every VLAN of the bridge. */
  trunk: number[] | undefined;
  /** The VLAN untagged frames land in on a trunk (undefined = dropped). */
  native: number | undefined;
  errors: { location: string; reason: string }[];
}

/** The bridge membership of interface `name` (undefined when it is not a bridge member). */
export function portVlans(
  config: ConfigTree,
  name: string,
  domains: Map<string, BridgeDomain> = bridgeDomains(config),
): PortVlans | undefined {
  const doms = childTree(config, "interface", name, "bridge", "domain");
  const domain = keysOf(doms)[0];
  if (domain === undefined) return undefined;
  const d = childTree(doms, domain) ?? {};
  const base = `/interface/${name}/bridge/domain/${domain}`;
  const errors: PortVlans["errors"] = [];
  const accessRaw = childScalar(d, "access");
  const access = asVlanId(accessRaw);
  if (accessRaw !== undefined && access === undefined)
    errors.push({
      location: `${base}/access`,
      reason: `access VLAN ${JSON.stringify(accessRaw)} is not 1-4094`,
    });
  let trunk: number[] | undefined;
  const vlanTree = d["vlan"];
  if (isTree(vlanTree)) {
    trunk = [];
    for (const key of Object.keys(vlanTree)) {
      const ids = parseVlanKey(key);
      if (typeof ids === "string") errors.push({ location: `${base}/vlan/${key}`, reason: ids });
      else trunk.push(...ids);
    }
  }
  const untaggedRaw = childScalar(d, "untagged");
  const domUntagged = domains.get(domain)?.untagged ?? 1;
  const native = untaggedRaw === "none" ? undefined : (asVlanId(untaggedRaw) ?? domUntagged);
  if (untaggedRaw !== undefined && untaggedRaw !== "none" && asVlanId(untaggedRaw) === undefined)
    errors.push({
      location: `${base}/untagged`,
      reason: `untagged ${JSON.stringify(untaggedRaw)} is not a VLAN or "none"`,
    });
  return { domain, access, trunk, native, errors };
}
