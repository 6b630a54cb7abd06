// Dedicated interconnections and their VRF virtual circuits: GET /connections/{connection_id},
// GET /connections/{connection_id}/ports, GET/POST /connections/{connection_id}/ports/{port_id}/virtual-circuits,
// GET/DELETE /virtual-circuits/{id}. Interconnections come from the inventory; only VRF virtual
// circuits can be created (VLAN circuits answer 422).
import { randomUUID } from "node:crypto";
import {
  notFound,
  optString,
  optStringArray,
  paginate,
  param,
  reqInt,
  reqString,
  unprocessable,
  type Ctx,
  type Router,
} from "../http";
import {
  cidrContains,
  cidrOverlaps,
  formatCidr,
  formatIp,
  isNetworkAddress,
  parseCidr,
  parseIp,
  type Cidr,
} from "../ip";
import { renderInterconnection, renderInterconnectionPort, renderVirtualCircuit } from "../render";
import { iso, mustExist, type MetalStore } from "../state";
import type {
  InventoryInterconnection,
  InventoryInterconnectionPort,
  VirtualCircuitRecord,
  VrfRecord,
} from "../types";

const MAX_ASN = 4294967295;
const MD5_RULE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[a-zA-Z\d]{10,20}$/;
const IPV6_FIELDS = ["subnet_ipv6", "metal_ipv6", "customer_ipv6"] as const;

export function registerConnectionRoutes(router: Router): void {
  router
    .add("GET", "/connections/{connection_id}", (ctx) => ({
      status: 200,
      body: renderInterconnection(ctx.store, findConnection(ctx), ctx.inc),
    }))
    .add("GET", "/connections/{connection_id}/ports", (ctx) => {
      const connection = findConnection(ctx);
      // InterconnectionPortList has no meta; pages are still honoured, as on the other meta-less lists.
      const page = paginate(connection.ports, ctx.query, `/connections/${connection.id}/ports`);
      return {
        status: 200,
        body: {
          ports: page.items.map((p) => renderInterconnectionPort(ctx.store, connection, p, ctx.inc)),
        },
      };
    })
    .add("GET", "/connections/{connection_id}/ports/{port_id}/virtual-circuits", (ctx) => {
      const { connection, port } = findPort(ctx);
      const circuits = ctx.store.data.virtualCircuits.filter((vc) => vc.port_id === port.id);
      const page = paginate(
        circuits,
        ctx.query,
        `/connections/${connection.id}/ports/${port.id}/virtual-circuits`,
      );
      return {
        status: 200,
        body: { virtual_circuits: page.items.map((vc) => renderVirtualCircuit(ctx.store, vc, ctx.inc)) },
      };
    })
    .add("POST", "/connections/{connection_id}/ports/{port_id}/virtual-circuits", createVirtualCircuit)
    .add("GET", "/virtual-circuits/{id}", (ctx) => ({
      status: 200,
      body: renderVirtualCircuit(ctx.store, findCircuit(ctx), ctx.inc),
    }))
    .add("DELETE", "/virtual-circuits/{id}", deleteVirtualCircuit);
}

function findConnection(ctx: Ctx): InventoryInterconnection {
  return mustExist(ctx.store.interconnection(param(ctx, "connection_id")), "Interconnection");
}

function findPort(ctx: Ctx): { connection: InventoryInterconnection; port: InventoryInterconnectionPort } {
  const connection = findConnection(ctx);
  const port = connection.ports.find((p) => p.id === param(ctx, "port_id"));
  if (!port) throw notFound("Interconnection port not found");
  return { connection, port };
}

function findCircuit(ctx: Ctx): VirtualCircuitRecord {
  return mustExist(ctx.store.virtualCircuit(param(ctx, "id")), "Virtual circuit");
}

