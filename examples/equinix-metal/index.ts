// A VPC in an Equinix Metal metro: the VPC becomes a Metal VRF, each subnet a VLAN with a VRF IP
// reservation and a Metal Gateway, each attachment a device's eth1 carrying the subnet's VLAN
// (hybrid: bond0 keeps the public and private addresses). A public load balancer in front: an
// elastic IP the devices announce with BGP, from the peering facts and BIRD snippet it outputs.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const metro = config.get("site") ?? "da";
const devices = config.getObject<string[]>("devices") ?? ["node-1", "node-2"];

const vpc = new anyvpc.Vpc("metal", { sites: [metro], size: 20 });
// Metal VRF subnets are /22 to /29.
const nodes = new anyvpc.Subnet("nodes", { vpc: vpc.id, site: metro, size: 26 });
const attachments = devices.map(
  (device) => new anyvpc.Attachment(device, { subnet: nodes.id, metalDevice: { device, port: "eth1" } }),
);
const web = new anyvpc.LoadBalancer("web", {
  vpc: vpc.id,
  public: true,
  listeners: [{ port: 443 }, { port: 80 }],
  backends: attachments.map((a) => a.id),
});

export const vpcCidr = vpc.cidr;
export const subnet = { cidr: nodes.cidr, gateway: nodes.gateway, vlan: nodes.vlan };
export const addresses = Object.fromEntries(attachments.map((a, i) => [devices[i], a.ip]));
export const netplan = Object.fromEntries(attachments.map((a, i) => [devices[i], a.hostConfig]));
export const loadBalancer = { vip: web.vip, bgpPeers: web.bgpPeers, speakerConfig: web.speakerConfig };
/** Secret: set it as the BGP password of each device's speaker. */
export const bgpPassword = web.bgpPassword;
