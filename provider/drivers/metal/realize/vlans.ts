// Subnet → VLAN (virtual network): GET/POST /projects/{id}/virtual-networks. Torn down with the
// rest of the subnet in subnets.ts.
import { AnyvpcError } from "../../../errors";
import type { MetalClient } from "../client";
import type * as T from "../types";
import { adoptOrCreate, hasTag, ownerTag, type MetalSite } from "./common";

export async function ensureVlan(
  client: MetalClient,
  site: MetalSite,
  spec: { owner: string; vxlan: number; description?: string },
): Promise<T.VirtualNetwork> {
  const find = async () => {
    const vlans = await client.listVlans(site.projectId, site.metro);
    const mine = vlans.find((v) => hasTag(v.tags, spec.owner));
    if (mine) return mine;
    const taken = vlans.find((v) => v.vxlan === spec.vxlan && (v.metro_code ?? site.metro) === site.metro);
    if (taken) {
      throw new AnyvpcError(
        `VLAN ${spec.vxlan} in metro ${site.metro} already exists (${taken.id}) and is not anyvpc's`,
        {
          value: spec.vxlan,
          fix: "exclude it from the fabric's VLAN range, or delete it",
        },
      );
    }
    return undefined;
  };
  return adoptOrCreate(find, () =>
    client.createVlan(site.projectId, {
      metro: site.metro,
      vxlan: spec.vxlan,
      description: spec.description,
      tags: [ownerTag(spec.owner)],
    }),
  );
}
