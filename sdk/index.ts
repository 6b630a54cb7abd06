// The typed resources users import: `import * as anyvpc from "anyvpc"`. Input and output types
// come from schema.json (provider/generated/schema.ts); nothing here restates them.
import * as pulumi from "@pulumi/pulumi";
import type {
  Fabric,
  AttachmentArgs as AttachmentInputs,
  AttachmentState,
  LoadBalancerArgs as LoadBalancerInputs,
  LoadBalancerState,
  SubnetArgs as SubnetInputs,
  SubnetState,
  VpcArgs as VpcInputs,
  VpcState,
} from "../provider/generated/schema";
import { owners } from "../provider/ledger/keys";
import schema from "../schema.json";
import {
  attachmentProblems,
  loadBalancerProblems,
  subnetProblems,
  type DeclaredAttachment,
  type DeclaredSubnet,
  type DeclaredVpc,
} from "./program-checks";
import { providerShim } from "./shim";

export type {
  AttachmentState,
  Fabric,
  LoadBalancerState,
  SubnetState,
  VpcState,
} from "../provider/generated/schema";

/** An input may be a plain value or another resource's output, and so may each array element. */
export type InputOf<T> = T extends readonly (infer E)[] ? pulumi.Input<InputOf<E>[]> : pulumi.Input<T>;
/** Every input may be a plain value or another resource's output. */
export type Inputs<T> = { [K in keyof T]: InputOf<T[K]> };
/** Every output is a pulumi Output. */
export type Outputs<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K]> };

export type VpcArgs = Inputs<Omit<VpcInputs, "owner">>;
export type SubnetArgs = Inputs<Omit<SubnetInputs, "owner">>;
export type AttachmentArgs = Inputs<Omit<AttachmentInputs, "owner">>;
export type LoadBalancerArgs = Inputs<Omit<LoadBalancerInputs, "owner">>;

/** The output property names of a kind, read from schema.json, registered so Pulumi exposes them. */
function outputSlots(def: keyof typeof schema.$defs): Record<string, undefined> {
  const props = (schema.$defs[def] as { properties?: object }).properties ?? {};
  return Object.fromEntries(Object.keys(props).map((k) => [k, undefined]));
}

/** Identity of a resource in the allocation ledger: stable across updates and retries. */
function ownerKey(kind: string, name: string): string {
  return owners.resource(pulumi.getProject(), pulumi.getStack(), kind, name);
}

// What this program declared, keyed by each resource's `id` Output (the object a program passes on,
// e.g. `vpc: prod.id`), so that checks across resources run before anything is created.
const declaredVpcs = new WeakMap<object, DeclaredVpc>();
const declaredSubnets = new WeakMap<object, DeclaredSubnet>();
const declaredAttachments = new WeakMap<object, DeclaredAttachment>();
const subnetsDeclared: DeclaredSubnet[] = [];
const lookup = <T>(map: WeakMap<object, T>, v: unknown): T | undefined =>
  typeof v === "object" && v !== null ? map.get(v) : undefined;

/** Stops the program with the problems found, before any resource is created (no stack trace). */
function refuse(problems: string[]): void {
  if (problems.length) throw new pulumi.RunError(problems.join("\n"));
}

// The output properties are declared by merging an interface derived from schema.json into the
// class, so they are never written out by hand; dynamic.Resource sets them at runtime.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Vpc extends Outputs<VpcState> {}
/** A VPC: an isolated network over one or more sites, its CIDR planned unless given. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Vpc extends pulumi.dynamic.Resource {
  constructor(name: string, args: VpcArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      providerShim("Vpc"),
      name,
      { ...outputSlots("VpcState"), name, ...args, owner: ownerKey("Vpc", name) },
      opts,
      "anyvpc",
      "Vpc",
    );
    declaredVpcs.set(this.id, { name, sites: args.sites, cidr: args.cidr });
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Subnet extends Outputs<SubnetState> {}
/** A subnet of a VPC at one of its sites: CIDR, gateway, VLAN and VNI planned unless given. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Subnet extends pulumi.dynamic.Resource {
  constructor(name: string, args: SubnetArgs, opts?: pulumi.CustomResourceOptions) {
    const declared = { name, vpc: lookup(declaredVpcs, args.vpc), site: args.site, cidr: args.cidr };
    refuse(subnetProblems(declared, subnetsDeclared));
    super(
      providerShim("Subnet"),
      name,
      { ...outputSlots("SubnetState"), name, ...args, owner: ownerKey("Subnet", name) },
      opts,
      "anyvpc",
      "Subnet",
    );
    subnetsDeclared.push(declared);
    declaredSubnets.set(this.id, declared);
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface Attachment extends Outputs<AttachmentState> {}
/** A server port put into a subnet: address planned, port configured, netplan for the server. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Attachment extends pulumi.dynamic.Resource {
  constructor(name: string, args: AttachmentArgs, opts?: pulumi.CustomResourceOptions) {
    const declared = { name, subnet: lookup(declaredSubnets, args.subnet), ip: args.ip };
    refuse(attachmentProblems(declared));
    super(
      providerShim("Attachment"),
      name,
      { ...outputSlots("AttachmentState"), ...args, owner: ownerKey("Attachment", name) },
      opts,
      "anyvpc",
      "Attachment",
    );
    declaredAttachments.set(this.id, declared);
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface LoadBalancer extends Outputs<LoadBalancerState> {}
/** A VIP in a VPC (or public) spreading its listener ports over backend attachments, with health checks. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class LoadBalancer extends pulumi.dynamic.Resource {
  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.CustomResourceOptions) {
    const backends = Array.isArray(args.backends) ? (args.backends as unknown[]) : [];
    refuse(
      loadBalancerProblems({
        name,
        vpc: lookup(declaredVpcs, args.vpc),
        backends: backends.map((given) => ({ given, attachment: lookup(declaredAttachments, given) })),
      }),
    );
    super(
      providerShim("LoadBalancer"),
      name,
      { ...outputSlots("LoadBalancerState"), name, ...args, owner: ownerKey("LoadBalancer", name) },
      // The BGP password is an output no input matches: it must be marked secret explicitly.
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "bgpPassword"] },
      "anyvpc",
      "LoadBalancer",
    );
  }
}

/**
 * The stack's fabric description (`anyvpc:fabric`), typed from schema.json, for programs that
 * derive resources from it (a subnet per site, an attachment per server). Credentials inside it
 * are secrets in the config and are not returned here: the provider reads them itself.
 */
export function fabric(): Fabric {
  const value = new pulumi.Config("anyvpc").requireObject<Fabric>("fabric");
  return JSON.parse(
    JSON.stringify(value, (k, v: unknown) => (k === "password" || k === "token" ? undefined : v)),
  ) as Fabric;
}

/** The servers of an NVUE site, by name, as the fabric description cables them. */
export function serversOf(site: string): string[] {
  const s = fabric().sites[site];
  // Switch-fabric sites list their cabled servers; a cloud metro has devices, not a cabling map.
  return s && "servers" in s ? Object.keys(s.servers ?? {}) : [];
}
