// LoadBalancer: a VIP that spreads its listener ports over backend attachments of one VPC. This
// file holds its handlers: validate → plan the VIP (private: from the VPC's load balancer range;
// public: from the fabric's public pool) → check backend health from where the provider runs →
// realize on the site's leaves (the VIP routed in the VPC's VRF to the backends in service, ECMP;
// an ACL on the backends' ports so the VIP answers only on its listeners) → outputs.
//
// At an Equinix Metal metro the VIP is an elastic IP (fail_on_approval_required), project BGP is
// enabled, each backend device gets a BGP session, and the outputs carry what each backend's
// speaker needs to announce the VIP (peers, ASNs, a BIRD snippet; the password as a secret):
// health there belongs to the speakers, which withdraw the VIP.
//
// Health: `read` (pulumi refresh, or up --refresh) probes each backend at the address the fabric
// description gives for its server; diff then sees the backends in service differ from the
// healthy ones, and the update takes unhealthy backends out of the route. With no backend known
// healthy or unknown, all stay in (fail open, as cloud load balancers do).
import { randomBytes } from "node:crypto";
import { ApiError, InputError } from "../errors";
import type {
  AttachmentState,
  LoadBalancerArgs,
  LoadBalancerBackend,
  LoadBalancerState,
} from "../generated/schema";
import {
  bgpPeeringFacts,
  deleteDeviceBgpSession,
  deleteElasticIp,
  ensureDeviceBgpSession,
  ensureElasticIp,
  ensureProjectBgp,
  ownerTag,
  speakerConfig,
} from "../drivers/metal/realize";
import { removeVipChanges, vipChanges, type VipIntent } from "../drivers/nvue/intent";
import { holds } from "../drivers/nvue/site";
import { probe } from "../health";
import { birdSpeakerConfig } from "../speaker";
import { contains, prefix } from "../ipam/prefix";
import { owners, pools, records, type VpcRecord } from "../ledger/keys";
import { planAllocation, type PoolSpec } from "../ledger/ledger";
import {
  asFailure,
  idFor,
  isUnknown,
  knownOnly,
  pendingInputs,
  toFailures,
  validateInputs,
  type CheckFailure,
  type DiffResult,
  type ProviderContext,
  type ResourceHandlers,
  undoCreate,
} from "./common";

/** The VPC's load balancer range: private VIPs come from it, so they never fragment subnet space. */
const lbRangeLength = 27;
/** The ASN the backends' speakers use in bgp mode unless speakerAsn says otherwise. */
export const defaultSpeakerAsn = 65200;

type Listener = LoadBalancerState["listeners"][number];

function listenersOf(args: Pick<LoadBalancerArgs, "listeners">): Listener[] {
  return args.listeners.map((l) => ({
    port: l.port,
    protocol: l.protocol ?? "tcp",
    targetPort: l.targetPort ?? l.port,
  }));
}

interface Resolved {
  vpc: VpcRecord;
  site: string;
  backends: { id: string; state: AttachmentState }[];
}

/** Listeners and backends each listed once: judged from the lists alone, known elements only. */
function duplicateErrors(args: Partial<LoadBalancerArgs>): InputError[] {
  const errors: InputError[] = [];
  const fail = (field: string, value: unknown, problem: string, fix: string) =>
    errors.push(new InputError({ resource: "LoadBalancer", field, value, problem, fix }));
  (args.listeners ?? []).forEach((l, i, all) => {
    if (isUnknown(l)) return; // a listener not known until apply is judged then
    const j = all.findIndex((o) => o.port === l.port && (o.protocol ?? "tcp") === (l.protocol ?? "tcp"));
    if (j < i)
      fail(
        `listeners[${i}].port`,
        l.port,
        `is declared twice (also listeners[${j}])`,
        "Give each listener its own port",
      );
  });
  (args.backends ?? []).forEach((b, i, all) => {
    if (!isUnknown(b) && all.indexOf(b) < i)
      fail(`backends[${i}]`, b, `is listed twice`, "List each backend once");
  });
  return errors;
}

