// Equinix Metal: a subnet is a VLAN (its vxlan the planned VLAN), a VRF IP reservation of the
// subnet's CIDR and a VRF Metal Gateway joining the two.
import { InputError } from "../../errors";
import type { MetalClient } from "../../drivers/metal/client";
import {
  ensureVlan,
  ensureVrfGateway,
  ensureVrfReservation,
  idOf,
  ownerTag,
  teardownSubnet,
  type MetalSite,
} from "../../drivers/metal/realize";
import { formatAddress, prefix } from "../../ipam/prefix";
import type { SubnetRealization } from "../../generated/schema";
import type { SubnetRealizer } from "../adapter";
import { metalSubnetOf, metalVpcOf } from "../targets";

export function metalSubnet(metal: MetalClient, site: MetalSite): SubnetRealizer {
  const vlanOf = async (owner: string) => {
    const tag = ownerTag(owner);
    return (await metal.listVlans(site.projectId, site.metro)).find((v) => (v.tags ?? []).includes(tag));
  };
  return {
    async realize(_ctx, s, vpc) {
      const vrfId = metalVpcOf(vpc.realization?.[s.site])?.vrfId;
      if (!vrfId)
        throw new InputError({
          resource: "Subnet",
          field: "site",
          value: s.site,
          problem: "has no VRF of this VPC yet",
          fix: "Run pulumi up again once the Vpc is realized",
        });
      const vlan = await ensureVlan(metal, site, { owner: s.owner, vxlan: s.vlan, description: s.name });
      const network = prefix(s.cidr);
      const reservation = await ensureVrfReservation(metal, site, {
        owner: s.owner,
        vrfId,
        network: formatAddress(4, network.network),
        cidr: network.length,
      });
      const gateway = await ensureVrfGateway(metal, site, { vlanId: vlan.id, reservationId: reservation.id });
      return {
        kind: "equinix-metal",
        complete: true,
        vlanId: vlan.id,
        reservationId: reservation.id,
        gatewayId: gateway.id,
      };
    },
    async read(_ctx, s) {
      const vlan = await vlanOf(s.owner);
      const gateway =
        vlan && (await metal.listGateways(site.projectId)).find((g) => idOf(g.virtual_network) === vlan.id);
      const r: SubnetRealization = { kind: "equinix-metal", complete: Boolean(vlan && gateway) };
      if (vlan) r.vlanId = vlan.id;
      if (gateway) r.gatewayId = gateway.id;
      const reservationId = metalSubnetOf(s.realization)?.reservationId;
      if (reservationId) r.reservationId = reservationId;
      return r;
    },
    async unrealize(_ctx, s) {
      const vlan = await vlanOf(s.owner);
      if (vlan)
        await teardownSubnet(metal, site, {
          vlanId: vlan.id,
          vxlan: s.vlan,
          reservationId: metalSubnetOf(s.realization)?.reservationId,
        });
    },
  };
}
