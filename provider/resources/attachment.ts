// Attachment: one server port put into a subnet. This file holds its handlers: validate → plan the
// host address (and IPv6) in the subnet → claim the port for the VPC (tenancy guard: a port serves
// one VPC) → realize the port (NVUE access/trunk; Metal port layer 2 + VLAN) → outputs, including
// the netplan document that configures the server.
import { InputError } from "../errors";
import type { AttachmentArgs, AttachmentState, SubnetState } from "../generated/schema";
import {
  ensurePortVlan,
  portBefore,
  removePortVlan,
  restorePort,
  type PortBefore,
} from "../drivers/metal/realize";
import { portChanges, removePortChanges } from "../drivers/nvue/intent";
import type { ConfigValue } from "../drivers/nvue/client";
import { holds } from "../drivers/nvue/site";
import { subnetLayout } from "../ipam/hosts";
import { formatPrefix, prefix } from "../ipam/prefix";
import type { AllocationRequest, PoolSpec } from "../ledger/ledger";
import { planAllocation } from "../ledger/ledger";
import { owners, pools, portKeys, records, type VpcRecord } from "../ledger/keys";
import { mayRecordPortBefore } from "../ledger/upgrade";
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

type Target =
  { switch: string; interface: string } | { device: string; hostname: string; port: string; portId: string };

