// VPC ↔ on-prem link → VRF virtual circuit: GET /connections/{id}[/ports], GET/POST
// /connections/{id}/ports/{id}/virtual-circuits, GET/DELETE /virtual-circuits/{id}.
import { AnyvpcError } from "../../../errors";
import type { MetalClient } from "../client";
import type * as T from "../types";
import {
  adoptOrCreate,
  deleteIfPresent,
  hasTag,
  idOf,
  isGone,
  ownerTag,
  pollUntil,
  type MetalSite,
  type PollOptions,
} from "./common";

// VPC ↔ on-prem link → VRF virtual circuit on a port of a dedicated interconnection

/** A virtual circuit that failed to activate or to be deleted, or that is not what was asked for. */
export class VirtualCircuitError extends AnyvpcError {
  constructor(
    message: string,
    readonly circuitId: string,
    readonly status: string | undefined,
    fix?: string,
  ) {
    super(message, { value: status, fix });
  }
}

export interface VrfVirtualCircuitSpec {
  owner: string;
  connectionId: string;
  /** The interconnection port by name (or role, "primary"/"secondary") or by id; one of the two. */
  portName?: string;
  portId?: string;
  vrfId: string;
  /** 2-4094, unique per interconnection port. */
  nniVlan: number;
  /** The on-prem side's ASN. */
  peerAsn: number;
  /** A /30 or /31 inside one of the VRF's ip_ranges. */
  subnet: string;
  /** Default: the first usable address of the subnet. */
  metalIp?: string;
  /** Default: the last usable address of the subnet. */
  customerIp?: string;
  /** BGP password; never logged, never in an error. */
  md5?: string;
  name?: string;
  description?: string;
}

/** What a realized circuit is: the addresses both ends peer with. */
export interface VrfVirtualCircuitInfo {
  id: string;
  metal_ip: string;
  customer_ip: string;
  subnet: string;
  nni_vlan: number;
  status: T.VrfVirtualCircuitStatus;
}

/** Statuses a circuit passes through on the way to `active`; any other but `active` is a failure. */
const ACTIVATING = new Set<string | undefined>([
  "pending",
  "activating",
  "waiting_on_peering_details",
  "changing_peering_details",
]);

/** The port of a connection named by id, or by name (falling back to its role). */
export async function resolveConnectionPort(
  client: MetalClient,
  connectionId: string,
  ref: { portId?: string; portName?: string },
): Promise<T.InterconnectionPort> {
  return pickPort(await client.listConnectionPorts(connectionId), connectionId, ref);
}

function pickPort(
  ports: T.InterconnectionPort[],
  connectionId: string,
  ref: { portId?: string; portName?: string },
): T.InterconnectionPort {
  if (ref.portId === undefined && ref.portName === undefined) {
    throw new AnyvpcError(`no port given for interconnection ${connectionId}`, {
      fix: "give the port's name (e.g. primary) or its id",
    });
  }
  const port =
    ref.portId !== undefined
      ? ports.find((p) => p.id === ref.portId)
      : (ports.find((p) => p.name === ref.portName) ?? ports.find((p) => p.role === ref.portName));
  if (!port || (ref.portName !== undefined && port.name !== ref.portName && port.role !== ref.portName)) {
    const known = ports.map((p) => `${p.name ?? "?"} (${p.role ?? "?"}, ${p.id})`).join(", ");
    throw new AnyvpcError(`interconnection ${connectionId} has no port ${ref.portId ?? ref.portName ?? ""}`, {
      value: ref.portId ?? ref.portName,
      fix: `use one of its ports: ${known || "none"}`,
    });
  }
  return port;
}

async function readUntilGone<R>(read: () => Promise<R>): Promise<R | undefined> {
  try {
    return await read();
  } catch (e) {
    if (isGone(e)) return undefined;
    throw e;
  }
}

/** Waits until a deleted circuit is gone (403/404); `delete_failed` is an error. */
async function circuitGone(client: MetalClient, id: string, poll: PollOptions): Promise<void> {
  const last = await pollUntil(
    () => readUntilGone(() => client.getVirtualCircuit(id)),
    (vc) => vc === undefined || vc.status === "delete_failed",
    `virtual circuit ${id} to be deleted`,
    poll,
  );
  if (last !== undefined) {
    throw new VirtualCircuitError(
      `virtual circuit ${id} failed to delete (${last.status ?? "unknown status"})`,
      id,
      last.status,
      "retry the delete, or ask Equinix support to remove the circuit",
    );
  }
}

