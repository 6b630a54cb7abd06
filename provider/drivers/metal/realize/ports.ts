// Attachment → port VLAN assignment, and giving a port back: GET /ports/{id}, GET /devices/{id},
// POST /ports/{id}/{bond,disbond,convert/layer-2,convert/layer-3}, POST/GET
// /ports/{id}/vlan-assignments/batches[/{batch}].
import { AnyvpcError, ApiError } from "../../../errors";
import type { MetalClient } from "../client";
import type * as T from "../types";
import { idOf, isGone, pollUntil, type PollOptions } from "./common";

// Attachment → port VLAN assignment

function carries(port: T.Port, vxlan: number, vlanId: string): boolean {
  return (port.virtual_networks ?? []).some((v) => v.vxlan === vxlan || idOf(v) === vlanId);
}

/** Runs a one-VLAN batch on a port and waits for it; returns the port as re-read afterwards. */
async function runBatch(
  client: MetalClient,
  portId: string,
  change: { vxlan: number; state: "assigned" | "unassigned"; native?: boolean },
  poll: PollOptions,
): Promise<{ port: T.Port; errors: string[] }> {
  let batch: T.PortVlanAssignmentBatch;
  try {
    batch = await client.createVlanAssignmentBatch(portId, {
      vlan_assignments: [{ vlan: String(change.vxlan), state: change.state, native: change.native }],
    });
  } catch (e) {
    // "Already assigned" / "not assigned"-style refusals: the caller's re-read decides.
    if (e instanceof ApiError && e.status === 422)
      return { port: await client.getPort(portId), errors: [e.apiMessage] };
    throw e;
  }
  const done = await pollUntil(
    () => client.getVlanAssignmentBatch(portId, batch.id),
    (b) => b.state === "completed" || b.state === "failed",
    `VLAN batch ${batch.id} on port ${portId}`,
    { intervalMs: 200, ...poll },
  );
  return {
    port: await client.getPort(portId),
    errors: done.state === "failed" ? (done.error_messages ?? ["batch failed"]) : [],
  };
}

/**
 * Puts a VLAN on a port: a layer-3 bond is first converted to layer 2; a member port still in its
 * bond (eth1) is taken out of it instead (hybrid mode: the bond keeps Layer 3 and the device its
 * private address, which BGP sessions need); then a batch assigns the VLAN. Success is what a
 * re-read of the port shows, not what the calls answered.
 */
export async function ensurePortVlan(
  client: MetalClient,
  spec: { portId: string; vlanId: string; vxlan: number; native?: boolean },
  poll: PollOptions = {},
): Promise<T.Port> {
  let port = await client.getPort(spec.portId);
  if (carries(port, spec.vxlan, spec.vlanId)) return port;
  if (port.type === "NetworkPort" && port.data?.bonded) {
    await client.disbondPort(spec.portId);
    port = await client.getPort(spec.portId);
    if (port.data?.bonded) throw new AnyvpcError(`port ${spec.portId} is still bonded after disbond`);
  } else if (port.network_type === "layer3") {
    await client.convertToLayer2(spec.portId);
    port = await client.getPort(spec.portId);
    if (port.network_type === "layer3")
      throw new AnyvpcError(`port ${spec.portId} is still layer3 after conversion to layer 2`);
  }
  const { port: after, errors } = await runBatch(
    client,
    spec.portId,
    { vxlan: spec.vxlan, state: "assigned", native: spec.native },
    poll,
  );
  if (!carries(after, spec.vxlan, spec.vlanId)) {
    throw new AnyvpcError(
      `VLAN ${spec.vxlan} is not on port ${spec.portId} after assignment: ${errors.join("; ") || "no error reported"}`,
    );
  }
  return after;
}

/** What a port was before anyvpc first changed it: restored when its last VLAN is gone. */
export interface PortBefore {
  networkType?: T.PortNetworkType;
  /** A member port (eth1): whether it was in its bond. */
  bonded?: boolean;
  /** The device's management addresses, as the requests that give them back on Layer 3. */
  requestIps: T.IpRequest[];
}

/** Reads what `portId` of `deviceId` is now, to be given back by restorePort. */
export async function portBefore(client: MetalClient, deviceId: string, portId: string): Promise<PortBefore> {
  const port = await client.getPort(portId);
  const device = await client.getDevice(deviceId);
  const requestIps: T.IpRequest[] = [];
  for (const a of device.ip_addresses ?? []) {
    if (!a.management || (a.address_family !== 4 && a.address_family !== 6)) continue;
    const r: T.IpRequest = { address_family: a.address_family, public: a.public ?? false };
    if (!requestIps.some((x) => x.address_family === r.address_family && x.public === r.public))
      requestIps.push(r);
  }
  return port.type === "NetworkPort"
    ? { bonded: port.data?.bonded ?? false, requestIps }
    : { networkType: port.network_type, requestIps };
}

/**
 * Gives a port back what it was before anyvpc changed it, once no VLAN is left on it: a member
 * port goes back into its bond, a bond port back to Layer 3 with the management addresses the
 * device had (public ones are new addresses of the same kind: the API cannot give back the old).
 * Each step is confirmed by re-reading the port. Returns false when VLANs remain (nothing done).
 */
export async function restorePort(client: MetalClient, portId: string, before: PortBefore): Promise<boolean> {
  let port = await client.getPort(portId);
  if ((port.virtual_networks ?? []).length > 0) return false;
  if (port.type === "NetworkPort") {
    if (before.bonded && !port.data?.bonded) {
      await client.bondPort(portId);
      port = await client.getPort(portId);
      if (!port.data?.bonded)
        throw new AnyvpcError(`port ${portId} is still out of its bond after bonding it`);
    }
    return true;
  }
  if (before.networkType === "layer3" && port.network_type !== "layer3") {
    await client.convertToLayer3(portId, before.requestIps);
    port = await client.getPort(portId);
    if (port.network_type !== "layer3")
      throw new AnyvpcError(
        `port ${portId} is ${port.network_type ?? "unknown"} after conversion to Layer 3`,
      );
  }
  return true;
}

export async function removePortVlan(
  client: MetalClient,
  spec: { portId: string; vlanId: string; vxlan: number },
  poll: PollOptions = {},
): Promise<void> {
  let port: T.Port;
  try {
    port = await client.getPort(spec.portId);
  } catch (e) {
    if (isGone(e)) return;
    throw e;
  }
  if (!carries(port, spec.vxlan, spec.vlanId)) return;
  const { port: after, errors } = await runBatch(
    client,
    spec.portId,
    { vxlan: spec.vxlan, state: "unassigned" },
    poll,
  );
  if (carries(after, spec.vxlan, spec.vlanId)) {
    throw new AnyvpcError(
      `VLAN ${spec.vxlan} is still on port ${spec.portId} after unassignment: ${errors.join("; ") || "no error reported"}`,
    );
  }
}
