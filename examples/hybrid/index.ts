// One VPC over two kinds of site: an on-prem EVPN fabric (the leaves get a VRF) and an Equinix
// Metal metro (a Metal VRF), one address plan for both. A subnet at each site, a server attached
// at each; the VPC's CIDR is routed between the sites over the interconnect the fabric
// description declares, and nowhere else.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

const config = new pulumi.Config();
const onPrem = config.get("onPrem") ?? "ams";
const metro = config.get("metro") ?? "da";

const vpc = new anyvpc.Vpc("hybrid", { sites: [onPrem, metro] });
const rack = new anyvpc.Subnet("rack", { vpc: vpc.id, site: onPrem, size: 24 });
const cloud = new anyvpc.Subnet("cloud", { vpc: vpc.id, site: metro, size: 27 });
const db = new anyvpc.Attachment("db", { subnet: rack.id, server: config.get("server") ?? "node-1" });
const worker = new anyvpc.Attachment("worker", {
  subnet: cloud.id,
  metalDevice: { device: config.get("device") ?? "node-2" },
});

export const plan = {
  vpc: vpc.cidr,
  rack: { cidr: rack.cidr, gateway: rack.gateway, vlan: rack.vlan, vni: rack.vni },
  cloud: { cidr: cloud.cidr, gateway: cloud.gateway, vlan: cloud.vlan },
  db: db.ip,
  worker: worker.ip,
};
