// The ledger's names, in one place: pool names, owner keys and record kinds (with the record types
// that other resources read). They are a compatibility contract: ledgers shared by stacks, teams
// and CI jobs already hold these exact strings, so changing one orphans what those ledgers hold
// (test/unit/ledger-keys.test.ts pins each of them). A change of a name or of a record's shape
// raises ledgerKeysVersion and comes with an upgrade in ./upgrade.ts.
import type { VpcState } from "../generated/schema";

/** The version of the names and record shapes below. Every ledger written so far is version 1. */
export const ledgerKeysVersion = 1;

/** Pool names (Ledger.allocate, list({ pool })). Ids are resource ids (vpc-…, subnet-…). */
export const pools = {
  /** VPC CIDRs, planned from the fabric's pools.vpcIpv4. */
  vpcIpv4: "vpc-ipv4",
  /** VPC IPv6 /48s, planned from the fabric's pools.vpcIpv6. */
  vpcIpv6: "vpc-ipv6",
  /** L3VNIs, one per VPC (its VRF), fabric-wide. */
  l3Vni: "l3vni",
  /** L2VNIs, one per subnet, fabric-wide. */
  l2Vni: "l2vni",
  /** Public load balancer VIPs at switch sites, planned from the fabric's pools.publicIpv4. */
  publicIpv4: "public-ipv4",
  /** A VPC's IPv4 space: its subnets, interconnect link /30s, load balancer range and explicit VIPs. */
  vpcIpv4Space: (vpcId: string) => `vpc/${vpcId}/ipv4`,
  /** A VPC's IPv6 space: its subnets' /64s. */
  vpcIpv6Space: (vpcId: string) => `vpc/${vpcId}/ipv6`,
  /** A VPC's planned private load balancer VIPs, inside its load balancer range. */
  vpcVips: (vpcId: string) => `vpc/${vpcId}/vips`,
  /** A site's VLAN ids: its subnets and the interconnect links there share them. */
  vlans: (site: string) => `vlan/${site}`,
  /** A subnet's IPv4 host addresses (attachments). */
  subnetHosts: (subnetId: string) => `subnet/${subnetId}/hosts`,
  /** A subnet's IPv6 host addresses (attachments). */
  subnetHosts6: (subnetId: string) => `subnet/${subnetId}/hosts6`,
  /** One physical port (see portKeys): its single number is held by the VPC using it (tenancy guard). */
  port: (portKey: string) => `port/${portKey}`,
} as const;

/** Owner keys (who holds an allocation; Ledger.release frees all an owner holds). */
export const owners = {
  /** A resource, as the SDK names it: project/stack/kind/name. The other owner keys extend one. */
  resource: (project: string, stack: string, kind: string, name: string) =>
    `${project}/${stack}/${kind}/${name}`,
  /** A VPC's load balancer range in its IPv4 space: held for the VPC, released with it. */
  lbRange: (vpcOwner: string) => `${vpcOwner}#lb-range`,
  /** A VPC's link over one interconnect (its link VLAN and /30; also the link circuit's owner tag). */
  link: (vpcOwner: string, interconnect: string) => `${vpcOwner}#link/${interconnect}`,
  /** A port held for a VPC (by VPC id): the VPC's attachments on that port share it. */
  portHolder: (vpcId: string, portKey: string) => `${vpcId}@${portKey}`,
  /** The VPC id in a port holder's key (what portHolder was given first). */
  vpcOfPortHolder: (holder: string) => holder.split("@")[0]!,
} as const;

/** Port keys: one physical port's identity across stacks (pools.port, port users, NVUE port records). */
export const portKeys = {
  /** A switch port at a switch-fabric site (NVUE, EOS): site/switch/interface. */
  switchPort: (site: string, sw: string, iface: string) => `${site}/${sw}/${iface}`,
  /** A device port at an Equinix Metal metro: site/device id/port name. */
  devicePort: (site: string, deviceId: string, port: string) => `${site}/${deviceId}/${port}`,
} as const;

/** Record kinds (Ledger.putRecord, getRecord, updateRecord, deleteRecord). */
export const records = {
  /** A VPC's facts (VpcRecord), by VPC id: subnets, attachments and load balancers look it up. */
  vpc: "vpc",
  /** A subnet's state (SubnetState), by subnet id: attachments look it up. */
  subnet: "subnet",
  /** An attachment's state (AttachmentState), by attachment id: load balancers find backends by it. */
  attachment: "attachment",
  /** The owner keys of the attachments using a port (string[]), by port key. */
  portUsers: "port-users",
  /** The ids of the load balancers using an attachment as a backend (string[]), by attachment id. */
  backendUsers: "backend-users",
  /** A Metal port as it was before anyvpc first changed it (PortBefore, drivers/metal), by port id. */
  metalPortBefore: "metal-port-before",
  /** A switch port's bridge settings before anyvpc first changed it (NvuePortBefore), by port key. */
  nvuePortBefore: "nvue-port-before",
  /** An EOS switch port's configuration lines before anyvpc first changed it (EosPortBefore), by port key. */
  eosPortBefore: "eos-port-before",
} as const;

export type RecordKind = (typeof records)[keyof typeof records];

/** The data of a `vpc` record: what a Subnet needs to know of its VPC (also from another stack). */
export type VpcRecord = Pick<
  VpcState,
  "owner" | "name" | "sites" | "cidr" | "size" | "vrf" | "l3Vni" | "ipv6Cidr" | "realization"
>;
