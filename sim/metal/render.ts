// JSON representations of every resource, shaped by the spec's component schemas. A nested object
// is rendered as the spec types it: where the schema is an `Href`, `{href}` unless named in
// `include` (`link`); everywhere else the resource itself (`nested`), in full when included, else
// brief: its own fields and single nested resources (brief too), without its lists of other
// resources (`lists`). A brief object holds everything the `{href}` stub it replaces held.
import { API_BASE, isBrief, link, nested, type IncludeTree } from "./http";
import { formatIp, maskNetwork, netmask, parseIp } from "./ip";
import type { MetalStore } from "./state";
import type {
  BatchRecord,
  BgpSessionRecord,
  InventoryDevice,
  InventoryInterconnection,
  InventoryInterconnectionPort,
  IpAssignmentRecord,
  IpReservationRecord,
  MetalGatewayRecord,
  PortRecord,
  VirtualCircuitRecord,
  VirtualNetworkRecord,
  VrfRecord,
} from "./types";

type Json = Record<string, unknown>;
const NONE: IncludeTree = new Map();

/** A resource's lists of other resources: left out of a brief rendering (see `nested`). */
function lists(inc: IncludeTree, make: () => Json): Json {
  return isBrief(inc) ? {} : make();
}

export const href = {
  project: (id: string) => `${API_BASE}/projects/${id}`,
  metro: (id: string) => `${API_BASE}/locations/metros/${id}`,
  vrf: (id: string) => `${API_BASE}/vrfs/${id}`,
  virtualNetwork: (id: string) => `${API_BASE}/virtual-networks/${id}`,
  gateway: (id: string) => `${API_BASE}/metal-gateways/${id}`,
  ip: (id: string) => `${API_BASE}/ips/${id}`,
  device: (id: string) => `${API_BASE}/devices/${id}`,
  port: (id: string) => `${API_BASE}/ports/${id}`,
  vlanAssignment: (portId: string, id: string) => `${API_BASE}/ports/${portId}/vlan-assignments/${id}`,
  bgpSession: (id: string) => `${API_BASE}/bgp/sessions/${id}`,
  bgpConfig: (projectId: string) => `${API_BASE}/projects/${projectId}/bgp-config`,
  connection: (id: string) => `${API_BASE}/connections/${id}`,
  connectionPort: (connectionId: string, id: string) => `${API_BASE}/connections/${connectionId}/ports/${id}`,
  virtualCircuit: (id: string) => `${API_BASE}/virtual-circuits/${id}`,
};

export function renderProject(store: MetalStore, inc: IncludeTree = NONE): Json {
  const p = store.inventory.project;
  return {
    id: p.id,
    name: p.name,
    href: href.project(p.id),
    type: "default",
    backend_transfer_enabled: false,
    created_at: store.data.project_created_at,
    updated_at: store.data.project_created_at,
    customdata: {},
    network_status: {},
    tags: [],
    bgp_config: { href: href.bgpConfig(p.id) },
    // Project.devices lists Hrefs.
    ...lists(inc, () => ({
      devices: store.inventory.devices.map((d) =>
        link(inc, "devices", href.device(d.id), (sub) => renderDevice(store, d, sub)),
      ),
    })),
  };
}

function projectRef(store: MetalStore, inc: IncludeTree, key = "project"): Json {
  return nested(inc, key, (sub) => renderProject(store, sub));
}

export function renderMetro(store: MetalStore, code: string): Json {
  const m = store.metroByCode(code);
  return { id: m.id, code: m.code, name: m.name, href: href.metro(m.id) };
}

function metroRef(store: MetalStore, code: string, inc: IncludeTree): Json {
  return nested(inc, "metro", () => renderMetro(store, code));
}

