// The Metal realization as one module, "drivers/metal/realize": re-exports the steps of each object
// (one file each: vrfs, vlans, reservations, gateways, ports, subnets, virtual-circuits, elastic-ips,
// bgp) and the shared types. No API paths of its own.
//
// The realization steps on an Equinix Metal metro, each idempotent: VPC → VRF; Subnet → VLAN +
// VRF IP reservation + VRF Metal Gateway; Attachment → port VLAN assignment; public LoadBalancer
// VIP → elastic IP reservation + project BGP + device BGP sessions (and the speaker's config).
// Lessons from existing tools (DESIGN.md §6): every object is tagged with its owner and a tagged
// object is adopted rather than created twice (POST has no idempotency key); a 200 does not prove a
// port change, so ports are re-read; teardown runs in reverse order and confirms each step; 403/404
// on delete means gone.
export { adoptOrCreate, idOf, ownerTag, type MetalSite, type PollOptions } from "./common";
export { deleteVrf, ensureVrf } from "./vrfs";
export { ensureVlan } from "./vlans";
export { ensureVrfReservation } from "./reservations";
export { ensureVrfGateway } from "./gateways";
export { ensurePortVlan, portBefore, removePortVlan, restorePort, type PortBefore } from "./ports";
export { teardownSubnet } from "./subnets";
export {
  deleteVrfVirtualCircuit,
  ensureVrfVirtualCircuit,
  resolveConnectionPort,
  VirtualCircuitError,
  type VrfVirtualCircuitInfo,
  type VrfVirtualCircuitSpec,
} from "./virtual-circuits";
export {
  deleteElasticIp,
  ElasticIpError,
  ensureElasticIp,
  type ElasticIp,
  type ElasticIpSpec,
} from "./elastic-ips";
export {
  BGP_PASSWORD_PLACEHOLDER,
  BgpError,
  bgpPeeringFacts,
  deleteDeviceBgpSession,
  ensureDeviceBgpSession,
  ensureProjectBgp,
  speakerConfig,
  type BgpNeighborFacts,
  type BgpPeeringFacts,
  type DeviceBgpSession,
  type ProjectBgp,
} from "./bgp";