function createVirtualCircuit(ctx: Ctx) {
  const { store, body } = ctx;
  const { connection, port } = findPort(ctx);
  if (connection.type !== "dedicated") {
    throw unprocessable("Virtual circuits can only be created on dedicated interconnections");
  }
  const projectId = reqString(body, "project_id");
  if (projectId !== store.projectId) throw unprocessable(`Project ${projectId} not found`);
  const vrfId = optString(body, "vrf");
  const hasVnid = body.vnid !== undefined && body.vnid !== null;
  if (vrfId === undefined) {
    throw unprocessable(
      hasVnid ? "VLAN virtual circuits (vnid) are not supported by this simulator" : "vrf is required",
    );
  }
  if (hasVnid) throw unprocessable("vnid and vrf cannot both be given");
  for (const key of IPV6_FIELDS) {
    if (body[key] !== undefined && body[key] !== null) {
      throw unprocessable(`${key}: IPv6 peering is not supported by this simulator`);
    }
  }
  const nniVlan = reqInt(body, "nni_vlan");
  if (nniVlan < 2 || nniVlan > 4094) throw unprocessable("nni_vlan must be between 2 and 4094");
  const peerAsn = reqInt(body, "peer_asn");
  if (peerAsn < 0 || peerAsn > MAX_ASN) throw unprocessable(`peer_asn must be between 0 and ${MAX_ASN}`);
  const subnetText = reqString(body, "subnet");
  const md5 = optString(body, "md5");
  // The message never repeats the password.
  if (md5 !== undefined && !MD5_RULE.test(md5)) {
    throw unprocessable(
      "md5 must be 10-20 letters and digits with at least one lowercase, uppercase and digit",
    );
  }
  const name = optString(body, "name") ?? null;
  const description = optString(body, "description") ?? null;
  const tags = optStringArray(body, "tags") ?? [];
  const speed = body.speed;
  if (speed !== undefined && speed !== null && typeof speed !== "string" && typeof speed !== "number") {
    throw unprocessable("speed must be a string or a number");
  }

  const vrf = store.vrf(vrfId);
  if (!vrf) throw unprocessable(`VRF ${vrfId} not found`);
  if (vrf.metro !== connection.metro) {
    throw unprocessable(
      `VRF ${vrf.name} is in metro ${vrf.metro}, but interconnection ${connection.name} is in metro ${connection.metro}`,
    );
  }
  const subnet = checkSubnet(store, vrf, subnetText);
  const clash = store.data.virtualCircuits.find((vc) => vc.port_id === port.id && vc.nni_vlan === nniVlan);
  if (clash) {
    throw unprocessable(
      `NNI VLAN ${nniVlan} is already used on port ${port.name} by virtual circuit ${clash.id}`,
    );
  }
  const { metalIp, customerIp } = peeringAddresses(
    subnet,
    optString(body, "metal_ip"),
    optString(body, "customer_ip"),
  );

  const activateMs = ctx.knobs.vcActivateMs;
  const outcome = ctx.knobs.vcActivationFails ? "activation_failed" : "active";
  const vc: VirtualCircuitRecord = {
    id: randomUUID(),
    type: "vrf",
    connection_id: connection.id,
    port_id: port.id,
    vrf_id: vrf.id,
    name,
    description,
    nni_vlan: nniVlan,
    peer_asn: peerAsn,
    subnet: formatCidr(subnet),
    metal_ip: metalIp,
    customer_ip: customerIp,
    md5: md5 ?? null,
    speed: connection.speed,
    tags,
    status: activateMs <= 0 ? outcome : "pending",
    created_at: iso(ctx.now),
    updated_at: iso(ctx.now),
    activating_at: ctx.now + Math.floor(activateMs / 2),
    active_at: ctx.now + activateMs,
    outcome,
    delete_at: null,
  };
  store.data.virtualCircuits.push(vc);
  store.markDirty();
  return { status: 201, body: renderVirtualCircuit(store, vc, ctx.inc) };
}

/**
 * A /30 or /31 IPv4 network inside one of the VRF's ranges that overlaps neither a VRF IP
 * reservation nor another circuit's subnet of that VRF (a circuit's subnet is a VRF reservation).
 */
function checkSubnet(store: MetalStore, vrf: VrfRecord, text: string): Cidr {
  const subnet = parseCidr(text.trim());
  if (!subnet || subnet.family !== 4) throw unprocessable(`subnet ${text} is not an IPv4 CIDR`);
  if (subnet.prefix !== 30 && subnet.prefix !== 31) {
    throw unprocessable(`subnet ${text} must be a /30 or a /31`);
  }
  if (!isNetworkAddress(subnet)) throw unprocessable(`subnet ${text} is not a network address`);
  const ranges = vrf.ip_ranges.map((r) => parseCidr(r)).filter((c): c is Cidr => c !== undefined);
  if (!ranges.some((range) => cidrContains(range, subnet))) {
    throw unprocessable(`subnet ${text} is not inside any IP range of VRF ${vrf.name}`);
  }
  for (const r of store.data.ipReservations.filter((x) => x.vrf_id === vrf.id)) {
    const block = store.reservationCidr(r);
    if (block && cidrOverlaps(block, subnet)) {
      throw unprocessable(`subnet ${text} overlaps the VRF IP reservation ${formatCidr(block)}`);
    }
  }
  for (const other of store.virtualCircuitsOfVrf(vrf.id)) {
    const block = parseCidr(other.subnet);
    if (block && cidrOverlaps(block, subnet)) {
      throw unprocessable(
        `subnet ${text} overlaps the subnet ${other.subnet} of virtual circuit ${other.id}`,
      );
    }
  }
  return subnet;
}

/**
 * The Metal and customer addresses: by default the first and the last usable address; when one is
 * given, the other is the remaining usable address. A /30's network and broadcast are not usable.
 */
function peeringAddresses(
  subnet: Cidr,
  metalText: string | undefined,
  customerText: string | undefined,
): { metalIp: string; customerIp: string } {
  const usable =
    subnet.prefix === 31 ? [subnet.network, subnet.network + 1n] : [subnet.network + 1n, subnet.network + 2n];
  const [first = 0n, last = 0n] = usable;
  const pick = (key: string, text: string | undefined): bigint | undefined => {
    if (text === undefined) return undefined;
    const ip = parseIp(text.trim());
    if (!ip || ip.family !== 4 || !usable.includes(ip.value)) {
      throw unprocessable(`${key} ${text} is not a usable address of subnet ${formatCidr(subnet)}`);
    }
    return ip.value;
  };
  const other = (value: bigint) => (value === first ? last : first);
  const givenMetal = pick("metal_ip", metalText);
  const givenCustomer = pick("customer_ip", customerText);
  const metal = givenMetal ?? (givenCustomer !== undefined ? other(givenCustomer) : first);
  const customer = givenCustomer ?? other(metal);
  if (metal === customer) throw unprocessable("metal_ip and customer_ip must be different addresses");
  return { metalIp: formatIp(4, metal), customerIp: formatIp(4, customer) };
}

function deleteVirtualCircuit(ctx: Ctx) {
  const { store } = ctx;
  const vc = findCircuit(ctx);
  // A repeated DELETE while deleting keeps the original deadline.
  if (vc.delete_at === null) {
    vc.status = "deleting";
    vc.updated_at = iso(ctx.now);
    vc.delete_at = ctx.now + ctx.knobs.vcDeleteMs;
  }
  const body = renderVirtualCircuit(store, vc, ctx.inc);
  store.tick(ctx.now);
  store.markDirty();
  return { status: 202, body };
}
