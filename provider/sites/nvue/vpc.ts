// NVUE: a VPC is a VRF with its L3VNI and route targets on every leaf of the site.
import type { NvueSiteConfig } from "../../generated/schema";
import { removeVrfChanges, vrfChanges } from "../../drivers/nvue/intent";
import type { NvueSite } from "../../drivers/nvue/site";
import type { VpcRealizer } from "../adapter";

export function nvueVpc(config: NvueSiteConfig, nvue: NvueSite): VpcRealizer {
  const everywhere = <T>(changes: T) => new Map(nvue.switchNames.map((sw) => [sw, changes]));
  return {
    async realize(_ctx, vpc) {
      const changes = vrfChanges({
        vrf: vpc.vrf,
        l3Vni: vpc.l3Vni,
        routeTarget: `${config.asn}:${vpc.l3Vni}`,
        asn: config.asn,
      });
      await nvue.ensureAll(everywhere(changes));
      return { kind: "nvue", complete: true, switches: nvue.switchNames };
    },
    async read(_ctx, vpc) {
      const holding: string[] = [];
      for (const sw of nvue.switchNames) {
        const vni = await nvue.read(sw, ["vrf", vpc.vrf, "evpn", "vni"]);
        if (vni && typeof vni === "object" && String(vpc.l3Vni) in vni) holding.push(sw);
      }
      return { kind: "nvue", complete: holding.length === nvue.switchNames.length, switches: holding };
    },
    async unrealize(_ctx, vpc) {
      await nvue.ensureAll(everywhere(removeVrfChanges(vpc.vrf)));
    },
  };
}
