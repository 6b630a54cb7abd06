// Metal gateways: POST/GET /projects/{project_id}/metal-gateways, GET/DELETE /metal-gateways/{id}.
import { randomUUID } from "node:crypto";
import { optInt, optString, paginate, param, reqString, unprocessable, type Ctx, type Router } from "../http";
import { renderGateway } from "../render";
import { iso, mustExist } from "../state";
import type { MetalGatewayRecord } from "../types";
import { requireProject } from "./common";

export function registerGatewayRoutes(router: Router): void {
  router
    .add("POST", "/projects/{project_id}/metal-gateways", createGateway)
    .add("GET", "/projects/{project_id}/metal-gateways", (ctx) => {
      const projectId = requireProject(ctx, "project_id");
      const page = paginate(ctx.store.data.metalGateways, ctx.query, `/projects/${projectId}/metal-gateways`);
      return {
        status: 200,
        body: {
          metal_gateways: page.items.map((g) => renderGateway(ctx.store, g, ctx.inc)),
          meta: page.meta,
        },
      };
    })
    .add("GET", "/metal-gateways/{id}", (ctx) => ({
      status: 200,
      body: renderGateway(ctx.store, findGateway(ctx), ctx.inc),
    }))
    .add("DELETE", "/metal-gateways/{id}", deleteGateway);
}

function findGateway(ctx: Ctx): MetalGatewayRecord {
  return mustExist(ctx.store.gateway(param(ctx, "id")), "Metal gateway");
}

function createGateway(ctx: Ctx) {
  requireProject(ctx, "project_id");
  const { store, body } = ctx;
  const vnId = reqString(body, "virtual_network_id");
  const reservationId = optString(body, "ip_reservation_id");
  const privateSize = optInt(body, "private_ipv4_subnet_size");
  if (reservationId === undefined && privateSize === undefined) {
    throw unprocessable("ip_reservation_id is required unless private_ipv4_subnet_size is given");
  }
  const vlan = store.virtualNetwork(vnId);
  if (!vlan) throw unprocessable(`Virtual network ${vnId} not found`);
  if (reservationId === undefined) {
    throw unprocessable("private_ipv4_subnet_size gateways are not supported by this simulator");
  }
  const reservation = store.reservation(reservationId);
  if (!reservation) throw unprocessable(`IP reservation ${reservationId} not found`);
  if (reservation.management || reservation.type === "private_ipv4") {
    throw unprocessable("Management IP blocks cannot be used for a metal gateway");
  }
  if (reservation.state !== "created") throw unprocessable(`IP reservation is ${reservation.state}`);
  if (reservation.metro !== vlan.metro) {
    throw unprocessable("The IP reservation and the virtual network must be in the same metro");
  }
  if (reservation.type === "public_ipv4" && (reservation.cidr < 25 || reservation.cidr > 29)) {
    throw unprocessable("Public IP blocks for a metal gateway must be between /29 and /25");
  }
  const user = store.gatewayOfReservation(reservation.id);
  if (user) throw unprocessable(`IP reservation is already used by metal gateway ${user.id}`);
  const family = reservation.address_family;
  const sameFamily = store
    .gatewaysOfVlan(vlan.id)
    .some((g) => store.reservation(g.ip_reservation_id)?.address_family === family);
  if (sameFamily)
    throw unprocessable(`Virtual network ${vlan.vxlan} already has an IPv${family} metal gateway`);
  const activateMs = ctx.knobs.gatewayActivateMs;
  const gateway: MetalGatewayRecord = {
    id: randomUUID(),
    virtual_network_id: vlan.id,
    ip_reservation_id: reservation.id,
    vrf_id: reservation.vrf_id,
    state: activateMs <= 0 ? "active" : "ready",
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
    active_at: ctx.now + activateMs,
    delete_at: null,
  };
  store.data.metalGateways.push(gateway);
  store.markDirty();
  return { status: 201, body: renderGateway(store, gateway, ctx.inc) };
}

function deleteGateway(ctx: Ctx) {
  const { store } = ctx;
  const gateway = findGateway(ctx);
  // A repeated DELETE while deleting keeps the original deadline.
  if (gateway.state !== "deleting") {
    gateway.state = "deleting";
    gateway.updated_at = iso(ctx.now);
    gateway.delete_at = ctx.now + ctx.knobs.gatewayDeleteMs;
  }
  const body = renderGateway(store, gateway, ctx.inc);
  store.tick(ctx.now);
  store.markDirty();
  return { status: 202, body };
}
