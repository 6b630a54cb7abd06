// The anyvpc quick start: a VPC planned for you over a switch-fabric site (ams) and an Equinix
// Metal metro (da), and one with a pinned CIDR on the switch fabric only.
import * as anyvpc from "anyvpc";

const prod = new anyvpc.Vpc("prod", { sites: ["ams", "da"] });
const lab = new anyvpc.Vpc("lab", { sites: ["ams"], cidr: "10.200.0.0/16", tags: { team: "platform" } });

export const vpcs = {
  prod: { id: prod.id, cidr: prod.cidr, sites: prod.sites, vrf: prod.vrf, l3Vni: prod.l3Vni },
  lab: { id: lab.id, cidr: lab.cidr, sites: lab.sites, vrf: lab.vrf, l3Vni: lab.l3Vni },
};
