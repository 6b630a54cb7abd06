// The Arista EOS site kind: a leaf/spine EVPN-VXLAN fabric whose leaves are driven over eAPI, every
// change in a configure session committed atomically (write combining per switch). What it
// realizes, per resource, as for NVUE: VPC → VRF + L3VNI + route targets; Subnet → VLAN + L2VNI +
// SVI with the virtual-router anycast gateway; Attachment → access or trunk switchport;
// LoadBalancer → ECMP static routes to the backends in service and an ACL on their ports.
import type { EosSiteConfig } from "../../generated/schema";
import { EosSite } from "../../drivers/eos/site";
import type { SiteAdapter, SiteCapabilities } from "../adapter";
import { switchLogins } from "../switch-ports";
import { eosAttachment } from "./attachment";
import { eosLoadBalancer } from "./loadbalancer";
import { eosSubnet } from "./subnet";
import { eosVpc } from "./vpc";

export const eosCapabilities: SiteCapabilities = {
  title: "the Arista EOS switch-fabric site",
  ipv6: true,
  attachmentTargets: ["server", "port"],
  // bgp mode and public VIPs (a route leaked from the default VRF) are not built for EOS yet.
  loadBalancer: { modes: ["ecmp"], publicModes: [], privateVips: true, plansVip: true },
};

export function eosAdapter(name: string, config: EosSiteConfig): SiteAdapter {
  const eos = new EosSite(switchLogins(config.switches));
  return {
    kind: "eos",
    name,
    capabilities: eosCapabilities,
    vpc: eosVpc(config, eos),
    subnet: eosSubnet(config, eos),
    attachment: eosAttachment(name, config, eos),
    loadBalancer: eosLoadBalancer(config, eos),
  };
}
