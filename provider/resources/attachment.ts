// Attachment: one server port put into a subnet. This file holds its handlers: validate → plan the
// host address (and IPv6) in the subnet → claim the port for the VPC (tenancy guard: a port serves
// one VPC) → the site's adapter puts the port on the subnet's VLAN (and records what the port was,
// to give it back on delete) → outputs, including the netplan document that configures the server.
import { InputError } from "../errors";
import type { AttachmentArgs, AttachmentState, SubnetState } from "../generated/schema";
import { subnetLayout } from "../ipam/hosts";
import { formatPrefix, prefix } from "../ipam/prefix";
import type { AllocationRequest, PoolSpec } from "../ledger/ledger";
import { planAllocation } from "../ledger/ledger";
import { owners, pools, records, type VpcRecord } from "../ledger/keys";
import { isMetalDevice, type AttachmentTarget, type SiteAdapter } from "../sites";
import {
  asFailure,
  idFor,
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

interface Resolved {
  subnet: SubnetState;
  target: AttachmentTarget;
  /** Identity of the physical port across stacks, for the tenancy guard. */
  portKey: string;
  server?: string;
}

function hostSpec(subnet: SubnetState, v6 = false): PoolSpec {
  const layout = subnetLayout(prefix(v6 ? subnet.ipv6Cidr! : subnet.cidr));
  return { kind: "prefix", parent: formatPrefix(layout.subnet), reserved: layout.reserved.map(formatPrefix) };
}

/** Finds the subnet and the physical port; InputErrors name the field at fault. */
async function resolve(
  ctx: ProviderContext,
  args: Partial<AttachmentArgs>,
): Promise<{ resolved?: Resolved; errors: InputError[] }> {
  const errors: InputError[] = [];
  const fail = (field: string, value: unknown, problem: string, fix?: string) =>
    errors.push(new InputError({ resource: "Attachment", field, value, problem, fix }));
  const given = (["server", "port", "metalDevice"] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1) {
    fail(
      given[1] ?? "server",
      given.length ? args[given[1]!] : undefined,
      given.length ? `cannot be given together with ${given[0]}` : "is required",
      "Give exactly one of server, port or metalDevice",
    );
    return { errors };
  }
  if (!args.subnet) return { errors };
  const subnet = await ctx.ledger.getRecord<SubnetState>(records.subnet, args.subnet);
  if (!subnet) {
    fail(
      "subnet",
      args.subnet,
      "is not a Subnet anyvpc knows",
      "Pass the id of a Subnet created with anyvpc (subnet: web.id)",
    );
    return { errors };
  }
  const site = ctx.fabric.sites[subnet.site];
  if (!site) {
    fail("subnet", args.subnet, `is at site ${subnet.site}, which is not in the fabric description`);
    return { errors };
  }
  const adapter = ctx.sites.get(subnet.site);
  const { title, attachmentTargets } = adapter.capabilities;
  if (!attachmentTargets.includes(given[0]!)) {
    fail(
      given[0]!,
      args[given[0]!],
      `cannot attach to ${title} ${subnet.site}`,
      `Use ${attachmentTargets.join(" or ")}`,
    );
    return { errors };
  }
  const found = await adapter.attachment.resolveTarget(ctx, args);
  if (!found.ok) {
    for (const e of found.errors) fail(e.field, e.value, e.problem, e.fix);
    return { errors };
  }
  return {
    errors,
    resolved: {
      subnet,
      target: found.target,
      portKey: found.portKey,
      ...(args.server ? { server: args.server } : {}),
    },
  };
}

function ipRequest(args: AttachmentArgs): AllocationRequest {
  return args.ip !== undefined ? { prefix: `${args.ip}/32` } : { length: 32 };
}

/** Why the host address cannot be planned (a reserved or taken explicit ip, a full subnet), if so. */
async function planHostError(
  ctx: ProviderContext,
  subnet: SubnetState,
  news: AttachmentArgs,
): Promise<InputError | undefined> {
  const reserved = news.ip !== undefined ? reservedRole(subnet, news.ip) : undefined;
  if (reserved)
    return new InputError({
      resource: "Attachment",
      field: "ip",
      value: news.ip,
      problem: `is the ${reserved} of subnet ${subnet.cidr}, reserved for the fabric`,
      fix: "Choose a host address of the subnet, or leave ip out to have one planned",
    });
  const pool = pools.subnetHosts(news.subnet);
  try {
    planAllocation(pool, hostSpec(subnet), await ctx.ledger.list({ pool }), news.owner!, ipRequest(news));
    return undefined;
  } catch (e) {
    return asFailure("ip", news.ip ?? "(planned)", e);
  }
}

/** Which reserved address of the subnet `ip` is (network, gateway, broadcast), if any. */
function reservedRole(subnet: SubnetState, ip: string): string | undefined {
  const layout = subnetLayout(prefix(subnet.cidr));
  const at = layout.reserved.findIndex((r) => formatPrefix(r) === `${ip}/32`);
  if (at < 0) return undefined;
  return at === 0 ? "network address" : at === layout.reserved.length - 1 ? "broadcast address" : "gateway";
}

export async function checkAttachment(
  ctx: ProviderContext,
  _olds: Partial<AttachmentState>,
  news: AttachmentArgs,
): Promise<{ inputs: AttachmentArgs; failures: CheckFailure[] }> {
  const known = knownOnly(news);
  const pending = pendingInputs(news);
  const errors = validateInputs("AttachmentArgs", "Attachment", news);
  // The subnet and the target are judged together; with any of them pending, at a later check.
  const targetPending = (["subnet", "server", "port", "metalDevice"] as const).some((k) => pending.has(k));
  if (errors.length === 0 && !targetPending) {
    const { resolved, errors: more } = await resolve(ctx, known);
    errors.push(...more);
    if (resolved && news.owner) {
      const ipError = pending.has("ip") ? undefined : await planHostError(ctx, resolved.subnet, news);
      if (ipError) errors.push(ipError);
      const holders = await ctx.ledger.list({ pool: pools.port(resolved.portKey) });
      const other = holders.find((h) => h.owner !== owners.portHolder(resolved.subnet.vpc, resolved.portKey));
      if (other) {
        const vpcId = owners.vpcOfPortHolder(other.owner);
        const holder = await ctx.ledger.getRecord<VpcRecord>(records.vpc, vpcId);
        const field = news.server !== undefined ? "server" : news.port !== undefined ? "port" : "metalDevice";
        errors.push(
          new InputError({
            resource: "Attachment",
            field,
            value: news.server ?? news.port ?? news.metalDevice,
            problem: `uses port ${resolved.portKey}, which belongs to VPC ${holder ? `${holder.name} (${holder.owner}, ${vpcId})` : vpcId}`,
            fix: "A port serves one VPC: detach it there first, or use another port",
          }),
        );
      }
    }
  }
  return { inputs: news, failures: toFailures(errors) };
}

export async function diffAttachment(
  _id: string,
  olds: AttachmentState,
  news: AttachmentArgs,
): Promise<DiffResult> {
  const replaces: string[] = [];
  if (news.subnet !== olds.subnet) replaces.push("subnet");
  const target =
    news.port ?? news.metalDevice ?? (news.server !== undefined ? { server: news.server } : undefined);
  const oldTarget = olds.server !== undefined ? { server: olds.server } : olds.target;
  // A Metal device is named by id or hostname: either names the device it was attached by.
  const oldDevice = isMetalDevice(olds.target) ? olds.target : undefined;
  const sameTarget =
    JSON.stringify(target) === JSON.stringify(oldTarget) ||
    (news.metalDevice !== undefined &&
      oldDevice !== undefined &&
      [oldDevice.device, oldDevice.hostname].includes(news.metalDevice.device) &&
      oldDevice.port === (news.metalDevice.port ?? "bond0"));
  if (!sameTarget)
    replaces.push(news.server !== undefined ? "server" : news.port !== undefined ? "port" : "metalDevice");
  if (news.ip !== undefined && news.ip !== olds.ip) replaces.push("ip");
  const updates =
    (news.mode ?? "access") !== olds.mode ||
    (news.hostInterface !== undefined && !olds.hostConfig.includes(`${news.hostInterface}:`));
  return {
    changes: replaces.length > 0 || updates || !olds.realization.complete,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

/** Puts the attachment on its port; `fresh` for a new attachment, false when it is realized again. */
async function realize(ctx: ProviderContext, s: AttachmentState, fresh: boolean): Promise<void> {
  await ctx.sites
    .get(s.site)
    .attachment.realize(ctx, s, { fresh, attachmentIdOf: (owner) => idFor("attachment", owner) });
}

/**
 * Takes the attachment off its port. The last attachment on a port also gives the port back what
 * it was before (`restore`; an update that re-realizes at once passes false).
 */
async function unrealize(ctx: ProviderContext, s: AttachmentState, restore = true): Promise<void> {
  const others = ((await ctx.ledger.getRecord<string[]>(records.portUsers, portKeyOf(ctx, s))) ?? []).filter(
    (u) => u !== s.owner,
  );
  await ctx.sites.get(s.site).attachment.unrealize(ctx, s, { lastUse: others.length === 0, restore });
}

/**
 * Changes to one port, one at a time (per provider process, where all of a stack's resources run):
 * whether an attachment is the port's last, and so gives the port back, depends on the others.
 */
const portQueues = new Map<string, Promise<unknown>>();
function onPort<T>(portKey: string, step: () => Promise<T>): Promise<T> {
  const previous = portQueues.get(portKey) ?? Promise.resolve();
  const result = previous.then(step, step);
  const done = result.then(
    () => undefined,
    () => undefined,
  );
  portQueues.set(portKey, done);
  void done.then(() => {
    if (portQueues.get(portKey) === done) portQueues.delete(portKey);
  });
  return result;
}

/** Port users are counted in a record, so the last attachment of a VPC frees the port for others. */
async function portUsers(
  ctx: ProviderContext,
  portKey: string,
  change: (users: string[]) => string[],
): Promise<string[]> {
  const users = await ctx.ledger.updateRecord<string[]>(records.portUsers, portKey, (u) => {
    const next = change(u ?? []);
    return next.length ? next : undefined;
  });
  return users ?? [];
}

export async function createAttachment(
  ctx: ProviderContext,
  inputs: AttachmentArgs,
): Promise<{ id: string; outs: AttachmentState }> {
  const owner = inputs.owner;
  if (!owner)
    throw new Error("Attachment inputs carry no owner; create Attachment resources through the anyvpc SDK");
  const { resolved, errors } = await resolve(ctx, inputs);
  if (!resolved)
    throw (
      errors[0] ??
      new InputError({
        resource: "Attachment",
        field: "subnet",
        value: inputs.subnet,
        problem: "cannot be resolved",
      })
    );
  const { subnet, portKey } = resolved;
  const holder = owners.portHolder(subnet.vpc, portKey);
  let state: AttachmentState | undefined;
  try {
    await ctx.ledger
      .allocate(pools.port(portKey), { kind: "number", range: { from: 1, to: 1 } }, holder, {})
      .catch((e: unknown) => {
        throw new InputError({
          resource: "Attachment",
          field: "server",
          value: portKey,
          problem: `is held by another VPC: ${(e as Error).message}`,
          fix: "A port serves one VPC",
        });
      });
    await portUsers(ctx, portKey, (u) => [...new Set([...u, owner])]);
    const ip = (
      await ctx.ledger.allocate(pools.subnetHosts(inputs.subnet), hostSpec(subnet), owner, ipRequest(inputs))
    ).value.split("/")[0]!;
    const site: SiteAdapter = ctx.sites.get(subnet.site);
    state = {
      subnet: inputs.subnet,
      vpc: subnet.vpc,
      site: subnet.site,
      target: { ...resolved.target },
      mode: inputs.mode ?? "access",
      ip,
      gateway: subnet.gateway,
      prefixLength: subnet.size,
      vlan: subnet.vlan,
      hostConfig: "",
      owner,
      realization: { complete: false },
    };
    if (resolved.server) state.server = resolved.server;
    if (subnet.ipv6Cidr && subnet.ipv6Gateway) {
      state.ipv6 = (
        await ctx.ledger.allocate(pools.subnetHosts6(inputs.subnet), hostSpec(subnet, true), owner, {
          length: 128,
        })
      ).value.split("/")[0]!;
      state.ipv6Gateway = subnet.ipv6Gateway;
    }
    const vpc = await ctx.ledger.getRecord<{ cidr: string; ipv6Cidr?: string }>(records.vpc, subnet.vpc);
    state.hostConfig = site.attachment.hostConfig(
      state,
      [vpc?.cidr ?? subnet.cidr, ...(vpc?.ipv6Cidr ? [vpc.ipv6Cidr] : [])],
      inputs.hostInterface,
    );
    const planned = state;
    await onPort(portKey, () => realize(ctx, planned, true));
    state.realization = { complete: true };
    const id = idFor("attachment", owner);
    // Load balancers find their backends by id, also from another stack.
    await ctx.ledger.putRecord(records.attachment, id, state);
    return { id, outs: state };
  } catch (e) {
    const made = state;
    return undoCreate({
      kind: "Attachment",
      id: idFor("attachment", owner),
      cause: e,
      undo: made ? [() => onPort(portKey, () => unrealize(ctx, made))] : [],
      release: () => releaseAll(ctx, owner, holder, portKey),
      partial: () => made && { ...made, realization: { complete: false } },
    });
  }
}

async function releaseAll(
  ctx: ProviderContext,
  owner: string,
  holder: string,
  portKey: string,
): Promise<void> {
  await ctx.ledger.release(owner);
  const users = await portUsers(ctx, portKey, (u) => u.filter((x) => x !== owner));
  if (users.length === 0) await ctx.ledger.release(holder);
}

const portKeyOf = (ctx: ProviderContext, s: AttachmentState) =>
  ctx.sites.get(s.site).attachment.portKey(s.target);

export async function readAttachment(
  ctx: ProviderContext,
  id: string,
  props: AttachmentState,
): Promise<{ id: string; props: AttachmentState }> {
  const complete = await ctx.sites.get(props.site).attachment.read(ctx, props);
  // Attachments made before they kept a ledger record get one on refresh, so load balancers can
  // find them by id.
  if (!(await ctx.ledger.getRecord(records.attachment, id)))
    await ctx.ledger.putRecord(records.attachment, id, props);
  return { id, props: { ...props, realization: { complete } } };
}

export async function updateAttachment(
  ctx: ProviderContext,
  id: string,
  olds: AttachmentState,
  news: AttachmentArgs,
): Promise<{ outs: AttachmentState }> {
  const mode = news.mode ?? "access";
  if (mode !== olds.mode) await onPort(portKeyOf(ctx, olds), () => unrealize(ctx, olds, false));
  const state: AttachmentState = { ...olds, mode };
  const vpc = await ctx.ledger.getRecord<{ cidr: string; ipv6Cidr?: string }>(records.vpc, olds.vpc);
  state.hostConfig = ctx.sites
    .get(olds.site)
    .attachment.hostConfig(
      state,
      [vpc?.cidr ?? "", ...(vpc?.ipv6Cidr ? [vpc.ipv6Cidr] : [])].filter(Boolean),
      news.hostInterface,
    );
  await onPort(portKeyOf(ctx, state), () => realize(ctx, state, false));
  state.realization = { complete: true };
  await ctx.ledger.putRecord(records.attachment, id, state);
  return { outs: state };
}

export async function deleteAttachment(
  ctx: ProviderContext,
  id: string,
  props: AttachmentState,
): Promise<void> {
  const users = (await ctx.ledger.getRecord<string[]>(records.backendUsers, id)) ?? [];
  if (users.length)
    throw new InputError({
      resource: "Attachment",
      field: "server",
      value: props.server ?? props.target,
      problem: `is a backend of load balancer ${users.join(", ")}`,
      fix: "Remove it from the load balancer's backends first (in the same program, Pulumi updates the load balancer before this delete)",
    });
  const portKey = portKeyOf(ctx, props);
  // Taking the attachment off the port and out of the port's users is one step on that port, so
  // that of two attachments deleted at once exactly one sees itself the last.
  await onPort(portKey, async () => {
    await unrealize(ctx, props);
    await releaseAll(ctx, props.owner, owners.portHolder(props.vpc, portKey), portKey);
  });
  await ctx.ledger.deleteRecord(records.attachment, id);
}

export const attachmentHandlers: ResourceHandlers<AttachmentArgs, AttachmentState> = {
  check: checkAttachment,
  diff: diffAttachment,
  create: createAttachment,
  read: readAttachment,
  update: updateAttachment,
  delete: deleteAttachment,
};
