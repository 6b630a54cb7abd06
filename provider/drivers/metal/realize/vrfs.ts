// VPC → VRF: GET/POST /projects/{id}/vrfs, PUT/DELETE /vrfs/{id}.
import type { MetalClient } from "../client";
import type * as T from "../types";
import { adoptOrCreate, deleteIfPresent, hasTag, ownerTag, type MetalSite } from "./common";

// VPC → VRF

export async function ensureVrf(
  client: MetalClient,
  site: MetalSite,
  spec: { owner: string; name: string; ipRanges: string[]; localAsn?: number; description?: string },
): Promise<T.Vrf> {
  const find = async () =>
    (await client.listVrfs(site.projectId, site.metro)).find((v) => hasTag(v.tags, spec.owner));
  const vrf = await adoptOrCreate(find, () =>
    client.createVrf(site.projectId, {
      metro: site.metro,
      name: spec.name,
      description: spec.description,
      ip_ranges: spec.ipRanges,
      local_asn: spec.localAsn,
      tags: [ownerTag(spec.owner)],
    }),
  );
  const want = [...spec.ipRanges].sort();
  if (JSON.stringify([...(vrf.ip_ranges ?? [])].sort()) !== JSON.stringify(want)) {
    return client.updateVrf(vrf.id, { ip_ranges: spec.ipRanges });
  }
  return vrf;
}

export async function deleteVrf(client: MetalClient, vrfId: string): Promise<void> {
  await deleteIfPresent(() => client.deleteVrf(vrfId));
}
