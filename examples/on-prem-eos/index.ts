// One VPC over two on-prem fabrics of different switch vendors: an Arista EOS leaf pair (site
// `fra`, driven over eAPI) and a Cumulus Linux leaf pair (site `ams`, over NVUE). On the EOS site a
// `web` subnet with every server attached and a load balancer in front of them; on the Cumulus
// site a `batch` subnet. The program never says which vendor a site is: the fabric description does.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const eosSite = config.get("eosSite") ?? "fra";
const cumulusSite = config.get("cumulusSite") ?? "ams";
const servers = anyvpc.serversOf(eosSite);

const shop = new anyvpc.Vpc("shop", { sites: [eosSite, cumulusSite] });
const web = new anyvpc.Subnet("web", { vpc: shop.id, site: eosSite });
const batch = new anyvpc.Subnet("batch", { vpc: shop.id, site: cumulusSite, size: 25 });

const nodes = servers.map((server) => new anyvpc.Attachment(server, { subnet: web.id, server }));
const api = new anyvpc.LoadBalancer("api", {
  vpc: shop.id,
  site: eosSite,
  listeners: [{ port: 443 }],
  backends: nodes.map((n) => n.id),
});

export const vpc = { cidr: shop.cidr, vrf: shop.vrf, l3Vni: shop.l3Vni };
export const subnets = {
  web: { cidr: web.cidr, gateway: web.gateway, vlan: web.vlan, vni: web.vni },
  batch: { cidr: batch.cidr, gateway: batch.gateway, vlan: batch.vlan, vni: batch.vni },
};
export const addresses = Object.fromEntries(nodes.map((n, i) => [servers[i], n.ip]));
export const vip = api.vip;
