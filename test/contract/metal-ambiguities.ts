// The Equinix Metal spec's own oneOf ambiguities, case by case. The contract checker holds every oneOf
// of the spec as oneOf (a body must match exactly one branch), except where the spec itself makes a
// correct body match several branches at once. Each such case is listed here with the schemas that
// overlap, why the body still means one thing to the API, and the bodies it lets through (`accepts`,
// narrower than "any body matching the overlapping branches"). test/contract/metal-spec.test.ts shows
// each case is real: its example matches every overlapping branch, and strict oneOf refuses it.
//
// A oneOf of the spec that is not listed here stays strict, including ambiguous ones anyvpc never sends
// or receives (VirtualCircuitUpdateInput, whose branches have no required fields; the device create
// bodies, DeviceCreateInMetroInput | DeviceCreateInFacilityInput; a POST /projects/{id}/ips body with
// both `quantity` and the VRF fields; a VirtualCircuit without `type`; a gateway without its
// ip_reservation): a body that matches two of their branches is a violation until a case here explains
// it. A case is matched by its oneOf's branches, wherever the spec has that oneOf; the test checks that
// `sites` lists every such place.

export interface OneOfAmbiguity {
  /** The oneOf as the spec writes it: its branches (component schema names), in the spec's order. */
  oneOf: string[];
  /** The operations whose bodies hold this oneOf (spec templates, with the direction). */
  sites: { operation: string; where: "request" | "response"; status?: number }[];
  /** The branches a body of this case matches at once. */
  overlapping: string[];
  /** Which schemas overlap, and on which bodies. */
  overlap: string;
  /** Why such a body still means one thing to the API. */
  unambiguous: string;
  /** A JSON schema (draft-07) every body let through by this case must also match: it states what the API decides by. */
  accepts: Record<string, unknown>;
  /** A correct body that matches every overlapping branch (so strict oneOf refuses it). */
  example: Record<string, unknown>;
  /** A body that also matches every overlapping branch but that `accepts` refuses (not what the case explains). */
  counterexample: Record<string, unknown>;
}

const PROJECT = "6a9c5e1f-1b2c-4d3e-8f90-123456789abc";
const VRF = "0f1e2d3c-4b5a-4697-8877-665544332211";
const VLAN = "11111111-2222-4333-8444-555555555555";
const RESERVATION = "99999999-8888-4777-8666-555555555555";
const METRO = { id: "8ea03255-89f9-4e62-9d3f-8817db82ceed", code: "da", name: "Dallas", country: "US" };

/** A public block awaiting review, as GET /ips/{id} answers it (no address yet). */
const PENDING_BLOCK = {
  id: RESERVATION,
  href: `/metal/v1/ips/${RESERVATION}`,
  type: "public_ipv4",
  address_family: 4,
  cidr: 29,
  state: "pending",
  public: true,
  management: false,
  tags: ["anyvpc"],
  metro: METRO,
  project: { id: PROJECT, name: "anyvpc", href: `/metal/v1/projects/${PROJECT}` },
};