/** Where an adopted circuit differs from the spec (names only: never a value that could be secret). */
function differences(vc: T.VrfVirtualCircuit, spec: VrfVirtualCircuitSpec, portId: string): string[] {
  const out: string[] = [];
  const differs = (field: string, got: unknown, want: unknown) => {
    if (want !== undefined && got !== undefined && got !== want) {
      out.push(`${field} is ${String(got)}, not ${String(want)}`);
    }
  };
  differs("port", idOf(vc.port), portId);
  differs("vrf", idOf(vc.vrf), spec.vrfId);
  differs("nni_vlan", vc.nni_vlan, spec.nniVlan);
  differs("peer_asn", vc.peer_asn, spec.peerAsn);
  differs("subnet", vc.subnet, spec.subnet.trim());
  differs("metal_ip", vc.metal_ip, spec.metalIp);
  differs("customer_ip", vc.customer_ip, spec.customerIp);
  if (spec.md5 !== undefined && vc.md5 !== undefined && vc.md5 !== spec.md5) out.push("md5 differs");
  return out;
}

const isVrfCircuit = (vc: T.VirtualCircuit): vc is T.VrfVirtualCircuit => vc.type !== "vlan";

/**
 * A VRF virtual circuit on a port of a dedicated interconnection, between the VRF and an on-prem
 * router: adopted if a circuit tagged with the owner exists on any port of the connection (so a
 * retried or crashed create never makes a second one), created otherwise, then polled until
 * `active`. A tagged circuit still `deleting` is waited out first (it holds its NNI VLAN).
 * Throws VirtualCircuitError when activation fails or the adopted circuit differs from the spec.
 */
export async function ensureVrfVirtualCircuit(
  client: MetalClient,
  site: MetalSite,
  spec: VrfVirtualCircuitSpec,
  poll: PollOptions = {},
): Promise<VrfVirtualCircuitInfo> {
  const connection = await client.getConnection(spec.connectionId, "metro");
  if (connection.type !== undefined && connection.type !== "dedicated") {
    throw new AnyvpcError(
      `interconnection ${spec.connectionId} is ${connection.type}: VRF virtual circuits are created only on dedicated ports`,
      { value: spec.connectionId },
    );
  }
  const metro = connection.metro?.code;
  if (metro !== undefined && metro.toLowerCase() !== site.metro.toLowerCase()) {
    throw new AnyvpcError(
      `interconnection ${spec.connectionId} is in metro ${metro}, the VRF's site in ${site.metro}`,
      { value: spec.connectionId, fix: "use an interconnection in the same metro as the VRF" },
    );
  }
  const ports = await client.listConnectionPorts(spec.connectionId);
  const port = pickPort(ports, spec.connectionId, spec);
  const portIds = ports.map((p) => p.id);
  const mine = async () => {
    const found: T.VrfVirtualCircuit[] = [];
    for (const portId of portIds) {
      const circuits = await client.listPortVirtualCircuits(spec.connectionId, portId);
      found.push(...circuits.filter(isVrfCircuit).filter((vc) => hasTag(vc.tags, spec.owner)));
    }
    return found;
  };
  for (const old of (await mine()).filter((vc) => vc.status === "deleting")) {
    await circuitGone(client, old.id, poll);
  }
  const find = async () => (await mine()).find((vc) => vc.status !== "deleting");
  const vc = await adoptOrCreate(find, () =>
    client.createVrfVirtualCircuit(spec.connectionId, port.id, {
      project_id: site.projectId,
      vrf: spec.vrfId,
      nni_vlan: spec.nniVlan,
      peer_asn: spec.peerAsn,
      subnet: spec.subnet,
      metal_ip: spec.metalIp,
      customer_ip: spec.customerIp,
      md5: spec.md5,
      name: spec.name,
      description: spec.description,
      tags: [ownerTag(spec.owner)],
    }),
  );
  const diff = differences(vc, spec, port.id);
  if (diff.length > 0) {
    throw new VirtualCircuitError(
      `virtual circuit ${vc.id} of ${spec.owner} exists but ${diff.join(", ")}`,
      vc.id,
      vc.status,
      "delete it (deleteVrfVirtualCircuit) so that it can be created as specified",
    );
  }
  const done = await pollUntil(
    () => client.getVirtualCircuit(vc.id),
    (v) => !ACTIVATING.has(v.status),
    `virtual circuit ${vc.id} to become active`,
    poll,
  );
  if (!isVrfCircuit(done) || done.status !== "active") {
    throw new VirtualCircuitError(
      `virtual circuit ${vc.id} did not become active: ${done.status ?? "unknown status"}`,
      vc.id,
      done.status,
      "check the on-prem side of the NNI VLAN and the peering addresses, then delete the circuit and retry",
    );
  }
  return {
    id: done.id,
    metal_ip: done.metal_ip ?? "",
    customer_ip: done.customer_ip ?? "",
    subnet: done.subnet ?? spec.subnet,
    nni_vlan: done.nni_vlan ?? spec.nniVlan,
    status: done.status,
  };
}

/** Deletes a circuit and waits until it is gone; 403/404 (on delete or read) mean already gone. */
export async function deleteVrfVirtualCircuit(
  client: MetalClient,
  id: string,
  poll: PollOptions = {},
): Promise<void> {
  await deleteIfPresent(() => client.deleteVirtualCircuit(id));
  await circuitGone(client, id, poll);
}