export function renderVrf(store: MetalStore, v: VrfRecord, inc: IncludeTree = NONE): Json {
  return {
    id: v.id,
    href: href.vrf(v.id),
    name: v.name,
    ...(v.description !== null ? { description: v.description } : {}),
    bill: false,
    bgp_dynamic_neighbors_enabled: v.bgp_dynamic_neighbors_enabled,
    bgp_dynamic_neighbors_export_route_map: v.bgp_dynamic_neighbors_export_route_map,
    bgp_dynamic_neighbors_bfd_enabled: v.bgp_dynamic_neighbors_bfd_enabled,
    local_asn: v.local_asn,
    ip_ranges: [...v.ip_ranges],
    // Left out where the VRF is nested, as in its own circuits (VrfVirtualCircuit.vrf).
    ...lists(inc, () => ({
      virtual_circuits: store
        .virtualCircuitsOfVrf(v.id)
        .map((vc) => nested(inc, "virtual_circuits", (sub) => renderVirtualCircuit(store, vc, sub))),
    })),
    project: projectRef(store, inc),
    metro: metroRef(store, v.metro, inc),
    tags: [...v.tags],
    created_at: v.created_at,
    updated_at: v.updated_at,
  };
}

/** Fields every reservation shape shares: network, gateway and mask derived from the block. */
function blockFields(r: IpReservationRecord): Json {
  if (r.network === null) return { address_family: r.address_family, cidr: r.cidr };
  const net = parseIp(r.network);
  const gateway = net ? formatIp(r.address_family, net.value + 1n) : r.network;
  return {
    address_family: r.address_family,
    cidr: r.cidr,
    network: r.network,
    address: r.network,
    netmask: netmask(r.address_family, r.cidr),
    gateway,
  };
}

export function renderReservation(store: MetalStore, r: IpReservationRecord, inc: IncludeTree = NONE): Json {
  const gw = store.gatewayOfReservation(r.id);
  const gatewayRef = gw
    ? { metal_gateway: nested(inc, "metal_gateway", () => renderGatewayLite(store, gw)) }
    : {};
  if (r.type === "vrf") {
    return {
      id: r.id,
      href: href.ip(r.id),
      type: "vrf",
      ...blockFields(r),
      state: r.state,
      public: false,
      management: false,
      manageable: true,
      bill: false,
      customdata: {},
      ...(r.details !== null ? { details: r.details } : {}),
      tags: [...r.tags],
      created_at: r.created_at,
      vrf: nested(inc, "vrf", (sub) => {
        const vrf = store.vrf(r.vrf_id ?? "");
        return vrf ? renderVrf(store, vrf, sub) : { href: href.vrf(r.vrf_id ?? "") };
      }),
      project: projectRef(store, inc),
      metro: metroRef(store, r.metro, inc),
      ...gatewayRef,
    };
  }
  // IPReservation forbids additional properties: only its own fields may appear here.
  const assignments = store.data.ipAssignments.filter((a) => a.reservation_id === r.id);
  return {
    id: r.id,
    href: href.ip(r.id),
    type: r.type,
    ...blockFields(r),
    state: r.state,
    public: r.type === "public_ipv4",
    management: r.management,
    manageable: !r.management,
    addon: r.type === "public_ipv4" && !r.management,
    bill: r.type === "public_ipv4" && !r.management,
    global_ip: false,
    enabled: true,
    available: `${href.ip(r.id)}/available`,
    customdata: {},
    ...(r.details !== null ? { details: r.details } : {}),
    tags: [...r.tags],
    created_at: r.created_at,
    ...lists(inc, () => ({
      assignments: assignments.map((a) =>
        nested(inc, "assignments", (sub) => renderAssignment(store, a, sub)),
      ),
    })),
    metro: metroRef(store, r.metro, inc),
    project: projectRef(store, inc),
    project_lite: { href: href.project(store.projectId) },
    ...gatewayRef,
  };
}

