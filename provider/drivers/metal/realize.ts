// The realization steps on an Equinix Metal metro, each idempotent: VPC → VRF; Subnet → VLAN +
// VRF IP reservation + VRF Metal Gateway; Attachment → port VLAN assignment. Lessons from existing
// tools (DESIGN.md §6): every object is tagged with its owner and a tagged object is adopted rather
// than created twice (POST has no idempotency key); a 200 does not prove a port change, so ports are
// re-read; teardown runs in reverse order and confirms each step; 403/404 on delete means gone.
import { AnyvpcError, ApiError } from "../../errors";
import { sleep } from "../retry";
import type { MetalClient } from "./client";
import type * as T from "./types";

export interface MetalSite {
  projectId: string;
  metro: string;
}

export interface PollOptions {
  intervalMs?: number;
  timeoutMs?: number;
}

export function ownerTag(owner: string): string {
  return `anyvpc-owner=${owner}`;
}

const hasTag = (tags: string[] | undefined, owner: string) => (tags ?? []).includes(ownerTag(owner));

/** The id of a nested object, whether it came expanded or as { href } only. */
export function idOf(ref: { id?: string; href?: string } | null | undefined): string | undefined {
  return ref?.id ?? ref?.href?.split("/").filter(Boolean).pop();
}

function isGone(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 403);
}

/** Deletes, treating "already gone" (403/404) as success. */
async function deleteIfPresent(del: () => Promise<void>): Promise<void> {
  try {
    await del();
  } catch (e) {
    if (!isGone(e)) throw e;
  }
}

async function pollUntil<R>(
  read: () => Promise<R>,
  done: (r: R) => boolean,
  what: string,
  opts: PollOptions = {},
): Promise<R> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const r = await read();
    if (done(r)) return r;
    if (Date.now() > deadline) throw new AnyvpcError(`timed out waiting for ${what}`);
    await sleep(opts.intervalMs ?? 250);
  }
}

/**
 * Creates through `create`, but first adopts what `find` returns. After an ambiguous failure (the
 * server may have acted: dropped connection, timeout, 5xx) it looks again before retrying, so a
 * retried or crashed create never leaves two objects.
 */
export async function adoptOrCreate<R>(
  find: () => Promise<R | undefined>,
  create: () => Promise<R>,
  attempts = 6,
): Promise<R> {
  const existing = await find();
  if (existing) return existing;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (e) {
      if (!(e instanceof ApiError && e.ambiguous) || attempt >= attempts) throw e;
      const made = await find();
      if (made) return made;
    }
  }
}

// VPC → VRF

export async function ensureVrf(
  client: MetalClient,
  site: MetalSite,
  spec: { owner: string; name: string; ipRanges: string[]; localAsn?: number; description?: string },
): Promise<T.Vrf> {
  const find = async () =>
    (await client.listVrfs(site.projectId, site.metro)).find((v) => hasTag(v.tags, spec.owner));
  const vrf = await adoptOrCreate(find, () =>
    client.createVrf(site.projectId, {
      metro: site.metro,
      name: spec.name,
      description: spec.description,
      ip_ranges: spec.ipRanges,
      local_asn: spec.localAsn,
      tags: [ownerTag(spec.owner)],
    }),
  );
  const want = [...spec.ipRanges].sort();
  if (JSON.stringify([...(vrf.ip_ranges ?? [])].sort()) !== JSON.stringify(want)) {
    return client.updateVrf(vrf.id, { ip_ranges: spec.ipRanges });
  }
  return vrf;
}

export async function deleteVrf(client: MetalClient, vrfId: string): Promise<void> {
  await deleteIfPresent(() => client.deleteVrf(vrfId));
}

// Subnet → VLAN + VRF IP reservation + VRF Metal Gateway

export async function ensureVlan(
  client: MetalClient,
  site: MetalSite,
  spec: { owner: string; vxlan: number; description?: string },
): Promise<T.VirtualNetwork> {
  const find = async () => {
    const vlans = await client.listVlans(site.projectId, site.metro);
    const mine = vlans.find((v) => hasTag(v.tags, spec.owner));
    if (mine) return mine;
    const taken = vlans.find((v) => v.vxlan === spec.vxlan && (v.metro_code ?? site.metro) === site.metro);
    if (taken) {
      throw new AnyvpcError(
        `VLAN ${spec.vxlan} in metro ${site.metro} already exists (${taken.id}) and is not anyvpc's`,
        {
          value: spec.vxlan,
          fix: "exclude it from the fabric's VLAN range, or delete it",
        },
      );
    }
    return undefined;
  };
  return adoptOrCreate(find, () =>
    client.createVlan(site.projectId, {
      metro: site.metro,
      vxlan: spec.vxlan,
      description: spec.description,
      tags: [ownerTag(spec.owner)],
    }),
  );
}

