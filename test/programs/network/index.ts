// A user's program whose Vpcs, Subnets and Attachments come from config (each refers to the
// others by name), so one program covers the e2e life cycle and the bad-input matrix.
import * as pulumi from "@pulumi/pulumi";
import * as anyvpc from "anyvpc";

interface Spec<A> {
  name: string;
  args: A;
}
interface Network {
  vpcs?: Spec<anyvpc.VpcArgs>[];
  subnets?: Spec<Omit<anyvpc.SubnetArgs, "vpc"> & { vpc: string }>[];
  attachments?: Spec<Omit<anyvpc.AttachmentArgs, "subnet"> & { subnet: string }>[];
  loadBalancers?: Spec<
    Omit<anyvpc.LoadBalancerArgs, "vpc" | "backends"> & { vpc: string; backends: string[] }
  >[];
}

const network = new pulumi.Config().requireObject<Network>("network");
// A reference to a name the program does not define is passed through as it is (an id).
const vpcs = Object.fromEntries((network.vpcs ?? []).map((s) => [s.name, new anyvpc.Vpc(s.name, s.args)]));
const subnets = Object.fromEntries(
  (network.subnets ?? []).map((s) => [
    s.name,
    new anyvpc.Subnet(s.name, { ...s.args, vpc: vpcs[s.args.vpc]?.id ?? s.args.vpc }),
  ]),
);
const attachments = Object.fromEntries(
  (network.attachments ?? []).map((s) => [
    s.name,
    new anyvpc.Attachment(s.name, { ...s.args, subnet: subnets[s.args.subnet]?.id ?? s.args.subnet }),
  ]),
);

const loadBalancers = Object.fromEntries(
  (network.loadBalancers ?? []).map((s) => [
    s.name,
    new anyvpc.LoadBalancer(s.name, {
      ...s.args,
      vpc: vpcs[s.args.vpc]?.id ?? s.args.vpc,
      backends: s.args.backends.map((b) => attachments[b]?.id ?? b),
    }),
  ]),
);

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) =>
  Object.fromEntries(keys.map((k) => [k, o[k]]));
export const out = {
  vpcs: Object.fromEntries(
    Object.entries(vpcs).map(([n, v]) => [
      n,
      pick(v, ["id", "cidr", "ipv6Cidr", "vrf", "l3Vni", "sites", "tags"]),
    ]),
  ),
  subnets: Object.fromEntries(
    Object.entries(subnets).map(([n, s]) => [
      n,
      pick(s, ["id", "cidr", "gateway", "vlan", "vni", "ipv6Cidr", "size", "realization"]),
    ]),
  ),
  attachments: Object.fromEntries(
    Object.entries(attachments).map(([n, a]) => [
      n,
      pick(a, ["id", "ip", "ipv6", "prefixLength", "vlan", "mode", "server", "target", "hostConfig"]),
    ]),
  ),
  loadBalancers: Object.fromEntries(
    Object.entries(loadBalancers).map(([n, l]) => [
      n,
      pick(l, ["id", "vip", "listeners", "backends", "inService"]),
    ]),
  ),
};
