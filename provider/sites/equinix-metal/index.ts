// The Equinix Metal site kind: one metro of a Metal project, driven over the Metal API (VRFs,
// VLANs, VRF gateways, device ports, elastic IPs and BGP). Metal was sunset on 2026-06-30; the
// kind stays faithful to its published spec.
import type { MetalSiteConfig } from "../../generated/schema";
import { MetalClient, metalToken } from "../../drivers/metal/client";
import type { SiteAdapter, SiteCapabilities } from "../adapter";
import { metalAttachment } from "./attachment";
import { metalCloud } from "./cloud";
import { metalLoadBalancer } from "./loadbalancer";
import { metalSubnet } from "./subnet";
import { metalVpc } from "./vpc";

export const metalCapabilities: SiteCapabilities = {
  title: "the Equinix Metal site",
  ipv6: false,
  // Metal VRF IP reservations are /22 to /29 (IPv4).
  subnetPrefixLengths: { min: 22, max: 29, why: "Metal VRF subnets are /22 to /29" },
  attachmentTargets: ["server", "metalDevice"],
  loadBalancer: { modes: ["bgp"], publicModes: ["bgp"], privateVips: false, plansVip: false },
};

export function metalAdapter(name: string, config: MetalSiteConfig, env: NodeJS.ProcessEnv): SiteAdapter {
  const metal = new MetalClient({ baseUrl: config.url, token: metalToken(config.token, env) });
  const site = { projectId: config.projectId, metro: config.metro };
  return {
    kind: "equinix-metal",
    name,
    capabilities: metalCapabilities,
    vpc: metalVpc(name, metal, site),
    subnet: metalSubnet(metal, site),
    attachment: metalAttachment(name, metal, site),
    loadBalancer: metalLoadBalancer(metal, site),
    cloud: metalCloud(name, metal, site),
  };
}
