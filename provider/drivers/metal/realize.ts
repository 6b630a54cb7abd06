// The realization steps on an Equinix Metal metro, each idempotent: VPC → VRF; Subnet → VLAN +
// VRF IP reservation + VRF Metal Gateway; Attachment → port VLAN assignment; public LoadBalancer
// VIP → elastic IP reservation + project BGP + device BGP sessions (and the speaker's config).
// Lessons from existing tools (DESIGN.md §6): every object is tagged with its owner and a tagged
// object is adopted rather than created twice (POST has no idempotency key); a 200 does not prove a
// port change, so ports are re-read; teardown runs in reverse order and confirms each step; 403/404
// on delete means gone.
import { BGP_PASSWORD_PLACEHOLDER, birdSpeakerConfig, type SpeakerSession } from "../../speaker";
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

// Public LoadBalancer VIP → elastic IP reservation + local BGP for the backends that announce it

/** An elastic IP reservation that is not usable (denied, still awaiting review) or not as asked. */
export class ElasticIpError extends AnyvpcError {
  constructor(
    message: string,
    readonly reservationId: string | undefined,
    readonly state: string | undefined,
    fix?: string,
    cause?: ApiError,
  ) {
    super(
      message,
      {
        value: state,
        fix,
        status: cause?.status,
        method: cause?.method,
        path: cause?.path,
        requestId: cause?.requestId,
      },
      cause ? { cause } : undefined,
    );
  }
}

export interface ElasticIpSpec {
  owner: string;
  /** Addresses in the block: 1, 2, 4 ... 256 (a /32 ... /24). Default 1. */
  quantity?: number;
  /** Sent as the reservation's `details`. */
  description?: string;
}

export interface ElasticIp {
  id: string;
  /** The block's network address. */
  network: string;
  cidr: number;
  /** The block's first address: the VIP of a /32. */
  address: string;
}

const isPublicBlock = (r: T.IpReservation | T.VrfIpReservation): r is T.IpReservation =>
  r.type === "public_ipv4";

/**
 * A public IPv4 block (an elastic IP) in the site's metro, reserved with
 * `fail_on_approval_required` so that an over-quota request fails at once (422) instead of waiting
 * for a manual review, and tagged with its owner. A tagged reservation of the owner is adopted, so a
 * retried or crashed create never leaves a second one. A reservation still `pending` (requested
 * without the flag, e.g. by an older run) is waited for through the project's list, which is the
 * only read of a pending block the spec can describe; `denied`, or still pending at the timeout,
 * is an ElasticIpError, as is an adopted block of another size or metro.
 */
export async function ensureElasticIp(
  client: MetalClient,
  site: MetalSite,
  spec: ElasticIpSpec,
  poll: PollOptions = {},
): Promise<ElasticIp> {
  const quantity = spec.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 256 || (quantity & (quantity - 1)) !== 0) {
    throw new AnyvpcError(`an elastic IP block of ${String(quantity)} addresses cannot be reserved`, {
      value: quantity,
      fix: "ask for 1, 2, 4, 8, 16, 32, 64, 128 or 256 addresses",
    });
  }
  const cidr = 32 - Math.log2(quantity);
  const mine = async () =>
    (await client.listProjectIps(site.projectId, { types: ["public_ipv4"], include: "metro" }))
      .filter(isPublicBlock)
      .filter((r) => hasTag(r.tags, spec.owner));
  let created: T.IpReservation;
  try {
    created = await adoptOrCreate(
      async () => (await mine())[0],
      () =>
        client.requestPublicIps(site.projectId, {
          type: "public_ipv4",
          quantity,
          metro: site.metro,
          fail_on_approval_required: true,
          details: spec.description,
          tags: [ownerTag(spec.owner)],
        }),
    );
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 422)) throw e;
    throw new ElasticIpError(
      `no elastic IP (${quantity} address${quantity === 1 ? "" : "es"}) for ${spec.owner} in metro ${site.metro}: ${e.apiMessage}`,
      undefined,
      undefined,
      "raise the project's public IPv4 quota or free public addresses (requests that need approval are refused, not queued)",
      e,
    );
  }
  const metro = created.metro?.code;
  if (metro !== undefined && metro.toLowerCase() !== site.metro.toLowerCase()) {
    throw new ElasticIpError(
      `elastic IP ${created.id} of ${spec.owner} is in metro ${metro}, not ${site.metro}`,
      created.id,
      created.state,
      "delete it (deleteElasticIp) so that it can be reserved in the site's metro",
    );
  }
  if (created.cidr !== undefined && created.cidr !== cidr) {
    throw new ElasticIpError(
      `elastic IP ${created.id} of ${spec.owner} is a /${created.cidr}, not a /${cidr} (${quantity} addresses)`,
      created.id,
      created.state,
      "delete it (deleteElasticIp) so that it can be reserved with the new size",
    );
  }
  let block = created;
  if (block.state === "pending") {
    const deadline = Date.now() + (poll.timeoutMs ?? 120_000);
    while (block.state === "pending" && Date.now() <= deadline) {
      await sleep(poll.intervalMs ?? 1_000);
      const again = (await mine()).find((r) => r.id === created.id);
      if (!again) {
        throw new ElasticIpError(
          `elastic IP ${created.id} of ${spec.owner} disappeared while pending review`,
          created.id,
          undefined,
          "retry: a new reservation will be requested",
        );
      }
      block = again;
    }
  }
  if (block.state !== undefined && block.state !== "created") {
    const pending = block.state === "pending";
    throw new ElasticIpError(
      pending
        ? `elastic IP ${block.id} of ${spec.owner} is still pending: the request exceeds the project's public IPv4 quota and awaits Equinix's review`
        : `elastic IP ${block.id} of ${spec.owner} is ${block.state}, not created`,
      block.id,
      block.state,
      pending
        ? "wait for the review, or delete the reservation (deleteElasticIp) and raise the project's IP quota"
        : "delete the reservation (deleteElasticIp), raise the project's IP quota, and retry",
    );
  }
  const network = block.network ?? block.address;
  if (network === undefined) {
    throw new ElasticIpError(`elastic IP ${block.id} has no address`, block.id, block.state);
  }
  return { id: block.id, network, cidr: block.cidr ?? cidr, address: block.address ?? network };
}

