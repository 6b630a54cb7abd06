// A stateful HTTP simulator of the Equinix Metal API (VRFs, VLANs, metal gateways, ports, IPs,
// BGP, dedicated interconnections and VRF virtual circuits) for tests. It never imports the client in provider/drivers: a simulator that shares a
// client's code shares its bugs.
export { checkInventory, loadInventory } from "./inventory";
export { startMetalSimulator } from "./server";
export type {
  BatchRecord,
  BgpConfigRecord,
  BgpSessionRecord,
  FaultRule,
  InventoryDevice,
  InventoryInterconnection,
  InventoryInterconnectionPort,
  IpAssignmentRecord,
  IpReservationRecord,
  MetalGatewayRecord,
  MetalGatewayState,
  MetalInventory,
  MetalSimKnobs,
  MetalSimState,
  MetalSimulator,
  PortRecord,
  PortState,
  RequestLogEntry,
  StartOptions,
  VirtualCircuitRecord,
  VirtualCircuitStatus,
  VirtualNetworkRecord,
  VrfRecord,
} from "./types";