export function renderAssignment(store: MetalStore, a: IpAssignmentRecord, inc: IncludeTree = NONE): Json {
  const block = store.reservation(a.reservation_id);
  const ip = parseIp(a.address);
  const network = ip
    ? formatIp(a.address_family, maskNetwork(a.address_family, ip.value, a.cidr))
    : a.address;
  // In a /31 the gateway is the other address; elsewhere the block's first host.
  const gateway =
    ip && a.cidr === 31
      ? formatIp(4, ip.value ^ 1n)
      : block?.network
        ? formatIp(a.address_family, (parseIp(block.network)?.value ?? 0n) + 1n)
        : a.address;
  const device = store.findDevice(a.device_id);
  return {
    id: a.id,
    href: href.ip(a.id),
    address: a.address,
    address_family: a.address_family,
    cidr: a.cidr,
    netmask: netmask(a.address_family, a.cidr),
    network,
    gateway,
    public: a.public,
    management: a.management,
    manageable: !a.management,
    enabled: true,
    global_ip: false,
    created_at: a.created_at,
    // IPAssignment.assigned_to is an Href.
    assigned_to: link(inc, "assigned_to", href.device(a.device_id), (sub) =>
      device ? renderDevice(store, device, sub) : { href: href.device(a.device_id) },
    ),
    ...(device ? { metro: metroRef(store, device.metro, inc) } : {}),
    ...(block?.network
      ? {
          parent_block: {
            href: href.ip(block.id),
            network: block.network,
            cidr: block.cidr,
            netmask: netmask(block.address_family, block.cidr),
          },
        }
      : {}),
  };
}

export function renderVirtualNetwork(
  store: MetalStore,
  v: VirtualNetworkRecord,
  inc: IncludeTree = NONE,
): Json {
  const deviceIds = [...new Set(store.portsCarrying(v.id).map((p) => p.device_id))];
  return {
    id: v.id,
    href: href.virtualNetwork(v.id),
    vxlan: v.vxlan,
    metro_code: v.metro,
    metro: metroRef(store, v.metro, inc),
    ...(v.description !== null ? { description: v.description } : {}),
    tags: [...v.tags],
    created_at: v.created_at,
    assigned_to: projectRef(store, inc, "assigned_to"),
    assigned_to_virtual_circuit: false,
    ...lists(inc, () => ({
      instances: deviceIds.map((id) =>
        nested(inc, "instances", (sub) => renderDevice(store, store.device(id), sub)),
      ),
      metal_gateways: store
        .gatewaysOfVlan(v.id)
        .map((g) => nested(inc, "metal_gateways", () => renderGatewayLite(store, g))),
    })),
  };
}

export function renderGatewayLite(store: MetalStore, g: MetalGatewayRecord): Json {
  const r = store.reservation(g.ip_reservation_id);
  const vn = store.virtualNetwork(g.virtual_network_id);
  const gatewayAddress = r ? blockFields(r).gateway : undefined;
  return {
    id: g.id,
    href: href.gateway(g.id),
    state: g.state,
    ...(vn ? { vlan: vn.vxlan } : {}),
    ...(r && typeof gatewayAddress === "string" ? { gateway_address: `${gatewayAddress}/${r.cidr}` } : {}),
    created_at: g.created_at,
    updated_at: g.updated_at,
  };
}

export function renderGateway(store: MetalStore, g: MetalGatewayRecord, inc: IncludeTree = NONE): Json {
  const r = store.reservation(g.ip_reservation_id);
  const vn = store.virtualNetwork(g.virtual_network_id);
  return {
    id: g.id,
    href: href.gateway(g.id),
    state: g.state,
    created_at: g.created_at,
    updated_at: g.updated_at,
    project: projectRef(store, inc),
    virtual_network: nested(inc, "virtual_network", (sub) =>
      vn ? renderVirtualNetwork(store, vn, sub) : { href: href.virtualNetwork(g.virtual_network_id) },
    ),
    // The reservation tells the gateway's oneOf branch: an IPReservation (MetalGateway) or a
    // VrfIpReservation (VrfMetalGateway).
    ...(r
      ? { ip_reservation: nested(inc, "ip_reservation", (sub) => renderReservation(store, r, sub)) }
      : {}),
    ...(g.vrf_id !== null
      ? {
          vrf: nested(inc, "vrf", (sub) => {
            const vrf = store.vrf(g.vrf_id ?? "");
            return vrf ? renderVrf(store, vrf, sub) : { href: href.vrf(g.vrf_id ?? "") };
          }),
        }
      : {}),
  };
}