/** Deletes an elastic IP reservation; 403/404 mean already gone. Unassign its addresses first. */
export async function deleteElasticIp(client: MetalClient, id: string): Promise<void> {
  await deleteIfPresent(() => client.deleteIp(id));
}

/** The project's BGP config, or a device session, is not what anyvpc needs. Never carries the md5. */
export class BgpError extends AnyvpcError {}

/** A project's BGP config as anyvpc reports it: whether a password is set, never the password. */
export interface ProjectBgp {
  id: string;
  /** `enabled`; `requested` while a global deployment awaits Equinix's review. */
  status: "requested" | "enabled" | "disabled";
  asn: number;
  deploymentType: "local" | "global";
  /** Routes each server may announce. */
  maxPrefix: number | undefined;
  md5Enabled: boolean;
}

/** BGP counts as configured only with an id and a status other than `disabled` (as the CCM does). */
const bgpActive = (c: T.BgpConfig | undefined): c is T.BgpConfig & { id: string } =>
  !!c && !!c.id && c.status !== "disabled";

/**
 * Enables BGP on the project (a project has one BGP config) unless it already is. An enabled
 * config with another ASN, deployment type or password is a BgpError that names both ASNs (never
 * a password): anyvpc cannot change it. A global deployment stays `requested` until Equinix reviews
 * it; sessions can be created only once it is `enabled`.
 */
export async function ensureProjectBgp(
  client: MetalClient,
  projectId: string,
  spec: { asn: number; md5?: string; deploymentType?: "local" | "global" },
): Promise<ProjectBgp> {
  const deploymentType = spec.deploymentType ?? "local";
  const find = async () => {
    const c = await client.getBgpConfig(projectId);
    return bgpActive(c) ? c : undefined;
  };
  const config = await adoptOrCreate(find, async () => {
    try {
      await client.enableBgp(projectId, { deployment_type: deploymentType, asn: spec.asn, md5: spec.md5 });
    } catch (e) {
      // Someone enabled it in between: compare what is there below.
      if (!(e instanceof ApiError && e.status === 422)) throw e;
      const now = await find();
      if (now) return now;
      throw e;
    }
    // 204 without a body: read it back (briefly, should the record lag behind).
    return pollUntil(
      () => client.getBgpConfig(projectId),
      bgpActive,
      `the BGP config of project ${projectId}`,
      { intervalMs: 200, timeoutMs: 10_000 },
    ) as Promise<T.BgpConfig & { id: string }>;
  });
  if (config.asn !== undefined && config.asn !== spec.asn) {
    throw new BgpError(
      `project ${projectId} already has BGP enabled with ASN ${config.asn}, but ASN ${spec.asn} was asked for; a project has one BGP config`,
      {
        value: spec.asn,
        fix: `use ASN ${config.asn} (the project's), or disable the project's BGP (Equinix console or support) before asking for ASN ${spec.asn}`,
      },
    );
  }
  if (spec.deploymentType !== undefined && config.deployment_type !== undefined) {
    if (config.deployment_type !== spec.deploymentType) {
      throw new BgpError(
        `project ${projectId} already has ${config.deployment_type} BGP (ASN ${config.asn ?? spec.asn}), not ${spec.deploymentType}`,
        {
          value: spec.deploymentType,
          fix: `ask for ${config.deployment_type} BGP, or disable the project's BGP first`,
        },
      );
    }
  }
  const md5Enabled = typeof config.md5 === "string" && config.md5.length > 0;
  // Compared, never shown. A config read without its md5 field cannot be compared.
  if (spec.md5 !== undefined && config.md5 !== undefined && (config.md5 ?? undefined) !== spec.md5) {
    throw new BgpError(
      `project ${projectId} already has BGP enabled (ASN ${config.asn ?? spec.asn}) ${md5Enabled ? "with another BGP password" : "without a BGP password"}`,
      {
        fix: "drop the password from the spec to use the project's, or disable the project's BGP and enable it again with the new password",
      },
    );
  }
  return {
    id: config.id,
    status: config.status ?? "enabled",
    asn: config.asn ?? spec.asn,
    deploymentType: config.deployment_type ?? deploymentType,
    maxPrefix: config.max_prefix,
    md5Enabled,
  };
}

