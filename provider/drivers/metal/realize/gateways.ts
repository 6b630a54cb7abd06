// Subnet → VRF Metal Gateway (the subnet's router in the VRF): GET/POST
// /projects/{id}/metal-gateways, GET /metal-gateways/{id}.
import { AnyvpcError } from "../../../errors";
import type { MetalClient } from "../client";
import type * as T from "../types";
import { adoptOrCreate, idOf, pollUntil, type MetalSite, type PollOptions } from "./common";

/** The VRF gateway of a VLAN (a VLAN has at most one), created if missing, polled until active. */
export async function ensureVrfGateway(
  client: MetalClient,
  site: MetalSite,
  spec: { vlanId: string; reservationId: string },
  poll: PollOptions = {},
): Promise<T.MetalGateway> {
  const find = async () =>
    (await client.listGateways(site.projectId)).find(
      (g) => idOf(g.virtual_network) === spec.vlanId && g.state !== "deleting",
    );
  const gw = await adoptOrCreate(find, () =>
    client.createVrfGateway(site.projectId, {
      virtual_network_id: spec.vlanId,
      ip_reservation_id: spec.reservationId,
    }),
  );
  if (idOf(gw.ip_reservation) && idOf(gw.ip_reservation) !== spec.reservationId) {
    throw new AnyvpcError(
      `the gateway of VLAN ${spec.vlanId} uses reservation ${idOf(gw.ip_reservation)}, not ${spec.reservationId}`,
    );
  }
  return pollUntil(
    () => client.getGateway(gw.id),
    (g) => g.state === "active",
    `metal gateway ${gw.id} to become active`,
    poll,
  );
}
