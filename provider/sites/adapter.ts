// The boundary between the resources and the fabrics: one SiteAdapter per kind of site (a folder
// each under provider/sites/<kind>/), found by kind in the registry (provider/sites/index.ts). A
// resource validates, plans and allocates, then hands the realization to its site's adapter; what a
// kind supports is data (capabilities), so the generic code refuses an unsupported combination at
// check without knowing the kind. The strategy-behind-a-factory shape of aws-cdk's IIpAddresses.
import type {
  AttachmentArgs,
  AttachmentState,
  Fabric,
  LoadBalancerState,
  SubnetRealization,
  SubnetState,
  VpcInterconnectRealization,
  VpcSiteRealization,
} from "../generated/schema";
import type { Ledger } from "../ledger/ledger";
import type { VpcRecord } from "../ledger/keys";

/** What an adapter may use besides its own drivers: the fabric description and the ledger. */
export interface SiteContext {
  readonly fabric: Fabric;
  readonly ledger: Ledger;
}

/** What a kind of site can realize: read by the generic checks, which name the site and these. */
export interface SiteCapabilities {
  /** How the site is named in messages, e.g. "the Equinix Metal site" (followed by its name). */
  readonly title: string;
  /** Subnets with an IPv6 /64 (and attachments with an IPv6 address). */
  readonly ipv6: boolean;
  /** IPv4 prefix lengths a subnet may have, when the site limits them. */
  readonly subnetPrefixLengths?: { readonly min: number; readonly max: number; readonly why: string };
  /** The attachment target inputs the site understands (server is always allowed where listed). */
  readonly attachmentTargets: readonly ("server" | "port" | "metalDevice")[];
  readonly loadBalancer: {
    /** Modes in order of preference: the first is the default. */
    readonly modes: readonly ("ecmp" | "bgp")[];
    /** Modes that can serve a public VIP. */
    readonly publicModes: readonly ("ecmp" | "bgp")[];
    /** Private VIPs (inside the VPC) are possible; otherwise public must be true. */
    readonly privateVips: boolean;
    /** anyvpc plans the VIP (from the VPC or the public pool; vip may be given); otherwise the site hands one out. */
    readonly plansVip: boolean;
  };
}

/** The planned facts of a VPC that a site realizes. */
export interface VpcFacts {
  owner: string;
  vrf: string;
  l3Vni: number;
  cidr: string;
  ipv6Cidr?: string;
}

/** Where an attachment goes, resolved from its inputs; what is stored as AttachmentState.target. */
export type { AttachmentTarget } from "./targets";
import type { AttachmentTarget } from "./targets";

export type TargetResolution =
  | { ok: true; target: AttachmentTarget; portKey: string }
  | { ok: false; errors: { field: string; value: unknown; problem: string; fix?: string }[] };

export interface VpcRealizer {
  realize(ctx: SiteContext, vpc: VpcFacts): Promise<VpcSiteRealization>;
  /** What the fabric really holds for the VPC (refresh reports it; diff repairs it). */
  read(ctx: SiteContext, vpc: Pick<VpcFacts, "owner" | "vrf" | "l3Vni">): Promise<VpcSiteRealization>;
  unrealize(ctx: SiteContext, vpc: Pick<VpcFacts, "owner" | "vrf" | "l3Vni">): Promise<void>;
}

export interface SubnetRealizer {
  realize(ctx: SiteContext, subnet: SubnetState, vpc: VpcRecord): Promise<SubnetRealization>;
  read(ctx: SiteContext, subnet: SubnetState): Promise<SubnetRealization>;
  unrealize(
    ctx: SiteContext,
    subnet: Pick<SubnetState, "site" | "vlan" | "vni" | "owner" | "realization">,
  ): Promise<void>;
}

