// Request and response shapes of the Equinix Metal endpoints anyvpc uses, as in the official spec
// (../shared/specs/equinix-metal). Only the fields anyvpc reads or writes are listed; nested
// objects arrive as { href } unless requested with include=.

export interface Href {
  href: string;
}

export interface Vrf {
  id: string;
  name?: string;
  description?: string;
  ip_ranges?: string[];
  local_asn?: number;
  tags?: string[];
  metro?: { id?: string; code?: string; href?: string };
  href?: string;
}

export interface VrfCreateInput {
  metro: string;
  name: string;
  description?: string;
  ip_ranges?: string[];
  local_asn?: number;
  tags?: string[];
}

export interface VrfUpdateInput {
  name?: string;
  description?: string;
  ip_ranges?: string[];
  local_asn?: number;
  tags?: string[];
}

export interface VirtualNetwork {
  id: string;
  vxlan?: number;
  description?: string;
  metro_code?: string;
  tags?: string[];
  instances?: (Href & { id?: string })[];
  metal_gateways?: (Href & { id?: string })[];
  href?: string;
}

export interface VirtualNetworkCreateInput {
  metro: string;
  vxlan?: number;
  description?: string;
  tags?: string[];
}

export interface VrfIpReservation {
  id: string;
  type?: "vrf";
  network?: string;
  cidr?: number;
  gateway?: string;
  state?: string;
  tags?: string[];
  vrf?: Href & { id?: string };
  metal_gateway?: Href & { id?: string };
  href?: string;
}

export interface VrfIpReservationCreateInput {
  type: "vrf";
  vrf_id: string;
  network: string;
  cidr: number;
  details?: string;
  tags?: string[];
}

export type MetalGatewayState = "ready" | "active" | "deleting";

export interface MetalGateway {
  id: string;
  state?: MetalGatewayState;
  virtual_network?: Href & { id?: string };
  ip_reservation?: Href & { id?: string };
  vrf?: Href & { id?: string };
  href?: string;
}

export interface VrfMetalGatewayCreateInput {
  virtual_network_id: string;
  ip_reservation_id: string;
}

export type PortNetworkType = "layer3" | "layer2-bonded" | "layer2-individual" | "hybrid" | "hybrid-bonded";

export interface Port {
  id: string;
  name?: string;
  type?: "NetworkPort" | "NetworkBondPort";
  network_type?: PortNetworkType;
  data?: { bonded?: boolean; mac?: string };
  virtual_networks?: (Href & { id?: string; vxlan?: number })[];
  native_virtual_network?: (Href & { id?: string; vxlan?: number }) | null;
  href?: string;
}

export interface PortVlanAssignmentBatchCreateInput {
  vlan_assignments: { vlan: string; state: "assigned" | "unassigned"; native?: boolean }[];
}

export type BatchState = "queued" | "in_progress" | "completed" | "failed";

export interface PortVlanAssignmentBatch {
  id: string;
  state?: BatchState;
  error_messages?: string[];
  vlan_assignments?: { vlan?: number; state?: "assigned" | "unassigned"; native?: boolean }[];
}

export interface IpAssignment {
  id: string;
  address?: string;
  address_family?: number;
  cidr?: number;
  public?: boolean;
  /** A management address of the device (IPAssignment.management), as Layer 3 gives it. */
  management?: boolean;
  network?: string;
  gateway?: string;
  href?: string;
}

/** PortConvertLayer3Input.request_ips: the addresses a port converted to Layer 3 asks for. */
export interface IpRequest {
  address_family: 4 | 6;
  public: boolean;
}

export interface Device {
  id: string;
  hostname?: string;
  state?: string;
  network_frozen?: boolean;
  metro?: { code?: string; href?: string };
  network_ports?: Port[];
  ip_addresses?: IpAssignment[];
  href?: string;
}

export type IpReservationType = "global_ipv4" | "private_ipv4" | "public_ipv4" | "public_ipv6" | "vrf";

/** IPReservation: a public, global or private block (the `vrf` kind is VrfIpReservation). */
export interface IpReservation {
  id: string;
  type?: Exclude<IpReservationType, "vrf">;
  /** The block's first address (equal to `network`). */
  address?: string;
  address_family?: number;
  network?: string;
  netmask?: string;
  gateway?: string;
  cidr?: number;
  /** `created`; over quota without fail_on_approval_required, `pending` until reviewed (`denied` then). */
  state?: string;
  public?: boolean;
  management?: boolean;
  details?: string;
  tags?: string[];
  /** A Metro unless listed as { href } only (request include=metro). */
  metro?: { id?: string; code?: string; href?: string };
  assignments?: (IpAssignment | Href)[];
  href?: string;
}

