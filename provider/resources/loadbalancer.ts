// LoadBalancer: a VIP that spreads its listener ports over backend attachments of one VPC. This
// file holds its handlers: validate → plan the VIP (private: from the VPC's load balancer range;
// public: from the fabric's public pool) → check backend health from where the provider runs →
// realize on the site's leaves (the VIP routed in the VPC's VRF to the backends in service, ECMP;
// an ACL on the backends' ports so the VIP answers only on its listeners) → outputs.
//
// Health: `read` (pulumi refresh, or up --refresh) probes each backend at the address the fabric
// description gives for its server; diff then sees the backends in service differ from the
// healthy ones, and the update takes unhealthy backends out of the route. With no backend known
// healthy or unknown, all stay in (fail open, as cloud load balancers do).
import { InputError } from "../errors";
import type {
  AttachmentState,
  LoadBalancerArgs,
  LoadBalancerBackend,
  LoadBalancerState,
} from "../generated/schema";
import { removeVipChanges, vipChanges, type VipIntent } from "../drivers/nvue/intent";
import { holds } from "../drivers/nvue/site";
import { probe } from "../health";
import { contains, prefix } from "../ipam/prefix";
import { planAllocation, type PoolSpec } from "../ledger/ledger";
import {
  asFailure,
  idFor,
  isUnknown,
  knownOnly,
  toFailures,
  validateInputs,
  type CheckFailure,
  type DiffResult,
  type ProviderContext,
  type ResourceHandlers,
} from "./common";
import { ipv4Pool } from "./subnet";
import { lbRangeOwner, type VpcRecord } from "./vpc";

/** The VPC's load balancer range: private VIPs come from it, so they never fragment subnet space. */
const lbRangeLength = 27;
const vipPool = (vpc: string) => `vpc/${vpc}/vips`;
export const publicVipPool = "public-ipv4";
/** Which load balancers use an attachment as a backend (an attachment in use cannot be deleted). */
export const backendUsers = "backend-users";

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