export interface AttachmentRealizer {
  /** Finds the physical port from the target inputs (server, port or metalDevice). */
  resolveTarget(
    ctx: SiteContext,
    args: Pick<Partial<AttachmentArgs>, "server" | "port" | "metalDevice">,
  ): Promise<TargetResolution>;
  /** Identity of the physical port across stacks, for the tenancy guard. */
  portKey(target: AttachmentTarget): string;
  /**
   * Puts the attachment on its port. `fresh` for a new attachment; `attachmentIdOf` names the
   * attachments of an owner, for the prior-state record of the port (see mayRecordPortBefore).
   */
  realize(
    ctx: SiteContext,
    a: AttachmentState,
    opts: { fresh: boolean; attachmentIdOf: (owner: string) => string },
  ): Promise<void>;
  /**
   * The netplan document for the server: its address on the interface the site puts the subnet on
   * (`hostInterface` names it when the server calls it otherwise), routes to `vpcRoutes`.
   */
  hostConfig(a: AttachmentState, vpcRoutes: readonly string[], hostInterface?: string): string;
  /** Whether the port carries the attachment as realized. */
  read(ctx: SiteContext, a: AttachmentState): Promise<boolean>;
  /**
   * Takes the attachment off its port. `lastUse`: no other attachment uses the port, so it is given
   * back what it was before anyvpc changed it when `restore` (an update that re-realizes at once does not).
   */
  unrealize(
    ctx: SiteContext,
    a: AttachmentState,
    opts: { lastUse: boolean; restore: boolean },
  ): Promise<void>;
}

/** What a load balancer's realization adds to its state. */
export type LoadBalancerRealized = Pick<LoadBalancerState, "realization"> &
  Partial<Pick<LoadBalancerState, "vip" | "bgpPeers" | "speakerConfig" | "bgpPassword">>;

export interface LoadBalancerRealizer {
  /** Where a server's health is probed (the fabric description's probe address), if anywhere. */
  probeAddress(server: string): string | undefined;
  /**
   * Serves the VIP over the backends in service; `previous` is the state before an update (what it
   * had and no longer needs goes). `speakerAsn` for bgp mode.
   */
  realize(
    ctx: SiteContext,
    lb: {
      id: string;
      state: LoadBalancerState;
      vpc: VpcRecord;
      previous?: LoadBalancerState;
      speakerAsn: number;
    },
  ): Promise<LoadBalancerRealized>;
  read(ctx: SiteContext, lb: { id: string; state: LoadBalancerState; vpc?: VpcRecord }): Promise<boolean>;
  unrealize(ctx: SiteContext, lb: { id: string; state: LoadBalancerState; vpc?: VpcRecord }): Promise<void>;
}

/** The switch end of an interconnect: the link VLAN on the cabled port, an SVI in the VRF, eBGP to the peer. */
export interface BorderEnd {
  readonly asn: number;
  ensure(ctx: SiteContext, link: BorderLink): Promise<void>;
  holds(ctx: SiteContext, link: BorderLink): Promise<boolean>;
  remove(ctx: SiteContext, link: BorderLink): Promise<void>;
}

export interface BorderLink {
  switch: string;
  vrf: string;
  port: string;
  vlan: number;
  /** The border's address with prefix length, e.g. 10.0.0.2/30. */
  address: string;
  peer: string;
  peerAsn: number;
}

/** Which interconnection port a cloud end's circuits are on, and whose they are. */
export interface CloudLinkPlace {
  owner: string;
  connectionId: string;
  portName: string;
}

/** The cloud end of an interconnect: a virtual circuit into the VPC's VRF. */
export interface CloudEnd {
  /** The ASN of the VPC VRFs at the site: the border's BGP peer. */
  asn(ctx: SiteContext): number;
  ensure(
    ctx: SiteContext,
    link: CloudLinkPlace & { vrfId: string; realization: VpcInterconnectRealization; peerAsn: number },
  ): Promise<{ virtualCircuitId: string }>;
  /** Whether an active circuit of the owner is there. */
  holds(ctx: SiteContext, link: CloudLinkPlace): Promise<boolean>;
  /** Removes every circuit of the owner (found by tag, so one a crashed create made goes too). */
  remove(ctx: SiteContext, link: CloudLinkPlace): Promise<void>;
}

/** The kinds of site the fabric description knows. */
export type SiteKind = Fabric["sites"][string] extends infer S
  ? S extends { kind: infer K }
    ? K
    : never
  : never;

export interface SiteAdapter {
  readonly kind: SiteKind;
  readonly name: string;
  readonly capabilities: SiteCapabilities;
  readonly vpc: VpcRealizer;
  readonly subnet: SubnetRealizer;
  readonly attachment: AttachmentRealizer;
  readonly loadBalancer: LoadBalancerRealizer;
  /** Present on kinds that can be an interconnect's switch end. */
  readonly border?: BorderEnd;
  /** Present on kinds that can be an interconnect's cloud end. */
  readonly cloud?: CloudEnd;
}

/** The ASN the backends' speakers use in bgp mode unless speakerAsn says otherwise. */
export const defaultSpeakerAsn = 65200;
