// Checks across the resources of one program, before anything exists: only what the provider would
// refuse once ids are known, and only when the values were written as plain values.
import assert from "node:assert/strict";
import fc from "fast-check";
import { overlaps, prefix } from "../../provider/ipam/prefix";
import {
  attachmentProblems,
  loadBalancerProblems,
  subnetProblems,
  type DeclaredSubnet,
  type DeclaredVpc,
} from "../../sdk/program-checks";

describe("program checks across new resources", () => {
  const prod: DeclaredVpc = { name: "prod", sites: ["ams", "da"], cidr: "10.1.0.0/16" };
  const subnet = (name: string, cidr: unknown, site: unknown = "ams", vpc = prod): DeclaredSubnet => ({
    name,
    vpc,
    site,
    cidr,
  });

  it("refuse a subnet outside its new Vpc, at a site it does not span, or overlapping a sibling", () => {
    assert.match(
      subnetProblems(subnet("bad", "10.2.0.0/24"), [])[0]!,
      /Subnet "bad": cidr "10\.2\.0\.0\/24" is outside the cidr 10\.1\.0\.0\/16 of Vpc "prod"/,
    );
    assert.match(
      subnetProblems(subnet("bad", undefined, "lab"), [])[0]!,
      /site "lab" is not one of the sites of Vpc "prod" \(ams, da\)/,
    );
    const a = subnet("a", "10.1.1.0/24");
    assert.match(
      subnetProblems(subnet("b", "10.1.1.128/25"), [a])[0]!,
      /overlaps cidr "10\.1\.1\.0\/24" of Subnet "a"/,
    );
  });

  it("judge nothing that is not a plain value, nor subnets of other Vpcs", () => {
    const output = { apply() {} };
    assert.deepEqual(subnetProblems(subnet("x", output), []), []);
    assert.deepEqual(subnetProblems(subnet("x", "10.2.0.0/24", "ams", { ...prod, cidr: output }), []), []);
    assert.deepEqual(subnetProblems({ name: "x", vpc: undefined, site: "zz", cidr: "1.0.0.0/8" }, []), []);
    const other = { name: "dev", sites: ["ams"], cidr: "10.1.0.0/16" };
    assert.deepEqual(
      subnetProblems(subnet("b", "10.1.1.0/24"), [subnet("a", "10.1.1.0/24", "ams", other)]),
      [],
    );
  });

  it("refuse sibling CIDRs exactly when they overlap (oracle: address ranges intersect)", () => {
    // Networks of 10.1.0.0/16 of /17 to /28: an address with its host bits cleared.
    const cidrs = fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 17, max: 28 }))
      .map(([low, len]) => {
        const net = low & ~((1 << (32 - len)) - 1) & 0xffff;
        return `10.1.${net >> 8}.${net & 0xff}/${len}`;
      });
    fc.assert(
      fc.property(cidrs, cidrs, (x, y) => {
        const found = subnetProblems(subnet("b", y), [subnet("a", x)]).some((p) => p.includes("overlaps"));
        assert.equal(found, overlaps(prefix(x), prefix(y)));
      }),
    );
  });

  it("refuse an explicit address outside its new subnet", () => {
    const web = subnet("web", "10.1.1.0/24");
    assert.match(
      attachmentProblems({ name: "n1", subnet: web, ip: "10.1.9.9" })[0]!,
      /Attachment "n1": ip "10\.1\.9\.9" is outside the cidr 10\.1\.1\.0\/24 of Subnet "web"/,
    );
    assert.deepEqual(attachmentProblems({ name: "n1", subnet: web, ip: "10.1.1.9" }), []);
  });

  it("refuse a load balancer over a backend listed twice or of another new Vpc", () => {
    const dev: DeclaredVpc = { name: "dev", sites: ["ams"], cidr: undefined };
    const n1 = { name: "n1", subnet: subnet("web", undefined), ip: undefined };
    const d1 = { name: "d1", subnet: subnet("devnet", undefined, "ams", dev), ip: undefined };
    const id1 = {};
    const idd = {};
    const problems = loadBalancerProblems({
      name: "api",
      vpc: prod,
      backends: [
        { given: id1, attachment: n1 },
        { given: id1, attachment: n1 },
        { given: idd, attachment: d1 },
      ],
    });
    assert.deepEqual(problems.length, 2);
    assert.match(problems[0]!, /backends\[1\] \(Attachment "n1"\) is listed twice \(also backends\[0\]\)/);
    assert.match(
      problems[1]!,
      /backends\[2\] \(Attachment "d1"\) is in Vpc "dev", not in the load balancer's Vpc "prod"/,
    );
  });
});
