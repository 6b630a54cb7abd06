// NVUE as an interconnect's switch end: on the border leaf, the link VLAN tagged on the cabled
// port, an SVI in the VPC's VRF with the link address, and eBGP to the cloud VRF.
import type { NvueSiteConfig } from "../../generated/schema";
import { borderChanges, removeBorderChanges } from "../../drivers/nvue/intent";
import { holds, type NvueSite } from "../../drivers/nvue/site";
import type { BorderEnd, BorderLink } from "../adapter";

const intent = (l: BorderLink) => ({
  vrf: l.vrf,
  port: l.port,
  vlan: l.vlan,
  address: l.address,
  peer: l.peer,
  peerAsn: l.peerAsn,
});

export function nvueBorder(config: NvueSiteConfig, nvue: NvueSite): BorderEnd {
  return {
    asn: config.asn,
    async ensure(_ctx, link) {
      await nvue.ensure(link.switch, borderChanges(intent(link)));
    },
    async holds(_ctx, link) {
      for (const change of borderChanges(intent(link)))
        if (!holds(await nvue.read(link.switch, change.path), change.value)) return false;
      return true;
    },
    async remove(_ctx, link) {
      await nvue.ensure(link.switch, removeBorderChanges(intent(link)));
      // A border port with no link VLAN left leaves the bridge (an empty VLAN list would carry all).
      const at = ["interface", link.port];
      const bridge = [...at, "bridge"];
      await nvue.removeIfEmpty(
        link.switch,
        [...bridge, "domain", "br_default", "vlan"],
        [...bridge, "domain", "br_default"],
        [...bridge, "domain"],
        bridge,
        at,
      );
    },
  };
}