/** Finds the VPC, the backends and the site; InputErrors name the field at fault. */
async function resolve(
  ctx: ProviderContext,
  args: Partial<LoadBalancerArgs>,
): Promise<{ resolved?: Resolved; errors: InputError[] }> {
  const errors: InputError[] = duplicateErrors(args);
  const fail = (field: string, value: unknown, problem: string, fix?: string) =>
    errors.push(new InputError({ resource: "LoadBalancer", field, value, problem, fix }));
  if (args.vpc === undefined) return { errors };
  const vpc = await ctx.ledger.getRecord<VpcRecord>(records.vpc, args.vpc);
  if (!vpc) {
    fail(
      "vpc",
      args.vpc,
      "is not a VPC anyvpc knows",
      "Pass the id of a Vpc created with anyvpc (vpc: prod.id)",
    );
    return { errors };
  }
  const backends: Resolved["backends"] = [];
  for (const [i, id] of (args.backends ?? []).entries()) {
    if (isUnknown(id)) continue;
    const state = await ctx.ledger.getRecord<AttachmentState>(records.attachment, id);
    if (!state)
      fail(`backends[${i}]`, id, "is not an Attachment anyvpc knows", "Pass Attachment ids, e.g. [n1.id]");
    else if (state.vpc !== args.vpc) {
      const other = await ctx.ledger.getRecord<VpcRecord>(records.vpc, state.vpc);
      fail(
        `backends[${i}]`,
        id,
        `is in VPC ${other?.name ?? state.vpc}, not in this load balancer's VPC ${vpc.name}`,
        "Backends must be attachments of the load balancer's VPC",
      );
    } else backends.push({ id, state });
  }
  const sites = [...new Set(backends.map((b) => b.state.site))];
  const site = args.site ?? sites[0] ?? vpc.sites[0]!;
  if (args.site === undefined && sites.length > 1)
    fail(
      "backends",
      args.backends,
      `are at several sites (${sites.join(", ")})`,
      "Give site, and backends at that site",
    );
  else if (sites.some((s) => s !== site))
    fail(
      "site",
      site,
      `is not where the backends are (${sites.join(", ")})`,
      "Use backends at the load balancer's site",
    );
  if (!vpc.sites.includes(site))
    fail("site", site, "is not one of the VPC's sites", `Use one of ${vpc.sites.join(", ")}`);
  else if (ctx.fabric.sites[site]?.kind === "equinix-metal") {
    // A Metal VIP is an elastic IP that the backends announce with BGP.
    if (args.public !== true)
      fail(
        "public",
        args.public ?? false,
        `must be true at the Equinix Metal site ${site}`,
        "Metal load balancers serve elastic IPs: set public: true",
      );
    if (args.vip !== undefined)
      fail(
        "vip",
        args.vip,
        `cannot be chosen at the Equinix Metal site ${site}`,
        "Leave vip out: Metal reserves the elastic IP",
      );
    if (args.mode === "ecmp")
      fail(
        "mode",
        "ecmp",
        `is not available at the Equinix Metal site ${site}`,
        "Use bgp (or leave mode out)",
      );
    backends.forEach((b, i) => {
      if (!b.state.target.device)
        fail(
          `backends[${i}]`,
          b.id,
          "is not a Metal device attachment",
          "Use attachments made with metalDevice",
        );
    });
  } else if (args.mode === "bgp" && args.public)
    fail(
      "mode",
      "bgp",
      "cannot serve a public VIP at a switch-fabric site yet",
      "Use ecmp for public VIPs there",
    );
  return errors.length ? { errors } : { errors, resolved: { vpc, site, backends } };
}

/** Why the VIP cannot be planned (outside its pool, taken, no public pool), if so: a dry run. */
async function vipError(ctx: ProviderContext, vpcId: string, vpc: VpcRecord, args: LoadBalancerArgs) {
  const fail = (field: string, value: unknown, problem: string, fix: string) =>
    new InputError({ resource: "LoadBalancer", field, value, problem, fix });
  if (args.public) {
    const pool = ctx.fabric.pools.publicIpv4;
    if (!pool) return fail("public", true, "needs a public VIP pool", "Set anyvpc:fabric.pools.publicIpv4");
    if (args.vip !== undefined && !contains(prefix(pool), prefix(`${args.vip}/32`)))
      return fail(
        "vip",
        args.vip,
        `is outside the public VIP pool ${pool}`,
        `Choose an address in ${pool}, or leave vip out`,
      );
    const existing = await ctx.ledger.list({ pool: pools.publicIpv4 });
    try {
      planAllocation(
        pools.publicIpv4,
        { kind: "prefix", parent: pool },
        existing,
        args.owner!,
        vipRequest(args),
      );
    } catch (e) {
      return asFailure("vip", args.vip ?? "(planned)", e);
    }
    return undefined;
  }
  if (args.vip === undefined) return undefined;
  if (!contains(prefix(vpc.cidr), prefix(`${args.vip}/32`)))
    return fail(
      "vip",
      args.vip,
      `is outside the VPC's ${vpc.cidr}`,
      `Choose an address in ${vpc.cidr} outside its subnets, or leave vip out`,
    );
  const existing = await ctx.ledger.list({ pool: pools.vpcIpv4Space(vpcId) });
  try {
    planAllocation(
      pools.vpcIpv4Space(vpcId),
      { kind: "prefix", parent: vpc.cidr },
      existing,
      args.owner!,
      vipRequest(args),
    );
  } catch (e) {
    return asFailure("vip", args.vip, e);
  }
  return undefined;
}

