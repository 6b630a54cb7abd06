// IP reservations and assignments: POST/GET /projects/{id}/ips, GET/DELETE /ips/{id},
// POST/GET /devices/{id}/ips.
import { randomUUID } from "node:crypto";
import {
  optBool,
  optString,
  optStringArray,
  paginate,
  param,
  reqInt,
  reqString,
  unprocessable,
  type Ctx,
  type Router,
} from "../http";
import {
  cidrContains,
  cidrOverlaps,
  formatCidr,
  formatIp,
  isNetworkAddress,
  parseCidr,
  parseIp,
  type Cidr,
} from "../ip";
import { renderAssignment, renderReservation } from "../render";
import { iso, mustExist, type MetalStore } from "../state";
import type { IpAssignmentRecord, IpReservationRecord } from "../types";
import { requireProject } from "./common";

/** The platform's default public IPv4 quota per project. */
const PUBLIC_QUOTA = 256;
const REQUEST_TYPES = ["vrf", "public_ipv4", "global_ipv4", "public_ipv6", "private_ipv4"];

export function registerIpRoutes(router: Router): void {
  router
    .add("POST", "/projects/{id}/ips", (ctx) => {
      requireProject(ctx);
      const type = reqString(ctx.body, "type");
      if (type === "vrf") return createVrfReservation(ctx);
      if (type === "public_ipv4") return createPublicReservation(ctx);
      if (REQUEST_TYPES.includes(type)) {
        throw unprocessable(`Requesting ${type} reservations is not supported by this simulator`);
      }
      throw unprocessable(`type must be one of ${REQUEST_TYPES.join(", ")}`);
    })
    .add("GET", "/projects/{id}/ips", listReservations)
    .add("GET", "/ips/{id}", (ctx) => {
      const id = param(ctx, "id");
      const reservation = ctx.store.reservation(id);
      if (reservation) return { status: 200, body: renderReservation(ctx.store, reservation, ctx.inc) };
      const assignment = mustExist(ctx.store.assignment(id), "IP address");
      return { status: 200, body: renderAssignment(ctx.store, assignment, ctx.inc) };
    })
    .add("DELETE", "/ips/{id}", deleteIp)
    .add("POST", "/devices/{id}/ips", assignIp)
    .add("GET", "/devices/{id}/ips", (ctx) => {
      const device = mustExist(ctx.store.findDevice(param(ctx, "id")), "Device");
      const assignments = ctx.store.data.ipAssignments.filter((a) => a.device_id === device.id);
      const page = paginate(assignments, ctx.query, `/devices/${device.id}/ips`);
      return {
        status: 200,
        body: { ip_addresses: page.items.map((a) => renderAssignment(ctx.store, a, ctx.inc)) },
      };
    });
}

