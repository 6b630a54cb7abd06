// A thin, typed client of the Equinix Metal API: one request function (auth, timeout, retries,
// typed errors with the token redacted), pagination for every list, and one method per endpoint
// anyvpc uses. Realization logic (adopt-or-create, teardown order) lives in realize.ts.
import axios, { type AxiosInstance } from "axios";
import { ApiError } from "../../errors";
import { send } from "../http";
import { defaultRetryPolicy, type RetryPolicy } from "../retry";
import type * as T from "./types";

export const defaultMetalBaseUrl = "https://api.equinix.com/metal/v1";

/** One line per HTTP attempt; never carries headers or bodies, so never a credential. */
export interface MetalLogLine {
  method: string;
  path: string;
  status: number;
  attempt: number;
  ms: number;
  requestId?: string;
  outcome: "ok" | "retry" | "error";
}

export interface MetalClientOptions {
  token: string;
  baseUrl?: string;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Page size for lists (the API allows up to 1000). */
  perPage?: number;
  log?: (line: MetalLogLine) => void;
  random?: () => number;
}

/** Query parameters; a list is sent as a repeated parameter (`types=a&types=b`, the spec's form style). */
type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Whether repeating the request is harmless; defaults to true for everything but POST. */
  idempotent?: boolean;
  /** Values besides the token (e.g. a BGP password in the body) that no message or log may carry. */
  secrets?: (string | undefined)[];
}

export interface MetalResponse<R> {
  status: number;
  data: R;
  requestId: string | undefined;
}

/** The API token: the site's own (a Pulumi secret in the fabric description), else METAL_AUTH_TOKEN. */
export function metalToken(siteToken: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const token = siteToken || env.METAL_AUTH_TOKEN;
  if (!token) {
    throw new Error(
      "no Equinix Metal API token: set the site's token as a secret in anyvpc:fabric, or METAL_AUTH_TOKEN",
    );
  }
  return token;
}

export class MetalClient {
  private readonly http: AxiosInstance;
  private readonly token: string;
  private readonly policy: RetryPolicy;
  private readonly perPage: number;
  private readonly log: (line: MetalLogLine) => void;
  private readonly random: () => number;

  constructor(opts: MetalClientOptions) {
    if (!opts.token) throw new Error("Metal API token is empty: set the site's token or METAL_AUTH_TOKEN");
    this.token = opts.token;
    this.policy = opts.retry ?? defaultRetryPolicy;
    this.perPage = opts.perPage ?? 100;
    this.log = opts.log ?? (() => undefined);
    this.random = opts.random ?? Math.random;
    this.http = axios.create({
      baseURL: (opts.baseUrl ?? defaultMetalBaseUrl).replace(/\/+$/, ""),
      timeout: opts.timeoutMs ?? 30_000,
      headers: { "X-Auth-Token": opts.token, Accept: "application/json", "User-Agent": "anyvpc" },
      validateStatus: () => true, // statuses are ours to judge
      paramsSerializer: { indexes: null }, // arrays as repeated keys, not `types[]=`
      transitional: { clarifyTimeoutError: true },
    });
  }

  /** Removes the token (and a request's other secrets) from any text that could reach a message or a log. */
  private redact(text: string, secrets: (string | undefined)[] = []): string {
    let out = text.split(this.token).join("[REDACTED]");
    for (const secret of secrets) {
      if (secret && secret.length >= 4) out = out.split(secret).join("[REDACTED]");
    }
    return out;
  }

  private apiMessage(data: unknown, fallback: string, secrets: (string | undefined)[] = []): string {
    if (data && typeof data === "object") {
      const d = data as { errors?: unknown; error?: unknown };
      if (Array.isArray(d.errors) && d.errors.length) {
        return this.redact(d.errors.map(String).join("; "), secrets);
      }
      if (typeof d.error === "string" && d.error) return this.redact(d.error, secrets);
    }
    if (typeof data === "string" && data.trim()) return this.redact(data.trim().slice(0, 300), secrets);
    return fallback;
  }

