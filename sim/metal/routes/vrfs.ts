// VRFs: POST/GET /projects/{id}/vrfs, GET/PUT/DELETE /vrfs/{id}, GET /vrfs/{id}/ips[/{id}].
import { randomUUID } from "node:crypto";
import {
  optBool,
  optInt,
  optString,
  optStringArray,
  paginate,
  param,
  reqString,
  unprocessable,
  type Ctx,
  type Router,
} from "../http";
import { cidrContains, cidrOverlaps, formatCidr, isNetworkAddress, parseCidr, type Cidr } from "../ip";
import { renderReservation, renderVrf } from "../render";
import { iso, mustExist, type MetalStore } from "../state";
import type { VrfRecord } from "../types";
import { requireProject } from "./common";

const MAX_ASN = 4294967295;
const BGP_FLAGS = [
  "bgp_dynamic_neighbors_enabled",
  "bgp_dynamic_neighbors_export_route_map",
  "bgp_dynamic_neighbors_bfd_enabled",
] as const;

export function registerVrfRoutes(router: Router): void {
  router
    .add("POST", "/projects/{id}/vrfs", createVrf)
    .add("GET", "/projects/{id}/vrfs", listVrfs)
    .add("GET", "/vrfs/{id}", (ctx) => ({ status: 200, body: renderVrf(ctx.store, findVrf(ctx), ctx.inc) }))
    .add("PUT", "/vrfs/{id}", updateVrf)
    .add("DELETE", "/vrfs/{id}", deleteVrf)
    .add("GET", "/vrfs/{id}/ips", (ctx) => {
      const vrf = findVrf(ctx);
      const reservations = ctx.store.data.ipReservations.filter((r) => r.vrf_id === vrf.id);
      const page = paginate(reservations, ctx.query, `/vrfs/${vrf.id}/ips`);
      return {
        status: 200,
        body: { ip_addresses: page.items.map((r) => renderReservation(ctx.store, r, ctx.inc)) },
      };
    })
    .add("GET", "/vrfs/{vrf_id}/ips/{id}", (ctx) => {
      const vrf = mustExist(ctx.store.vrf(param(ctx, "vrf_id")), "VRF");
      const r = ctx.store.reservation(param(ctx, "id"));
      const found = mustExist(r?.vrf_id === vrf.id ? r : undefined, "IP reservation");
      return { status: 200, body: renderReservation(ctx.store, found, ctx.inc) };
    });
}

function findVrf(ctx: Ctx): VrfRecord {
  return mustExist(ctx.store.vrf(param(ctx, "id")), "VRF");
}

function createVrf(ctx: Ctx) {
  requireProject(ctx);
  const { store, body } = ctx;
  const name = reqString(body, "name");
  const metroRef = reqString(body, "metro");
  const metro = store.metro(metroRef);
  if (!metro) throw unprocessable(`metro ${metroRef} not found`);
  const localAsn = optInt(body, "local_asn") ?? 65000;
  checkAsn(localAsn);
  const ipRanges = checkRanges(optStringArray(body, "ip_ranges") ?? []);
  const tags = optStringArray(body, "tags") ?? [];
  if (store.data.vrfs.length >= ctx.knobs.quotas.vrfs) {
    throw unprocessable(`Project has reached its limit of ${ctx.knobs.quotas.vrfs} VRFs`);
  }
  const vrf: VrfRecord = {
    id: randomUUID(),
    name,
    description: optString(body, "description") ?? null,
    metro: metro.code,
    local_asn: localAsn,
    ip_ranges: ipRanges,
    bgp_dynamic_neighbors_enabled: optBool(body, "bgp_dynamic_neighbors_enabled") ?? false,
    bgp_dynamic_neighbors_export_route_map: optBool(body, "bgp_dynamic_neighbors_export_route_map") ?? false,
    bgp_dynamic_neighbors_bfd_enabled: optBool(body, "bgp_dynamic_neighbors_bfd_enabled") ?? false,
    tags,
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
  };
  store.data.vrfs.push(vrf);
  store.markDirty();
  return { status: 201, body: renderVrf(store, vrf, ctx.inc) };
}

function listVrfs(ctx: Ctx) {
  const projectId = requireProject(ctx);
  const metroFilter = ctx.query.get("metro");
  const metro = metroFilter ? ctx.store.metro(metroFilter) : undefined;
  const vrfs = ctx.store.data.vrfs.filter((v) => !metroFilter || v.metro === metro?.code);
  const page = paginate(vrfs, ctx.query, `/projects/${projectId}/vrfs`);
  return {
    status: 200,
    body: { vrfs: page.items.map((v) => renderVrf(ctx.store, v, ctx.inc)), meta: page.meta },
  };
}

