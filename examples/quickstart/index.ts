// The anyvpc quick start: a VPC planned for you over a switch-fabric site (ams) and an Equinix
// Metal metro (da), with a subnet at each; and a VPC with a pinned CIDR on the switch fabric only.
import * as anyvpc from "anyvpc";

const prod = new anyvpc.Vpc("prod", { sites: ["ams", "da"], ipv6: true });
const web = new anyvpc.Subnet("web", { vpc: prod.id, site: "ams", size: 24 });
const metal = new anyvpc.Subnet("metal", { vpc: prod.id, site: "da", size: 26 });
const lab = new anyvpc.Vpc("lab", { sites: ["ams"], cidr: "10.200.0.0/16", tags: { team: "platform" } });

const subnetOut = (s: anyvpc.Subnet) => ({
  cidr: s.cidr,
  gateway: s.gateway,
  vlan: s.vlan,
  vni: s.vni,
  site: s.site,
  ipv6Cidr: s.ipv6Cidr,
});

export const vpcs = {
  prod: {
    id: prod.id,
    cidr: prod.cidr,
    ipv6Cidr: prod.ipv6Cidr,
    sites: prod.sites,
    vrf: prod.vrf,
    l3Vni: prod.l3Vni,
    subnets: { web: subnetOut(web), metal: subnetOut(metal) },
  },
  lab: { id: lab.id, cidr: lab.cidr, sites: lab.sites, vrf: lab.vrf, l3Vni: lab.l3Vni, subnets: {} },
};