interface Resolved {
  subnet: SubnetState;
  target: Target;
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
  if (site.kind === "nvue") {
    let target: { switch: string; interface: string } | undefined;
    if (args.server !== undefined) {
      const sp = site.servers[args.server];
      if (!sp)
        fail(
          "server",
          args.server,
          `is not a server of site ${subnet.site}`,
          `Known servers: ${Object.keys(site.servers).join(", ") || "none"}`,
        );
      else target = { switch: sp.switch, interface: sp.port };
    } else if (args.port !== undefined) {
      target = args.port;
    } else {
      fail(
        "metalDevice",
        args.metalDevice,
        `cannot attach to site ${subnet.site}, a switch fabric`,
        "Use server or port",
      );
    }
    if (target && !site.switches[target.switch]) {
      fail(
        args.port ? "port.switch" : "server",
        args.port ? target.switch : args.server,
        `names switch ${target.switch}, which site ${subnet.site} does not have`,
        `Known switches: ${Object.keys(site.switches).join(", ")}`,
      );
      target = undefined;
    }
    return target
      ? {
          errors,
          resolved: {
            subnet,
            target,
            portKey: portKeys.switchPort(subnet.site, target.switch, target.interface),
            ...(args.server ? { server: args.server } : {}),
          },
        }
      : { errors };
  }
  const wanted = args.metalDevice?.device ?? args.server;
  if (args.port !== undefined || wanted === undefined) {
    fail(
      "port",
      args.port,
      `cannot attach to site ${subnet.site}, an Equinix Metal metro`,
      "Use metalDevice (or server, the device's hostname)",
    );
    return { errors };
  }
  // Devices are named by id or hostname; the port is keyed by the device's id, whichever was used.
  const field = args.metalDevice ? "metalDevice.device" : "server";
  const driver = ctx.sites.get(subnet.site);
  if (driver.kind !== "equinix-metal") return { errors };
  const device = (await driver.metal.listDevices(driver.site.projectId)).find(
    (d) => d.id === wanted || d.hostname === wanted,
  );
  if (!device) {
    fail(
      field,
      wanted,
      `is not a device of the Metal project at site ${subnet.site}`,
      "Use a device id or hostname of the project",
    );
    return { errors };
  }
  const portName = args.metalDevice?.port ?? "bond0";
  const port = (device.network_ports ?? []).find((p) => p.name === portName);
  if (!port) {
    fail(
      "metalDevice.port",
      portName,
      `is not a port of ${device.hostname ?? device.id}`,
      "Use bond0, eth0 or eth1",
    );
    return { errors };
  }
  const target = {
    device: device.id,
    hostname: device.hostname ?? device.id,
    port: portName,
    portId: port.id,
  };
  return {
    errors,
    resolved: {
      subnet,
      target,
      portKey: portKeys.devicePort(subnet.site, device.id, portName),
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
  const sameTarget =
    JSON.stringify(target) === JSON.stringify(oldTarget) ||
    (news.metalDevice !== undefined &&
      [olds.target.device, olds.target.hostname].includes(news.metalDevice.device) &&
      olds.target.port === (news.metalDevice.port ?? "bond0"));
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

/** netplan for the server: its address, a route to the VPC via the anycast gateway, and (trunk) the VLAN. */
export function netplanFor(
  s: Pick<AttachmentState, "ip" | "prefixLength" | "gateway" | "ipv6" | "ipv6Gateway" | "mode" | "vlan">,
  vpcRoutes: string[],
  nic: string,
): string {
  const addresses = [`${s.ip}/${s.prefixLength}`, ...(s.ipv6 ? [`${s.ipv6}/64`] : [])];
  const routes = vpcRoutes
    .map((to) => ({ to, via: to.includes(":") ? s.ipv6Gateway : s.gateway }))
    .filter((r) => r.via);
  const body = [
    `      addresses: [${addresses.join(", ")}]`,
    "      routes:",
    ...routes.map((r) => `        - to: ${r.to}\n          via: ${r.via}`),
  ];
  if (s.mode === "trunk") {
    return (
      [
        "network:",
        "  version: 2",
        "  ethernets:",
        `    ${nic}: {}`,
        "  vlans:",
        `    ${nic}.${s.vlan}:`,
        `      id: ${s.vlan}`,
        `      link: ${nic}`,
        ...body,
      ].join("\n") + "\n"
    );
  }
  return ["network:", "  version: 2", "  ethernets:", `    ${nic}:`, ...body].join("\n") + "\n";
}

/**
 * Puts the attachment on its port; `fresh` for a new attachment, false when it is realized again.
 * Before a port is first changed, what it was is recorded — unless the port was changed already by
 * an attachment from before anyvpc kept such records (see mayRecordPortBefore).
 */
async function realize(
  ctx: ProviderContext,
  s: AttachmentState,
  fresh: boolean,
): Promise<AttachmentState["realization"]> {
  const site = ctx.sites.get(s.site);
  const mayRecord = () =>
    mayRecordPortBefore(ctx.ledger, {
      key: portKeyOf(s),
      owner: s.owner,
      fresh,
      attachmentIdOf: (owner) => idFor("attachment", owner),
    });
  if (site.kind === "nvue") {
    // The port's bridge settings before anyvpc first changed it (kept once per port), for the
    // last attachment's delete to put back.
    const key = portKeyOf(s);
    if (!(await ctx.ledger.getRecord(records.nvuePortBefore, key)) && (await mayRecord())) {
      const iface = await site.nvue.read(s.target.switch!, ["interface", s.target.interface!]);
      const bridge = iface !== null && typeof iface === "object" ? iface.bridge : undefined;
      const before: NvuePortBefore = { interfaceExisted: iface !== undefined, bridge: bridge ?? null };
      await ctx.ledger.updateRecord<NvuePortBefore>(
        records.nvuePortBefore,
        key,
        (current) => current ?? before,
      );
    }
    await site.nvue.ensure(
      s.target.switch!,
      portChanges({ port: s.target.interface!, vlan: s.vlan, mode: s.mode as "access" | "trunk" }),
    );
    return { complete: true };
  }
  const subnet = await ctx.ledger.getRecord<SubnetState>(records.subnet, s.subnet);
  const vlanId = subnet?.realization.vlanId;
  if (!vlanId)
    throw new InputError({
      resource: "Attachment",
      field: "subnet",
      value: s.subnet,
      problem: "has no VLAN on the Metal site yet",
    });
  // What the port was before anyvpc first changed it (kept once per port, for every attachment
  // of the VPC that shares it), so that the last attachment's delete gives it back.
  const portId = s.target.portId!;
  if (!(await ctx.ledger.getRecord(records.metalPortBefore, portId)) && (await mayRecord())) {
    const before = await portBefore(site.metal, s.target.device!, portId);
    await ctx.ledger.updateRecord<PortBefore>(
      records.metalPortBefore,
      portId,
      (current) => current ?? before,
    );
  }
  await ensurePortVlan(site.metal, { portId, vlanId, vxlan: s.vlan, native: s.mode === "access" });
  return { complete: true };
}

/** A switch port before anyvpc first changed it: whether it was configured, and its bridge settings. */
interface NvuePortBefore {
  interfaceExisted: boolean;
  bridge: ConfigValue;
}

/**
 * Takes the attachment off its port. The last attachment on a port also gives the port back what
 * it was before (`restore`; an update that re-realizes at once passes false).
 */
async function unrealize(ctx: ProviderContext, s: AttachmentState, restore = true): Promise<void> {
  const site = ctx.sites.get(s.site);
  const others = ((await ctx.ledger.getRecord<string[]>(records.portUsers, portKeyOf(s))) ?? []).filter(
    (u) => u !== s.owner,
  );
  if (site.kind === "nvue") {
    const change = removePortChanges({
      port: s.target.interface!,
      vlan: s.vlan,
      mode: s.mode as "access" | "trunk",
      lastUse: others.length === 0,
    });
    await site.nvue.ensure(s.target.switch!, change);
    if (others.length > 0 || !restore) return;
    // The last attachment gives the port back its own bridge settings, and an interface anyvpc
    // brought into the config leaves it again (not even an empty object stays).
    const key = portKeyOf(s);
    const before = await ctx.ledger.getRecord<NvuePortBefore>(records.nvuePortBefore, key);
    if (before?.bridge)
      await site.nvue.ensure(s.target.switch!, [
        { path: ["interface", s.target.interface!, "bridge"], value: before.bridge },
      ]);
    if (!before?.interfaceExisted)
      await site.nvue.removeIfEmpty(s.target.switch!, ["interface", s.target.interface!]);
    await ctx.ledger.deleteRecord(records.nvuePortBefore, key);
    return;
  }
  const subnet = await ctx.ledger.getRecord<SubnetState>(records.subnet, s.subnet);
  const portId = s.target.portId!;
  await removePortVlan(site.metal, { portId, vlanId: subnet?.realization.vlanId ?? "", vxlan: s.vlan });
  const before = await ctx.ledger.getRecord<PortBefore>(records.metalPortBefore, portId);
  if (restore && others.length === 0 && before && (await restorePort(site.metal, portId, before)))
    await ctx.ledger.deleteRecord(records.metalPortBefore, portId);
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
    const site = ctx.sites.get(subnet.site);
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
    const nic = inputs.hostInterface ?? (site.kind === "nvue" ? "eth0" : "bond0");
    state.hostConfig = netplanFor(
      state,
      [vpc?.cidr ?? subnet.cidr, ...(vpc?.ipv6Cidr ? [vpc.ipv6Cidr] : [])],
      nic,
    );
    const planned = state;
    state.realization = await onPort(portKey, () => realize(ctx, planned, true));
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

const portKeyOf = (s: AttachmentState) =>
  s.target.switch
    ? portKeys.switchPort(s.site, s.target.switch, s.target.interface!)
    : portKeys.devicePort(s.site, s.target.device!, s.target.port!);

export async function readAttachment(
  ctx: ProviderContext,
  id: string,
  props: AttachmentState,
): Promise<{ id: string; props: AttachmentState }> {
  const site = ctx.sites.get(props.site);
  let complete: boolean;
  if (site.kind === "nvue") {
    const want = portChanges({
      port: props.target.interface!,
      vlan: props.vlan,
      mode: props.mode as "access" | "trunk",
    })[0]!;
    complete = holds(await site.nvue.read(props.target.switch!, want.path), want.value);
  } else {
    const port = await site.metal.getPort(props.target.portId!);
    complete = (port.virtual_networks ?? []).some((v) => v.vxlan === props.vlan);
  }
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
  if (mode !== olds.mode) await onPort(portKeyOf(olds), () => unrealize(ctx, olds, false));
  const state: AttachmentState = { ...olds, mode };
  const vpc = await ctx.ledger.getRecord<{ cidr: string; ipv6Cidr?: string }>(records.vpc, olds.vpc);
  const nic = news.hostInterface ?? (ctx.sites.get(olds.site).kind === "nvue" ? "eth0" : "bond0");
  state.hostConfig = netplanFor(
    state,
    [vpc?.cidr ?? "", ...(vpc?.ipv6Cidr ? [vpc.ipv6Cidr] : [])].filter(Boolean),
    nic,
  );
  state.realization = await onPort(portKeyOf(state), () => realize(ctx, state, false));
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
  const portKey = portKeyOf(props);
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