  /** Every Metal call goes through the shared request function; POSTs are not repeated unless the API proves it did nothing. */
  async request<R>(method: string, path: string, opts: RequestOptions = {}): Promise<MetalResponse<R>> {
    const idempotent = opts.idempotent ?? method !== "POST";
    const x = await send(
      this.http,
      { method, url: path, params: opts.query, data: opts.body },
      {
        policy: this.policy,
        idempotent,
        redact: (t) => this.redact(t, opts.secrets),
        random: this.random,
        onExchange: (e, outcome) =>
          this.log({
            method,
            path,
            status: e.status,
            attempt: e.attempt,
            ms: e.ms,
            requestId: e.headers["x-request-id"],
            outcome,
          }),
      },
    );
    const requestId = x.headers["x-request-id"];
    if (x.networkError === undefined && x.status < 400)
      return { status: x.status, data: x.data as R, requestId };
    // A POST that met a network error or a 5xx may have been carried out: say so.
    const ambiguous = x.networkError !== undefined || (!idempotent && x.status >= 500);
    throw new ApiError("Metal API", {
      status: x.status,
      method,
      path,
      apiMessage: x.networkError ?? this.apiMessage(x.data, `HTTP ${x.status}`, opts.secrets),
      requestId,
      ambiguous,
    });
  }

