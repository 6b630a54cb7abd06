// Narrowing the schema's unions of attachment targets and realizations: which member a value is,
// read from the fields each member alone has (targets) or from the site kind (realizations).
import type {
  AttachmentState,
  LoadBalancerState,
  MetalDeviceTarget,
  MetalSubnetRealization,
  MetalVpcRealization,
  SubnetRealization,
  SwitchPortTarget,
  VpcSiteRealization,
} from "../generated/schema";

export type AttachmentTarget = AttachmentState["target"];

export const isSwitchPort = (t: AttachmentTarget): t is SwitchPortTarget => "switch" in t;
export const isMetalDevice = (t: AttachmentTarget): t is MetalDeviceTarget => "device" in t;

export const metalVpcOf = (r: VpcSiteRealization | undefined): MetalVpcRealization | undefined =>
  r?.kind === "equinix-metal" ? r : undefined;

export const metalSubnetOf = (r: SubnetRealization | undefined): MetalSubnetRealization | undefined =>
  r?.kind === "equinix-metal" ? r : undefined;

/** The elastic IP reservation of a load balancer realized at a Metal metro, if it has one. */
export const elasticIpOf = (r: LoadBalancerState["realization"]): string | undefined =>
  "reservationId" in r ? r.reservationId : undefined;
