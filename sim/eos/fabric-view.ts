// An EOS switch's running-config seen the way the NVUE fabric model reads a switch (sim/nvue/read.ts,
// fabric-model.ts, vip.ts), so canReach / canReachVip answer "can server A reach server B?" on EOS
// leaves with the same rules as on NVUE ones. Only the paths those readers look at are produced;
// the result is not a config an NVUE switch would accept.
//
// Where EOS differs from NVUE's defaults the view spells EOS's behaviour out:
// - route targets are explicit on EOS: a VRF without `route-target import|export evpn` imports or
//   exports nothing, while an empty NVUE list means "auto" (ASN:L3VNI). Such a direction gets a
//   placeholder key that no exported target equals (`NO_IMPORTS`, `NO_EXPORTS`);
// - an L2VNI takes part in EVPN only with a `router bgp` > `vlan N` block that has a route target:
//   without one, or without a Vxlan1 source interface, the VLAN is switch-local (no VNI);
// - a VRF routes only with `ip routing vrf X` (the default VRF with `ip routing`): otherwise its
//   SVIs have no anycast gateway (`vrr.enable: off`) and it has no L3VNI;
// - every Ethernet port is a switchport: access VLAN 1 unless configured, VLAN 1 always exists;
//   a trunk's untagged frames go to native VLAN 1 when the trunk allows VLAN 1, else are dropped;
// - a bound, non-empty ACL ends in EOS's implicit deny (rule `IMPLICIT_DENY_RULE`).
import type { ConfigTree } from "../nvue/tree";
import type { AclEntry, RunningConfig } from "./model";

/** Import route-target key of a VRF that imports nothing (EOS without `route-target import evpn`). */
export const NO_IMPORTS = "none-imported";
/** Export route-target key of a VRF that exports nothing; no VRF ever imports it. */
export const NO_EXPORTS = "none";
/** Rule id of the implicit `deny ip any any` after an ACL's last entry (one past EOS's largest). */
export const IMPLICIT_DENY_RULE = "4294967296";

/** VLAN 1 exists on every EOS switch and cannot be removed. */
const DEFAULT_VLAN = 1;
const BRIDGE = "br_default";

const set = (keys: Iterable<string | number>): ConfigTree =>
  Object.fromEntries([...keys].map((k) => [String(k), {}]));

const byNumber = (a: string, b: string) => Number(a) - Number(b);

function aclRule(e: Pick<AclEntry, "action" | "protocol" | "destination" | "port">): ConfigTree {
  const ip: ConfigTree = {};
  if (e.protocol !== "ip") ip["protocol"] = e.protocol;
  if (e.destination !== "any") ip["dest-ip"] = `${e.destination.host}/32`;
  // NVUE's documented port match sits under the protocol (`match ip tcp|udp dest-port`); EOS allows
  // `eq <port>` only after tcp or udp.
  if (e.port !== undefined && e.protocol !== "ip") ip[e.protocol] = { "dest-port": set([e.port]) };
  return { action: { [e.action]: {} }, match: { ip } };
}

/**
 * The NVUE-shaped applied config (`vrf`, `bridge`, `interface`, `acl`, `router`) that the fabric
 * model reads, for one EOS switch's structured running-config (`sim.config(sw)`). Pure: the input
 * is not changed and nothing outside it is consulted.
 */
