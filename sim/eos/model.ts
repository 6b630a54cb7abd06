// The structured running-config of one simulated EOS switch: what the CLI lines of the supported
// subset set, and the baseline every switch starts from. Plain JSON (records keyed by strings) so
// it can be copied, persisted in the state file and handed to tests and fabric models as is.

export interface EosSwitchSpec {
  name: string;
  /** Front-panel ports, as EOS names them: "Ethernet1", "Ethernet49/1". */
  ports: string[];
  asn: number;
  /** Address of Loopback0 and the BGP router id. */
  routerId: string;
  /** Address of Loopback1, the VXLAN source interface. */
  vtep: string;
}

export interface EthernetConfig {
  /** Unset means access, the EOS default, which `show running-config` does not print. */
  mode?: "trunk";
  /** Unset means VLAN 1, the default. */
  accessVlan?: number;
  /** Unset means every VLAN (the default); "none" or a sorted list of ids otherwise. */
  trunkAllowed?: number[] | "none";
  accessGroupIn?: string;
  accessGroupOut?: string;
}

export interface SviConfig {
  vrf?: string;
  /** "10.1.0.1/24" as written. */
  ipAddressVirtual?: string;
  /** Canonical (compressed, lower case) "2001:db8::1/64". */
  ipv6AddressVirtual?: string;
}

export interface VxlanConfig {
  sourceInterface?: string;
  udpPort: number;
  /** VLAN id → VNI. */
  vlanVni: Record<string, number>;
  /** VRF name → VNI (the L3VNI). */
  vrfVni: Record<string, number>;
}

export interface BgpVlanConfig {
  rd?: string;
  routeTargetBoth: string[];
  redistributeLearned: boolean;
}

export interface BgpVrfConfig {
  rd?: string;
  routeTargetImportEvpn: string[];
  routeTargetExportEvpn: string[];
  redistributeConnected: boolean;
  redistributeStatic: boolean;
}

export interface RouterBgpConfig {
  asn: number;
  routerId?: string;
  vlans: Record<string, BgpVlanConfig>;
  vrfs: Record<string, BgpVrfConfig>;
}

export interface AclEntry {
  seq: number;
  action: "permit" | "deny";
  protocol: "ip" | "tcp" | "udp";
  /** A host address, or "any" (only with protocol "ip": `permit ip any any`). */
  destination: { host: string } | "any";
  /** Destination port (`eq`), tcp/udp only. */
  port?: number;
}

export interface StaticRoute {
  vrf: string;
  /** Network address and length, host bits zero: "10.2.0.0/16". */
  prefix: string;
  nextHop: string;
}

export interface RunningConfig {
  hostname: string;
  /** VLAN id → its settings; a VLAN exists when it has an entry. */
  vlans: Record<string, { name?: string }>;
  /** VRF name → {} (`vrf instance` has nothing inside in this subset). */
  vrfs: Record<string, Record<string, never>>;
  /** Every port of the switch, configured or not. */
  ethernet: Record<string, EthernetConfig>;
  /** Loopback number → its address ("10.0.0.1/32"); only the baseline sets these. */
  loopbacks: Record<string, { ipAddress?: string }>;
  /** VLAN id → SVI (`interface VlanN`). */
  svis: Record<string, SviConfig>;
  /** `interface Vxlan1`, absent once removed. */
  vxlan?: VxlanConfig;
  virtualRouterMac?: string;
  /** ACL name → entries sorted by sequence number. */
  acls: Record<string, AclEntry[]>;
  ipRouting: boolean;
  /** VRF names with `ip routing vrf <name>`. */
  ipRoutingVrfs: string[];
  staticRoutes: StaticRoute[];
  routerBgp?: RouterBgpConfig;
}

/** EOS release the simulator claims in `show version` and the running-config header. */
export const SIM_EOS_VERSION = "4.32.0F-sim";
export const SIM_MODEL_NAME = "vEOS-lab";
/** The EOS default VXLAN UDP port; `show running-config` prints it even when not configured. */
export const DEFAULT_VXLAN_UDP_PORT = 4789;

/**
 * The running-config a switch starts with and returns to when everything anyvpc configured is
 * removed ("destroyed to an empty running-config"): hostname, its ports with nothing under them,
 * Loopback0 (router id) and Loopback1 (VTEP), Vxlan1 sourced from Loopback1, `ip routing` and
 * `router bgp <asn>` with its router id.
 */
export function baselineConfig(spec: EosSwitchSpec): RunningConfig {
  const ethernet: Record<string, EthernetConfig> = {};
  for (const port of spec.ports) ethernet[port] = {};
  return {
    hostname: spec.name,
    vlans: {},
    vrfs: {},
    ethernet,
    loopbacks: { "0": { ipAddress: `${spec.routerId}/32` }, "1": { ipAddress: `${spec.vtep}/32` } },
    svis: {},
    vxlan: { sourceInterface: "Loopback1", udpPort: DEFAULT_VXLAN_UDP_PORT, vlanVni: {}, vrfVni: {} },
    acls: {},
    ipRouting: true,
    ipRoutingVrfs: [],
    staticRoutes: [],
    routerBgp: { asn: spec.asn, routerId: spec.routerId, vlans: {}, vrfs: {} },
  };
}

export function copyConfig(config: RunningConfig): RunningConfig {
  return structuredClone(config);
}

/** Sort key for EOS names with numbers in them: Ethernet2 before Ethernet10, Ethernet1/2 before 1/10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true, sensitivity: "variant" });
}