export interface DeviceBgpSession {
  id: string;
  /** "unknown" until the switches see the host's speaker; then "up"/"down" per switch. */
  status: string;
}

/**
 * The device's BGP session of an address family (a device has at most one per family): adopted if
 * it exists, created otherwise. The API refuses a session (422) while project BGP is not enabled or
 * the device has no private IPv4 address; that is a BgpError with the API's message and status.
 */
export async function ensureDeviceBgpSession(
  client: MetalClient,
  deviceId: string,
  family: "ipv4",
): Promise<DeviceBgpSession> {
  const find = async () => (await client.listBgpSessions(deviceId)).find((s) => s.address_family === family);
  let session: T.BgpSession;
  try {
    session = await adoptOrCreate(find, async () => {
      try {
        return await client.createBgpSession(deviceId, { address_family: family, default_route: false });
      } catch (e) {
        // "already has session" (another run won the race): adopt what is there.
        if (!(e instanceof ApiError && e.status === 422)) throw e;
        const now = await find();
        if (now) return now;
        throw e;
      }
    });
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 422)) throw e;
    throw new BgpError(
      `device ${deviceId} cannot have an ${family} BGP session: ${e.apiMessage}`,
      {
        status: e.status,
        method: e.method,
        path: e.path,
        requestId: e.requestId,
        fix: "enable BGP on the project first (ensureProjectBgp; a global deployment must be reviewed and enabled), and give the device a private IPv4 address (a layer-3 or hybrid bond)",
      },
      { cause: e },
    );
  }
  return { id: session.id, status: session.status ?? "unknown" };
}

/** Deletes a device's BGP session; 403/404 mean already gone. */
export async function deleteDeviceBgpSession(client: MetalClient, id: string): Promise<void> {
  await deleteIfPresent(() => client.deleteBgpSession(id));
}

/** What a host's BGP speaker needs about one Metal BGP neighbor (one per session of the device). */
export interface BgpNeighborFacts {
  addressFamily: 4 | 6;
  /** The device's address to peer from (its private IPv4 for an ipv4 session). */
  customerIp: string | undefined;
  customerAs: number | undefined;
  /** Metal's routers (169.254.255.1 and .2 for ipv4); hosts need static routes to them via the private gateway. */
  peerIps: string[];
  peerAs: number | undefined;
  md5Enabled: boolean;
  multihop: boolean;
  routesIn?: { route: string; exact: boolean }[];
  routesOut?: { route: string; exact: boolean }[];
}

export interface BgpPeeringFacts {
  deviceId: string;
  neighbors: BgpNeighborFacts[];
  /**
   * SECRET: the project's BGP (MD5) password in plaintext, or undefined when none is set. Treat it
   * as a secret (wrap it with pulumi.secret, never log it). It is the only secret here and it is a
   * non-enumerable property: JSON.stringify, util.inspect and object spreads leave it out, so only
   * code that reads `facts.password` by name gets it.
   */
  readonly password: string | undefined;
}

/**
 * The peering facts of a device from GET /devices/{id}/bgp/neighbors: one entry per BGP session
 * (none without a session). The password is returned apart, in `password` (see there).
 */