const asBackends = (r: Resolved) =>
  r.backends.map(({ id, state }) => ({
    attachment: id,
    ip: state.ip,
    ...(state.server ? { server: state.server } : {}),
  }));

const vipRequest = (args: LoadBalancerArgs) =>
  args.vip !== undefined ? { prefix: `${args.vip}/32` } : { length: 32 };

export async function checkLoadBalancer(
  ctx: ProviderContext,
  _olds: Partial<LoadBalancerState>,
  news: LoadBalancerArgs,
): Promise<{ inputs: LoadBalancerArgs; failures: CheckFailure[] }> {
  const errors = validateInputs("LoadBalancerArgs", "LoadBalancer", news);
  const known = knownOnly(news);
  // Where and how the VIP is served is judged with all of these known; backend ids one by one.
  const placementPending = (["vpc", "site", "public", "vip", "mode"] as const).some((k) =>
    pendingInputs(news).has(k),
  );
  if (errors.length === 0 && placementPending) errors.push(...duplicateErrors(known));
  if (errors.length === 0 && !placementPending) {
    const { resolved, errors: more } = await resolve(ctx, known);
    errors.push(...more);
    if (resolved && news.owner !== undefined && ctx.fabric.sites[resolved.site]?.kind === "nvue") {
      const e = await vipError(ctx, news.vpc, resolved.vpc, news);
      if (e) errors.push(e);
    }
  }
  return { inputs: news, failures: toFailures(errors) };
}

