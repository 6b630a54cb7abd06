// The simulator's state: records, lookups, the port/VLAN model and the timed transitions.
//
// Timed transitions (gateway ready -> active, deleting -> gone, batch steps) are stored as
// absolute deadlines and applied by tick() before every request and snapshot, instead of by
// timers: the outcome an observer sees is the same, and a state file written by one process is
// continued exactly by the next.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { API_BASE, ApiError, isUuid, unprocessable } from "./http";
import { allocateBlock, formatIp, maskNetwork, parseCidr, parseIp, type Cidr } from "./ip";
import type {
  BatchRecord,
  InventoryDevice,
  InventoryInterconnection,
  InventoryInterconnectionPort,
  IpAssignmentRecord,
  IpReservationRecord,
  MetalGatewayRecord,
  MetalInventory,
  MetalSimState,
  PortNetworkType,
  PortRecord,
  StoredState,
  VirtualCircuitRecord,
  VirtualNetworkRecord,
  VrfRecord,
} from "./types";

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Private (management) blocks are handed out per /25, as the real platform does per project and metro. */
const PRIVATE_BLOCK_PREFIX = 25;

export class MetalStore {
  data: StoredState;
  private dirty = false;
  private readonly metrosByCode: Map<string, MetalInventory["metros"][number]>;

  constructor(
    readonly inventory: MetalInventory,
    private readonly stateFile?: string,
  ) {
    this.metrosByCode = new Map(inventory.metros.map((m) => [m.code.toLowerCase(), m]));
    if (stateFile && existsSync(stateFile)) {
      this.data = this.load(stateFile);
    } else {
      this.data = initialState(inventory, Date.now());
      this.dirty = true;
    }
  }

  get projectId(): string {
    return this.inventory.project.id;
  }

  markDirty(): void {
    this.dirty = true;
  }

