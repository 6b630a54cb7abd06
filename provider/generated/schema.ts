// Generated from schema.json by scripts/gen-types.ts. Do not edit; run `npm run gen`.

/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Name".
 */
export type Name = string;
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Ipv4Cidr".
 */
export type Ipv4Cidr = string;
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Ipv6Cidr".
 */
export type Ipv6Cidr = string;
/**
 * One site of the fabric: a leaf/spine switch fabric driven through NVIDIA Cumulus NVUE or Arista EOS eAPI, or an Equinix Metal metro.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Site".
 */
export type Site = Site1 & Site2;
export type Site1 = NvueSiteConfig | MetalSiteConfig | EosSiteConfig;
/**
 * What a VPC is at one site, by the site's kind.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "VpcSiteRealization".
 */
export type VpcSiteRealization = SwitchVpcRealization | MetalVpcRealization;
/**
 * What a subnet is at its site, by the site's kind.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SubnetRealization".
 */
export type SubnetRealization = SwitchSubnetRealization | MetalSubnetRealization;

/**
 * Inputs and outputs of anyvpc's resources and the fabric description. The one source of truth: the provider validates with it (ajv) and the TypeScript types are generated from it (npm run gen).
 */
export interface Anyvpc {}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Tags".
 */
export interface Tags {
  [k: string]: string | undefined;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "NvueSite".
 */
export interface NvueSiteConfig {
  kind: "nvue";
  /**
   * BGP ASN of the site's EVPN overlay (route targets are ASN:L3VNI).
   */
  asn: number;
  switches: {
    [k: string]: NvueSwitchConfig | undefined;
  };
  /**
   * Which switch port each server is cabled to.
   */
  servers: {
    [k: string]: ServerPort | undefined;
  };
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "NvueSwitch".
 */
export interface NvueSwitchConfig {
  /**
   * NVUE API base, e.g. https://leaf1:8765/nvue_v1
   */
  url: string;
  username: string;
  /**
   * Set it as a Pulumi secret (pulumi config set --secret --path).
   */
  password: string;
  /**
   * PEM of the CA that signed the switch's certificate.
   */
  caPem?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "ServerPort".
 */
export interface ServerPort {
  switch: Name;
  port: string;
  /**
   * Where the provider can reach this server for load balancer health checks (e.g. its management address). Without it, health is reported unknown.
   */
  probe?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "MetalSite".
 */
export interface MetalSiteConfig {
  kind: "equinix-metal";
  projectId: string;
  metro: string;
  /**
   * API base URL. Default https://api.equinix.com/metal/v1.
   */
  url?: string;
  /**
   * API token; set it as a Pulumi secret, or use METAL_AUTH_TOKEN.
   */
  token?: string;
}
/**
 * A leaf/spine EVPN-VXLAN fabric of Arista EOS leaves, driven over eAPI. The leaves' underlay (router bgp <asn> with its EVPN peers, interface Vxlan1 with its source interface, ip virtual-router mac-address) is the operator's; anyvpc adds VRFs, VLANs, SVIs, VNIs, ports, routes and ACLs.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "EosSite".
 */
export interface EosSiteConfig {
  kind: "eos";
  /**
   * BGP ASN of the leaves' router bgp (route targets are ASN:VNI).
   */
  asn: number;
  switches: {
    [k: string]: EosSwitchConfig | undefined;
  };
  /**
   * Which switch port each server is cabled to.
   */
  servers: {
    [k: string]: EosServerPort | undefined;
  };
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "EosSwitch".
 */
export interface EosSwitchConfig {
  /**
   * eAPI base, e.g. https://leaf1 (anyvpc posts to <url>/command-api)
   */
  url: string;
  username: string;
  /**
   * Set it as a Pulumi secret (pulumi config set --secret --path).
   */
  password: string;
  /**
   * PEM of the CA that signed the switch's certificate.
   */
  caPem?: string;
  /**
   * The leaf's BGP router id: route distinguishers are <routerId>:<VNI>.
   */
  routerId: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "EosServerPort".
 */
export interface EosServerPort {
  switch: Name;
  port: string;
  /**
   * Where the provider can reach this server for load balancer health checks (e.g. its management address). Without it, health is reported unknown.
   */
  probe?: string;
}
export interface Site2 {
  kind: "nvue" | "eos" | "equinix-metal";
}
/**
 * Address and number pools that anyvpc plans from.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Pools".
 */
export interface Pools {
  /**
   * Private IPv4 space that VPC CIDRs are planned from.
   */
  vpcIpv4: string;
  /**
   * IPv6 space VPC /48s are planned from (e.g. a ULA fd00::/8).
   */
  vpcIpv6?: string;
  vlans?: NumberRange;
  l2Vnis?: NumberRange1;
  l3Vnis?: NumberRange2;
  /**
   * Public IPv4 space that public load balancer VIPs on switch sites are planned from.
   */
  publicIpv4?: string;
}
/**
 * VLAN ids per site. Default 100-3999.
 */
export interface NumberRange {
  from: number;
  to: number;
}
/**
 * Subnet VNIs. Default 10000-999999.
 */
export interface NumberRange1 {
  from: number;
  to: number;
}
/**
 * VPC L3VNIs. Default 1000000-1099999.
 */
export interface NumberRange2 {
  from: number;
  to: number;
}
/**
 * Where allocations are recorded. Default: a JSON file under .anyvpc/ next to the program.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Ledger".
 */
export interface LedgerConfig {
  /**
   * Path of the file ledger.
   */
  file?: string;
  /**
   * PostgreSQL connection URL; selects the PostgreSQL engine.
   */
  url?: string;
}
/**
 * The fabric description a stack gives once, as the stack config value anyvpc:fabric.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Fabric".
 */
export interface Fabric {
  sites: {
    [k: string]: Site | undefined;
  };
  pools: Pools;
  ledger?: LedgerConfig;
  /**
   * Links between an NVUE site and an Equinix Metal metro. A VPC that spans both sites of an interconnect is routed over it (a Metal VRF virtual circuit to the border leaf, eBGP in the VPC's VRF); sites without one stay apart.
   */
  interconnects?: {
    [k: string]: InterconnectConfig | undefined;
  };
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Interconnect".
 */
export interface InterconnectConfig {
  /**
   * The border leaf port cabled to the Metal interconnection.
   */
  nvue: {
    site: Name;
    switch: Name;
    port: string;
  };
  metal: {
    site: Name;
    connectionId: string;
    /**
     * The interconnection port by name. Default primary.
     */
    port?: string;
    /**
     * The BGP ASN of the Metal VRFs (their local_asn). Default 65100.
     */
    asn?: number;
  };
}
/**
 * Inputs of a Vpc.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "VpcArgs".
 */
export interface VpcArgs {
  /**
   * Name on the fabric (VRF name). Default: the resource name.
   */
  name?: string;
  /**
   * Sites of the fabric this VPC spans.
   *
   * @minItems 1
   */
  sites: [Name, ...Name[]];
  /**
   * Explicit IPv4 CIDR. Default: planned from the fabric's VPC pool.
   */
  cidr?: string;
  /**
   * Prefix length of the planned IPv4 CIDR when cidr is not given. Default 16.
   */
  size?: number;
  tags?: Tags;
  /**
   * Set by the SDK: project/stack/kind/name, the identity allocations are recorded under.
   */
  owner?: string;
  /**
   * Plan an IPv6 /48 from the fabric's vpcIpv6 pool too. Default false.
   */
  ipv6?: boolean;
}
/**
 * Outputs of a Vpc.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "VpcState".
 */
export interface VpcState {
  name: string;
  sites: string[];
  /**
   * The VPC's IPv4 CIDR (explicit or planned).
   */
  cidr: string;
  /**
   * Prefix length of cidr.
   */
  size: number;
  tags?: {
    [k: string]: string | undefined;
  };
  owner: string;
  ipv6?: boolean;
  /**
   * The VPC's IPv6 /48 when ipv6 is on.
   */
  ipv6Cidr?: string;
  /**
   * The VPC's L3VNI (EVPN symmetric routing).
   */
  l3Vni: number;
  /**
   * The VRF name on switch fabrics.
   */
  vrf: string;
  /**
   * Route target per switch-fabric site.
   */
  routeTargets?: {
    [k: string]: string | undefined;
  };
  /**
   * What exists on each site's fabric, as last read.
   */
  realization: {
    [k: string]: VpcSiteRealization | undefined;
  };
  /**
   * The VPC's link over each interconnect between its sites, as last read.
   */
  interconnects?: {
    [k: string]: VpcInterconnectRealization | undefined;
  };
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SwitchVpcRealization".
 */
export interface SwitchVpcRealization {
  /**
   * A switch-fabric site's kind.
   */
  kind: "nvue" | "eos";
  /**
   * False when the last read found it missing somewhere (drift).
   */
  complete: boolean;
  /**
   * Switches that hold the VRF.
   */
  switches?: string[];
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "MetalVpcRealization".
 */
export interface MetalVpcRealization {
  kind: "equinix-metal";
  /**
   * False when the last read found the VRF missing (drift).
   */
  complete: boolean;
  /**
   * Metal VRF id.
   */
  vrfId?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "VpcInterconnectRealization".
 */
export interface VpcInterconnectRealization {
  /**
   * False when the last read found the border config or the virtual circuit missing (drift).
   */
  complete: boolean;
  /**
   * The VLAN on the interconnection and the border port.
   */
  nniVlan: number;
  /**
   * The /30 link subnet, planned in the VPC's CIDR.
   */
  subnet: string;
  metalIp: string;
  /**
   * The border leaf's address on the link.
   */
  customerIp: string;
  virtualCircuitId?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "NumberRange".
 */
export interface NumberRange3 {
  from: number;
  to: number;
}
/**
 * Inputs of a Subnet.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SubnetArgs".
 */
export interface SubnetArgs {
  /**
   * The id of the Vpc this subnet belongs to.
   */
  vpc: string;
  /**
   * The site (one of the VPC's sites) where the subnet lives.
   */
  site: string;
  /**
   * Name on the fabric. Default: the resource name.
   */
  name?: string;
  /**
   * Explicit IPv4 CIDR inside the VPC. Default: planned.
   */
  cidr?: string;
  /**
   * Prefix length of the planned IPv4 CIDR when cidr is not given. Default 24.
   */
  size?: number;
  /**
   * Plan an IPv6 /64 from the VPC's /48. Default: on when the VPC has IPv6.
   */
  ipv6?: boolean;
  tags?: Tags;
  /**
   * Set by the SDK: project/stack/kind/name.
   */
  owner?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SwitchSubnetRealization".
 */
export interface SwitchSubnetRealization {
  /**
   * A switch-fabric site's kind.
   */
  kind: "nvue" | "eos";
  /**
   * False when the last read found it missing somewhere (drift).
   */
  complete: boolean;
  /**
   * Switches that hold the VLAN, its VNI and the SVI.
   */
  switches?: string[];
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "MetalSubnetRealization".
 */
export interface MetalSubnetRealization {
  kind: "equinix-metal";
  complete: boolean;
  /**
   * Metal VLAN (virtual network) id.
   */
  vlanId?: string;
  /**
   * The VRF IP reservation of the subnet's CIDR.
   */
  reservationId?: string;
  /**
   * The VRF Metal Gateway.
   */
  gatewayId?: string;
}
/**
 * Outputs of a Subnet.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SubnetState".
 */
export interface SubnetState {
  vpc: string;
  site: string;
  name: string;
  cidr: string;
  size: number;
  gateway: string;
  vlan: number;
  vni: number;
  ipv6?: boolean;
  ipv6Cidr?: string;
  ipv6Gateway?: string;
  /**
   * IPv4 addresses left for hosts (network, gateway and broadcast held back).
   */
  usableAddresses: number;
  tags?: {
    [k: string]: string | undefined;
  };
  owner: string;
  realization: SubnetRealization;
}
/**
 * Inputs of an Attachment: one server port put into a subnet. Give exactly one of server, port, metalDevice.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "AttachmentArgs".
 */
export interface AttachmentArgs {
  /**
   * The id of the Subnet.
   */
  subnet: string;
  /**
   * A server of the site's inventory (its switch port comes from the fabric description).
   */
  server?: string;
  port?: {
    switch: Name;
    interface: string;
  };
  metalDevice?: {
    /**
     * Device id or hostname.
     */
    device: string;
    /**
     * Default bond0.
     */
    port?: string;
  };
  /**
   * access: untagged on the port; trunk: tagged with the subnet's VLAN. Default access.
   */
  mode?: "access" | "trunk";
  /**
   * Explicit IPv4 address. Default: planned.
   */
  ip?: string;
  /**
   * The server's interface name, for hostConfig. Default eth0 (bond0 on Metal).
   */
  hostInterface?: string;
  owner?: string;
}
/**
 * Outputs of an Attachment.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "AttachmentState".
 */
export interface AttachmentState {
  subnet: string;
  vpc: string;
  site: string;
  server?: string;
  /**
   * The port the attachment is on: a switch port, or a Metal device's port.
   */
  target: SwitchPortTarget | MetalDeviceTarget;
  mode: string;
  ip: string;
  ipv6?: string;
  gateway: string;
  ipv6Gateway?: string;
  prefixLength: number;
  vlan: number;
  /**
   * netplan YAML for the server.
   */
  hostConfig: string;
  owner: string;
  realization: {
    complete: boolean;
  };
}
/**
 * A port of a switch-fabric site.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SwitchPortTarget".
 */
export interface SwitchPortTarget {
  switch: string;
  interface: string;
}
/**
 * A port of an Equinix Metal device.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "MetalDeviceTarget".
 */
export interface MetalDeviceTarget {
  /**
   * The device id.
   */
  device: string;
  hostname: string;
  /**
   * bond0, eth0 or eth1.
   */
  port: string;
  portId: string;
}
/**
 * Inputs of a LoadBalancer: a VIP in a VPC (or public) that spreads the declared listener ports over backend attachments.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "LoadBalancerArgs".
 */
export interface LoadBalancerArgs {
  /**
   * The id of the Vpc.
   */
  vpc: string;
  name?: string;
  /**
   * The site the VIP is served at. Default: the site of the backends.
   */
  site?: string;
  /**
   * A VIP from the fabric's public pool, reachable from outside. Default false: a private VIP inside the VPC.
   */
  public?: boolean;
  /**
   * Explicit VIP. Default: planned.
   */
  vip?: string;
  /**
   * ecmp: the leaves route the VIP to the backends in service, health checked by the provider. bgp: each backend's speaker (MetalLB, kube-vip, BIRD) announces the VIP to its leaf and withdraws it when unhealthy. Default ecmp; Equinix Metal sites are always bgp.
   */
  mode?: "ecmp" | "bgp";
  /**
   * bgp mode: the private ASN the backends' speakers use. Default 65200.
   */
  speakerAsn?: number;
  /**
   * The ports the VIP answers on; nothing else reaches it.
   *
   * @minItems 1
   * @maxItems 64
   */
  listeners: [
    {
      port: number;
      protocol?: "tcp" | "udp";
      targetPort?: number;
    },
    ...{
      port: number;
      protocol?: "tcp" | "udp";
      targetPort?: number;
    }[]
  ];
  /**
   * Attachments of the VPC that serve the listeners (at least one: a VIP with no backend would have no route to write).
   *
   * @minItems 1
   * @maxItems 256
   */
  backends: [string, ...string[]];
  /**
   * How backends are checked. Default: TCP to each listener's target port.
   */
  healthCheck?: {
    protocol?: "tcp" | "http";
    port?: number;
    path?: string;
  };
  tags?: Tags;
  owner?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "LoadBalancerBackend".
 */
export interface LoadBalancerBackend {
  attachment: string;
  ip: string;
  server?: string;
  health: "healthy" | "unhealthy" | "unknown";
  /**
   * Why unhealthy or unknown.
   */
  reason?: string;
}
/**
 * Outputs of a LoadBalancer.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "LoadBalancerState".
 */
export interface LoadBalancerState {
  vpc: string;
  site: string;
  name: string;
  public: boolean;
  vip: string;
  listeners: {
    port: number;
    protocol: string;
    targetPort: number;
  }[];
  /**
   * Each backend with its health as last checked.
   */
  backends: LoadBalancerBackend[];
  /**
   * Backend addresses the VIP is routed to (ECMP): the healthy ones, or all when none is known healthy.
   */
  inService: string[];
  healthCheck?: {
    [k: string]: string | number | undefined;
  };
  tags?: Tags;
  owner: string;
  /**
   * What the load balancer is on the fabric: on switches, or at a Metal metro (a realization not yet made matches both).
   */
  realization: SwitchLoadBalancerRealization | MetalLoadBalancerRealization;
  mode: string;
  /**
   * bgp mode: for each backend, whom its speaker peers with to announce the VIP.
   */
  bgpPeers?: LoadBalancerBgpPeer[];
  /**
   * bgp mode: a BIRD 2 configuration that announces the VIP, for the backends (per-backend values in bgpPeers).
   */
  speakerConfig?: string;
  /**
   * bgp mode: the BGP session password, where the fabric requires one. Secret.
   */
  bgpPassword?: string;
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "SwitchLoadBalancerRealization".
 */
export interface SwitchLoadBalancerRealization {
  complete: boolean;
  switches?: string[];
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "MetalLoadBalancerRealization".
 */
export interface MetalLoadBalancerRealization {
  complete: boolean;
  /**
   * The elastic IP reservation.
   */
  reservationId?: string;
  /**
   * The backends' BGP sessions.
   */
  sessionIds?: string[];
}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "LoadBalancerBgpPeer".
 */
export interface LoadBalancerBgpPeer {
  attachment: string;
  server?: string;
  /**
   * The backend's own address for the session.
   */
  localAddress: string;
  localAsn: number;
  peerAddresses: string[];
  peerAsn: number;
  multihop?: boolean;
}