export async function ensureVrfReservation(
  client: MetalClient,
  site: MetalSite,
  spec: { owner: string; vrfId: string; network: string; cidr: number },
): Promise<T.VrfIpReservation> {
  const find = async () =>
    (await client.listVrfIpReservations(spec.vrfId)).find(
      (r) => hasTag(r.tags, spec.owner) && r.network === spec.network && r.cidr === spec.cidr,
    );
  return adoptOrCreate(find, () =>
    client.createVrfIpReservation(site.projectId, {
      type: "vrf",
      vrf_id: spec.vrfId,
      network: spec.network,
      cidr: spec.cidr,
      tags: [ownerTag(spec.owner)],
    }),
  );
}

/** The VRF gateway of a VLAN (a VLAN has at most one), created if missing, polled until active. */
export async function ensureVrfGateway(
  client: MetalClient,
  site: MetalSite,
  spec: { vlanId: string; reservationId: string },
  poll: PollOptions = {},
): Promise<T.MetalGateway> {
  const find = async () =>
    (await client.listGateways(site.projectId)).find(
      (g) => idOf(g.virtual_network) === spec.vlanId && g.state !== "deleting",
    );
  const gw = await adoptOrCreate(find, () =>
    client.createVrfGateway(site.projectId, {
      virtual_network_id: spec.vlanId,
      ip_reservation_id: spec.reservationId,
    }),
  );
  if (idOf(gw.ip_reservation) && idOf(gw.ip_reservation) !== spec.reservationId) {
    throw new AnyvpcError(
      `the gateway of VLAN ${spec.vlanId} uses reservation ${idOf(gw.ip_reservation)}, not ${spec.reservationId}`,
    );
  }
  return pollUntil(
    () => client.getGateway(gw.id),
    (g) => g.state === "active",
    `metal gateway ${gw.id} to become active`,
    poll,
  );
}

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
 * Puts a VLAN on a port: a layer-3 port is first converted to layer 2, then a batch assigns the
 * VLAN. Success is what a re-read of the port shows, not what the calls answered.
 */
export async function ensurePortVlan(
  client: MetalClient,
  spec: { portId: string; vlanId: string; vxlan: number; native?: boolean },
  poll: PollOptions = {},
): Promise<T.Port> {
  let port = await client.getPort(spec.portId);
  if (carries(port, spec.vxlan, spec.vlanId)) return port;
  if (port.network_type === "layer3") {
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

/**
 * Tears a subnet down in reverse order, confirming each step: unassign the VLAN from every port of
 * the project that still carries it, delete the gateway and wait until it is gone, then the
 * reservation, then the VLAN. Each step tolerates what is already gone, so a repeated teardown
 * (after a crash) finishes the job.
 */
export async function teardownSubnet(
  client: MetalClient,
  site: MetalSite,
  spec: { vlanId: string; vxlan: number; reservationId?: string },
  poll: PollOptions = {},
): Promise<void> {
  for (const device of await client.listDevices(site.projectId)) {
    for (const p of device.network_ports ?? []) {
      await removePortVlan(client, { portId: p.id, vlanId: spec.vlanId, vxlan: spec.vxlan }, poll);
    }
  }
  const gateways = (await client.listGateways(site.projectId)).filter(
    (g) => idOf(g.virtual_network) === spec.vlanId,
  );
  for (const g of gateways) {
    await deleteIfPresent(() => client.deleteGateway(g.id));
    await pollUntil(
      async () => {
        try {
          await client.getGateway(g.id);
          return false;
        } catch (e) {
          if (isGone(e)) return true;
          throw e;
        }
      },
      (gone) => gone,
      `metal gateway ${g.id} to be deleted`,
      poll,
    );
  }
  const reservationId = spec.reservationId ?? idOf(gateways[0]?.ip_reservation);
  if (reservationId) await deleteIfPresent(() => client.deleteIp(reservationId));
  await deleteIfPresent(() => client.deleteVlan(spec.vlanId));
}

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
