// The anyvpc quick start: a VPC planned for you over a switch-fabric site (ams) and an Equinix
// Metal metro (da), with a subnet at each; and a VPC with a pinned CIDR on the switch fabric only.
import * as anyvpc from "anyvpc";

const prod = new anyvpc.Vpc("prod", { sites: ["ams", "da"], ipv6: true });
const web = new anyvpc.Subnet("web", { vpc: prod.id, site: "ams", size: 24 });
const metal = new anyvpc.Subnet("metal", { vpc: prod.id, site: "da", size: 26 });
const db = new anyvpc.Subnet("db", { vpc: prod.id, site: "ams", size: 25 });
// Servers into the VPC: ports configured, addresses planned, netplan ready for each server.
const n1 = new anyvpc.Attachment("n1", { subnet: web.id, server: "node-1" });
const n2 = new anyvpc.Attachment("n2", { subnet: db.id, server: "node-2", mode: "trunk" });
const m1 = new anyvpc.Attachment("m1", { subnet: metal.id, metalDevice: { device: "node-1" } });
// A load balancer in front of node-1: a VIP planned in the VPC, answering on 443 only.
const api = new anyvpc.LoadBalancer("api", { vpc: prod.id, listeners: [{ port: 443 }], backends: [n1.id] });
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
    subnets: { web: subnetOut(web), db: subnetOut(db), metal: subnetOut(metal) },
  },
  lab: { id: lab.id, cidr: lab.cidr, sites: lab.sites, vrf: lab.vrf, l3Vni: lab.l3Vni, subnets: {} },
};

const attachmentOut = (a: anyvpc.Attachment) => ({
  server: a.server,
  device: a.target.apply((t) => ("hostname" in t ? t.hostname : undefined)),
  site: a.site,
  ip: a.ip,
  ipv6: a.ipv6,
  prefixLength: a.prefixLength,
  vlan: a.vlan,
  mode: a.mode,
});
export const attachments = { n1: attachmentOut(n1), n2: attachmentOut(n2), m1: attachmentOut(m1) };
export const hostConfig = { n1: n1.hostConfig };
export const loadBalancer = {
  vip: api.vip,
  listeners: api.listeners,
  backends: api.backends,
  inService: api.inService,
};
