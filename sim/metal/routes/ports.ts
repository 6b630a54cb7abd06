// Ports: read, VLAN assign/unassign, bond/disbond, layer conversions, native VLAN, VLAN
// assignments and the asynchronous assignment batches.
//
// Network-type model (bond0 with member NetworkPorts, as packngo's ConvertDevice drives it):
//   layer3            bond0 in Layer 3, all members bonded
//   hybrid            bond0 in Layer 3, eth1 out of the bond (eth1 carries VLANs)
//   layer2-bonded     bond0 in Layer 2, all members bonded (bond0 carries VLANs)
//   layer2-individual bond0 in Layer 2, members out of the bond (each carries VLANs)
import { randomUUID } from "node:crypto";
import {
  paginate,
  param,
  parseInclude,
  unprocessable,
  type Body,
  type Ctx,
  type Reply,
  type Router,
} from "../http";
import { href, renderBatch, renderPort, renderVirtualNetwork } from "../render";
import { iso, mustExist, type MetalStore } from "../state";
import type { BatchItemRecord, BatchRecord, PortRecord, VirtualNetworkRecord } from "../types";

export function registerPortRoutes(router: Router): void {
  router
    .add("GET", "/ports/{id}", (ctx) => portReply(ctx, findPort(ctx)))
    .add("POST", "/ports/{id}/assign", assign)
    .add("POST", "/ports/{id}/unassign", unassign)
    .add("POST", "/ports/{id}/bond", bond)
    .add("POST", "/ports/{id}/disbond", disbond)
    .add("POST", "/ports/{id}/convert/layer-2", convertToLayer2)
    .add("POST", "/ports/{id}/convert/layer-3", convertToLayer3)
    .add("POST", "/ports/{id}/native-vlan", setNativeVlan)
    .add("DELETE", "/ports/{id}/native-vlan", (ctx) => {
      const port = findPort(ctx);
      port.native_virtual_network_id = null;
      ctx.store.markDirty();
      return portReply(ctx, port);
    })
    .add("GET", "/ports/{id}/vlan-assignments", listVlanAssignments)
    .add("GET", "/ports/{id}/vlan-assignments/{assignment_id}", getVlanAssignment)
    .add("POST", "/ports/{id}/vlan-assignments/batches", createBatch)
    .add("GET", "/ports/{id}/vlan-assignments/batches", (ctx) => {
      const port = findPort(ctx);
      const batches = ctx.store.data.batches.filter((b) => b.port_id === port.id);
      const page = paginate(batches, ctx.query, `/ports/${port.id}/vlan-assignments/batches`);
      return { status: 200, body: { batches: page.items.map((b) => renderBatch(ctx.store, b, ctx.inc)) } };
    })
    .add("GET", "/ports/{id}/vlan-assignments/batches/{batch_id}", (ctx) => {
      const port = findPort(ctx);
      const batch = ctx.store.data.batches.find(
        (b) => b.id === param(ctx, "batch_id") && b.port_id === port.id,
      );
      return { status: 200, body: renderBatch(ctx.store, mustExist(batch, "Batch"), ctx.inc) };
    });
}

function findPort(ctx: Ctx): PortRecord {
  return mustExist(ctx.store.port(param(ctx, "id")), "Port");
}

function portReply(ctx: Ctx, port: PortRecord): Reply {
  return { status: 200, body: renderPort(ctx.store, port, ctx.inc) };
}

/** `vnid` may be a uuid or a vxlan, as a string or a number. */
function vnidOf(body: Body, key = "vnid"): string {
  const raw = body[key];
  if (typeof raw === "number" && Number.isInteger(raw)) return String(raw);
  if (typeof raw === "string" && raw !== "") return raw;
  if (raw === undefined || raw === null || raw === "") throw unprocessable(`${key} is required`);
  throw unprocessable(`${key} must be a virtual network uuid or a vxlan`);
}

function resolveFor(store: MetalStore, port: PortRecord, ref: string): VirtualNetworkRecord {
  const vn = store.resolveVlan(ref, store.device(port.device_id).metro);
  if (!vn) throw unprocessable(`Virtual network ${ref} not found`);
  return vn;
}

function isAssigned(port: PortRecord, vnId: string): boolean {
  return port.vlan_assignments.some((a) => a.virtual_network_id === vnId);
}

function assign(ctx: Ctx): Reply {
  const port = findPort(ctx);
  const vn = resolveFor(ctx.store, port, vnidOf(ctx.body));
  if (isAssigned(port, vn.id)) throw unprocessable(`Virtual network ${vn.vxlan} already assigned`);
  const blocker = ctx.store.vlanBlocker(port, vn);
  if (blocker) throw unprocessable(blocker);
  ctx.store.attachVlan(port, vn.id, ctx.now);
  return portReply(ctx, port);
}

function unassign(ctx: Ctx): Reply {
  const port = findPort(ctx);
  const vn = resolveFor(ctx.store, port, vnidOf(ctx.body));
  if (!isAssigned(port, vn.id)) throw unprocessable(`Virtual network ${vn.vxlan} not assigned`);
  ctx.store.detachVlan(port, vn.id);
  return portReply(ctx, port);
}