/** Finds the VPC, the backends and the site; InputErrors name the field at fault. */
async function resolve(
  ctx: ProviderContext,
  args: Partial<LoadBalancerArgs>,
): Promise<{ resolved?: Resolved; errors: InputError[] }> {
  const errors: InputError[] = [];
  const fail = (field: string, value: unknown, problem: string, fix?: string) =>
    errors.push(new InputError({ resource: "LoadBalancer", field, value, problem, fix }));
  (args.listeners ?? []).forEach((l, i, all) => {
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
  if (args.vpc === undefined) return { errors };
  const vpc = await ctx.ledger.getRecord<VpcRecord>("vpc", args.vpc);
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
    const state = await ctx.ledger.getRecord<AttachmentState>("attachment", id);
    if (!state)
      fail(`backends[${i}]`, id, "is not an Attachment anyvpc knows", "Pass Attachment ids, e.g. [n1.id]");
    else if (state.vpc !== args.vpc) {
      const other = await ctx.ledger.getRecord<VpcRecord>("vpc", state.vpc);
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
  else if (ctx.fabric.sites[site]?.kind !== "nvue")
    fail(
      "site",
      site,
      "is an Equinix Metal metro, where load balancers are not supported yet",
      "Serve the VIP at a switch-fabric site",
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
    const existing = await ctx.ledger.list({ pool: publicVipPool });
    try {
      planAllocation(
        publicVipPool,
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
  const existing = await ctx.ledger.list({ pool: ipv4Pool(vpcId) });
  try {
    planAllocation(
      ipv4Pool(vpcId),
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
  if (errors.length === 0) {
    const { resolved, errors: more } = await resolve(ctx, knownOnly(news));
    errors.push(...more);
    if (resolved && news.owner !== undefined && !isUnknown(news.vip)) {
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
  const changed = (a: unknown, b: unknown) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
  const updates =
    changed(listenersOf(news), olds.listeners) ||
    changed(
      news.backends,
      olds.backends.map((b) => b.attachment),
    ) ||
    changed(news.healthCheck, olds.healthCheck) ||
    changed(news.tags, olds.tags) ||
    (news.name !== undefined && news.name !== olds.name) ||
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
  ports: Map<string, string[]>,
) {
  return (sw: string): VipIntent => ({
    vrf: vpc.vrf,
    vip: s.vip,
    nextHops: s.inService,
    listeners: s.listeners.map((l) => ({ port: l.port, protocol: l.protocol as "tcp" | "udp" })),
    acl: aclNameOf(s.owner),
    egress: ports.get(sw) ?? [],
    public: s.public,
  });
}

const aclNameOf = (owner: string) => idFor("lb", owner);

/** The backends' switch ports, by switch. */
async function backendPorts(
  ctx: ProviderContext,
  backends: readonly LoadBalancerBackend[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const b of backends) {
    const a = await ctx.ledger.getRecord<AttachmentState>("attachment", b.attachment);
    if (!a?.target.switch || !a.target.interface) continue;
    out.set(a.target.switch, [...new Set([...(out.get(a.target.switch) ?? []), a.target.interface])]);
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
  for (const [sw, list] of ports)
    for (const port of list)
      await site.nvue.removeIfEmpty(sw, ["interface", port, "acl"], ["interface", port]);
}

async function setUsers(
  ctx: ProviderContext,
  lbId: string,
  before: readonly string[],
  after: readonly string[],
) {
  for (const b of new Set([...before, ...after])) {
    const users = ((await ctx.ledger.getRecord<string[]>(backendUsers, b)) ?? []).filter((u) => u !== lbId);
    if (after.includes(b)) users.push(lbId);
    if (users.length) await ctx.ledger.putRecord(backendUsers, b, users);
    else await ctx.ledger.deleteRecord(backendUsers, b);
  }
}

async function planVip(ctx: ProviderContext, inputs: LoadBalancerArgs, vpc: VpcRecord): Promise<string> {
  const owner = inputs.owner!;
  if (inputs.public) {
    const spec: PoolSpec = { kind: "prefix", parent: ctx.fabric.pools.publicIpv4! };
    return (await ctx.ledger.allocate(publicVipPool, spec, owner, vipRequest(inputs))).value.split("/")[0]!;
  }
  const vpcSpace: PoolSpec = { kind: "prefix", parent: vpc.cidr };
  if (inputs.vip !== undefined)
    return (await ctx.ledger.allocate(ipv4Pool(inputs.vpc), vpcSpace, owner, vipRequest(inputs))).value.split(
      "/",
    )[0]!;
  // The range is held for the VPC (released with it), shared by all its load balancers.
  const range = await ctx.ledger.allocate(ipv4Pool(inputs.vpc), vpcSpace, lbRangeOwner(vpc.owner), {
    length: lbRangeLength,
  });
  const vip = await ctx.ledger.allocate(vipPool(inputs.vpc), { kind: "prefix", parent: range.value }, owner, {
    length: 32,
  });
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
  let state: LoadBalancerState | undefined;
  try {
    const vip = await planVip(ctx, inputs, resolved.vpc);
    const listeners = listenersOf(inputs);
    const backends = await checkHealth(
      ctx,
      resolved.site,
      asBackends(resolved),
      listeners,
      inputs.healthCheck,
    );
    state = {
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
    state.realization = await realize(ctx, state, resolved.vpc);
    return { id, outs: state };
  } catch (e) {
    // Nothing stays behind: not on the leaves, not in the ledger.
    if (state) await unrealize(ctx, state, resolved.vpc).catch(() => undefined);
    await setUsers(ctx, id, inputs.backends, []).catch(() => undefined);
    await ctx.ledger.release(owner);
    throw e;
  }
}

export async function readLoadBalancer(
  ctx: ProviderContext,
  id: string,
  props: LoadBalancerState,
): Promise<{ id: string; props: LoadBalancerState }> {
  const backends = await checkHealth(
    ctx,
    props.site,
    props.backends.map(({ attachment, ip, server }) => ({ attachment, ip, ...(server ? { server } : {}) })),
    props.listeners,
    props.healthCheck as LoadBalancerArgs["healthCheck"],
  );
  const site = ctx.sites.get(props.site);
  let complete = false;
  const vpc = await ctx.ledger.getRecord<VpcRecord>("vpc", props.vpc);
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
  const listeners = listenersOf(news);
  const backends = await checkHealth(ctx, olds.site, asBackends(resolved), listeners, news.healthCheck);
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
  state.realization = await realize(ctx, state, resolved.vpc, olds);
  return { outs: state };
}

export async function deleteLoadBalancer(
  ctx: ProviderContext,
  id: string,
  props: LoadBalancerState,
): Promise<void> {
  const vpc = await ctx.ledger.getRecord<VpcRecord>("vpc", props.vpc);
  if (vpc) await unrealize(ctx, props, vpc);
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