export function renderPort(store: MetalStore, p: PortRecord, inc: IncludeTree = NONE): Json {
  const bond = store.bondPort(p.device_id);
  const vnRef = (key: string, id: string) =>
    nested(inc, key, (sub) => {
      const vn = store.virtualNetwork(id);
      return vn ? renderVirtualNetwork(store, vn, sub) : { href: href.virtualNetwork(id) };
    });
  return {
    id: p.id,
    href: href.port(p.id),
    name: p.name,
    type: p.type,
    network_type: p.network_type,
    data: { bonded: p.bonded, ...(p.type === "NetworkPort" ? { mac: macFor(p.id) } : {}) },
    ...(p.type === "NetworkPort" ? { bond: { id: bond.id, name: bond.name } } : {}),
    disbond_operation_supported: true,
    ...lists(inc, () => ({
      virtual_networks: p.vlan_assignments.map((a) => vnRef("virtual_networks", a.virtual_network_id)),
    })),
    ...(p.native_virtual_network_id !== null
      ? { native_virtual_network: vnRef("native_virtual_network", p.native_virtual_network_id) }
      : {}),
  };
}

/** A stable, locally administered MAC derived from the port id. */
function macFor(portId: string): string {
  const hex = portId.replace(/-/g, "").slice(-10);
  return `02:${hex.match(/../g)?.join(":") ?? "00:00:00:00:00"}`;
}

export function renderDevice(store: MetalStore, d: InventoryDevice, inc: IncludeTree = NONE): Json {
  const createdAt = store.data.project_created_at;
  return {
    id: d.id,
    href: href.device(d.id),
    hostname: d.hostname,
    short_id: d.id.slice(0, 8),
    state: "active",
    locked: false,
    network_frozen: false,
    always_pxe: false,
    spot_instance: false,
    bonding_mode: 5,
    switch_uuid: d.id.slice(-8),
    customdata: {},
    tags: [],
    created_at: createdAt,
    updated_at: createdAt,
    metro: metroRef(store, d.metro, inc),
    project: projectRef(store, inc),
    project_lite: { href: href.project(store.projectId) },
    // The real API returns ports and addresses in full on a device, include or not (unless the
    // device itself is nested and brief).
    ...lists(inc, () => ({
      network_ports: store
        .devicePorts(d.id)
        .map((p) => renderPort(store, p, inc.get("network_ports") ?? NONE)),
      ip_addresses: store.data.ipAssignments
        .filter((a) => a.device_id === d.id)
        .map((a) => renderAssignment(store, a, inc.get("ip_addresses") ?? NONE)),
    })),
  };
}

export function renderBatch(store: MetalStore, b: BatchRecord, inc: IncludeTree = NONE): Json {
  const port = store.port(b.port_id);
  return {
    id: b.id,
    state: b.state,
    quantity: b.quantity,
    error_messages: [...b.error_messages],
    vlan_assignments: b.vlan_assignments.map((item) => ({
      ...(item.virtual_network_id !== null ? { id: item.virtual_network_id } : {}),
      ...(item.vxlan !== null ? { vlan: item.vxlan } : {}),
      state: item.state,
      ...(item.native !== null ? { native: item.native } : {}),
    })),
    port: nested(inc, "port", (sub) =>
      port ? renderPort(store, port, sub) : { href: href.port(b.port_id) },
    ),
    project: { href: href.project(store.projectId) },
    created_at: b.created_at,
    updated_at: b.updated_at,
  };
}