export async function diffLoadBalancer(
  _id: string,
  olds: LoadBalancerState,
  news: LoadBalancerArgs,
): Promise<DiffResult> {
  const replaces: string[] = [];
  if (news.vpc !== olds.vpc) replaces.push("vpc");
  if ((news.public ?? false) !== olds.public) replaces.push("public");
  if (news.vip !== undefined && news.vip !== olds.vip) replaces.push("vip");
  if (news.site !== undefined && news.site !== olds.site) replaces.push("site");
  // Switching between a routed VIP and speakers' announcements rebuilds it (no in-place path).
  if (news.mode !== undefined && news.mode !== olds.mode) replaces.push("mode");
  const changed = (a: unknown, b: unknown) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
  const updates =
    isUnknown(news.listeners) ||
    changed(listenersOf(news), olds.listeners) ||
    changed(
      news.backends,
      olds.backends.map((b) => b.attachment),
    ) ||
    changed(news.healthCheck, olds.healthCheck) ||
    changed(news.tags, olds.tags) ||
    (news.name !== undefined && news.name !== olds.name) ||
    (olds.mode === "bgp" &&
      (news.speakerAsn ?? defaultSpeakerAsn) !== (olds.bgpPeers?.[0]?.localAsn ?? defaultSpeakerAsn)) ||
    // Health as last read (refresh) calls for other backends in service: an update re-routes.
    changed(inServiceOf(olds.backends), olds.inService);
  return {
    changes: replaces.length > 0 || updates || !olds.realization.complete,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

/** The backends the VIP routes to: all but the unhealthy, or all when none is left (fail open). */
export function inServiceOf(backends: readonly LoadBalancerBackend[]): string[] {
  const up = backends.filter((b) => b.health !== "unhealthy").map((b) => b.ip);
  return up.length ? up : backends.map((b) => b.ip);
}

/** Each backend's health: probed in ecmp mode; in bgp mode the speakers' (they withdraw the VIP). */
function healthOf(
  ctx: ProviderContext,
  mode: string,
  site: string,
  backends: { attachment: string; ip: string; server?: string }[],
  listeners: Listener[],
  healthCheck: LoadBalancerArgs["healthCheck"],
): Promise<LoadBalancerBackend[]> {
  if (mode === "bgp")
    return Promise.resolve(
      backends.map((b) => ({ ...b, health: "unknown" as const, reason: speakersDecide })),
    );
  return checkHealth(ctx, site, backends, listeners, healthCheck);
}

/** Each backend's health, probed at its server's probe address (unknown without one). */
async function checkHealth(
  ctx: ProviderContext,
  site: string,
  backends: { attachment: string; ip: string; server?: string }[],
  listeners: Listener[],
  healthCheck: LoadBalancerArgs["healthCheck"],
): Promise<LoadBalancerBackend[]> {
  const config = ctx.fabric.sites[site];
  const servers = config?.kind === "nvue" ? config.servers : {};
  return Promise.all(
    backends.map(async (b) => {
      const address = b.server ? servers[b.server]?.probe : undefined;
      const base: LoadBalancerBackend = { ...b, health: "unknown" };
      if (!address)
        return {
          ...base,
          reason: `the fabric description gives no probe address for ${b.server ?? b.attachment}`,
        };
      const h = await probe({
        address,
        port: healthCheck?.port ?? listeners[0]!.targetPort,
        protocol: healthCheck?.protocol ?? "tcp",
        path: healthCheck?.path,
        timeoutMs: 1500,
      });
      return { ...base, ...h };
    }),
  );
}

function intentFor(
  ctx: ProviderContext,
  s: LoadBalancerState,
  vpc: Pick<VpcRecord, "vrf">,
  ports: Map<string, { ports: string[]; ips: string[] }>,
) {
  return (sw: string): VipIntent => ({
    vrf: vpc.vrf,
    vip: s.vip,
    nextHops: s.inService,
    listeners: s.listeners.map((l) => ({ port: l.port, protocol: l.protocol as "tcp" | "udp" })),
    acl: aclNameOf(s.owner),
    egress: ports.get(sw)?.ports ?? [],
    public: s.public,
    ...(s.mode === "bgp"
      ? { speakers: { asn: s.bgpPeers?.[0]?.localAsn ?? defaultSpeakerAsn, peers: ports.get(sw)?.ips ?? [] } }
      : {}),
  });
}

const aclNameOf = (owner: string) => idFor("lb", owner);

/** The backends' switch ports and addresses, by switch. */
async function backendPorts(
  ctx: ProviderContext,
  backends: readonly LoadBalancerBackend[],
): Promise<Map<string, { ports: string[]; ips: string[] }>> {
  const out = new Map<string, { ports: string[]; ips: string[] }>();
  for (const b of backends) {
    const a = await ctx.ledger.getRecord<AttachmentState>(records.attachment, b.attachment);
    if (!a?.target.switch || !a.target.interface) continue;
    const at = out.get(a.target.switch) ?? { ports: [], ips: [] };
    if (!at.ports.includes(a.target.interface)) at.ports.push(a.target.interface);
    at.ips.push(a.ip);
    out.set(a.target.switch, at);
  }
  return out;
}

async function realize(
  ctx: ProviderContext,
  s: LoadBalancerState,
  vpc: VpcRecord,
  previous?: LoadBalancerState,
): Promise<LoadBalancerState["realization"]> {
  const site = ctx.sites.get(s.site);
  if (site.kind !== "nvue")
    throw new InputError({
      resource: "LoadBalancer",
      field: "site",
      value: s.site,
      problem: "is not a switch-fabric site",
    });
  const now = intentFor(ctx, s, vpc, await backendPorts(ctx, s.backends));
  const before = previous && intentFor(ctx, previous, vpc, await backendPorts(ctx, previous.backends));
  await site.nvue.ensureAll(
    new Map(site.nvue.switchNames.map((sw) => [sw, vipChanges(now(sw), before?.(sw))])),
  );
  // A port no longer a backend keeps no empty ACL container of ours.
  for (const sw of before ? site.nvue.switchNames : [])
    for (const port of before!(sw).egress.filter((p) => !now(sw).egress.includes(p)))
      await site.nvue.removeIfEmpty(sw, ["interface", port, "acl"], ["interface", port]);
  return { complete: true, switches: site.nvue.switchNames };
}

async function unrealize(
  ctx: ProviderContext,
  s: LoadBalancerState,
  vpc: Pick<VpcRecord, "vrf">,
): Promise<void> {
  const site = ctx.sites.get(s.site);
  if (site.kind !== "nvue") return;
  const ports = await backendPorts(ctx, s.backends);
  const intent = intentFor(ctx, s, vpc, ports);
  await site.nvue.ensureAll(new Map(site.nvue.switchNames.map((sw) => [sw, removeVipChanges(intent(sw))])));
  for (const [sw, at] of ports)
    for (const port of at.ports)
      await site.nvue.removeIfEmpty(sw, ["interface", port, "acl"], ["interface", port]);
  if (s.mode === "bgp")
    for (const sw of site.nvue.switchNames) {
      await site.nvue.removeIfEmpty(sw, ["router", "policy", "route-map"]);
      await site.nvue.removeIfEmpty(sw, ["router", "policy", "prefix-list"], ["router", "policy"]);
    }
}

async function setUsers(
  ctx: ProviderContext,
  lbId: string,
  before: readonly string[],
  after: readonly string[],
) {
  for (const b of new Set([...before, ...after])) {
    await ctx.ledger.updateRecord<string[]>(records.backendUsers, b, (current) => {
      const users = (current ?? []).filter((u) => u !== lbId);
      if (after.includes(b)) users.push(lbId);
      return users.length ? users : undefined;
    });
  }
}

async function planVip(ctx: ProviderContext, inputs: LoadBalancerArgs, vpc: VpcRecord): Promise<string> {
  const owner = inputs.owner!;
  if (inputs.public) {
    const spec: PoolSpec = { kind: "prefix", parent: ctx.fabric.pools.publicIpv4! };
    return (await ctx.ledger.allocate(pools.publicIpv4, spec, owner, vipRequest(inputs))).value.split(
      "/",
    )[0]!;
  }
  const vpcSpace: PoolSpec = { kind: "prefix", parent: vpc.cidr };
  if (inputs.vip !== undefined)
    return (
      await ctx.ledger.allocate(pools.vpcIpv4Space(inputs.vpc), vpcSpace, owner, vipRequest(inputs))
    ).value.split("/")[0]!;
  // The range is held for the VPC (released with it), shared by all its load balancers.
  const range = await ctx.ledger.allocate(
    pools.vpcIpv4Space(inputs.vpc),
    vpcSpace,
    owners.lbRange(vpc.owner),
    {
      length: lbRangeLength,
    },
  );
  const vip = await ctx.ledger.allocate(
    pools.vpcVips(inputs.vpc),
    { kind: "prefix", parent: range.value },
    owner,
    {
      length: 32,
    },
  );
  return vip.value.split("/")[0]!;
}

export async function createLoadBalancer(
  ctx: ProviderContext,
  inputs: LoadBalancerArgs,
): Promise<{ id: string; outs: LoadBalancerState }> {
  const owner = inputs.owner;
  if (!owner)
    throw new Error(
      "LoadBalancer inputs carry no owner; create LoadBalancer resources through the anyvpc SDK",
    );
  const { resolved, errors } = await resolve(ctx, inputs);
  if (!resolved)
    throw (
      errors[0] ??
      new InputError({
        resource: "LoadBalancer",
        field: "vpc",
        value: inputs.vpc,
        problem: "cannot be resolved",
      })
    );
  const id = idFor("loadbalancer", owner);
  if (ctx.fabric.sites[resolved.site]?.kind === "equinix-metal")
    return createOnMetal(ctx, id, inputs, resolved);
  let state: LoadBalancerState | undefined;
  try {
    const vip = await planVip(ctx, inputs, resolved.vpc);
    const listeners = listenersOf(inputs);
    const mode = inputs.mode ?? "ecmp";
    const backends = await healthOf(
      ctx,
      mode,
      resolved.site,
      asBackends(resolved),
      listeners,
      inputs.healthCheck,
    );
    state = {
      mode,
      vpc: inputs.vpc,
      site: resolved.site,
      name: inputs.name ?? owner.split("/").pop()!,
      public: inputs.public ?? false,
      vip,
      listeners,
      backends,
      inService: inServiceOf(backends),
      owner,
      realization: { complete: false },
    };
    if (inputs.healthCheck) state.healthCheck = { ...inputs.healthCheck };
    if (inputs.tags) state.tags = inputs.tags;
    if (mode === "bgp")
      Object.assign(state, await speakersOnLeaves(ctx, state, inputs.speakerAsn ?? defaultSpeakerAsn));
    await setUsers(ctx, id, [], inputs.backends);
    state.realization = await realize(ctx, state, resolved.vpc);
    return { id, outs: state };
  } catch (e) {
    // Nothing stays behind, not on the leaves, not in the ledger; or, when an undo fails, the load
    // balancer is recorded with what it holds, for the next up or destroy.
    const made = state;
    return undoCreate({
      kind: "LoadBalancer",
      id,
      cause: e,
      undo: made ? [() => unrealize(ctx, made, resolved.vpc)] : [],
      release: async () => {
        await setUsers(ctx, id, inputs.backends, []);
        await ctx.ledger.release(owner);
      },
      partial: () => made && { ...made, realization: { ...made.realization, complete: false } },
    });
  }
}

/** bgp mode at a switch site: each backend's speaker peers with its leaf at the subnet's gateway. */
async function speakersOnLeaves(
  ctx: ProviderContext,
  s: LoadBalancerState,
  speakerAsn: number,
): Promise<Pick<LoadBalancerState, "bgpPeers" | "speakerConfig">> {
  const config = ctx.fabric.sites[s.site];
  const siteAsn = config?.kind === "nvue" ? config.asn : 0;
  const peers: NonNullable<LoadBalancerState["bgpPeers"]> = [];
  const configs: string[] = [];
  for (const b of s.backends) {
    const a = await ctx.ledger.getRecord<AttachmentState>(records.attachment, b.attachment);
    if (!a) continue;
    const name = a.server ?? a.target.interface ?? b.attachment;
    peers.push({
      attachment: b.attachment,
      server: name,
      localAddress: a.ip,
      localAsn: speakerAsn,
      peerAddresses: [a.gateway],
      peerAsn: siteAsn,
      multihop: false,
    });
    configs.push(
      `# --- ${name} ---\n` +
        birdSpeakerConfig({
          vip: s.vip,
          routerId: a.ip,
          header: [
            `BIRD 2 configuration written by anyvpc: announce ${s.vip}/32 to the leaf of ${name}.`,
            `On the host: put the VIP on the loopback (ip addr add ${s.vip}/32 dev lo) and run the`,
            `service on the listener ports; stop announcing (birdc disable leaf) to drain it.`,
          ],
          sessions: [
            {
              name: "leaf",
              description: `leaf gateway ${a.gateway}`,
              localAddress: a.ip,
              localAsn: speakerAsn,
              peerAddress: a.gateway,
              peerAsn: siteAsn,
              multihop: false,
              password: false,
            },
          ],
        }),
    );
  }
  return { bgpPeers: peers, speakerConfig: configs.join("\n") };
}

// Equinix Metal: an elastic IP announced by the backends' BGP speakers

const speakersDecide = "bgp mode: each backend's speaker announces the VIP and withdraws it when unhealthy";

/** Reserves the elastic IP, enables project BGP and a session per backend device; returns what the speakers need. */
async function realizeOnMetal(
  ctx: ProviderContext,
  s: LoadBalancerState,
  speakerAsn: number,
): Promise<Pick<LoadBalancerState, "vip" | "realization" | "bgpPeers" | "speakerConfig" | "bgpPassword">> {
  const site = ctx.sites.get(s.site);
  if (site.kind !== "equinix-metal") throw new Error(`site ${s.site} is not an Equinix Metal metro`);
  const eip = await ensureElasticIp(site.metal, site.site, {
    owner: s.owner,
    description: `anyvpc ${s.name}`,
  });
  // The project's BGP sessions get a password when anyvpc is the one enabling BGP; a project whose
  // BGP someone else enabled keeps its own (the neighbours' facts carry it either way).
  const enabled = await site.metal.getBgpConfig(site.site.projectId);
  const fresh = !enabled || !["enabled", "requested"].includes(enabled.status ?? "");
  await ensureProjectBgp(site.metal, site.site.projectId, {
    asn: speakerAsn,
    ...(fresh ? { md5: bgpPasswordFor() } : {}),
  });
  const peers: NonNullable<LoadBalancerState["bgpPeers"]> = [];
  const configs: string[] = [];
  const sessionIds: string[] = [];
  let password: string | undefined;
  for (const b of s.backends) {
    const att = await ctx.ledger.getRecord<AttachmentState>(records.attachment, b.attachment);
    const device = att?.target.device;
    if (!device) continue;
    sessionIds.push((await ensureDeviceBgpSession(site.metal, device, "ipv4")).id);
    const facts = await bgpPeeringFacts(site.metal, device);
    for (const n of facts.neighbors.filter((x) => x.addressFamily === 4 && x.customerIp !== undefined)) {
      peers.push({
        attachment: b.attachment,
        server: att.target.hostname ?? device,
        localAddress: n.customerIp!,
        localAsn: n.customerAs ?? speakerAsn,
        peerAddresses: n.peerIps,
        peerAsn: n.peerAs ?? 0,
        multihop: n.multihop,
      });
    }
    configs.push(`# --- ${att.target.hostname ?? device} ---\n${speakerConfig(facts, eip.address)}`);
    password ??= facts.password;
  }
  return {
    vip: eip.address,
    realization: { complete: true, reservationId: eip.id, sessionIds },
    bgpPeers: peers,
    speakerConfig: configs.join("\n"),
    ...(password ? { bgpPassword: password } : {}),
  };
}

/** A BGP password as Metal wants it: 10-20 letters and digits, with a lower, an upper and a digit. */
function bgpPasswordFor(): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(13);
  return "aZ7" + [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Removes the sessions of backends no other load balancer uses, and (with `all`) the elastic IP. */
async function unrealizeOnMetal(
  ctx: ProviderContext,
  lbId: string,
  s: LoadBalancerState,
  leaving: readonly string[],
  all: boolean,
): Promise<void> {
  const site = ctx.sites.get(s.site);
  if (site.kind !== "equinix-metal") return;
  for (const attachment of leaving) {
    const others = ((await ctx.ledger.getRecord<string[]>(records.backendUsers, attachment)) ?? []).filter(
      (u) => u !== lbId,
    );
    const device = (await ctx.ledger.getRecord<AttachmentState>(records.attachment, attachment))?.target
      .device;
    if (others.length || !device) continue;
    // A device that is gone has no sessions left; any other failure is the caller's to see.
    const sessions = await site.metal.listBgpSessions(device).catch((e: unknown) => {
      if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return [];
      throw e;
    });
    for (const session of sessions) await deleteDeviceBgpSession(site.metal, session.id);
  }
  if (all && s.realization.reservationId) await deleteElasticIp(site.metal, s.realization.reservationId);
}

async function createOnMetal(
  ctx: ProviderContext,
  id: string,
  inputs: LoadBalancerArgs,
  resolved: Resolved,
): Promise<{ id: string; outs: LoadBalancerState }> {
  const state: LoadBalancerState = {
    mode: "bgp",
    vpc: inputs.vpc,
    site: resolved.site,
    name: inputs.name ?? inputs.owner!.split("/").pop()!,
    public: true,
    vip: "",
    listeners: listenersOf(inputs),
    backends: asBackends(resolved).map((b) => ({ ...b, health: "unknown" as const, reason: speakersDecide })),
    inService: [],
    owner: inputs.owner!,
    realization: { complete: false },
  };
  state.inService = inServiceOf(state.backends);
  if (inputs.tags) state.tags = inputs.tags;
  try {
    await setUsers(ctx, id, [], inputs.backends);
    Object.assign(state, await realizeOnMetal(ctx, state, inputs.speakerAsn ?? defaultSpeakerAsn));
    return { id, outs: state };
  } catch (e) {
    // What the create made goes again: sessions no other load balancer needs, the elastic IP.
    const site = ctx.sites.get(resolved.site);
    return undoCreate({
      kind: "LoadBalancer",
      id,
      cause: e,
      undo: [
        () => unrealizeOnMetal(ctx, id, state, inputs.backends, false),
        async () => {
          if (site.kind !== "equinix-metal") return;
          const tag = ownerTag(state.owner);
          const mine = await site.metal.listProjectIps(site.site.projectId, { types: ["public_ipv4"] });
          for (const ip of mine.filter((x) => (x.tags ?? []).includes(tag)))
            await deleteElasticIp(site.metal, ip.id);
        },
      ],
      release: () => setUsers(ctx, id, inputs.backends, []),
      partial: () => ({ ...state, realization: { ...state.realization, complete: false } }),
    });
  }
}

export async function readLoadBalancer(
  ctx: ProviderContext,
  id: string,
  props: LoadBalancerState,
): Promise<{ id: string; props: LoadBalancerState }> {
  if (ctx.fabric.sites[props.site]?.kind === "equinix-metal") {
    const site = ctx.sites.get(props.site);
    let complete = false;
    if (site.kind === "equinix-metal" && props.realization.reservationId) {
      const reserved = await site.metal.getIp(props.realization.reservationId).then(
        () => true,
        () => false,
      );
      complete = reserved;
      for (const b of props.backends) {
        const device = (await ctx.ledger.getRecord<AttachmentState>(records.attachment, b.attachment))?.target
          .device;
        if (device)
          complete &&= (await site.metal.listBgpSessions(device)).some((x) => x.address_family === "ipv4");
      }
    }
    return { id, props: { ...props, realization: { ...props.realization, complete } } };
  }
  const backends = await healthOf(
    ctx,
    props.mode,
    props.site,
    props.backends.map(({ attachment, ip, server }) => ({ attachment, ip, ...(server ? { server } : {}) })),
    props.listeners,
    props.healthCheck as LoadBalancerArgs["healthCheck"],
  );
  const site = ctx.sites.get(props.site);
  let complete = false;
  const vpc = await ctx.ledger.getRecord<VpcRecord>(records.vpc, props.vpc);
  if (site.kind === "nvue" && vpc) {
    const intent = intentFor(ctx, props, vpc, await backendPorts(ctx, props.backends));
    complete = true;
    for (const sw of site.nvue.switchNames)
      for (const c of vipChanges(intent(sw))) complete &&= holds(await site.nvue.read(sw, c.path), c.value);
  }
  return { id, props: { ...props, backends, realization: { ...props.realization, complete } } };
}

export async function updateLoadBalancer(
  ctx: ProviderContext,
  id: string,
  olds: LoadBalancerState,
  news: LoadBalancerArgs,
): Promise<{ outs: LoadBalancerState }> {
  const { resolved, errors } = await resolve(ctx, news);
  if (!resolved) throw errors[0]!;
  if (ctx.fabric.sites[olds.site]?.kind === "equinix-metal") {
    const state: LoadBalancerState = {
      ...olds,
      name: news.name ?? olds.name,
      listeners: listenersOf(news),
      backends: asBackends(resolved).map((b) => ({
        ...b,
        health: "unknown" as const,
        reason: speakersDecide,
      })),
    };
    state.inService = inServiceOf(state.backends);
    if (news.tags) state.tags = news.tags;
    else delete state.tags;
    const before = olds.backends.map((b) => b.attachment);
    await setUsers(ctx, id, before, news.backends);
    Object.assign(state, await realizeOnMetal(ctx, state, news.speakerAsn ?? defaultSpeakerAsn));
    await unrealizeOnMetal(
      ctx,
      id,
      olds,
      before.filter((b) => !news.backends.includes(b)),
      false,
    );
    return { outs: state };
  }
  const listeners = listenersOf(news);
  const backends = await healthOf(
    ctx,
    olds.mode,
    olds.site,
    asBackends(resolved),
    listeners,
    news.healthCheck,
  );
  const state: LoadBalancerState = {
    ...olds,
    name: news.name ?? olds.name,
    listeners,
    backends,
    inService: inServiceOf(backends),
  };
  if (news.healthCheck) state.healthCheck = { ...news.healthCheck };
  else delete state.healthCheck;
  if (olds.mode === "bgp")
    Object.assign(state, await speakersOnLeaves(ctx, state, news.speakerAsn ?? defaultSpeakerAsn));
  if (news.tags) state.tags = news.tags;
  else delete state.tags;
  await setUsers(
    ctx,
    id,
    olds.backends.map((b) => b.attachment),
    news.backends,
  );
  state.realization = await realize(ctx, state, resolved.vpc, olds);
  return { outs: state };
}

export async function deleteLoadBalancer(
  ctx: ProviderContext,
  id: string,
  props: LoadBalancerState,
): Promise<void> {
  const vpc = await ctx.ledger.getRecord<VpcRecord>(records.vpc, props.vpc);
  if (ctx.fabric.sites[props.site]?.kind === "equinix-metal")
    await unrealizeOnMetal(
      ctx,
      id,
      props,
      props.backends.map((b) => b.attachment),
      true,
    );
  else if (vpc) await unrealize(ctx, props, vpc);
  await setUsers(
    ctx,
    id,
    props.backends.map((b) => b.attachment),
    [],
  );
  await ctx.ledger.release(props.owner);
}

export const loadBalancerHandlers: ResourceHandlers<LoadBalancerArgs, LoadBalancerState> = {
  check: checkLoadBalancer,
  diff: diffLoadBalancer,
  create: createLoadBalancer,
  read: readLoadBalancer,
  update: updateLoadBalancer,
  delete: deleteLoadBalancer,
};