function members(store: MetalStore, port: PortRecord): PortRecord[] {
  return store.devicePorts(port.device_id).filter((p) => p.type === "NetworkPort");
}

function bond(ctx: Ctx): Reply {
  const { store } = ctx;
  const port = findPort(ctx);
  const bulk = port.type === "NetworkBondPort" || ctx.query.get("bulk_enable") === "true";
  const joining = bulk ? members(store, port).filter((m) => !m.bonded) : port.bonded ? [] : [port];
  if (joining.length === 0) throw unprocessable(`Port ${port.name} is already bonded`);
  // A port carrying VLANs cannot silently join a bond (the race terraform-provider-metal#116 hit).
  const busy = joining.find((m) => m.vlan_assignments.length > 0);
  if (busy) throw unprocessable(`Port ${busy.name} has VLANs assigned; unassign them before bonding`);
  for (const m of joining) m.bonded = true;
  store.refreshDevice(port.device_id);
  return portReply(ctx, port);
}

function disbond(ctx: Ctx): Reply {
  const { store } = ctx;
  const port = findPort(ctx);
  const bondPort = store.bondPort(port.device_id);
  const all = members(store, port);
  const bulk = port.type === "NetworkBondPort" || ctx.query.get("bulk_disable") === "true";
  const leaving = bulk ? all.filter((m) => m.bonded) : port.bonded ? [port] : [];
  if (leaving.length === 0) throw unprocessable(`Port ${port.name} is already disbonded`);
  if (bondPort.layer === "layer3") {
    // Only the hybrid split is possible in Layer 3: eth0 keeps the bond (and the device's IPs).
    if (bulk) throw unprocessable(`Port ${bondPort.name} is in Layer 3 mode and cannot be unbonded`);
    if (port.name === "eth0")
      throw unprocessable("Port eth0 carries the Layer 3 bond and cannot be disbonded");
  }
  const remaining = all.filter((m) => m.bonded && !leaving.includes(m));
  if (remaining.length === 0 && bondPort.vlan_assignments.length > 0) {
    throw unprocessable(`Remove the VLANs from ${bondPort.name} before disbonding it`);
  }
  for (const m of leaving) m.bonded = false;
  store.refreshDevice(port.device_id);
  return portReply(ctx, port);
}

function convertToLayer2(ctx: Ctx): Reply {
  const { store } = ctx;
  const port = findPort(ctx);
  if (port.type === "NetworkPort") {
    if (!port.bonded) throw unprocessable(`Port ${port.name} is already configured for Layer 2`);
    throw unprocessable(`Port ${port.name} is part of a bond: convert the bond port instead`);
  }
  if (port.layer === "layer2") throw unprocessable(`${port.name} is already configured for Layer 2`);
  port.layer = "layer2";
  // Layer 2 removes the device's addresses, elastic ones included.
  store.data.ipAssignments = store.data.ipAssignments.filter((a) => a.device_id !== port.device_id);
  store.dropOrphanManagementBlocks();
  store.refreshDevice(port.device_id);
  return portReply(ctx, port);
}

interface IpRequest {
  address_family: 4 | 6;
  public: boolean;
}

const DEFAULT_IP_REQUESTS: IpRequest[] = [
  { address_family: 4, public: true },
  { address_family: 4, public: false },
  { address_family: 6, public: true },
];

function convertToLayer3(ctx: Ctx): Reply {
  const { store } = ctx;
  const port = findPort(ctx);
  if (port.type === "NetworkPort") throw unprocessable("Only bond ports can be converted to Layer 3");
  if (port.layer === "layer3") throw unprocessable(`${port.name} is already configured for Layer 3`);
  if (port.vlan_assignments.length > 0) {
    throw unprocessable(`Remove all VLANs from ${port.name} before converting it to Layer 3`);
  }
  if (members(store, port).some((m) => !m.bonded)) {
    throw unprocessable(`Bond all ports of ${port.name} before converting it to Layer 3`);
  }
  const requests = ipRequests(ctx.body);
  const wantsPublic = requests.some((r) => r.address_family === 4 && r.public);
  const wantsPrivate = requests.some((r) => r.address_family === 4 && !r.public);
  // Checked before any change, so a refusal leaves the port as it was.
  if (wantsPublic && !store.allocatePublic(31))
    throw unprocessable("No public IPv4 addresses left for the device");
  port.layer = "layer3";
  const device = store.device(port.device_id);
  if (wantsPrivate) store.restorePrivateIp(device, ctx.now);
  if (wantsPublic) store.newPublicManagementIp(device, ctx.now);
  // IPv6 requests are accepted but not realised: the inventory has no IPv6 pool.
  store.refreshDevice(port.device_id);
  return portReply(ctx, port);
}

function ipRequests(body: Body): IpRequest[] {
  const raw = body.request_ips;
  if (raw === undefined || raw === null) return DEFAULT_IP_REQUESTS;
  if (!Array.isArray(raw)) throw unprocessable("request_ips must be a list");
  return raw.map((item: unknown, i) => {
    const r = (item ?? {}) as Record<string, unknown>;
    if (r.address_family !== 4 && r.address_family !== 6) {
      throw unprocessable(`request_ips[${i}].address_family must be 4 or 6`);
    }
    if (typeof r.public !== "boolean") throw unprocessable(`request_ips[${i}].public must be a boolean`);
    return { address_family: r.address_family, public: r.public };
  });
}