export function renderBgpSession(store: MetalStore, s: BgpSessionRecord, inc: IncludeTree = NONE): Json {
  const device = store.findDevice(s.device_id);
  return {
    id: s.id,
    href: href.bgpSession(s.id),
    address_family: s.address_family,
    default_route: s.default_route,
    status: s.status,
    learned_routes: [],
    // BgpSession.device is an Href.
    device: link(inc, "device", href.device(s.device_id), (sub) =>
      device ? renderDevice(store, device, sub) : { href: href.device(s.device_id) },
    ),
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

export function renderBgpConfig(store: MetalStore, inc: IncludeTree = NONE): Json | undefined {
  const c = store.data.bgpConfig;
  if (!c) return undefined;
  return {
    id: c.id,
    href: href.bgpConfig(store.projectId),
    deployment_type: c.deployment_type,
    asn: c.asn,
    md5: c.md5,
    status: c.status,
    max_prefix: c.max_prefix,
    route_object: "",
    ranges: [],
    // BgpSession has a required field, so sessions are always listed in full.
    sessions: store.data.bgpSessions.map((s) => renderBgpSession(store, s, inc.get("sessions") ?? NONE)),
    project: { href: href.project(store.projectId) },
    created_at: c.created_at,
    requested_at: c.requested_at,
  };
}

export function renderInterconnection(
  store: MetalStore,
  c: InventoryInterconnection,
  inc: IncludeTree = NONE,
): Json {
  const createdAt = store.data.project_created_at;
  return {
    id: c.id,
    href: href.connection(c.id),
    name: c.name,
    type: c.type,
    mode: "standard",
    redundancy: c.ports.length > 1 ? "redundant" : "primary",
    speed: c.speed,
    status: "active",
    metro: metroRef(store, c.metro, inc),
    project: projectRef(store, inc),
    // Dedicated ports come in full, include or not, as a device's ports do.
    ports: c.ports.map((p) => renderInterconnectionPort(store, c, p, inc.get("ports") ?? NONE)),
    service_tokens: [],
    tags: [],
    created_at: createdAt,
    updated_at: createdAt,
  };
}

export function renderInterconnectionPort(
  store: MetalStore,
  c: InventoryInterconnection,
  p: InventoryInterconnectionPort,
  inc: IncludeTree = NONE,
): Json {
  return {
    id: p.id,
    href: href.connectionPort(c.id, p.id),
    name: p.name,
    role: p.role ?? "primary",
    status: "active",
    link_status: "up",
    speed: c.speed,
    switch_id: p.id.slice(0, 8),
    // Left out where the port is nested, as in its own circuits (VirtualCircuit.port).
    ...lists(inc, () => ({
      virtual_circuits: store.data.virtualCircuits
        .filter((vc) => vc.port_id === p.id)
        .map((vc) => nested(inc, "virtual_circuits", (sub) => renderVirtualCircuit(store, vc, sub))),
    })),
  };
}

export function renderVirtualCircuit(
  store: MetalStore,
  vc: VirtualCircuitRecord,
  inc: IncludeTree = NONE,
): Json {
  return {
    id: vc.id,
    href: href.virtualCircuit(vc.id),
    type: vc.type,
    ...(vc.name !== null ? { name: vc.name } : {}),
    ...(vc.description !== null ? { description: vc.description } : {}),
    nni_vlan: vc.nni_vlan,
    peer_asn: vc.peer_asn,
    subnet: vc.subnet,
    metal_ip: vc.metal_ip,
    customer_ip: vc.customer_ip,
    // The API returns the BGP password in plaintext (VrfVirtualCircuit.md5).
    ...(vc.md5 !== null ? { md5: vc.md5 } : {}),
    speed: vc.speed,
    status: vc.status,
    tags: [...vc.tags],
    vrf: nested(inc, "vrf", (sub) => {
      const vrf = store.vrf(vc.vrf_id);
      return vrf ? renderVrf(store, vrf, sub) : { href: href.vrf(vc.vrf_id) };
    }),
    port: nested(inc, "port", (sub) => {
      const found = store.interconnectionPort(vc.connection_id, vc.port_id);
      return found
        ? renderInterconnectionPort(store, found.connection, found.port, sub)
        : { href: href.connectionPort(vc.connection_id, vc.port_id) };
    }),
    project: projectRef(store, inc),
    created_at: vc.created_at,
    updated_at: vc.updated_at,
  };
}
