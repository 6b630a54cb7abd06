// The anyvpc quick start: two VPCs, one planned for you and one pinned.
import * as anyvpc from "anyvpc";

const prod = new anyvpc.Vpc("prod", { sites: ["ams", "lab"] });
const lab = new anyvpc.Vpc("lab", { sites: ["lab"], cidr: "10.200.0.0/16", tags: { team: "platform" } });

export const vpcs = {
  prod: { id: prod.id, cidr: prod.cidr, sites: prod.sites },
  lab: { id: lab.id, cidr: lab.cidr, sites: lab.sites },
};