export function nvueViewOf(config: RunningConfig): ConfigTree {
  const vxlan = config.vxlan?.sourceInterface ? config.vxlan : undefined;
  const bgp = config.routerBgp;
  const routes = (vrf: string) => (vrf === "default" ? config.ipRouting : config.ipRoutingVrfs.includes(vrf));

  // VRFs: only `vrf instance X` makes one exist (the default VRF is implicit in the model).
  const vrf: ConfigTree = {};
  for (const name of Object.keys(config.vrfs).sort()) {
    const l3vni = vxlan?.vrfVni[name];
    const b = bgp?.vrfs[name];
    const imports = b?.routeTargetImportEvpn ?? [];
    const exports = b?.routeTargetExportEvpn ?? [];
    const static_: ConfigTree = {};
    for (const r of config.staticRoutes.filter((s) => s.vrf === name)) {
      const entry = (static_[r.prefix] ??= { via: {} }) as { via: ConfigTree };
      entry.via[r.nextHop] = {};
    }
    vrf[name] = {
      ...(l3vni !== undefined && routes(name) ? { evpn: { enable: "on", vni: set([l3vni]) } } : {}),
      router: {
        bgp: {
          ...(bgp ? { "autonomous-system": bgp.asn } : {}),
          "route-import": { "from-evpn": { "route-target": set(imports.length ? imports : [NO_IMPORTS]) } },
          "route-export": { "to-evpn": { "route-target": set(exports.length ? exports : [NO_EXPORTS]) } },
        },
        ...(Object.keys(static_).length ? { static: static_ } : {}),
      },
    };
  }

  // The bridge: VLAN 1 and every `vlan N`, each with its L2VNI when that VNI is in EVPN.
  const vlans: ConfigTree = {};
  const vlanIds = [...new Set([String(DEFAULT_VLAN), ...Object.keys(config.vlans)])].sort(byNumber);
  for (const id of vlanIds) {
    const vni = vxlan?.vlanVni[id];
    const inEvpn = (bgp?.vlans[id]?.routeTargetBoth.length ?? 0) > 0;
    vlans[id] = vni !== undefined && inEvpn ? { vni: set([vni]) } : {};
  }

  const interfaces: ConfigTree = {};
  for (const [port, e] of Object.entries(config.ethernet)) {
    let member: ConfigTree;
    if (e.mode === "trunk") {
      const allowed = e.trunkAllowed;
      const carriesNative = allowed === undefined || (allowed !== "none" && allowed.includes(DEFAULT_VLAN));
      member = {
        ...(allowed === undefined ? {} : { vlan: set(allowed === "none" ? [] : allowed) }),
        untagged: carriesNative ? DEFAULT_VLAN : "none",
      };
    } else member = { access: e.accessVlan ?? DEFAULT_VLAN };
    const acl: ConfigTree = {};
    if (e.accessGroupIn) acl[e.accessGroupIn] = { inbound: {} };
    if (e.accessGroupOut)
      acl[e.accessGroupOut] = { ...((acl[e.accessGroupOut] as ConfigTree | undefined) ?? {}), outbound: {} };
    interfaces[port] = {
      bridge: { domain: { [BRIDGE]: member } },
      ...(Object.keys(acl).length ? { acl } : {}),
    };
  }
  for (const [id, s] of Object.entries(config.svis).sort(([a], [b]) => byNumber(a, b))) {
    const addresses = [s.ipAddressVirtual, s.ipv6AddressVirtual].filter((a): a is string => !!a);
    interfaces[`vlan${id}`] = {
      type: "svi",
      vlan: Number(id),
      ip: {
        ...(s.vrf ? { vrf: s.vrf } : {}),
        vrr: { enable: routes(s.vrf ?? "default") ? "on" : "off", address: set(addresses) },
      },
    };
  }

  const acl: ConfigTree = {};
  for (const [name, entries] of Object.entries(config.acls)) {
    const rule: ConfigTree = {};
    for (const e of entries) rule[String(e.seq)] = aclRule(e);
    if (entries.length)
      rule[IMPLICIT_DENY_RULE] = aclRule({ action: "deny", protocol: "ip", destination: "any" });
    acl[name] = { type: "ipv4", rule };
  }

  return {
    ...(bgp
      ? {
          router: {
            bgp: { "autonomous-system": bgp.asn, ...(bgp.routerId ? { "router-id": bgp.routerId } : {}) },
          },
        }
      : {}),
    vrf,
    bridge: { domain: { [BRIDGE]: { untagged: DEFAULT_VLAN, vlan: vlans } } },
    interface: interfaces,
    acl,
  };
}
