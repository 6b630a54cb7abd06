// EOS: a subnet is a VLAN, its L2VNI on Vxlan1, its EVPN instance in BGP and an SVI in the VPC's
// VRF with the anycast gateway (ip address virtual), on every leaf of the site.
import type { EosSiteConfig } from "../../generated/schema";
import { removeSubnetLines, subnetLines } from "../../drivers/eos/intent";
import { holdsLines, type EosSite } from "../../drivers/eos/site";
import { records, type VpcRecord } from "../../ledger/keys";
import type { SubnetRealizer } from "../adapter";
import { routerIdOf } from "./switches";

/** A VLAN name EOS accepts (letters, digits, '_', '.', '-'; at most 32), from the subnet's name. */
const vlanNameOf = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 32) || "anyvpc";

export function eosSubnet(config: EosSiteConfig, eos: EosSite): SubnetRealizer {
  const linesOn = (sw: string, s: Parameters<SubnetRealizer["read"]>[1], vrf: string) =>
    subnetLines({
      vrf,
      vlan: s.vlan,
      vni: s.vni,
      gateways: [`${s.gateway}/${s.size}`, ...(s.ipv6Gateway ? [`${s.ipv6Gateway}/64`] : [])],
      name: vlanNameOf(s.name),
      asn: config.asn,
      routerId: routerIdOf(config, sw),
    });
  return {
    async realize(_ctx, s, vpc) {
      await eos.ensureAll(new Map(eos.switchNames.map((sw) => [sw, linesOn(sw, s, vpc.vrf)])));
      return { kind: "eos", complete: true, switches: eos.switchNames };
    },
    async read(ctx, s) {
      const vpc = await ctx.ledger.getRecord<VpcRecord>(records.vpc, s.vpc);
      const holding: string[] = [];
      for (const sw of eos.switchNames)
        if (vpc && holdsLines(await eos.read(sw), linesOn(sw, s, vpc.vrf))) holding.push(sw);
      return { kind: "eos", complete: holding.length === eos.switchNames.length, switches: holding };
    },
    async unrealize(_ctx, s) {
      const lines = removeSubnetLines({ vlan: s.vlan, vni: s.vni, asn: config.asn });
      await eos.ensureAll(new Map(eos.switchNames.map((sw) => [sw, lines])));
    },
  };
}
