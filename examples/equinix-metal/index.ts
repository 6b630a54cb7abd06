// A VPC in an Equinix Metal metro: the VPC becomes a Metal VRF, each subnet a VLAN with a VRF IP
// reservation and a Metal Gateway, each attachment a device's bond0 carrying the subnet's VLAN.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const metro = config.get("site") ?? "da";
const devices = config.getObject<string[]>("devices") ?? ["node-1", "node-2"];

const vpc = new anyvpc.Vpc("metal", { sites: [metro], size: 20 });
// Metal VRF subnets are /22 to /29.
const nodes = new anyvpc.Subnet("nodes", { vpc: vpc.id, site: metro, size: 26 });
const attachments = devices.map(
  (device) => new anyvpc.Attachment(device, { subnet: nodes.id, metalDevice: { device } }),
);

export const vpcCidr = vpc.cidr;
export const subnet = { cidr: nodes.cidr, gateway: nodes.gateway, vlan: nodes.vlan };
export const addresses = Object.fromEntries(attachments.map((a, i) => [devices[i], a.ip]));
export const netplan = Object.fromEntries(attachments.map((a, i) => [devices[i], a.hostConfig]));