export async function bgpPeeringFacts(client: MetalClient, deviceId: string): Promise<BgpPeeringFacts> {
  const raw = await client.getBgpNeighbors(deviceId);
  const routes = (list: T.BgpRoute[] | undefined) =>
    list?.map((r) => ({ route: r.route ?? "", exact: r.exact ?? false })).filter((r) => r.route !== "");
  const neighbors = raw.map((n): BgpNeighborFacts => {
    const facts: BgpNeighborFacts = {
      addressFamily: n.address_family === 6 ? 6 : 4,
      customerIp: n.customer_ip,
      customerAs: n.customer_as,
      peerIps: [...(n.peer_ips ?? [])],
      peerAs: n.peer_as,
      md5Enabled: n.md5_enabled ?? !!n.md5_password,
      multihop: n.multihop ?? false,
    };
    const routesIn = routes(n.routes_in);
    const routesOut = routes(n.routes_out);
    if (routesIn !== undefined) facts.routesIn = routesIn;
    if (routesOut !== undefined) facts.routesOut = routesOut;
    return facts;
  });
  const password = raw.map((n) => n.md5_password).find((p) => typeof p === "string" && p.length > 0);
  const out = { deviceId, neighbors } as BgpPeeringFacts;
  Object.defineProperty(out, "password", { value: password, enumerable: false, writable: false });
  return out;
}

function ipv4Number(text: string): number {
  return text.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Whether an IPv4 address lies inside an IPv4 prefix ("a.b.c.d/n"); false for anything else. */
function ipv4Within(address: string, prefix: string): boolean {
  const [net = "", lenText = "32"] = prefix.split("/");
  const len = Number(lenText);
  if (!IPV4.test(net) || !Number.isInteger(len) || len < 0 || len > 32) return false;
  const size = 2 ** (32 - len);
  return Math.floor(ipv4Number(address) / size) === Math.floor(ipv4Number(net) / size);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A BIRD 2 configuration that peers with the device's Metal BGP neighbors (ipv4 sessions) and
 * announces `vip` as a /32. The same facts serve MetalLB or kube-vip speakers. The snippet holds no
 * secret: where a password is needed it says `password "<from the bgpPassword output>";`, to be
 * replaced on the host with the secret `password` of the facts.
 */
export function speakerConfig(facts: BgpPeeringFacts, vip: string): string {
  const address = vip.trim().replace(/\/32$/, "");
  if (!IPV4.test(address)) {
    throw new AnyvpcError(`VIP ${vip} is not an IPv4 address`, {
      value: vip,
      fix: "give the elastic IP's address, e.g. 147.28.0.1",
    });
  }
  const v4 = facts.neighbors.filter((n) => n.addressFamily === 4 && n.peerIps.length > 0);
  const first = v4[0];
  if (!first) {
    throw new AnyvpcError(`device ${facts.deviceId} has no ipv4 BGP neighbors`, {
      fix: "create its ipv4 BGP session first (ensureDeviceBgpSession)",
    });
  }
  if (first.customerIp === undefined || first.customerAs === undefined || first.peerAs === undefined) {
    throw new AnyvpcError(`the ipv4 BGP neighbor data of device ${facts.deviceId} is incomplete`, {
      fix: "give the device a private IPv4 address and read the neighbors again",
    });
  }
  const routesIn = v4.flatMap((nb) => nb.routesIn ?? []);
  const notes =
    routesIn.length > 0 && !routesIn.some((r) => ipv4Within(address, r.route))
      ? [
          `Note: Metal accepts from this device only ${routesIn.map((r) => r.route).join(", ")};`,
          `${address}/32 is not inside them, so the announcement will be filtered until it is a project IP.`,
        ]
      : [];
  let n = 0;
  const sessions: SpeakerSession[] = v4.flatMap((neighbor) =>
    neighbor.peerIps.map((peer) => ({
      name: `metal_v4_${++n}`,
      description: `Equinix Metal ${peer}`,
      localAddress: neighbor.customerIp ?? first.customerIp!,
      localAsn: neighbor.customerAs ?? first.customerAs!,
      peerAddress: peer,
      peerAsn: neighbor.peerAs ?? first.peerAs!,
      multihop: neighbor.multihop,
      password: neighbor.md5Enabled,
    })),
  );
  return birdSpeakerConfig({
    vip: address,
    routerId: first.customerIp,
    header: [
      `BIRD 2 configuration written by anyvpc: announce ${address}/32 to Equinix Metal (device ${facts.deviceId}).`,
      `It holds no secret: the BGP password is left as a placeholder; replace it on the host with the`,
      `secret bgpPassword output.`,
      `On the host: put the VIP on the loopback (ip addr add ${address}/32 dev lo) and route the peers`,
      `via the private gateway (ip route add <peer>/32 via <private IPv4 gateway>) for each peer below.`,
    ],
    notes,
    sessions,
  });
}

export { BGP_PASSWORD_PLACEHOLDER };
