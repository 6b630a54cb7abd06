// Public types of the Equinix Metal simulator. Other code (client tests, the contract validator)
// depends on these exact shapes; state records mirror the API's snake_case field names so
// assertions read like the API they describe.

export interface MetalInventory {
  project: { id: string; name: string };
  metros: { id: string; code: string; name: string }[];
  devices: InventoryDevice[];
  /** CIDR the simulator hands public_ipv4 reservations out of, e.g. "147.28.0.0/22". */
  publicIpv4: string;
  /** Dedicated interconnections (Dedicated Ports) of the project; optional. */
  interconnections?: InventoryInterconnection[];
}

/** A dedicated interconnection: fixed, like devices; virtual circuits are created on its ports. */
export interface InventoryInterconnection {
  id: string;
  name: string;
  /** Only dedicated interconnections are modelled. */
  type: "dedicated";
  /** Metro code. */
  metro: string;
  /** In bps, e.g. 10000000000. */
  speed: number;
  /** One port ("primary") or two ("primary" and "secondary"). */
  ports: InventoryInterconnectionPort[];
}

export interface InventoryInterconnectionPort {
  id: string;
  name: string;
  /** Default: "primary" for the first port, "secondary" for the second. */
  role?: "primary" | "secondary";
}

export interface InventoryDevice {
  id: string;
  hostname: string;
  /** Metro code. */
  metro: string;
  /** e.g. "10.70.1.2/31": becomes a private (management) IPv4 assignment on the device. */
  private_ipv4: string;
  ports: { id: string; name: string; type: "NetworkBondPort" | "NetworkPort" }[];
  /** Default "layer3" (bond0 bonded, layer 3). */
  network_type?: "layer3" | "hybrid" | "layer2-bonded";
}

export interface FaultRule {
  method?: string;
  /** Regex source matched against the API path (without /metal/v1), e.g. "^/projects/[^/]+/vrfs$". */
  path?: string;
  mode: "drop-after-commit" | "drop" | "429" | "500" | "503";
  times: number;
}

export interface MetalSimKnobs {
  latencyMs?: number;
  rate429?: number;
  rate5xx?: number;
  faults?: FaultRule[];
  gatewayActivateMs?: number;
  gatewayDeleteMs?: number;
  batchStepMs?: number;
  /** A VRF virtual circuit goes pending -> activating at half this time and is active after all of it. */
  vcActivateMs?: number;
  /** A deleted virtual circuit stays readable as `deleting` this long, then GETs answer 404. */
  vcDeleteMs?: number;
  /** When true, virtual circuits created from now on end in `activation_failed` instead of `active`. */
  vcActivationFails?: boolean;
  seed?: number;
  quotas?: { vlans?: number; vrfs?: number };
}

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Full path including the /metal/v1 base. */
  path: string;
  /** Path without the /metal/v1 base. */
  apiPath: string;
  query: Record<string, string>;
  /** Lower-case names; the X-Auth-Token value replaced by "[REDACTED]". */
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  /** Status sent; 0 when the connection was dropped. */
  status: number;
  responseBody: unknown;
  responseHeaders: Record<string, string>;
  requestId: string;
  injected?: "429" | "5xx" | "drop" | "drop-after-commit";
}

export interface MetalSimulator {
  /** e.g. "http://127.0.0.1:41234"; the API lives under `${url}/metal/v1`. */
  url: string;
  token: string;
  requests: RequestLogEntry[];
  setKnobs(k: Partial<MetalSimKnobs>): void;
  snapshot(): MetalSimState;
  close(): Promise<void>;
}

export interface StartOptions {
  inventory: MetalInventory;
  token: string;
  knobs?: MetalSimKnobs;
  /** 0 = any free port. */
  port?: number;
  /** When set, state is loaded from and saved to this JSON file so a later process continues. */
  stateFile?: string;
}

// ---- State records ----

