// Equinix Metal: a VPC is one VRF in the metro, its ip_ranges the VPC's CIDR, found again by the
// owner tag.
import type { Fabric } from "../../generated/schema";
import type { MetalClient } from "../../drivers/metal/client";
import { deleteVrf, ensureVrf, ownerTag, type MetalSite } from "../../drivers/metal/realize";
import type { VpcRealizer } from "../adapter";

/** The ASN Metal VRFs speak BGP with unless the interconnect says otherwise. */
export const defaultMetalAsn = 65100;

/** The ASN of the VPC VRFs anyvpc makes in a Metal metro (their local_asn, the border's BGP peer). */
export function metalAsnOf(fabric: Fabric, metalSite: string): number {
  const ic = Object.values(fabric.interconnects ?? {}).find((i) => i?.metal.site === metalSite);
  return ic?.metal.asn ?? defaultMetalAsn;
}

export function metalVpc(siteName: string, metal: MetalClient, site: MetalSite): VpcRealizer {
  const vrfOf = async (owner: string) => {
    const tag = ownerTag(owner);
    return (await metal.listVrfs(site.projectId, site.metro)).filter((v) => (v.tags ?? []).includes(tag));
  };
  return {
    async realize(ctx, vpc) {
      const vrf = await ensureVrf(metal, site, {
        owner: vpc.owner,
        name: vpc.vrf,
        ipRanges: [vpc.cidr],
        localAsn: metalAsnOf(ctx.fabric, siteName),
        description: "anyvpc",
      });
      return { kind: "equinix-metal", complete: true, vrfId: vrf.id };
    },
    async read(_ctx, vpc) {
      const vrf = (await vrfOf(vpc.owner))[0];
      return vrf
        ? { kind: "equinix-metal", complete: true, vrfId: vrf.id }
        : { kind: "equinix-metal", complete: false };
    },
    async unrealize(_ctx, vpc) {
      for (const vrf of await vrfOf(vpc.owner)) await deleteVrf(metal, vrf.id);
    },
  };
}
