// Subnet → VRF IP reservation (the subnet's block inside the VRF): GET /vrfs/{id}/ips,
// POST /projects/{id}/ips (type "vrf").
import type { MetalClient } from "../client";
import type * as T from "../types";
import { adoptOrCreate, hasTag, ownerTag, type MetalSite } from "./common";

export async function ensureVrfReservation(
  client: MetalClient,
  site: MetalSite,
  spec: { owner: string; vrfId: string; network: string; cidr: number },
): Promise<T.VrfIpReservation> {
  const find = async () =>
    (await client.listVrfIpReservations(spec.vrfId)).find(
      (r) => hasTag(r.tags, spec.owner) && r.network === spec.network && r.cidr === spec.cidr,
    );
  return adoptOrCreate(find, () =>
    client.createVrfIpReservation(site.projectId, {
      type: "vrf",
      vrf_id: spec.vrfId,
      network: spec.network,
      cidr: spec.cidr,
      tags: [ownerTag(spec.owner)],
    }),
  );
}
