// Reachability of a load balancer VIP, from the switches' applied configs only: a client's packet
// to vip:port enters routing at its gateway's VRF (or, from outside, the default VRF of a leaf),
// follows the VIP's static route to its next hops (ECMP), and is delivered to each backend whose
// address is a next hop, that the client can reach, and whose switch port lets it out (ACLs bound
// outbound on the port, first matching rule wins, no match permits; a rule matches on `match ip
// dest-ip`, `match ip protocol` and `match ip tcp|udp dest-port`, the paths NVIDIA documents).
import { canReach, gatewayVrf, type Endpoint, type ServerPort } from "./fabric-model";
import { contains, parsePrefix } from "./net";
import { childTree, keysOf, type ConfigTree } from "./tree";

export interface VipTarget {
  vip: string;
  port: number;
  protocol?: "tcp" | "udp";
}

export interface VipReach {
  reachable: boolean;
  /** The backends (servers) that would receive the packet. */
  receivers: string[];
  reason: string;
}

/** Whether the ACLs bound outbound on `port` let a packet to the target out. */
function aclPermits(config: ConfigTree, port: string, t: VipTarget): { ok: boolean; why: string } {
  const host = parsePrefix(`${t.vip}/32`)!;
  for (const name of keysOf(childTree(config, "interface", port, "acl"))) {
    if (!childTree(config, "interface", port, "acl", name, "outbound")) continue;
    const rules = childTree(config, "acl", name, "rule");
    for (const id of keysOf(rules).sort((a, b) => Number(a) - Number(b))) {
      const ip = childTree(rules, id, "match", "ip");
      const dest = parsePrefix(String(ip?.["dest-ip"] ?? "0.0.0.0/0"));
      if (!dest || !contains(dest, host)) continue;
      const protocol = t.protocol ?? "tcp";
      if (ip?.protocol !== undefined && ip.protocol !== protocol) continue;
      // Port matches sit under their protocol (`match ip tcp|udp dest-port`, Cumulus Linux 5.7+): a
      // rule with ports of the other protocol only matches packets of that protocol.
      const ports = keysOf(childTree(ip, protocol, "dest-port"));
      const otherPorts = keysOf(childTree(ip, protocol === "tcp" ? "udp" : "tcp", "dest-port"));
      if (!ports.length && otherPorts.length) continue;
      if (ports.length && !ports.includes(String(t.port)) && !ports.includes("ANY")) continue;
      const permit = childTree(rules, id, "action", "permit") !== undefined;
      return { ok: permit, why: `ACL ${name} rule ${id} ${permit ? "permits" : "denies"} it on ${port}` };
    }
  }
  return { ok: true, why: "no ACL matches" };
}

function deliver(
  configs: Record<string, ConfigTree>,
  serverPorts: ServerPort[],
  hops: string[],
  t: VipTarget,
  backends: Endpoint[],
  routable: (b: Endpoint) => { ok: boolean; why: string },
): VipReach {
  const receivers: string[] = [];
  const why: string[] = [];
  for (const b of backends) {
    const address = b.ip.split("/")[0]!;
    if (!hops.includes(address)) {
      why.push(`${b.server}: not a next hop of ${t.vip}`);
      continue;
    }
    const r = routable(b);
    if (!r.ok) {
      why.push(`${b.server}: ${r.why}`);
      continue;
    }
    const sp = serverPorts.find((s) => s.server === b.server);
    const acl =
      sp && configs[sp.switch] ? aclPermits(configs[sp.switch]!, sp.port, t) : { ok: true, why: "" };
    if (!acl.ok) {
      why.push(`${b.server}: ${acl.why}`);
      continue;
    }
    receivers.push(b.server);
  }
  return receivers.length
    ? { reachable: true, receivers, reason: `${t.vip}:${t.port} → ${receivers.join(", ")}` }
    : { reachable: false, receivers, reason: why.join("; ") || "no backends" };
}

