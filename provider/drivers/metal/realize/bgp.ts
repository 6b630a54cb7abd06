// Local BGP for the backends that announce a VIP: GET /projects/{id}/bgp-config, POST
// /projects/{id}/bgp-configs, GET/POST /devices/{id}/bgp/sessions, DELETE /bgp/sessions/{id},
// GET /devices/{id}/bgp/neighbors; and the host speaker's BIRD config from those facts.
import { BGP_PASSWORD_PLACEHOLDER, birdSpeakerConfig, type SpeakerSession } from "../../../speaker";
import { AnyvpcError, ApiError } from "../../../errors";
import { contains, parsePrefix, type Prefix } from "../../../ipam/prefix";
import type { MetalClient } from "../client";
import type * as T from "../types";
import { adoptOrCreate, deleteIfPresent, pollUntil } from "./common";

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

/** The /32 of an IPv4 address (four-part decimal, parsed by the planner); undefined for anything else. */
function ipv4Host(text: string): Prefix | undefined {
  const r = parsePrefix(`${text}/32`);
  return r.ok && r.prefix.version === 4 ? r.prefix : undefined;
}

/**
 * Whether an IPv4 host lies inside a route ("a.b.c.d/n", or a bare address as its /32). False for
 * anything the planner's parsePrefix refuses: another family, a bad length, host bits set.
 */
function ipv4Within(host: Prefix, route: string): boolean {
  const r = parsePrefix(route.includes("/") ? route : `${route}/32`);
  return r.ok && contains(r.prefix, host);
}

/**
 * A BIRD 2 configuration that peers with the device's Metal BGP neighbors (ipv4 sessions) and
 * announces `vip` as a /32. The same facts serve MetalLB or kube-vip speakers. The snippet holds no
 * secret: where a password is needed it says `password "<from the bgpPassword output>";`, to be
 * replaced on the host with the secret `password` of the facts.
 */
export function speakerConfig(facts: BgpPeeringFacts, vip: string): string {
  const address = vip.trim().replace(/\/32$/, "");
  const host = ipv4Host(address);
  if (!host) {
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
    routesIn.length > 0 && !routesIn.some((r) => ipv4Within(host, r.route))
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
