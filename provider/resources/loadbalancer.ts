// LoadBalancer: a VIP that spreads its listener ports over backend attachments of one VPC. This
// file holds its handlers: validate (with what the site's kind supports) → plan the VIP (private:
// from the VPC's load balancer range; public: from the fabric's public pool; or handed out by the
// site, e.g. a Metal elastic IP) → check backend health from where the provider runs → the site's
// adapter realizes it (on switches: the VIP routed in the VPC's VRF to the backends in service,
// ECMP, or announced by the backends' BGP speakers; an ACL so the VIP answers only on its
// listeners) → outputs.
//
// Health: in ecmp mode, `read` (pulumi refresh, or up --refresh) probes each backend at the address
// the fabric description gives for its server; diff then sees the backends in service differ from
// the healthy ones, and the update takes unhealthy backends out of the route. With no backend known
// healthy or unknown, all stay in (fail open, as cloud load balancers do). In bgp mode health
// belongs to the backends' speakers, which withdraw the VIP.
import { InputError } from "../errors";
import type {
  AttachmentState,
  LoadBalancerArgs,
  LoadBalancerBackend,
  LoadBalancerState,
} from "../generated/schema";
import { probe } from "../health";
import { contains, prefix } from "../ipam/prefix";
import { owners, pools, records, type VpcRecord } from "../ledger/keys";
import { planAllocation, type PoolSpec } from "../ledger/ledger";
import { defaultSpeakerAsn, type SiteAdapter } from "../sites";
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
export { defaultSpeakerAsn };

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
  adapter: SiteAdapter;
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
  if (errors.length) return { errors };
  // What the site's kind can serve: the mode, a public or private VIP, a VIP chosen by the user.
  const adapter = ctx.sites.get(site);
  const { title, loadBalancer: can } = adapter.capabilities;
  const mode = args.mode ?? can.modes[0]!;
  if (!can.modes.includes(mode))
    fail(
      "mode",
      mode,
      `is not available at ${title} ${site}`,
      `Use ${can.modes.join(" or ")} (or leave mode out)`,
    );
  else if (args.public === true && !can.publicModes.includes(mode))
    fail(
      "mode",
      mode,
      `cannot serve a public VIP at ${title} ${site} yet`,
      `Use ${can.publicModes.join(" or ")} for public VIPs there`,
    );
  if (args.public !== true && !can.privateVips)
    fail(
      "public",
      args.public ?? false,
      `must be true at ${title} ${site}`,
      "It serves public VIPs only: set public: true",
    );
  if (args.vip !== undefined && !can.plansVip)
    fail(
      "vip",
      args.vip,
      `cannot be chosen at ${title} ${site}`,
      "Leave vip out: the site hands out the address",
    );
  return errors.length ? { errors } : { errors, resolved: { vpc, site, adapter, backends } };
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
    if (resolved && news.owner !== undefined && resolved.adapter.capabilities.loadBalancer.plansVip) {
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
  site: SiteAdapter,
  mode: string,
  backends: { attachment: string; ip: string; server?: string }[],
  listeners: Listener[],
  healthCheck: LoadBalancerArgs["healthCheck"],
): Promise<LoadBalancerBackend[]> {
  if (mode === "bgp")
    return Promise.resolve(
      backends.map((b) => ({ ...b, health: "unknown" as const, reason: speakersDecide })),
    );
  return checkHealth(site, backends, listeners, healthCheck);
}

const speakersDecide = "bgp mode: each backend's speaker announces the VIP and withdraws it when unhealthy";

/** Each backend's health, probed at its server's probe address (unknown without one). */
async function checkHealth(
  site: SiteAdapter,
  backends: { attachment: string; ip: string; server?: string }[],
  listeners: Listener[],
  healthCheck: LoadBalancerArgs["healthCheck"],
): Promise<LoadBalancerBackend[]> {
  return Promise.all(
    backends.map(async (b) => {
      const address = b.server ? site.loadBalancer.probeAddress(b.server) : undefined;
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
  const site = resolved.adapter;
  const can = site.capabilities.loadBalancer;
  let state: LoadBalancerState | undefined;
  try {
    // A site that hands out the VIP itself fills it in as it realizes the load balancer.
    const vip = can.plansVip ? await planVip(ctx, inputs, resolved.vpc) : "";
    const listeners = listenersOf(inputs);
    const mode = inputs.mode ?? can.modes[0]!;
    const backends = await healthOf(site, mode, asBackends(resolved), listeners, inputs.healthCheck);
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
    await setUsers(ctx, id, [], inputs.backends);
    Object.assign(
      state,
      await site.loadBalancer.realize(ctx, {
        id,
        state,
        vpc: resolved.vpc,
        speakerAsn: inputs.speakerAsn ?? defaultSpeakerAsn,
      }),
    );
    return { id, outs: state };
  } catch (e) {
    // Nothing stays behind, not on the fabric, not in the ledger; or, when an undo fails, the load
    // balancer is recorded with what it holds, for the next up or destroy.
    const made = state;
    return undoCreate({
      kind: "LoadBalancer",
      id,
      cause: e,
      undo: made ? [() => site.loadBalancer.unrealize(ctx, { id, state: made, vpc: resolved.vpc })] : [],
      release: async () => {
        await setUsers(ctx, id, inputs.backends, []);
        await ctx.ledger.release(owner);
      },
      partial: () => made && { ...made, realization: { ...made.realization, complete: false } },
    });
  }
}

export async function readLoadBalancer(
  ctx: ProviderContext,
  id: string,
  props: LoadBalancerState,
): Promise<{ id: string; props: LoadBalancerState }> {
  const site = ctx.sites.get(props.site);
  const backends = await healthOf(
    site,
    props.mode,
    props.backends.map(({ attachment, ip, server }) => ({ attachment, ip, ...(server ? { server } : {}) })),
    props.listeners,
    props.healthCheck as LoadBalancerArgs["healthCheck"],
  );
  const vpc = await ctx.ledger.getRecord<VpcRecord>(records.vpc, props.vpc);
  const complete = await site.loadBalancer.read(ctx, { id, state: props, vpc });
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
  const listeners = listenersOf(news);
  const backends = await healthOf(
    resolved.adapter,
    olds.mode,
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
  if (news.tags) state.tags = news.tags;
  else delete state.tags;
  await setUsers(
    ctx,
    id,
    olds.backends.map((b) => b.attachment),
    news.backends,
  );
  Object.assign(
    state,
    await resolved.adapter.loadBalancer.realize(ctx, {
      id,
      state,
      vpc: resolved.vpc,
      previous: olds,
      speakerAsn: news.speakerAsn ?? defaultSpeakerAsn,
    }),
  );
  return { outs: state };
}

export async function deleteLoadBalancer(
  ctx: ProviderContext,
  id: string,
  props: LoadBalancerState,
): Promise<void> {
  const vpc = await ctx.ledger.getRecord<VpcRecord>(records.vpc, props.vpc);
  await ctx.sites.get(props.site).loadBalancer.unrealize(ctx, { id, state: props, vpc });
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