function setNativeVlan(ctx: Ctx): Reply {
  const port = findPort(ctx);
  const ref = ctx.query.get("vnid") ?? "";
  if (ref === "") throw unprocessable("vnid is required");
  const vn = resolveFor(ctx.store, port, ref);
  if (!isAssigned(port, vn.id))
    throw unprocessable(`Virtual network ${vn.vxlan} is not assigned to the port`);
  port.native_virtual_network_id = vn.id;
  ctx.store.markDirty();
  return portReply(ctx, port);
}

// ---- VLAN assignments ----

/** The spec includes port and virtual_network by default on these endpoints. */
const ASSIGNMENT_DEFAULT_INCLUDE = ["port", "virtual_network"];

function renderVlanAssignment(ctx: Ctx, port: PortRecord, index: number) {
  const { store } = ctx;
  const a = port.vlan_assignments[index];
  if (!a) throw new Error("assignment index out of range");
  const inc = parseInclude(ctx.query, ASSIGNMENT_DEFAULT_INCLUDE);
  const vn = store.virtualNetwork(a.virtual_network_id);
  // While a running batch removes this VLAN, the API reports it as `unassigning`.
  const unassigning = store.data.batches.some(
    (b) =>
      b.port_id === port.id &&
      b.state === "in_progress" &&
      b.vlan_assignments.some((item) => item.state === "unassigned" && item.virtual_network_id === vn?.id),
  );
  const portSub = inc.get("port");
  const vnSub = inc.get("virtual_network");
  return {
    id: a.id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    native: port.native_virtual_network_id === a.virtual_network_id,
    state: unassigning ? "unassigning" : "assigned",
    ...(vn ? { vlan: vn.vxlan } : {}),
    port: portSub ? renderPort(store, port, portSub) : { href: href.port(port.id) },
    virtual_network:
      vnSub && vn
        ? renderVirtualNetwork(store, vn, vnSub)
        : { href: href.virtualNetwork(a.virtual_network_id) },
  };
}

function listVlanAssignments(ctx: Ctx): Reply {
  const port = findPort(ctx);
  const all = port.vlan_assignments.map((_a, i) => i);
  const page = paginate(all, ctx.query, `/ports/${port.id}/vlan-assignments`);
  return {
    status: 200,
    body: { vlan_assignments: page.items.map((i) => renderVlanAssignment(ctx, port, i)) },
  };
}

function getVlanAssignment(ctx: Ctx): Reply {
  const port = findPort(ctx);
  const index = port.vlan_assignments.findIndex((a) => a.id === param(ctx, "assignment_id"));
  if (index < 0) mustExist(undefined, "VLAN assignment");
  return { status: 200, body: renderVlanAssignment(ctx, port, index) };
}

function createBatch(ctx: Ctx): Reply {
  const { store } = ctx;
  const port = findPort(ctx);
  const raw = ctx.body.vlan_assignments;
  if (!Array.isArray(raw) || raw.length === 0)
    throw unprocessable("vlan_assignments must be a non-empty list");
  const metro = store.device(port.device_id).metro;
  const items: BatchItemRecord[] = raw.map((entry: unknown, i) => {
    if (typeof entry !== "object" || entry === null)
      throw unprocessable(`vlan_assignments[${i}] must be an object`);
    const e = entry as Body;
    const vlan = vnidOf(e, "vlan");
    if (e.state !== "assigned" && e.state !== "unassigned") {
      throw unprocessable(`vlan_assignments[${i}].state must be assigned or unassigned`);
    }
    if (e.native !== undefined && e.native !== null && typeof e.native !== "boolean") {
      throw unprocessable(`vlan_assignments[${i}].native must be a boolean`);
    }
    const vn = store.resolveVlan(vlan, metro);
    return {
      vlan,
      state: e.state,
      native: typeof e.native === "boolean" ? e.native : null,
      virtual_network_id: vn?.id ?? null,
      vxlan: vn?.vxlan ?? (/^\d+$/.test(vlan) ? Number(vlan) : null),
    };
  });
  // Batches on one port run one after another.
  const step = ctx.knobs.batchStepMs;
  const previousDone = store.data.batches
    .filter((b) => b.port_id === port.id && (b.state === "queued" || b.state === "in_progress"))
    .reduce((max, b) => Math.max(max, b.done_at), 0);
  const inProgressAt = Math.max(ctx.now + step, previousDone);
  const batch: BatchRecord = {
    id: randomUUID(),
    port_id: port.id,
    state: "queued",
    quantity: items.length,
    vlan_assignments: items,
    error_messages: [],
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
    in_progress_at: inProgressAt,
    done_at: inProgressAt + step,
  };
  store.data.batches.push(batch);
  store.markDirty();
  return { status: 201, body: renderBatch(store, batch, ctx.inc) };
}