export interface VrfRecord {
  id: string;
  name: string;
  description: string | null;
  /** Metro code. */
  metro: string;
  local_asn: number;
  ip_ranges: string[];
  bgp_dynamic_neighbors_enabled: boolean;
  bgp_dynamic_neighbors_export_route_map: boolean;
  bgp_dynamic_neighbors_bfd_enabled: boolean;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export interface VirtualNetworkRecord {
  id: string;
  vxlan: number;
  /** Metro code. */
  metro: string;
  description: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
}

export type GatewayState = "ready" | "active" | "deleting";

export interface MetalGatewayRecord {
  id: string;
  virtual_network_id: string;
  ip_reservation_id: string;
  /** Set for VRF gateways (the reservation's VRF). */
  vrf_id: string | null;
  state: GatewayState;
  created_at: string;
  updated_at: string;
  /** Epoch ms at which `ready` turns `active`. */
  active_at: number;
  /** Epoch ms at which a `deleting` gateway disappears; null until DELETE. */
  delete_at: number | null;
}

export interface IpReservationRecord {
  id: string;
  type: "vrf" | "public_ipv4" | "private_ipv4";
  /** Network address; null while a public request is `pending` (nothing allocated yet). */
  network: string | null;
  cidr: number;
  address_family: 4 | 6;
  /** Metro code. */
  metro: string;
  vrf_id: string | null;
  /** Requested quantity (public_ipv4 only). */
  quantity: number | null;
  state: "created" | "pending";
  /** Management blocks belong to the devices (private network, layer-3 conversions). */
  management: boolean;
  tags: string[];
  details: string | null;
  created_at: string;
  updated_at: string;
}

export interface IpAssignmentRecord {
  id: string;
  device_id: string;
  reservation_id: string;
  /** Host address (without prefix). */
  address: string;
  cidr: number;
  address_family: 4 | 6;
  public: boolean;
  management: boolean;
  created_at: string;
}

export type PortNetworkType = "layer3" | "hybrid" | "layer2-bonded" | "layer2-individual";

export interface PortVlanRecord {
  /** Id of the PortVlanAssignment. */
  id: string;
  virtual_network_id: string;
  created_at: string;
  updated_at: string;
}

export interface PortRecord {
  id: string;
  device_id: string;
  name: string;
  type: "NetworkBondPort" | "NetworkPort";
  /** data.bonded: a member port in its bond, or a bond port with at least one member. */
  bonded: boolean;
  /** Bond ports: the bond's mode. Member ports: their bond's mode while bonded, else layer2. */
  layer: "layer2" | "layer3";
  /** Composite network type of the device, as the API reports it on each port. */
  network_type: PortNetworkType;
  vlan_assignments: PortVlanRecord[];
  native_virtual_network_id: string | null;
}

export interface BatchItemRecord {
  /** As requested: a VLAN uuid or a vxlan number. */
  vlan: string;
  state: "assigned" | "unassigned";
  native: boolean | null;
  /** Resolved when the batch was created (null if unknown then). */
  virtual_network_id: string | null;
  vxlan: number | null;
}

export interface BatchRecord {
  id: string;
  port_id: string;
  state: "queued" | "in_progress" | "completed" | "failed";
  quantity: number;
  vlan_assignments: BatchItemRecord[];
  error_messages: string[];
  created_at: string;
  updated_at: string;
  /** Epoch ms of the queued -> in_progress step. */
  in_progress_at: number;
  /** Epoch ms at which the batch completes or fails and its changes apply. */
  done_at: number;
}

export type VirtualCircuitStatus = "pending" | "activating" | "active" | "activation_failed" | "deleting";

/** A VRF virtual circuit on a port of a dedicated interconnection. */
export interface VirtualCircuitRecord {
  id: string;
  type: "vrf";
  connection_id: string;
  port_id: string;
  vrf_id: string;
  name: string | null;
  description: string | null;
  nni_vlan: number;
  peer_asn: number;
  /** "a.b.c.d/30" or "/31": the VRF IP reservation the circuit implies is recorded here. */
  subnet: string;
  metal_ip: string;
  customer_ip: string;
  md5: string | null;
  speed: number;
  tags: string[];
  status: VirtualCircuitStatus;
  created_at: string;
  updated_at: string;
  /** Epoch ms of the pending -> activating step. */
  activating_at: number;
  /** Epoch ms at which activation ends, in `outcome`. */
  active_at: number;
  outcome: "active" | "activation_failed";
  /** Epoch ms at which a `deleting` circuit disappears; null until DELETE. */
  delete_at: number | null;
}

export interface BgpConfigRecord {
  id: string;
  deployment_type: "local" | "global";
  asn: number;
  md5: string | null;
  status: "requested" | "enabled" | "disabled";
  max_prefix: number;
  created_at: string;
  requested_at: string;
}

export interface BgpSessionRecord {
  id: string;
  device_id: string;
  address_family: "ipv4" | "ipv6";
  default_route: boolean;
  status: string;
  created_at: string;
  updated_at: string;
}

/** What the simulator persists (state file) and works on. */
export interface StoredState {
  version: 1;
  project_id: string;
  project_created_at: string;
  vrfs: VrfRecord[];
  virtualNetworks: VirtualNetworkRecord[];
  metalGateways: MetalGatewayRecord[];
  ipReservations: IpReservationRecord[];
  ipAssignments: IpAssignmentRecord[];
  ports: PortRecord[];
  batches: BatchRecord[];
  bgpConfig: BgpConfigRecord | null;
  bgpSessions: BgpSessionRecord[];
  /** Absent in state files written before virtual circuits were modelled. */
  virtualCircuits: VirtualCircuitRecord[];
}

/** A port as snapshot() shows it: the record plus the assigned VLANs spelled out. */
export interface PortState extends PortRecord {
  virtual_network_ids: string[];
  vxlans: number[];
}

/** A gateway as snapshot() shows it: also links in the API's `{id, href}` form, for idOf-style helpers. */
export interface MetalGatewayState extends MetalGatewayRecord {
  virtual_network: { id: string; href: string };
  ip_reservation: { id: string; href: string };
}

export interface MetalSimState {
  vrfs: VrfRecord[];
  virtualNetworks: VirtualNetworkRecord[];
  metalGateways: MetalGatewayState[];
  /** VRF, public and private (management) reservations. */
  ipReservations: IpReservationRecord[];
  ipAssignments: IpAssignmentRecord[];
  ports: PortState[];
  batches: BatchRecord[];
  bgpConfig: BgpConfigRecord | null;
  bgpSessions: BgpSessionRecord[];
  /** VRF virtual circuits, including those still `deleting`. */
  virtualCircuits: VirtualCircuitRecord[];
}