/**
 * Next hops a VRF learns for the VIP by BGP: backends that announce it (`announcing`, the speakers'
 * runtime state) to a leaf that peers with them in that VRF and whose inbound route-map lets the
 * VIP's /32 in. EVPN type-5 spreads the route to the VRF on every leaf.
 */
function bgpHops(
  configs: Record<string, ConfigTree>,
  vrf: string,
  vip: string,
  announcing: string[],
): string[] {
  const hops = new Set<string>();
  for (const config of Object.values(configs)) {
    const neighbors = childTree(config, "vrf", vrf, "router", "bgp", "neighbor");
    for (const n of keysOf(neighbors)) {
      if (!announcing.includes(n)) continue;
      const rm = childTree(neighbors, n, "address-family", "ipv4-unicast", "policy", "inbound")?.[
        "route-map"
      ];
      const rules = childTree(config, "router", "policy", "route-map", String(rm), "rule");
      const admits = keysOf(rules).some((id) => {
        const pl = childTree(rules, id, "match")?.["ip-prefix-list"];
        const plRules = childTree(config, "router", "policy", "prefix-list", String(pl), "rule");
        return (
          childTree(rules, id, "action", "permit") !== undefined &&
          keysOf(plRules).some(
            (r) =>
              keysOf(childTree(plRules, r, "match")).includes(`${vip}/32`) &&
              childTree(plRules, r)?.action === "permit",
          )
        );
      });
      if (admits) hops.add(n);
    }
  }
  return [...hops];
}

/**
 * From a server inside the fabric. `announcing`: the backend addresses whose speakers announce the
 * VIP now (bgp mode).
 */
export function canReachVip(
  configs: Record<string, ConfigTree>,
  serverPorts: ServerPort[],
  client: Endpoint,
  t: VipTarget,
  backends: Endpoint[],
  announcing: string[] = [],
): VipReach {
  const g = gatewayVrf(configs, serverPorts, client);
  if (!g.ok) return { reachable: false, receivers: [], reason: g.reason };
  const hops = [
    ...keysOf(childTree(configs[g.switch], "vrf", g.vrf.name, "router", "static", `${t.vip}/32`, "via")),
    ...bgpHops(configs, g.vrf.name, t.vip, announcing),
  ];
  if (!hops.length)
    return {
      reachable: false,
      receivers: [],
      reason: `VRF ${g.vrf.name} on ${g.switch} has no route to ${t.vip}`,
    };
  return deliver(configs, serverPorts, hops, t, backends, (b) => {
    const r = canReach(configs, serverPorts, client, b);
    return { ok: r.reachable, why: r.reason };
  });
}

/**
 * From outside the fabric: traffic arrives in the default VRF of `leaf` (an uplink) and needs a
 * route there whose next hops lead into the VPC's VRF.
 */
export function canReachVipFromOutside(
  configs: Record<string, ConfigTree>,
  serverPorts: ServerPort[],
  leaf: string,
  t: VipTarget,
  backends: Endpoint[],
): VipReach {
  const via = childTree(configs[leaf], "vrf", "default", "router", "static", `${t.vip}/32`, "via");
  const hops = keysOf(via).filter((h) => childTree(via, h)?.vrf !== undefined);
  if (!hops.length)
    return { reachable: false, receivers: [], reason: `the default VRF on ${leaf} has no route to ${t.vip}` };
  return deliver(configs, serverPorts, hops, t, backends, (b) => {
    const into = String(childTree(via, b.ip.split("/")[0]!)?.vrf ?? "");
    const g = gatewayVrf(configs, serverPorts, b);
    return g.ok && g.vrf.name === into
      ? { ok: true, why: "" }
      : {
          ok: false,
          why: `the route leads into VRF ${into}, ${b.server} is ${g.ok ? `in ${g.vrf.name}` : "unreachable"}`,
        };
  });
}
