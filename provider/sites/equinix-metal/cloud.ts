// Equinix Metal as an interconnect's cloud end: a VRF virtual circuit on the dedicated
// interconnection's port into the VPC's VRF, found again by its owner tag.
import type { MetalClient } from "../../drivers/metal/client";
import {
  deleteVrfVirtualCircuit,
  ensureVrfVirtualCircuit,
  ownerTag,
  resolveConnectionPort,
  type MetalSite,
} from "../../drivers/metal/realize";
import type { CloudEnd, CloudLinkPlace } from "../adapter";
import { metalAsnOf } from "./vpc";

export function metalCloud(siteName: string, metal: MetalClient, site: MetalSite): CloudEnd {
  /** The circuits on the interconnection's port tagged with the owner. */
  async function circuitsOf(link: CloudLinkPlace) {
    const port = await resolveConnectionPort(metal, link.connectionId, { portName: link.portName });
    const tag = ownerTag(link.owner);
    return (await metal.listPortVirtualCircuits(link.connectionId, port.id)).filter((c) =>
      (c.tags ?? []).includes(tag),
    );
  }
  return {
    asn: (ctx) => metalAsnOf(ctx.fabric, siteName),
    async ensure(_ctx, link) {
      const vc = await ensureVrfVirtualCircuit(metal, site, {
        owner: link.owner,
        connectionId: link.connectionId,
        portName: link.portName,
        vrfId: link.vrfId,
        nniVlan: link.realization.nniVlan,
        peerAsn: link.peerAsn,
        subnet: link.realization.subnet,
        metalIp: link.realization.metalIp,
        customerIp: link.realization.customerIp,
      });
      return { virtualCircuitId: vc.id };
    },
    async holds(_ctx, link) {
      return (await circuitsOf(link)).some((c) => c.status === "active");
    },
    async remove(_ctx, link) {
      for (const vc of await circuitsOf(link)) await deleteVrfVirtualCircuit(metal, vc.id);
    },
  };
}