  save(): void {
    if (!this.stateFile || !this.dirty) return;
    const tmp = `${this.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 2));
    renameSync(tmp, this.stateFile);
    this.dirty = false;
  }

  private load(file: string): StoredState {
    const data = JSON.parse(readFileSync(file, "utf8")) as StoredState;
    if (data.version !== 1) throw new Error(`${file}: unsupported state version ${String(data.version)}`);
    if (data.project_id !== this.inventory.project.id) {
      throw new Error(
        `${file}: state belongs to project ${data.project_id}, not ${this.inventory.project.id}`,
      );
    }
    // Files written before virtual circuits were modelled have none.
    data.virtualCircuits ??= [];
    // Devices added to the inventory since the file was written start in their initial state.
    const known = new Set(data.ports.map((p) => p.device_id));
    for (const device of this.inventory.devices) {
      if (!known.has(device.id)) addDevice(data, device, Date.now());
    }
    return data;
  }

  snapshot(): MetalSimState {
    const d = structuredClone(this.data);
    return {
      vrfs: d.vrfs,
      virtualNetworks: d.virtualNetworks,
      metalGateways: d.metalGateways.map((g) => ({
        ...g,
        virtual_network: {
          id: g.virtual_network_id,
          href: `${API_BASE}/virtual-networks/${g.virtual_network_id}`,
        },
        ip_reservation: { id: g.ip_reservation_id, href: `${API_BASE}/ips/${g.ip_reservation_id}` },
      })),
      ipReservations: d.ipReservations,
      ipAssignments: d.ipAssignments,
      ports: d.ports.map((p) => ({
        ...p,
        virtual_network_ids: p.vlan_assignments.map((a) => a.virtual_network_id),
        vxlans: p.vlan_assignments.map((a) => this.virtualNetwork(a.virtual_network_id)?.vxlan ?? -1),
      })),
      batches: d.batches,
      bgpConfig: d.bgpConfig,
      bgpSessions: d.bgpSessions,
      virtualCircuits: d.virtualCircuits,
    };
  }

  // ---- Timed transitions ----

  tick(now: number): void {
    for (const g of [...this.data.metalGateways]) {
      if (g.delete_at !== null && now >= g.delete_at) {
        this.data.metalGateways = this.data.metalGateways.filter((x) => x.id !== g.id);
        this.dirty = true;
      } else if (g.state === "ready" && now >= g.active_at) {
        g.state = "active";
        g.updated_at = iso(g.active_at);
        this.dirty = true;
      }
    }
    for (const vc of [...this.data.virtualCircuits]) {
      if (vc.delete_at !== null) {
        if (now >= vc.delete_at) {
          this.data.virtualCircuits = this.data.virtualCircuits.filter((x) => x.id !== vc.id);
          this.dirty = true;
        }
      } else if ((vc.status === "pending" || vc.status === "activating") && now >= vc.active_at) {
        vc.status = vc.outcome;
        vc.updated_at = iso(vc.active_at);
        this.dirty = true;
      } else if (vc.status === "pending" && now >= vc.activating_at) {
        vc.status = "activating";
        vc.updated_at = iso(vc.activating_at);
        this.dirty = true;
      }
    }
    const pending = this.data.batches
      .filter((b) => b.state === "queued" || b.state === "in_progress")
      .sort((a, b) => a.done_at - b.done_at);
    for (const b of pending) {
      if (now >= b.done_at) {
        this.finishBatch(b);
        this.dirty = true;
      } else if (b.state === "queued" && now >= b.in_progress_at) {
        b.state = "in_progress";
        b.updated_at = iso(b.in_progress_at);
        this.dirty = true;
      }
    }
  }

  /** Validates the whole batch against the state at completion time; applies all of it or nothing. */
  private finishBatch(b: BatchRecord): void {
    const port = this.port(b.port_id);
    const errors: string[] = [];
    const changes: { vn: VirtualNetworkRecord; assign: boolean; native: boolean }[] = [];
    if (!port) {
      errors.push("Port not found");
    } else {
      const device = this.device(port.device_id);
      for (const item of b.vlan_assignments) {
        const vn = this.resolveVlan(item.vlan, device.metro);
        if (!vn) {
          errors.push(`Virtual network ${item.vlan} not found in metro ${device.metro}`);
          continue;
        }
        if (item.state === "assigned") {
          const reason = this.vlanBlocker(port, vn);
          if (reason) errors.push(reason);
        }
        changes.push({ vn, assign: item.state === "assigned", native: item.native === true });
      }
      if (changes.filter((c) => c.native && c.assign).length > 1)
        errors.push("Only one native VLAN per port");
      if (changes.some((c) => c.native && !c.assign)) errors.push("A VLAN being unassigned cannot be native");
    }
    b.updated_at = iso(b.done_at);
    if (errors.length > 0 || !port) {
      b.state = "failed";
      b.error_messages = errors;
      return;
    }
    // A batch describes the desired state of each VLAN, so repeating an assignment is not an error.
    for (const c of changes.filter((x) => !x.assign)) this.detachVlan(port, c.vn.id);
    for (const c of changes.filter((x) => x.assign)) {
      if (!port.vlan_assignments.some((a) => a.virtual_network_id === c.vn.id)) {
        this.attachVlan(port, c.vn.id, b.done_at);
      }
      if (c.native) port.native_virtual_network_id = c.vn.id;
    }
    b.state = "completed";
  }

  // ---- Lookups ----

  metro(ref: string): MetalInventory["metros"][number] | undefined {
    return this.metrosByCode.get(ref.toLowerCase()) ?? this.inventory.metros.find((m) => m.id === ref);
  }

  metroByCode(code: string): MetalInventory["metros"][number] {
    const m = this.metrosByCode.get(code.toLowerCase());
    if (!m) throw new Error(`metro ${code} missing from the inventory`);
    return m;
  }

  findDevice(id: string): InventoryDevice | undefined {
    return this.inventory.devices.find((d) => d.id === id);
  }

  device(id: string): InventoryDevice {
    const d = this.findDevice(id);
    if (!d) throw new Error(`device ${id} missing from the inventory`);
    return d;
  }

  devicePorts(deviceId: string): PortRecord[] {
    return this.data.ports.filter((p) => p.device_id === deviceId);
  }

  bondPort(deviceId: string): PortRecord {
    const bond = this.devicePorts(deviceId).find((p) => p.type === "NetworkBondPort");
    if (!bond) throw new Error(`device ${deviceId} has no bond port`);
    return bond;
  }

  port(id: string): PortRecord | undefined {
    return this.data.ports.find((p) => p.id === id);
  }

  vrf(id: string): VrfRecord | undefined {
    return this.data.vrfs.find((v) => v.id === id);
  }

  virtualNetwork(id: string): VirtualNetworkRecord | undefined {
    return this.data.virtualNetworks.find((v) => v.id === id);
  }

  gateway(id: string): MetalGatewayRecord | undefined {
    return this.data.metalGateways.find((g) => g.id === id);
  }

  reservation(id: string): IpReservationRecord | undefined {
    return this.data.ipReservations.find((r) => r.id === id);
  }

  assignment(id: string): IpAssignmentRecord | undefined {
    return this.data.ipAssignments.find((a) => a.id === id);
  }

  interconnection(id: string): InventoryInterconnection | undefined {
    return (this.inventory.interconnections ?? []).find((c) => c.id === id);
  }

  interconnectionPort(
    connectionId: string,
    portId: string,
  ): { connection: InventoryInterconnection; port: InventoryInterconnectionPort } | undefined {
    const connection = this.interconnection(connectionId);
    const port = connection?.ports.find((p) => p.id === portId);
    return connection && port ? { connection, port } : undefined;
  }

  virtualCircuit(id: string): VirtualCircuitRecord | undefined {
    return this.data.virtualCircuits.find((vc) => vc.id === id);
  }

  virtualCircuitsOfVrf(vrfId: string): VirtualCircuitRecord[] {
    return this.data.virtualCircuits.filter((vc) => vc.vrf_id === vrfId);
  }

  gatewaysOfVlan(vnId: string): MetalGatewayRecord[] {
    return this.data.metalGateways.filter((g) => g.virtual_network_id === vnId);
  }

  gatewayOfReservation(reservationId: string): MetalGatewayRecord | undefined {
    return this.data.metalGateways.find((g) => g.ip_reservation_id === reservationId);
  }

  portsCarrying(vnId: string): PortRecord[] {
    return this.data.ports.filter(
      (p) =>
        p.vlan_assignments.some((a) => a.virtual_network_id === vnId) || p.native_virtual_network_id === vnId,
    );
  }

  /** A VLAN by uuid, or by vxlan number within `metro` (vxlan is unique per project and metro only). */
  resolveVlan(ref: string, metro: string): VirtualNetworkRecord | undefined {
    if (isUuid(ref)) return this.virtualNetwork(ref);
    if (!/^\d+$/.test(ref)) return undefined;
    return this.data.virtualNetworks.find((v) => v.vxlan === Number(ref) && v.metro === metro);
  }

  // ---- Ports and network types ----

  /** Recomputes the derived port fields of a device after any bond, layer or VLAN change. */
  refreshDevice(deviceId: string): void {
    const ports = this.devicePorts(deviceId);
    const bond = this.bondPort(deviceId);
    const members = ports.filter((p) => p.type === "NetworkPort");
    bond.bonded = members.some((m) => m.bonded);
    for (const m of members) m.layer = m.bonded ? bond.layer : "layer2";
    const allBonded = members.every((m) => m.bonded);
    const type: PortNetworkType =
      bond.layer === "layer3"
        ? allBonded
          ? "layer3"
          : "hybrid"
        : allBonded
          ? "layer2-bonded"
          : "layer2-individual";
    for (const p of ports) p.network_type = type;
    this.dirty = true;
  }

  /** Why `port` cannot carry `vn` right now, or undefined when it can. */
  vlanBlocker(port: PortRecord, vn: VirtualNetworkRecord): string | undefined {
    const device = this.device(port.device_id);
    if (vn.metro !== device.metro) {
      return `Virtual network ${vn.vxlan} is in metro ${vn.metro}, but port ${port.name} of ${device.hostname} is in metro ${device.metro}`;
    }
    if (port.type === "NetworkBondPort") {
      if (port.layer === "layer3") {
        return `Port ${port.name} is in Layer 3 mode: VLANs can only be assigned to ports in Layer 2 or hybrid mode`;
      }
      if (!port.bonded)
        return `Port ${port.name} has no bonded members; assign VLANs to the individual ports`;
      return undefined;
    }
    if (port.bonded) return `Port ${port.name} is part of a bond: assign VLANs to the bond port instead`;
    return undefined;
  }

  attachVlan(port: PortRecord, vnId: string, now: number): void {
    port.vlan_assignments.push({
      id: randomUUID(),
      virtual_network_id: vnId,
      created_at: iso(now),
      updated_at: iso(now),
    });
    this.refreshDevice(port.device_id);
  }

  detachVlan(port: PortRecord, vnId: string): void {
    port.vlan_assignments = port.vlan_assignments.filter((a) => a.virtual_network_id !== vnId);
    if (port.native_virtual_network_id === vnId) port.native_virtual_network_id = null;
    this.refreshDevice(port.device_id);
  }

  // ---- IP addresses ----

  publicPool(): Cidr {
    const pool = parseCidr(this.inventory.publicIpv4);
    if (!pool) throw new Error("inventory publicIpv4 is not a CIDR");
    return pool;
  }

  reservationCidr(r: IpReservationRecord): Cidr | undefined {
    return r.network === null ? undefined : parseCidr(`${r.network}/${r.cidr}`);
  }

  /** A free aligned public block of `prefix`, or undefined when the pool is exhausted. */
  allocatePublic(prefix: number): Cidr | undefined {
    const taken = this.data.ipReservations
      .filter((r) => r.type === "public_ipv4")
      .map((r) => this.reservationCidr(r))
      .filter((c): c is Cidr => c !== undefined);
    return allocateBlock(this.publicPool(), prefix, taken);
  }

  /** Addresses counted against the public quota: created, non-management public blocks. */
  publicAddressesInUse(): number {
    return this.data.ipReservations
      .filter((r) => r.type === "public_ipv4" && !r.management && r.state === "created")
      .reduce((sum, r) => sum + 2 ** (32 - r.cidr), 0);
  }

  /** Gives a device back its inventory private address (layer-3 conversion). */
  restorePrivateIp(device: InventoryDevice, now: number): void {
    const assignment = privateAssignment(device, this.data.ipReservations, now);
    if (!this.data.ipAssignments.some((a) => a.device_id === device.id && a.address === assignment.address)) {
      this.data.ipAssignments.push(assignment);
    }
  }

  newPublicManagementIp(device: InventoryDevice, now: number): void {
    const block = this.allocatePublic(31);
    if (!block) throw unprocessable("No public IPv4 addresses left for the device");
    const reservation: IpReservationRecord = {
      id: randomUUID(),
      type: "public_ipv4",
      network: formatIp(4, block.network),
      cidr: 31,
      address_family: 4,
      metro: device.metro,
      vrf_id: null,
      quantity: 2,
      state: "created",
      management: true,
      tags: [],
      details: null,
      created_at: iso(now),
      updated_at: iso(now),
    };
    this.data.ipReservations.push(reservation);
    this.data.ipAssignments.push({
      id: randomUUID(),
      device_id: device.id,
      reservation_id: reservation.id,
      address: formatIp(4, block.network + 1n),
      cidr: 31,
      address_family: 4,
      public: true,
      management: true,
      created_at: iso(now),
    });
  }

  /** Deletes management reservations that no longer have any assignment (they belong to no one). */
  dropOrphanManagementBlocks(): void {
    this.data.ipReservations = this.data.ipReservations.filter(
      (r) =>
        !(r.type === "public_ipv4" && r.management) ||
        this.data.ipAssignments.some((a) => a.reservation_id === r.id),
    );
  }
}

export function mustExist<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new ApiError(404, `${what} not found`);
  return value;
}

function initialState(inv: MetalInventory, now: number): StoredState {
  const state: StoredState = {
    version: 1,
    project_id: inv.project.id,
    project_created_at: iso(now),
    vrfs: [],
    virtualNetworks: [],
    metalGateways: [],
    ipReservations: [],
    ipAssignments: [],
    ports: [],
    batches: [],
    bgpConfig: null,
    bgpSessions: [],
    virtualCircuits: [],
  };
  for (const device of inv.devices) addDevice(state, device, now);
  return state;
}

function addDevice(state: StoredState, device: InventoryDevice, now: number): void {
  const type = device.network_type ?? "layer3";
  for (const p of device.ports) {
    const outOfBond = type === "hybrid" && p.name === "eth1";
    state.ports.push({
      id: p.id,
      device_id: device.id,
      name: p.name,
      type: p.type,
      bonded: !outOfBond,
      layer: type === "layer2-bonded" || outOfBond ? "layer2" : "layer3",
      network_type: type,
      vlan_assignments: [],
      native_virtual_network_id: null,
    });
  }
  // Layer-2 devices have no addresses; the private block still exists for a later conversion.
  const assignment = privateAssignment(device, state.ipReservations, now);
  if (type !== "layer2-bonded") state.ipAssignments.push(assignment);
}

/** The device's private assignment, creating the private /25 block that holds it if needed. */
function privateAssignment(
  device: InventoryDevice,
  reservations: IpReservationRecord[],
  now: number,
): IpAssignmentRecord {
  const [addressText = "", prefixText = "31"] = device.private_ipv4.split("/");
  const address = parseIp(addressText);
  if (!address) throw new Error(`device ${device.hostname}: bad private_ipv4 ${device.private_ipv4}`);
  const network = formatIp(4, maskNetwork(4, address.value, PRIVATE_BLOCK_PREFIX));
  let block = reservations.find((r) => r.type === "private_ipv4" && r.network === network);
  if (!block) {
    block = {
      id: randomUUID(),
      type: "private_ipv4",
      network,
      cidr: PRIVATE_BLOCK_PREFIX,
      address_family: 4,
      metro: device.metro,
      vrf_id: null,
      quantity: null,
      state: "created",
      management: true,
      tags: [],
      details: null,
      created_at: iso(now),
      updated_at: iso(now),
    };
    reservations.push(block);
  }
  return {
    id: randomUUID(),
    device_id: device.id,
    reservation_id: block.id,
    address: addressText,
    cidr: Number(prefixText),
    address_family: 4,
    public: false,
    management: true,
    created_at: iso(now),
  };
}
