// The NVIDIA Cumulus NVUE site kind: a leaf/spine EVPN-VXLAN fabric whose leaves are driven over
// the NVUE REST API (all switches of the site, write combining per switch).
import type { NvueSiteConfig } from "../../generated/schema";
import { NvueSite } from "../../drivers/nvue/site";
import type { SiteAdapter, SiteCapabilities } from "../adapter";
import { switchLogins } from "../switch-ports";
import { nvueAttachment } from "./attachment";
import { nvueBorder } from "./border";
import { nvueLoadBalancer } from "./loadbalancer";
import { nvueSubnet } from "./subnet";
import { nvueVpc } from "./vpc";

export const nvueCapabilities: SiteCapabilities = {
  title: "the NVUE switch-fabric site",
  ipv6: true,
  attachmentTargets: ["server", "port"],
  loadBalancer: { modes: ["ecmp", "bgp"], publicModes: ["ecmp"], privateVips: true, plansVip: true },
};

export function nvueAdapter(name: string, config: NvueSiteConfig): SiteAdapter {
  const nvue = new NvueSite(switchLogins(config.switches));
  return {
    kind: "nvue",
    name,
    capabilities: nvueCapabilities,
    vpc: nvueVpc(config, nvue),
    subnet: nvueSubnet(nvue),
    attachment: nvueAttachment(name, config, nvue),
    loadBalancer: nvueLoadBalancer(config, nvue),
    border: nvueBorder(config, nvue),
  };
}
