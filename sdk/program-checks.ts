// Checks across the resources of one program, made while the program declares them. A Subnet of a
// Vpc created in the same program gets the Vpc's id only once the Vpc exists, so the provider's
// check cannot compare the two at preview; the program can, when both were written as plain values
// (a literal CIDR, a list of sites). Each rule here is one the provider also enforces once ids are
// known: this only moves the refusal to the earliest moment, before anything is created.
import { contains, overlaps, parsePrefix, type Prefix } from "../provider/ipam/prefix";

export interface DeclaredVpc {
  name: string;
  sites: unknown;
  cidr: unknown;
}
export interface DeclaredSubnet {
  name: string;
  vpc: DeclaredVpc | undefined;
  site: unknown;
  cidr: unknown;
}
export interface DeclaredAttachment {
  name: string;
  subnet: DeclaredSubnet | undefined;
  ip: unknown;
}
export interface DeclaredLoadBalancer {
  name: string;
  vpc: DeclaredVpc | undefined;
  /** Each backend as the program passed it, and the attachment it is the id of, when known. */
  backends: { given: unknown; attachment: DeclaredAttachment | undefined }[];
}

/** A prefix written as a plain string (not an Output), when it parses. */
function literalPrefix(v: unknown): Prefix | undefined {
  if (typeof v !== "string") return undefined;
  const p = parsePrefix(v);
  return p.ok ? p.prefix : undefined;
}

const literalStrings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((s) => typeof s === "string") ? (v as string[]) : undefined;

/** The Vpc and Subnet rules: the site is one of the Vpc's, the CIDR inside the Vpc's and no sibling's. */
export function subnetProblems(s: DeclaredSubnet, siblings: readonly DeclaredSubnet[]): string[] {
  const problems: string[] = [];
  const vpc = s.vpc;
  if (!vpc) return problems;
  const sites = literalStrings(vpc.sites);
  if (sites && typeof s.site === "string" && !sites.includes(s.site))
    problems.push(
      `Subnet "${s.name}": site "${s.site}" is not one of the sites of Vpc "${vpc.name}" (${sites.join(", ")}). ` +
        `Use one of ${sites.join(", ")}, or add "${s.site}" to the Vpc's sites.`,
    );
  const cidr = literalPrefix(s.cidr);
  const vpcCidr = literalPrefix(vpc.cidr);
  if (cidr && vpcCidr && !contains(vpcCidr, cidr))
    problems.push(
      `Subnet "${s.name}": cidr "${String(s.cidr)}" is outside the cidr ${String(vpc.cidr)} of Vpc "${vpc.name}". ` +
        `Choose a network inside ${String(vpc.cidr)}, or leave cidr out to have one planned.`,
    );
  if (cidr)
    for (const other of siblings) {
      const theirs = literalPrefix(other.cidr);
      if (other !== s && other.vpc === vpc && theirs && overlaps(cidr, theirs))
        problems.push(
          `Subnet "${s.name}": cidr "${String(s.cidr)}" overlaps cidr "${String(other.cidr)}" of Subnet "${other.name}" ` +
            `in Vpc "${vpc.name}". Choose a network that no other subnet of the Vpc uses, or leave cidr out to have one planned.`,
        );
    }
  return problems;
}

/** An explicit address lies inside its subnet's explicit CIDR. */
export function attachmentProblems(a: DeclaredAttachment): string[] {
  const cidr = literalPrefix(a.subnet?.cidr);
  const ip = typeof a.ip === "string" ? literalPrefix(`${a.ip}/32`) : undefined;
  if (!cidr || !ip || contains(cidr, ip)) return [];
  return [
    `Attachment "${a.name}": ip "${String(a.ip)}" is outside the cidr ${String(a.subnet!.cidr)} of Subnet "${a.subnet!.name}". ` +
      `Choose an address in ${String(a.subnet!.cidr)}, or leave ip out to have one planned.`,
  ];
}

/** Backends are listed once each and are attachments of the load balancer's own Vpc. */
export function loadBalancerProblems(lb: DeclaredLoadBalancer): string[] {
  const problems: string[] = [];
  lb.backends.forEach((b, i) => {
    const first = lb.backends.findIndex((o) => o.given === b.given);
    if (first < i && typeof b.given === "object" && b.given !== null)
      problems.push(
        `LoadBalancer "${lb.name}": backends[${i}] (Attachment "${b.attachment?.name ?? "?"}") is listed twice (also backends[${first}]). ` +
          `List each backend once.`,
      );
    const theirVpc = b.attachment?.subnet?.vpc;
    if (lb.vpc && theirVpc && theirVpc !== lb.vpc)
      problems.push(
        `LoadBalancer "${lb.name}": backends[${i}] (Attachment "${b.attachment!.name}") is in Vpc "${theirVpc.name}", ` +
          `not in the load balancer's Vpc "${lb.vpc.name}". Backends must be attachments of the load balancer's Vpc.`,
      );
  });
  return problems;
}