function createVrfReservation(ctx: Ctx) {
  const { store, body } = ctx;
  // The spec allows `vrf` as an alias of `vrf_id`.
  const vrfId = optString(body, "vrf_id") ?? optString(body, "vrf");
  if (vrfId === undefined) throw unprocessable("vrf_id is required");
  const vrf = store.vrf(vrfId);
  if (!vrf) throw unprocessable(`VRF ${vrfId} not found`);
  const networkText = reqString(body, "network");
  const cidr = reqInt(body, "cidr");
  const network = parseIp(networkText);
  if (!network) throw unprocessable(`network ${networkText} is not an IP address`);
  if (network.family === 4 && (cidr < 22 || cidr > 29)) {
    throw unprocessable("cidr must be between 22 and 29 for an IPv4 VRF IP reservation");
  }
  if (network.family === 6 && cidr !== 64)
    throw unprocessable("cidr must be 64 for an IPv6 VRF IP reservation");
  const block: Cidr = { family: network.family, network: network.value, prefix: cidr };
  if (!isNetworkAddress(block)) throw unprocessable(`${networkText}/${cidr} is not a network address`);
  const ranges = vrf.ip_ranges.map((r) => parseCidr(r)).filter((c): c is Cidr => c !== undefined);
  if (!ranges.some((range) => cidrContains(range, block))) {
    throw unprocessable(`${formatCidr(block)} is not inside any IP range of VRF ${vrf.name}`);
  }
  const siblings = store.data.ipReservations.filter((r) => r.vrf_id === vrf.id);
  for (const other of siblings) {
    const otherBlock = store.reservationCidr(other);
    if (otherBlock && cidrOverlaps(otherBlock, block)) {
      throw unprocessable(`${formatCidr(block)} overlaps the VRF IP reservation ${formatCidr(otherBlock)}`);
    }
  }
  // A virtual circuit's subnet is a VRF IP reservation too.
  for (const vc of store.virtualCircuitsOfVrf(vrf.id)) {
    const subnet = parseCidr(vc.subnet);
    if (subnet && cidrOverlaps(subnet, block)) {
      throw unprocessable(
        `${formatCidr(block)} overlaps the subnet ${vc.subnet} of virtual circuit ${vc.id}`,
      );
    }
  }
  if (network.family === 6 && siblings.some((r) => r.address_family === 6)) {
    throw unprocessable(`VRF ${vrf.name} already has an IPv6 reservation; only one is allowed`);
  }
  const reservation: IpReservationRecord = {
    id: randomUUID(),
    type: "vrf",
    network: formatIp(block.family, block.network),
    cidr,
    address_family: block.family,
    metro: vrf.metro,
    vrf_id: vrf.id,
    quantity: null,
    state: "created",
    management: false,
    tags: optStringArray(body, "tags") ?? [],
    details: optString(body, "details") ?? null,
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
  };
  store.data.ipReservations.push(reservation);
  store.markDirty();
  return { status: 201, body: renderReservation(store, reservation, ctx.inc) };
}

function createPublicReservation(ctx: Ctx) {
  const { store, body } = ctx;
  const quantity = reqInt(body, "quantity");
  if (quantity < 1 || quantity > 256 || (quantity & (quantity - 1)) !== 0) {
    throw unprocessable("quantity must be a power of two between 1 and 256");
  }
  const metroRef = optString(body, "metro");
  if (metroRef === undefined) throw unprocessable("metro is required");
  const metro = store.metro(metroRef);
  if (!metro) throw unprocessable(`metro ${metroRef} not found`);
  const tags = optStringArray(body, "tags") ?? [];
  const details = optString(body, "details") ?? null;
  const failOnApproval = optBool(body, "fail_on_approval_required") ?? false;
  const prefix = 32 - Math.log2(quantity);
  const overQuota = store.publicAddressesInUse() + quantity > PUBLIC_QUOTA;
  if (overQuota && failOnApproval) {
    throw unprocessable(
      `The request exceeds the project's quota of ${PUBLIC_QUOTA} public IPv4 addresses and requires approval`,
    );
  }
  let network: string | null = null;
  if (!overQuota) {
    const block = store.allocatePublic(prefix);
    if (!block) throw unprocessable(`No /${prefix} public IPv4 block available in metro ${metro.code}`);
    network = formatIp(4, block.network);
  }
  // Over quota without fail_on_approval_required: the request waits for a review that never comes.
  const reservation: IpReservationRecord = {
    id: randomUUID(),
    type: "public_ipv4",
    network,
    cidr: prefix,
    address_family: 4,
    metro: metro.code,
    vrf_id: null,
    quantity,
    state: overQuota ? "pending" : "created",
    management: false,
    tags,
    details,
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
  };
  store.data.ipReservations.push(reservation);
  store.markDirty();
  return { status: 201, body: renderReservation(store, reservation, ctx.inc) };
}