function updateVrf(ctx: Ctx) {
  const { store, body } = ctx;
  const vrf = findVrf(ctx);
  const metroRef = optString(body, "metro");
  if (metroRef !== undefined && store.metro(metroRef)?.code !== vrf.metro) {
    throw unprocessable("metro cannot be changed");
  }
  const name = optString(body, "name");
  const description = optString(body, "description");
  const tags = optStringArray(body, "tags");
  const localAsn = optInt(body, "local_asn");
  const ranges = optStringArray(body, "ip_ranges");
  const newRanges = ranges === undefined ? undefined : checkRanges(ranges);
  const flags = BGP_FLAGS.map((key) => [key, optBool(body, key)] as const);
  if (localAsn !== undefined && localAsn !== vrf.local_asn) {
    checkAsn(localAsn);
    const gatewayVlans = store.data.metalGateways
      .filter((g) => g.vrf_id === vrf.id)
      .map((g) => g.virtual_network_id);
    if (gatewayVlans.some((vn) => store.portsCarrying(vn).length > 0)) {
      throw unprocessable(
        "local_asn cannot be changed while a VLAN of the VRF's metal gateways is assigned to a server",
      );
    }
  }
  // Validation is complete: from here on the update applies as a whole.
  if (name !== undefined) vrf.name = name;
  if (description !== undefined) vrf.description = description;
  if (tags !== undefined) vrf.tags = tags;
  if (localAsn !== undefined) vrf.local_asn = localAsn;
  for (const [key, value] of flags) if (value !== undefined) vrf[key] = value;
  if (newRanges !== undefined) {
    dropReservationsOutside(store, vrf, newRanges);
    vrf.ip_ranges = newRanges;
  }
  vrf.updated_at = iso(ctx.now);
  store.markDirty();
  return { status: 200, body: renderVrf(store, vrf, ctx.inc) };
}

/**
 * PUT replaces ip_ranges: reservations no longer inside a range go, with their gateways, and so do
 * virtual circuits whose subnet (their implicit reservation) is no longer inside a range.
 */
function dropReservationsOutside(store: MetalStore, vrf: VrfRecord, ranges: string[]): void {
  const kept = ranges.map((r) => parseCidr(r)).filter((c): c is Cidr => c !== undefined);
  const doomed = store.data.ipReservations.filter((r) => {
    if (r.vrf_id !== vrf.id) return false;
    const block = store.reservationCidr(r);
    return !block || !kept.some((range) => cidrContains(range, block));
  });
  const ids = new Set(doomed.map((r) => r.id));
  store.data.metalGateways = store.data.metalGateways.filter((g) => !ids.has(g.ip_reservation_id));
  store.data.ipReservations = store.data.ipReservations.filter((r) => !ids.has(r.id));
  store.data.virtualCircuits = store.data.virtualCircuits.filter((vc) => {
    if (vc.vrf_id !== vrf.id) return true;
    const subnet = parseCidr(vc.subnet);
    return subnet !== undefined && kept.some((range) => cidrContains(range, subnet));
  });
}

function deleteVrf(ctx: Ctx) {
  const { store } = ctx;
  const vrf = findVrf(ctx);
  if (store.virtualCircuitsOfVrf(vrf.id).length > 0) {
    throw unprocessable("Cannot delete VRF with associated virtual circuits");
  }
  if (store.data.metalGateways.some((g) => g.vrf_id === vrf.id)) {
    throw unprocessable("Cannot delete VRF with associated metal gateways");
  }
  if (store.data.ipReservations.some((r) => r.vrf_id === vrf.id)) {
    throw unprocessable("Cannot delete VRF with associated IP reservations");
  }
  store.data.vrfs = store.data.vrfs.filter((v) => v.id !== vrf.id);
  store.markDirty();
  return { status: 204 };
}

function checkAsn(asn: number): void {
  if (asn < 0 || asn > MAX_ASN) throw unprocessable(`local_asn must be between 0 and ${MAX_ASN}`);
}

/** Canonical, non-overlapping ranges: IPv4 /8-/29, IPv6 /59-/64, given as network addresses. */
function checkRanges(ranges: string[]): string[] {
  const parsed: Cidr[] = [];
  for (const text of ranges) {
    const c = parseCidr(text.trim());
    if (!c) throw unprocessable(`ip_ranges: ${text} is not a CIDR`);
    const [min, max] = c.family === 4 ? [8, 29] : [59, 64];
    if (c.prefix < min || c.prefix > max) {
      throw unprocessable(
        `ip_ranges: IPv${c.family} ranges must be between /${min} and /${max}, got ${text}`,
      );
    }
    if (!isNetworkAddress(c)) throw unprocessable(`ip_ranges: ${text} is not a network address`);
    const clash = parsed.find((p) => cidrOverlaps(p, c));
    if (clash) throw unprocessable(`ip_ranges: ${text} overlaps ${formatCidr(clash)}`);
    parsed.push(c);
  }
  return parsed.map(formatCidr);
}
