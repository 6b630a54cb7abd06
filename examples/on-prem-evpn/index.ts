// A production VPC on an on-prem leaf/spine fabric: a subnet for the web tier and one for the
// data tier, every server of the site attached (the first half to web, untagged; the rest to
// data, tagged, as a Kubernetes node with a VLAN interface would be). anyvpc plans the CIDRs,
// gateways, VLANs, VNIs and addresses; the leaves get the VRF, VLANs, SVIs and port config.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const site = config.get("site") ?? "ams";
const servers = config.getObject<string[]>("servers") ?? anyvpc.serversOf(site);

const prod = new anyvpc.Vpc("prod", { sites: [site], ipv6: true, tags: { env: "production" } });
const web = new anyvpc.Subnet("web", { vpc: prod.id, site, size: 24 });
const data = new anyvpc.Subnet("data", { vpc: prod.id, site, size: 25, ipv6: false });

const half = Math.ceil(servers.length / 2);
const nodes = servers.map(
  (server, i) =>
    new anyvpc.Attachment(server, {
      subnet: i < half ? web.id : data.id,
      server,
      mode: i < half ? "access" : "trunk",
    }),
);

export const vpc = { cidr: prod.cidr, ipv6Cidr: prod.ipv6Cidr, vrf: prod.vrf, l3Vni: prod.l3Vni };
export const subnets = {
  web: { cidr: web.cidr, gateway: web.gateway, vlan: web.vlan, vni: web.vni, ipv6Cidr: web.ipv6Cidr },
  data: { cidr: data.cidr, gateway: data.gateway, vlan: data.vlan, vni: data.vni },
};
export const addresses = Object.fromEntries(nodes.map((n, i) => [servers[i], n.ip]));
/** Drop each into /etc/netplan/60-anyvpc.yaml on its server and run `netplan apply`. */
export const netplan = Object.fromEntries(nodes.map((n, i) => [servers[i], n.hostConfig]));
