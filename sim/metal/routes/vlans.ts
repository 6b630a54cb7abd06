// VLANs: POST/GET /projects/{id}/virtual-networks, GET/PUT/DELETE /virtual-networks/{id}.
import { randomUUID } from "node:crypto";
import {
  optInt,
  optString,
  optStringArray,
  paginate,
  param,
  unprocessable,
  type Ctx,
  type Router,
} from "../http";
import { renderVirtualNetwork } from "../render";
import { iso, mustExist } from "../state";
import type { VirtualNetworkRecord } from "../types";
import { requireProject } from "./common";

export function registerVlanRoutes(router: Router): void {
  router
    .add("POST", "/projects/{id}/virtual-networks", createVlan)
    .add("GET", "/projects/{id}/virtual-networks", (ctx) => {
      const projectId = requireProject(ctx);
      const metroFilter = ctx.query.get("metro");
      const metro = metroFilter ? ctx.store.metro(metroFilter) : undefined;
      const vlans = ctx.store.data.virtualNetworks.filter((v) => !metroFilter || v.metro === metro?.code);
      // VirtualNetworkList has no `meta` in the spec, so none is sent even though pages apply.
      const page = paginate(vlans, ctx.query, `/projects/${projectId}/virtual-networks`);
      return {
        status: 200,
        body: { virtual_networks: page.items.map((v) => renderVirtualNetwork(ctx.store, v, ctx.inc)) },
      };
    })
    .add("GET", "/virtual-networks/{id}", (ctx) => ({
      status: 200,
      body: renderVirtualNetwork(ctx.store, findVlan(ctx), ctx.inc),
    }))
    .add("PUT", "/virtual-networks/{id}", updateVlan)
    .add("DELETE", "/virtual-networks/{id}", deleteVlan);
}

function findVlan(ctx: Ctx): VirtualNetworkRecord {
  return mustExist(ctx.store.virtualNetwork(param(ctx, "id")), "Virtual network");
}

function createVlan(ctx: Ctx) {
  requireProject(ctx);
  const { store, body } = ctx;
  if (optString(body, "facility") !== undefined && body.metro === undefined) {
    throw unprocessable("facility is deprecated and not supported; use metro");
  }
  const metroRef = optString(body, "metro");
  if (metroRef === undefined) throw unprocessable("metro is required");
  const metro = store.metro(metroRef);
  if (!metro) throw unprocessable(`metro ${metroRef} not found`);
  const inMetro = store.data.virtualNetworks.filter((v) => v.metro === metro.code);
  let vxlan = optInt(body, "vxlan");
  if (vxlan !== undefined) {
    if (vxlan < 2 || vxlan > 3999) throw unprocessable("vxlan must be between 2 and 3999");
    if (inMetro.some((v) => v.vxlan === vxlan)) {
      throw unprocessable(`vxlan ${vxlan} is already in use in metro ${metro.code} for this project`);
    }
  }
  const tags = optStringArray(body, "tags") ?? [];
  const description = optString(body, "description") ?? null;
  if (store.data.virtualNetworks.length >= ctx.knobs.quotas.vlans) {
    throw unprocessable(`Project has reached its limit of ${ctx.knobs.quotas.vlans} virtual networks`);
  }
  if (vxlan === undefined) {
    const used = new Set(inMetro.map((v) => v.vxlan));
    for (let candidate = 1000; candidate <= 1999 && vxlan === undefined; candidate++) {
      if (!used.has(candidate)) vxlan = candidate;
    }
    if (vxlan === undefined) throw unprocessable(`No free vxlan left in 1000-1999 in metro ${metro.code}`);
  }
  const vlan: VirtualNetworkRecord = {
    id: randomUUID(),
    vxlan,
    metro: metro.code,
    description,
    tags,
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
  };
  store.data.virtualNetworks.push(vlan);
  store.markDirty();
  return { status: 201, body: renderVirtualNetwork(store, vlan, ctx.inc) };
}

function updateVlan(ctx: Ctx) {
  const { store, body } = ctx;
  const vlan = findVlan(ctx);
  const vxlan = optInt(body, "vxlan");
  if (vxlan !== undefined && vxlan !== vlan.vxlan) throw unprocessable("vxlan cannot be changed");
  const metroRef = optString(body, "metro");
  if (metroRef !== undefined && store.metro(metroRef)?.code !== vlan.metro) {
    throw unprocessable("metro cannot be changed");
  }
  const description = optString(body, "description");
  const tags = optStringArray(body, "tags");
  if (description !== undefined) vlan.description = description;
  if (tags !== undefined) vlan.tags = tags;
  vlan.updated_at = iso(ctx.now);
  store.markDirty();
  return { status: 200, body: renderVirtualNetwork(store, vlan, ctx.inc) };
}

function deleteVlan(ctx: Ctx) {
  const { store } = ctx;
  const vlan = findVlan(ctx);
  if (store.portsCarrying(vlan.id).length > 0) {
    throw unprocessable("Cannot delete Virtual Network when port is assigned");
  }
  if (store.gatewaysOfVlan(vlan.id).length > 0) {
    throw unprocessable("Cannot delete Virtual Network with associated metal gateway");
  }
  store.data.virtualNetworks = store.data.virtualNetworks.filter((v) => v.id !== vlan.id);
  store.markDirty();
  return { status: 204 };
}