/** IPReservationRequestInput with the fields anyvpc sends for a public block. */
export interface PublicIpReservationInput {
  type: "public_ipv4";
  /** 1, 2, 4 ... 256: the block is a /(32 - log2(quantity)). */
  quantity: number;
  /** The metro's code; optional in the spec, required in practice for public blocks. */
  metro: string;
  tags?: string[];
  details?: string;
  comments?: string;
  /** True turns an over-quota request into a 422 instead of a `pending` reservation awaiting review. */
  fail_on_approval_required?: boolean;
}

/** BgpConfigRequestInput (POST /projects/{id}/bgp-configs, answered with 204 and no body). */
export interface BgpConfigRequestInput {
  deployment_type: "local" | "global";
  asn: number;
  /** The session password in plaintext: never log it or copy it into an error. */
  md5?: string;
  use_case?: string;
}

/**
 * BgpConfig. The API answers an empty 200 while BGP was never enabled, and the record with status
 * `disabled` after it was disabled.
 */
export interface BgpConfig {
  id?: string;
  status?: "requested" | "enabled" | "disabled";
  asn?: number;
  deployment_type?: "local" | "global";
  max_prefix?: number;
  /** The BGP password in plaintext, as the API returns it: never log it or copy it into an error. */
  md5?: string | null;
  route_object?: string;
  sessions?: BgpSession[];
  created_at?: string;
  requested_at?: string;
  href?: string;
}

export interface BgpSession {
  id: string;
  address_family?: "ipv4" | "ipv6";
  default_route?: boolean;
  /** "unknown", then "up"/"down"; one value per switch, comma separated ("up,down"). */
  status?: string;
  learned_routes?: string[];
  device?: Href;
  created_at?: string;
  updated_at?: string;
  href?: string;
}

export interface BgpRoute {
  route?: string;
  exact?: boolean;
}

/** BgpNeighborData, one per BGP session of a device (GET /devices/{id}/bgp/neighbors). */
export interface BgpNeighbor {
  /** 4 or 6. */
  address_family?: number;
  customer_as?: number;
  customer_ip?: string;
  md5_enabled?: boolean;
  /** The project's BGP password in plaintext: never log it or copy it into an error. */
  md5_password?: string;
  multihop?: boolean;
  peer_as?: number;
  peer_ips?: string[];
  routes_in?: BgpRoute[];
  routes_out?: BgpRoute[];
}

// Interconnections (Dedicated Ports) and VRF virtual circuits

export interface InterconnectionPort {
  id: string;
  name?: string;
  role?: "primary" | "secondary";
  status?: "requested" | "active" | "deleting" | "expired" | "delete_failed";
  speed?: number;
  link_status?: string;
  virtual_circuits?: (Href & { id?: string })[];
  href?: string;
}

export interface Interconnection {
  id: string;
  name?: string;
  type?: "shared" | "dedicated" | "shared_port_vlan" | "shared_port_vlan_to_csp";
  status?: string;
  speed?: number;
  redundancy?: "primary" | "redundant";
  metro?: { id?: string; code?: string; href?: string };
  ports?: InterconnectionPort[];
  tags?: string[];
  href?: string;
}

export type VrfVirtualCircuitStatus =
  | "pending"
  | "waiting_on_peering_details"
  | "activating"
  | "changing_peering_details"
  | "deactivating"
  | "deleting"
  | "active"
  | "expired"
  | "activation_failed"
  | "changing_peering_details_failed"
  | "deactivation_failed"
  | "delete_failed";

export interface VrfVirtualCircuit {
  id: string;
  type?: "vrf";
  name?: string;
  description?: string;
  nni_vlan?: number;
  peer_asn?: number;
  subnet?: string;
  metal_ip?: string;
  customer_ip?: string;
  /** The BGP password in plaintext, as the API returns it: never log or copy it into an error. */
  md5?: string;
  speed?: number;
  status?: VrfVirtualCircuitStatus;
  tags?: string[];
  vrf?: Href & { id?: string };
  port?: Href & { id?: string };
  href?: string;
}

export interface VlanVirtualCircuit {
  id: string;
  type?: "vlan";
  name?: string;
  nni_vlan?: number;
  vnid?: number;
  status?: string;
  tags?: string[];
  port?: Href & { id?: string };
  virtual_network?: Href;
  href?: string;
}

export type VirtualCircuit = VrfVirtualCircuit | VlanVirtualCircuit;

/** The VRF branch of VirtualCircuitCreateInput. */
export interface VrfVirtualCircuitCreateInput {
  project_id: string;
  vrf: string;
  nni_vlan: number;
  peer_asn: number;
  subnet: string;
  metal_ip?: string;
  customer_ip?: string;
  md5?: string;
  name?: string;
  description?: string;
  tags?: string[];
}
