// Devices and the project: GET /devices/{id}, GET /projects/{id}/devices, GET /projects/{id}.
import { paginate, param, type Router } from "../http";
import { renderDevice, renderProject } from "../render";
import { mustExist } from "../state";
import { requireProject } from "./common";

export function registerDeviceRoutes(router: Router): void {
  router
    .add("GET", "/projects/{id}", (ctx) => {
      requireProject(ctx);
      return { status: 200, body: renderProject(ctx.store, ctx.inc) };
    })
    .add("GET", "/devices/{id}", (ctx) => {
      const device = mustExist(ctx.store.findDevice(param(ctx, "id")), "Device");
      return { status: 200, body: renderDevice(ctx.store, device, ctx.inc) };
    })
    .add("GET", "/projects/{id}/devices", (ctx) => {
      const projectId = requireProject(ctx);
      const metroFilter = ctx.query.get("metro");
      const metro = metroFilter ? ctx.store.metro(metroFilter) : undefined;
      const hostname = ctx.query.get("hostname");
      const devices = ctx.store.inventory.devices.filter(
        (d) => (!metroFilter || d.metro === metro?.code) && (!hostname || d.hostname.includes(hostname)),
      );
      const page = paginate(devices, ctx.query, `/projects/${projectId}/devices`);
      return {
        status: 200,
        body: { devices: page.items.map((d) => renderDevice(ctx.store, d, ctx.inc)), meta: page.meta },
      };
    });
}
