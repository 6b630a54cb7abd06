// EOS: a VPC is a VRF with routing on, its L3VNI on Vxlan1 and its EVPN instance in BGP (route
// target ASN:L3VNI, imported and exported), on every leaf of the site.
import type { EosSiteConfig } from "../../generated/schema";
import { removeVrfLines, vrfLines } from "../../drivers/eos/intent";
import { holdsLines, type EosSite } from "../../drivers/eos/site";
import type { VpcRealizer } from "../adapter";
import { routerIdOf } from "./switches";

export function eosVpc(config: EosSiteConfig, eos: EosSite): VpcRealizer {
  const linesOn = (sw: string, vrf: string, l3Vni: number) =>
    vrfLines({
      vrf,
      l3Vni,
      routeTarget: `${config.asn}:${l3Vni}`,
      asn: config.asn,
      routerId: routerIdOf(config, sw),
    });
  return {
    async realize(_ctx, vpc) {
      await eos.ensureAll(new Map(eos.switchNames.map((sw) => [sw, linesOn(sw, vpc.vrf, vpc.l3Vni)])));
      return { kind: "eos", complete: true, switches: eos.switchNames };
    },
    async read(_ctx, vpc) {
      const holding: string[] = [];
      for (const sw of eos.switchNames)
        if (holdsLines(await eos.read(sw), linesOn(sw, vpc.vrf, vpc.l3Vni))) holding.push(sw);
      return { kind: "eos", complete: holding.length === eos.switchNames.length, switches: holding };
    },
    async unrealize(_ctx, vpc) {
      const lines = removeVrfLines({ vrf: vpc.vrf, l3Vni: vpc.l3Vni, asn: config.asn });
      await eos.ensureAll(new Map(eos.switchNames.map((sw) => [sw, lines])));
    },
  };
}