function listReservations(ctx: Ctx) {
  const projectId = requireProject(ctx);
  // Both the spec's `types` (form style, repeated or comma separated) and the docs' `type` filter.
  const wanted = [...ctx.query.getAll("types"), ...ctx.query.getAll("type")].flatMap((v) => v.split(","));
  const reservations = ctx.store.data.ipReservations.filter(
    (r) => wanted.length === 0 || wanted.includes(r.type),
  );
  const page = paginate(reservations, ctx.query, `/projects/${projectId}/ips`, 250);
  return {
    status: 200,
    body: { ip_addresses: page.items.map((r) => renderReservation(ctx.store, r, ctx.inc)), meta: page.meta },
  };
}

function deleteIp(ctx: Ctx) {
  const { store } = ctx;
  const id = param(ctx, "id");
  const reservation = store.reservation(id);
  if (reservation) {
    if (reservation.management) throw unprocessable("Management IP blocks cannot be deleted");
    if (store.gatewayOfReservation(id)) throw unprocessable("Cannot delete with associated metal gateway");
    if (store.data.ipAssignments.some((a) => a.reservation_id === id)) {
      throw unprocessable("Cannot delete an IP reservation with assigned addresses; unassign them first");
    }
    store.data.ipReservations = store.data.ipReservations.filter((r) => r.id !== id);
    store.markDirty();
    return { status: 204 };
  }
  const assignment = mustExist(store.assignment(id), "IP address");
  if (assignment.management) throw unprocessable("Management addresses of a device cannot be unassigned");
  store.data.ipAssignments = store.data.ipAssignments.filter((a) => a.id !== id);
  store.markDirty();
  return { status: 204 };
}

function assignIp(ctx: Ctx) {
  const { store, body } = ctx;
  const device = mustExist(store.findDevice(param(ctx, "id")), "Device");
  const text = reqString(body, "address");
  const [addressText = "", prefixText] = text.split("/");
  const address = parseIp(addressText);
  if (!address) throw unprocessable(`address ${text} is not an IP address`);
  const prefix = prefixText === undefined ? (address.family === 4 ? 32 : 128) : Number(prefixText);
  const own = parseCidr(`${addressText}/${prefix}`);
  if (!own) throw unprocessable(`address ${text} is not a valid address or CIDR`);
  if (!isNetworkAddress(own)) throw unprocessable(`address ${text} is not aligned to its prefix`);
  if (store.bondPort(device.id).layer !== "layer3") {
    throw unprocessable(`Device ${device.hostname} is in Layer 2 mode and cannot be assigned IP addresses`);
  }
  const holder = findHolder(store, own);
  if (!holder) throw unprocessable(`Address ${text} is not inside any IP reservation of the project`);
  if (holder.type === "vrf")
    throw unprocessable("Addresses of VRF IP reservations cannot be assigned to devices");
  if (holder.state !== "created") throw unprocessable(`IP reservation ${holder.id} is ${holder.state}`);
  if (holder.metro !== device.metro) {
    throw unprocessable(
      `IP reservation is in metro ${holder.metro}, device ${device.hostname} in ${device.metro}`,
    );
  }
  const clash = store.data.ipAssignments.find((a) => {
    const other = parseCidr(`${a.address}/${a.cidr}`);
    return a.reservation_id === holder.id && other !== undefined && cidrOverlaps(other, own);
  });
  if (clash) throw unprocessable(`Address ${text} is already assigned`);
  const assignment: IpAssignmentRecord = {
    id: randomUUID(),
    device_id: device.id,
    reservation_id: holder.id,
    address: addressText,
    cidr: prefix,
    address_family: address.family,
    public: holder.type === "public_ipv4",
    management: false,
    created_at: iso(ctx.now),
  };
  store.data.ipAssignments.push(assignment);
  store.markDirty();
  return { status: 201, body: renderAssignment(store, assignment, ctx.inc) };
}

function findHolder(store: MetalStore, block: Cidr): IpReservationRecord | undefined {
  return store.data.ipReservations.find((r) => {
    const c = store.reservationCidr(r);
    return c !== undefined && cidrContains(c, block);
  });
}