  /**
   * Every item of a list, following pages: by `meta` where the API sends it, otherwise until a
   * short page (several Metal lists have no `meta`).
   */
  async listAll<I>(path: string, key: string, query: Query = {}): Promise<I[]> {
    const items: I[] = [];
    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const { data } = await this.request<Record<string, unknown>>("GET", path, {
        query: { ...query, page, per_page: this.perPage },
      });
      const batch = (data?.[key] ?? []) as I[];
      const ids = batch.map((item) => (item as { id?: unknown })?.id).filter((id) => typeof id === "string");
      // A meta-less list whose endpoint ignores paging (some declare no page parameters) answers
      // everything at once, or the same page again: either way there is nothing more to fetch.
      if (page > 1 && ids.length > 0 && ids.every((id) => seen.has(id))) return items;
      ids.forEach((id) => seen.add(id));
      items.push(...batch);
      const meta = data?.meta as { last_page?: number; current_page?: number; next?: unknown } | undefined;
      if (meta && typeof meta.last_page === "number") {
        if ((meta.current_page ?? page) >= meta.last_page) return items;
      } else if (batch.length !== this.perPage) {
        return items;
      }
      if (page > 10_000) throw new Error(`${path}: more than 10,000 pages`);
    }
  }

  // VRFs
  listVrfs(projectId: string, metro?: string): Promise<T.Vrf[]> {
    return this.listAll(`/projects/${projectId}/vrfs`, "vrfs", { metro });
  }
  async createVrf(projectId: string, body: T.VrfCreateInput): Promise<T.Vrf> {
    return (await this.request<T.Vrf>("POST", `/projects/${projectId}/vrfs`, { body })).data;
  }
  async getVrf(id: string): Promise<T.Vrf> {
    return (await this.request<T.Vrf>("GET", `/vrfs/${id}`)).data;
  }
  async updateVrf(id: string, body: T.VrfUpdateInput): Promise<T.Vrf> {
    return (await this.request<T.Vrf>("PUT", `/vrfs/${id}`, { body })).data;
  }
  async deleteVrf(id: string): Promise<void> {
    await this.request("DELETE", `/vrfs/${id}`);
  }

  // VRF IP reservations, and IP reservations/assignments in general
  listVrfIpReservations(vrfId: string): Promise<T.VrfIpReservation[]> {
    return this.listAll(`/vrfs/${vrfId}/ips`, "ip_addresses");
  }
  async createVrfIpReservation(
    projectId: string,
    body: T.VrfIpReservationCreateInput,
  ): Promise<T.VrfIpReservation> {
    return (await this.request<T.VrfIpReservation>("POST", `/projects/${projectId}/ips`, { body })).data;
  }
  async requestPublicIps(projectId: string, body: T.PublicIpReservationInput): Promise<T.IpReservation> {
    return (await this.request<T.IpReservation>("POST", `/projects/${projectId}/ips`, { body })).data;
  }
  /**
   * The project's reservations (public, global, private and VRF ones), optionally only of some
   * `types`. `include` expands nested objects, e.g. "metro" to read the metro's code.
   */
  listProjectIps(
    projectId: string,
    opts: { types?: T.IpReservationType[]; include?: string } = {},
  ): Promise<(T.IpReservation | T.VrfIpReservation)[]> {
    return this.listAll(`/projects/${projectId}/ips`, "ip_addresses", {
      types: opts.types,
      include: opts.include,
    });
  }
  /**
   * An assignment or a reservation by id. The spec's answer is a oneOf that a `pending` public
   * reservation cannot satisfy (it also matches IPAssignment): read pending ones from the list.
   */
  async getIp(id: string): Promise<T.IpAssignment | T.IpReservation | T.VrfIpReservation> {
    return (await this.request<T.IpAssignment | T.IpReservation | T.VrfIpReservation>("GET", `/ips/${id}`))
      .data;
  }
  /** Deletes a reservation or, given an assignment id, unassigns the address. */
  async deleteIp(id: string): Promise<void> {
    await this.request("DELETE", `/ips/${id}`);
  }

  // VLANs (virtual networks)
  listVlans(projectId: string, metro?: string): Promise<T.VirtualNetwork[]> {
    return this.listAll(`/projects/${projectId}/virtual-networks`, "virtual_networks", { metro });
  }
  async createVlan(projectId: string, body: T.VirtualNetworkCreateInput): Promise<T.VirtualNetwork> {
    return (await this.request<T.VirtualNetwork>("POST", `/projects/${projectId}/virtual-networks`, { body }))
      .data;
  }
  async getVlan(id: string, include?: string): Promise<T.VirtualNetwork> {
    return (await this.request<T.VirtualNetwork>("GET", `/virtual-networks/${id}`, { query: { include } }))
      .data;
  }
  async deleteVlan(id: string): Promise<void> {
    await this.request("DELETE", `/virtual-networks/${id}`);
  }

  // Metal gateways
  listGateways(projectId: string): Promise<T.MetalGateway[]> {
    return this.listAll(`/projects/${projectId}/metal-gateways`, "metal_gateways", {
      include: "virtual_network,ip_reservation",
    });
  }
  async createVrfGateway(projectId: string, body: T.VrfMetalGatewayCreateInput): Promise<T.MetalGateway> {
    return (await this.request<T.MetalGateway>("POST", `/projects/${projectId}/metal-gateways`, { body }))
      .data;
  }
  async getGateway(id: string): Promise<T.MetalGateway> {
    return (await this.request<T.MetalGateway>("GET", `/metal-gateways/${id}`)).data;
  }
  async deleteGateway(id: string): Promise<void> {
    await this.request("DELETE", `/metal-gateways/${id}`);
  }

  // Ports
  async getPort(id: string): Promise<T.Port> {
    return (
      await this.request<T.Port>("GET", `/ports/${id}`, {
        query: { include: "virtual_networks,native_virtual_network" },
      })
    ).data;
  }
  async convertToLayer2(portId: string): Promise<T.Port> {
    return (
      await this.request<T.Port>("POST", `/ports/${portId}/convert/layer-2`, { body: {}, idempotent: true })
    ).data;
  }
  /**
   * Converts a bond port back to Layer 3 asking for `requestIps` (spec: POST
   * /ports/{id}/convert/layer-3, body PortConvertLayer3Input; VLANs must be unassigned first).
   */
  async convertToLayer3(portId: string, requestIps: readonly T.IpRequest[]): Promise<T.Port> {
    return (
      await this.request<T.Port>("POST", `/ports/${portId}/convert/layer-3`, {
        body: { request_ips: requestIps },
        idempotent: true,
      })
    ).data;
  }
  /** Puts a member port back into its bond (spec: POST /ports/{id}/bond). */
  async bondPort(portId: string): Promise<T.Port> {
    return (await this.request<T.Port>("POST", `/ports/${portId}/bond`, { idempotent: true })).data;
  }
  /** Takes one member port out of its bond (hybrid mode: the bond keeps Layer 3 and the device's addresses). */
  async disbondPort(portId: string): Promise<T.Port> {
    return (await this.request<T.Port>("POST", `/ports/${portId}/disbond`, { idempotent: true })).data;
  }
  async createVlanAssignmentBatch(
    portId: string,
    body: T.PortVlanAssignmentBatchCreateInput,
  ): Promise<T.PortVlanAssignmentBatch> {
    return (
      // Safe to repeat: a batch that already took effect makes the repeat a 422 ("already
      // assigned"), which callers settle by re-reading the port.
      (
        await this.request<T.PortVlanAssignmentBatch>("POST", `/ports/${portId}/vlan-assignments/batches`, {
          body,
          idempotent: true,
        })
      ).data
    );
  }
  async getVlanAssignmentBatch(portId: string, batchId: string): Promise<T.PortVlanAssignmentBatch> {
    return (
      await this.request<T.PortVlanAssignmentBatch>(
        "GET",
        `/ports/${portId}/vlan-assignments/batches/${batchId}`,
      )
    ).data;
  }

  // Devices and their addresses
  async getDevice(id: string): Promise<T.Device> {
    return (
      await this.request<T.Device>("GET", `/devices/${id}`, {
        query: { include: "ip_addresses,network_ports" },
      })
    ).data;
  }
  listDevices(projectId: string): Promise<T.Device[]> {
    return this.listAll(`/projects/${projectId}/devices`, "devices");
  }
  async assignIp(deviceId: string, address: string): Promise<T.IpAssignment> {
    return (await this.request<T.IpAssignment>("POST", `/devices/${deviceId}/ips`, { body: { address } }))
      .data;
  }
  listDeviceIps(deviceId: string): Promise<T.IpAssignment[]> {
    return this.listAll(`/devices/${deviceId}/ips`, "ip_addresses");
  }

  // Interconnections (Dedicated Ports) and their VRF virtual circuits
  async getConnection(id: string, include?: string): Promise<T.Interconnection> {
    return (await this.request<T.Interconnection>("GET", `/connections/${id}`, { query: { include } })).data;
  }
  listConnectionPorts(connectionId: string): Promise<T.InterconnectionPort[]> {
    return this.listAll(`/connections/${connectionId}/ports`, "ports");
  }
  /** The circuits of one port of the connection, by the port's id. */
  listPortVirtualCircuits(connectionId: string, portId: string): Promise<T.VirtualCircuit[]> {
    return this.listAll(`/connections/${connectionId}/ports/${portId}/virtual-circuits`, "virtual_circuits");
  }
  async createVrfVirtualCircuit(
    connectionId: string,
    portId: string,
    body: T.VrfVirtualCircuitCreateInput,
  ): Promise<T.VrfVirtualCircuit> {
    return (
      await this.request<T.VrfVirtualCircuit>(
        "POST",
        `/connections/${connectionId}/ports/${portId}/virtual-circuits`,
        { body, secrets: [body.md5] },
      )
    ).data;
  }
  async getVirtualCircuit(id: string): Promise<T.VirtualCircuit> {
    return (await this.request<T.VirtualCircuit>("GET", `/virtual-circuits/${id}`)).data;
  }
  /** Answers 202: the circuit stays readable as `deleting` until it is gone. */
  async deleteVirtualCircuit(id: string): Promise<void> {
    await this.request("DELETE", `/virtual-circuits/${id}`);
  }

  // BGP
  /**
   * The project's BGP config, or undefined when BGP was never enabled (the API answers 200 with an
   * empty body or structure). A disabled config comes back with status `disabled`. Its `md5` is the
   * password in plaintext: never log it.
   */
  async getBgpConfig(projectId: string): Promise<T.BgpConfig | undefined> {
    const { data } = await this.request<T.BgpConfig | "">("GET", `/projects/${projectId}/bgp-config`);
    return data && typeof data === "object" && data.id ? data : undefined;
  }
  /** Requests BGP for the project; the API answers 204 without a body: read the config back. */
  async enableBgp(projectId: string, body: T.BgpConfigRequestInput): Promise<void> {
    await this.request("POST", `/projects/${projectId}/bgp-configs`, { body, secrets: [body.md5] });
  }
  listBgpSessions(deviceId: string): Promise<T.BgpSession[]> {
    return this.listAll(`/devices/${deviceId}/bgp/sessions`, "bgp_sessions");
  }
  async createBgpSession(
    deviceId: string,
    body: { address_family: "ipv4" | "ipv6"; default_route?: boolean },
  ): Promise<T.BgpSession> {
    return (await this.request<T.BgpSession>("POST", `/devices/${deviceId}/bgp/sessions`, { body })).data;
  }
  async deleteBgpSession(id: string): Promise<void> {
    await this.request("DELETE", `/bgp/sessions/${id}`);
  }
  /** The peering data of the device's sessions (one per session); `md5_password` is plaintext: never log it. */
  async getBgpNeighbors(deviceId: string): Promise<T.BgpNeighbor[]> {
    const { data } = await this.request<{ bgp_neighbors?: T.BgpNeighbor[] }>(
      "GET",
      `/devices/${deviceId}/bgp/neighbors`,
    );
    return data?.bgp_neighbors ?? [];
  }
}
