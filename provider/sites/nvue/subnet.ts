// NVUE: a subnet is a VLAN with its L2VNI and an SVI carrying the anycast gateway (VRR) in the
// VPC's VRF, on every leaf of the site.
import { removeSubnetChanges, subnetChanges } from "../../drivers/nvue/intent";
import type { NvueSite } from "../../drivers/nvue/site";
import type { SubnetRealizer } from "../adapter";

export function nvueSubnet(nvue: NvueSite): SubnetRealizer {
  const everywhere = <T>(changes: T) => new Map(nvue.switchNames.map((sw) => [sw, changes]));
  return {
    async realize(_ctx, s, vpc) {
      const gateways = [`${s.gateway}/${s.size}`, ...(s.ipv6Gateway ? [`${s.ipv6Gateway}/64`] : [])];
      const changes = subnetChanges({
        vrf: vpc.vrf,
        vlan: s.vlan,
        vni: s.vni,
        gateways,
        description: s.name,
      });
      await nvue.ensureAll(everywhere(changes));
      return { kind: "nvue", complete: true, switches: nvue.switchNames };
    },
    async read(_ctx, s) {
      const holding: string[] = [];
      for (const sw of nvue.switchNames) {
        const svi = await nvue.read(sw, ["interface", `vlan${s.vlan}`]);
        const vni = await nvue.read(sw, ["bridge", "domain", "br_default", "vlan", String(s.vlan), "vni"]);
        if (svi && vni && typeof vni === "object" && String(s.vni) in vni) holding.push(sw);
      }
      return { kind: "nvue", complete: holding.length === nvue.switchNames.length, switches: holding };
    },
    async unrealize(_ctx, s) {
      await nvue.ensureAll(everywhere(removeSubnetChanges(s.vlan)));
    },
  };
}
