// BGP: project config, device sessions and the peering data (neighbors) hosts configure from.
import { randomUUID } from "node:crypto";
import {
  optBool,
  optString,
  paginate,
  param,
  reqInt,
  reqString,
  unprocessable,
  type Ctx,
  type Router,
} from "../http";
import { renderBgpConfig, renderBgpSession } from "../render";
import { iso, mustExist } from "../state";
import type { BgpSessionRecord } from "../types";
import { requireProject } from "./common";

const PEER_AS = 65530;
const PEER_IPS: Record<"ipv4" | "ipv6", string[]> = {
  ipv4: ["169.254.255.1", "169.254.255.2"],
  ipv6: ["fc00::e", "fc00::f"],
};
const MD5_RULE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d]{10,20}$/;

export function registerBgpRoutes(router: Router): void {
  router
    .add("POST", "/projects/{id}/bgp-configs", enableBgp)
    .add("GET", "/projects/{id}/bgp-config", (ctx) => {
      requireProject(ctx);
      // With BGP disabled the API answers 200 with an empty body, not 404.
      return { status: 200, body: renderBgpConfig(ctx.store, ctx.inc) };
    })
    .add("POST", "/devices/{id}/bgp/sessions", createSession)
    .add("GET", "/devices/{id}/bgp/sessions", (ctx) => {
      const device = mustExist(ctx.store.findDevice(param(ctx, "id")), "Device");
      const sessions = ctx.store.data.bgpSessions.filter((s) => s.device_id === device.id);
      const page = paginate(sessions, ctx.query, `/devices/${device.id}/bgp/sessions`);
      return {
        status: 200,
        body: { bgp_sessions: page.items.map((s) => renderBgpSession(ctx.store, s, ctx.inc)) },
      };
    })
    .add("GET", "/bgp/sessions/{id}", (ctx) => ({
      status: 200,
      body: renderBgpSession(ctx.store, mustExist(findSession(ctx), "BGP session"), ctx.inc),
    }))
    .add("DELETE", "/bgp/sessions/{id}", (ctx) => {
      const session = mustExist(findSession(ctx), "BGP session");
      ctx.store.data.bgpSessions = ctx.store.data.bgpSessions.filter((s) => s.id !== session.id);
      ctx.store.markDirty();
      return { status: 204 };
    })
    .add("GET", "/devices/{id}/bgp/neighbors", neighbors);
}

function findSession(ctx: Ctx): BgpSessionRecord | undefined {
  return ctx.store.data.bgpSessions.find((s) => s.id === param(ctx, "id"));
}

function enableBgp(ctx: Ctx) {
  requireProject(ctx);
  const { store, body } = ctx;
  const deploymentType = reqString(body, "deployment_type");
  if (deploymentType !== "local" && deploymentType !== "global") {
    throw unprocessable("deployment_type must be local or global");
  }
  const asn = reqInt(body, "asn");
  if (asn < 0 || asn > 4294967295) throw unprocessable("asn must be between 0 and 4294967295");
  const md5 = optString(body, "md5");
  if (md5 !== undefined && !MD5_RULE.test(md5)) {
    throw unprocessable(
      "md5 must be 10-20 letters and digits with at least one lowercase, uppercase and digit",
    );
  }
  if (store.data.bgpConfig && store.data.bgpConfig.status !== "disabled") {
    throw unprocessable("BGP is already configured for this project");
  }
  store.data.bgpConfig = {
    id: randomUUID(),
    deployment_type: deploymentType,
    asn,
    md5: md5 ?? null,
    // Global BGP waits for a manual review that the simulator never performs.
    status: deploymentType === "local" ? "enabled" : "requested",
    max_prefix: 10,
    created_at: iso(ctx.now),
    requested_at: iso(ctx.now),
  };
  store.markDirty();
  return { status: 204 };
}

function createSession(ctx: Ctx) {
  const { store, body } = ctx;
  const device = mustExist(store.findDevice(param(ctx, "id")), "Device");
  const family = reqString(body, "address_family");
  if (family !== "ipv4" && family !== "ipv6") throw unprocessable("address_family must be ipv4 or ipv6");
  const defaultRoute = optBool(body, "default_route") ?? false;
  if (store.data.bgpConfig?.status !== "enabled") throw unprocessable("BGP is not enabled for this project");
  if (store.data.bgpSessions.some((s) => s.device_id === device.id && s.address_family === family)) {
    throw unprocessable(`Device ${device.hostname} already has session for address family ${family}`);
  }
  if (family === "ipv4" && !privateIpv4(ctx, device.id)) {
    throw unprocessable(`Device ${device.hostname} has no private IPv4 address to peer from`);
  }
  const session: BgpSessionRecord = {
    id: randomUUID(),
    device_id: device.id,
    address_family: family,
    default_route: defaultRoute,
    // Nothing speaks BGP to the simulator, so the switches never see the session come up.
    status: "unknown",
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
  };
  store.data.bgpSessions.push(session);
  store.markDirty();
  return { status: 201, body: renderBgpSession(store, session, ctx.inc) };
}

function privateIpv4(ctx: Ctx, deviceId: string): string | undefined {
  return ctx.store.data.ipAssignments.find(
    (a) => a.device_id === deviceId && a.address_family === 4 && !a.public && a.management,
  )?.address;
}

function neighbors(ctx: Ctx) {
  const { store } = ctx;
  const device = mustExist(store.findDevice(param(ctx, "id")), "Device");
  const config = store.data.bgpConfig;
  const sessions = store.data.bgpSessions.filter((s) => s.device_id === device.id);
  // The project's public blocks in the device's metro: what Metal accepts from the device.
  const projectRoutes = store.data.ipReservations
    .filter(
      (r) =>
        r.type === "public_ipv4" &&
        r.state === "created" &&
        r.network !== null &&
        !r.management &&
        r.metro === device.metro,
    )
    .map((r) => ({ route: `${r.network ?? ""}/${r.cidr}`, exact: false }));
  const bgpNeighbors = config
    ? sessions.map((s) => {
        const v4 = s.address_family === "ipv4";
        const customerIp = v4
          ? privateIpv4(ctx, device.id)
          : store.data.ipAssignments.find((a) => a.device_id === device.id && a.address_family === 6)
              ?.address;
        return {
          address_family: v4 ? 4 : 6,
          customer_as: config.asn,
          ...(customerIp !== undefined ? { customer_ip: customerIp } : {}),
          md5_enabled: config.md5 !== null,
          ...(config.md5 !== null ? { md5_password: config.md5 } : {}),
          multihop: true,
          peer_as: PEER_AS,
          peer_ips: PEER_IPS[s.address_family],
          routes_in: v4 ? projectRoutes : [],
          routes_out: s.default_route ? [{ route: v4 ? "0.0.0.0/0" : "::/0", exact: true }] : [],
        };
      })
    : [];
  return { status: 200, body: { bgp_neighbors: bgpNeighbors } };
}