export const METAL_ONE_OF_AMBIGUITIES: OneOfAmbiguity[] = [
  {
    oneOf: ["MetalGatewayCreateInput", "VrfMetalGatewayCreateInput"],
    sites: [{ operation: "POST /projects/{project_id}/metal-gateways", where: "request" }],
    overlapping: ["MetalGatewayCreateInput", "VrfMetalGatewayCreateInput"],
    overlap:
      "VrfMetalGatewayCreateInput requires virtual_network_id and ip_reservation_id (uuids); " +
      "MetalGatewayCreateInput requires virtual_network_id and has the same ip_reservation_id, and neither " +
      "closes its properties. So every VRF gateway body is also a MetalGatewayCreateInput, and every plain " +
      "gateway body that names a reservation is also a VrfMetalGatewayCreateInput: the two are the same JSON.",
    unambiguous:
      "The API decides by the reservation the body names, not by the body's shape: a VRF IP reservation " +
      "(VrfMetalGatewayCreateInput.ip_reservation_id: 'a VRF IP Reservation') makes a VRF gateway, answered " +
      "as a VrfMetalGateway with `vrf`; a public or private block makes a plain MetalGateway. A body that " +
      "also sets private_ipv4_subnet_size ('required unless a project IP reservation was specified') would " +
      "give the gateway two subnets, so it is not let through.",
    accepts: {
      type: "object",
      required: ["virtual_network_id", "ip_reservation_id"],
      not: { required: ["private_ipv4_subnet_size"] },
    },
    example: { virtual_network_id: VLAN, ip_reservation_id: RESERVATION },
    counterexample: { virtual_network_id: VLAN, ip_reservation_id: RESERVATION, private_ipv4_subnet_size: 8 },
  },
  {
    oneOf: ["VlanVirtualCircuitCreateInput", "VrfVirtualCircuitCreateInput"],
    sites: [
      { operation: "POST /connections/{connection_id}/ports/{port_id}/virtual-circuits", where: "request" },
    ],
    overlapping: ["VlanVirtualCircuitCreateInput", "VrfVirtualCircuitCreateInput"],
    overlap:
      "VirtualCircuitCreateInput: VlanVirtualCircuitCreateInput requires only project_id and closes no " +
      "properties, and the properties it shares with VrfVirtualCircuitCreateInput (project_id, name, " +
      "description, nni_vlan 2-4094, speed, tags) have the same types. So every VRF circuit body " +
      "(project_id, vrf, nni_vlan, peer_asn, subnet, ...) is also a VLAN circuit body.",
    unambiguous:
      "`vrf` says which: the API makes a VRF circuit of a body naming a VRF (with its peering: subnet, " +
      "peer_asn, metal_ip, customer_ip) and a VLAN circuit of one naming a `vnid` (a VLAN circuit has no " +
      "VRF). A body with `vrf` and no `vnid` can only be a VRF circuit; one with both is not let through.",
    accepts: { type: "object", required: ["vrf"], not: { required: ["vnid"] } },
    example: {
      project_id: PROJECT,
      vrf: VRF,
      nni_vlan: 1000,
      peer_asn: 65100,
      subnet: "10.0.200.0/31",
      metal_ip: "10.0.200.0",
      customer_ip: "10.0.200.1",
      name: "a-circuit",
      tags: ["anyvpc"],
    },
    counterexample: {
      project_id: PROJECT,
      vrf: VRF,
      vnid: VLAN,
      nni_vlan: 1000,
      peer_asn: 65100,
      subnet: "10.0.200.0/31",
    },
  },
  {
    oneOf: ["IPAssignment", "IPReservation", "VrfIpReservation"],
    sites: [
      { operation: "GET /ips/{id}", where: "response", status: 200 },
      { operation: "PATCH /ips/{id}", where: "response", status: 200 },
    ],
    overlapping: ["IPAssignment", "IPReservation"],
    overlap:
      "IPAssignment requires nothing and closes no properties, and its `state` enum (pending, active, " +
      "deleting: an elastic IP's configuration on a gateway) has `pending`, while IPReservation's `state` " +
      "is any string. So a public, global or private block awaiting review (state `pending`, as the API " +
      "leaves a request over quota made without fail_on_approval_required) is valid as both. In any other " +
      "state (created, denied) a block fails IPAssignment's enum and is only an IPReservation.",
    unambiguous:
      "IPReservation requires `type` (the block's kind) and IPAssignment has no such field: the API puts " +
      "`type` on every reservation and on no assignment, so a body with `type: public_ipv4` (or " +
      "global_ipv4, private_ipv4, public_ipv6) is a reservation, pending or not. Only that case is let " +
      "through: a pending block with its type.",
    accepts: {
      type: "object",
      required: ["type", "state"],
      properties: {
        type: { enum: ["global_ipv4", "public_ipv4", "private_ipv4", "public_ipv6"] },
        state: { const: "pending" },
      },
    },
    example: PENDING_BLOCK,
    // Without a state the block is also both; the API always sends it, so that is no answer it gives.
    counterexample: Object.fromEntries(Object.entries(PENDING_BLOCK).filter(([key]) => key !== "state")),
  },
];
