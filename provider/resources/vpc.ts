// Vpc: a tenant network spanning one or more sites. This file holds its handlers: validate → plan
// the CIDR, L3VNI and IPv6 /48 (through the ledger) → each site's adapter realizes the VRF →
// outputs. The VPC's links over the fabric's interconnects are in vpc-interconnects.ts.
import { InputError } from "../errors";
import type { VpcArgs, VpcInterconnectRealization, VpcSiteRealization, VpcState } from "../generated/schema";
import { contains, formatPrefix, parsePrefix } from "../ipam/prefix";
import { owners, pools, records, type VpcRecord } from "../ledger/keys";
import { planAllocation, type AllocationRequest, type PoolSpec } from "../ledger/ledger";
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
  undoCreate,
} from "./common";
import { metalVpcOf, type VpcFacts } from "../sites";
import { ensureLinks, readLinks, removeLinks, type LinkedVpc } from "./vpc-interconnects";

export const defaultVpcSize = 16;

function poolSpec(ctx: ProviderContext): PoolSpec {
  return { kind: "prefix", parent: ctx.fabric.pools.vpcIpv4 };
}

function cidrRequest(args: VpcArgs): AllocationRequest {
  return args.cidr !== undefined ? { prefix: args.cidr } : { length: args.size ?? defaultVpcSize };
}

/** Cross-field rules that need the fabric: known sites, cidr vs size, the pool's bounds. */
function crossFieldErrors(ctx: ProviderContext, args: Partial<VpcArgs>): InputError[] {
  const errors: InputError[] = [];
  const known = Object.keys(ctx.fabric.sites);
  (args.sites ?? []).forEach((site, i) => {
    if (!isUnknown(site) && !known.includes(site)) {
      errors.push(
        new InputError({
          resource: "Vpc",
          field: `sites[${i}]`,
          value: site,
          problem: "is not a site of the fabric",
          fix: `Known sites: ${known.join(", ")}`,
        }),
      );
    }
  });
  if (args.cidr !== undefined && args.size !== undefined) {
    errors.push(
      new InputError({
        resource: "Vpc",
        field: "size",
        value: args.size,
        problem: "cannot be given together with cidr",
        fix: "Give cidr to pin the network, or size to have it planned, not both",
      }),
    );
  }
  const pool = parsePrefix(ctx.fabric.pools.vpcIpv4);
  if (pool.ok && args.cidr !== undefined) {
    const cidr = parsePrefix(args.cidr);
    if (cidr.ok && !contains(pool.prefix, cidr.prefix)) {
      errors.push(
        new InputError({
          resource: "Vpc",
          field: "cidr",
          value: args.cidr,
          problem: `is outside the fabric's VPC pool ${formatPrefix(pool.prefix)}`,
          fix: `Choose a network inside ${formatPrefix(pool.prefix)}, or leave cidr out to have one planned`,
        }),
      );
    }
  }
  if (pool.ok && args.size !== undefined && args.size < pool.prefix.length) {
    errors.push(
      new InputError({
        resource: "Vpc",
        field: "size",
        value: args.size,
        problem: `is larger than the whole VPC pool ${formatPrefix(pool.prefix)}`,
        fix: `Use /${pool.prefix.length} or longer`,
      }),
    );
  }
  return errors;
}

export async function checkVpc(
  ctx: ProviderContext,
  _olds: Partial<VpcState>,
  news: VpcArgs,
): Promise<{ inputs: VpcArgs; failures: CheckFailure[] }> {
  const known = knownOnly(news);
  const errors = validateInputs("VpcArgs", "Vpc", news);
  if (errors.length === 0) errors.push(...crossFieldErrors(ctx, known));
  // Dry-run the plan against the ledger (read only) so overlaps and exhaustion fail at preview.
  if (errors.length === 0 && !isUnknown(news.cidr) && !isUnknown(news.size) && news.owner !== undefined) {
    try {
      const existing = await ctx.ledger.list({ pool: pools.vpcIpv4 });
      planAllocation(pools.vpcIpv4, poolSpec(ctx), existing, news.owner, cidrRequest(news));
    } catch (e) {
      const field = news.cidr !== undefined ? "cidr" : "size";
      errors.push(asFailure(field, news.cidr ?? news.size ?? defaultVpcSize, e));
    }
  }
  return { inputs: news, failures: toFailures(errors) };
}

export async function diffVpc(_id: string, olds: VpcState, news: VpcArgs): Promise<DiffResult> {
  const replaces: string[] = [];
  if (news.cidr !== undefined ? news.cidr !== olds.cidr : (news.size ?? defaultVpcSize) !== olds.size) {
    replaces.push(news.cidr !== undefined ? "cidr" : "size");
  }
  const changed = (a: unknown, b: unknown) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
  if ((news.ipv6 ?? false) !== (olds.ipv6 ?? false)) replaces.push("ipv6");
  const updates = (["name", "sites", "tags"] as const).filter((k) => changed(olds[k], news[k]));
  // A site found incomplete by refresh (drift) is repaired by an update.
  const drifted = [...Object.values(olds.realization ?? {}), ...Object.values(olds.interconnects ?? {})].some(
    (r) => r !== undefined && !r.complete,
  );
  return {
    changes: replaces.length + updates.length > 0 || drifted,
    replaces,
    // The old CIDR must be released before the new one is planned under the same owner.
    deleteBeforeReplace: replaces.length > 0,
  };
}

const defaultL3Vnis = { from: 1_000_000, to: 1_099_999 };

/**
 * The VRF's device name on switches: readable (the VPC's name) and unique across the fabric, which
 * stacks share (the L3VNI, unique by the ledger, in base 36), within Linux's 15 characters.
 */
export function vrfNameFor(name: string, l3Vni: number): string {
  return `${name.slice(0, 9)}-${l3Vni.toString(36)}`;
}

async function realizeSite(ctx: ProviderContext, site: string, vpc: VpcFacts): Promise<VpcSiteRealization> {
  return ctx.sites.get(site).vpc.realize(ctx, vpc);
}

async function unrealizeSite(
  ctx: ProviderContext,
  site: string,
  vpc: Pick<VpcFacts, "owner" | "vrf" | "l3Vni">,
): Promise<void> {
  await ctx.sites.get(site).vpc.unrealize(ctx, vpc);
}

/** What the VPC's interconnect links need to know of it. */
function linked(
  owner: string,
  facts: Pick<VpcFacts, "vrf" | "cidr">,
  sites: readonly string[],
  realization: Readonly<Record<string, VpcSiteRealization | undefined>>,
): LinkedVpc {
  const metalVrfIds = Object.fromEntries(
    Object.entries(realization).map(([site, r]) => [site, metalVpcOf(r)?.vrfId]),
  );
  return { id: idFor("vpc", owner), owner, vrf: facts.vrf, cidr: facts.cidr, sites, metalVrfIds };
}

export async function createVpc(
  ctx: ProviderContext,
  inputs: VpcArgs,
): Promise<{ id: string; outs: VpcState }> {
  const owner = requireOwner(inputs);
  const realized: string[] = [];
  const realization: Record<string, VpcSiteRealization> = {};
  let facts: VpcFacts | undefined;
  let links: LinkedVpc | undefined;
  try {
    const cidr = await ctx.ledger.allocate(pools.vpcIpv4, poolSpec(ctx), owner, cidrRequest(inputs));
    const l3 = await ctx.ledger.allocate(
      pools.l3Vni,
      { kind: "number", range: ctx.fabric.pools.l3Vnis ?? defaultL3Vnis },
      owner,
      {},
    );
    let ipv6Cidr: string | undefined;
    if (inputs.ipv6) {
      const pool = ctx.fabric.pools.vpcIpv6;
      if (!pool)
        throw new InputError({
          resource: "Vpc",
          field: "ipv6",
          value: true,
          problem: "needs an IPv6 pool",
          fix: "Set anyvpc:fabric.pools.vpcIpv6, e.g. fd00::/8",
        });
      ipv6Cidr = (
        await ctx.ledger.allocate(pools.vpcIpv6, { kind: "prefix", parent: pool }, owner, { length: 48 })
      ).value;
    }
    const l3Vni = Number(l3.value);
    facts = {
      owner,
      vrf: vrfNameFor(inputs.name ?? owner.split("/").pop()!, l3Vni),
      l3Vni,
      cidr: cidr.value,
      ipv6Cidr,
    };
    for (const site of inputs.sites) {
      realization[site] = await realizeSite(ctx, site, facts);
      realized.push(site);
    }
    links = linked(owner, facts, inputs.sites, realization);
    const interconnects = await ensureLinks(ctx, links);
    const id = idFor("vpc", owner);
    const outs = stateOf(inputs, facts, realization, interconnects);
    await ctx.ledger.putRecord(records.vpc, id, vpcRecordOf(outs));
    return { id, outs };
  } catch (e) {
    // Undo what this create made, so a failed create leaves nothing behind on any fabric (or,
    // when an undo fails, is recorded with its allocations for the next up or destroy).
    const made = facts;
    const madeLinks = links;
    return undoCreate({
      kind: "Vpc",
      id: idFor("vpc", owner),
      cause: e,
      undo: [
        ...(madeLinks ? [() => removeLinks(ctx, madeLinks)] : []),
        ...(made ? realized.reverse().map((site) => () => unrealizeSite(ctx, site, made)) : []),
      ],
      release: () => ctx.ledger.release(owner),
      partial: () =>
        made &&
        stateOf(
          inputs,
          made,
          Object.fromEntries(Object.entries(realization).map(([k, r]) => [k, { ...r, complete: false }])),
          {},
        ),
    });
  }
}

export async function readVpc(
  ctx: ProviderContext,
  id: string,
  props: VpcState,
): Promise<{ id: string; props: VpcState }> {
  const held = await ctx.ledger.list({ pool: pools.vpcIpv4, owner: props.owner });
  const realization: Record<string, VpcSiteRealization> = {};
  for (const site of props.sites) realization[site] = await ctx.sites.get(site).vpc.read(ctx, props);
  const interconnects = await readLinks(
    ctx,
    linked(props.owner, props, props.sites, realization),
    props.interconnects,
  );
  // What the ledger and the fabric hold is the truth: `pulumi refresh` shows any drift.
  const read: VpcState = { ...props, cidr: held[0]?.value ?? "", realization };
  if (Object.keys(interconnects).length) read.interconnects = interconnects;
  return { id, props: read };
}

export async function updateVpc(
  ctx: ProviderContext,
  id: string,
  olds: VpcState,
  news: VpcArgs,
): Promise<{ outs: VpcState }> {
  const facts: VpcFacts = {
    owner: olds.owner,
    vrf: olds.vrf,
    l3Vni: olds.l3Vni,
    cidr: olds.cidr,
    ipv6Cidr: olds.ipv6Cidr,
  };
  const realization: Record<string, VpcSiteRealization> = {};
  for (const site of news.sites) {
    const before = olds.realization?.[site];
    realization[site] = before?.complete ? before : await realizeSite(ctx, site, facts);
  }
  // Links follow the sites: a link whose sites the VPC no longer both spans goes before its VRF.
  const interconnects = await ensureLinks(
    ctx,
    linked(olds.owner, facts, news.sites, realization),
    olds.interconnects,
  );
  for (const site of olds.sites.filter((s) => !news.sites.includes(s))) await unrealizeSite(ctx, site, facts);
  const outs = stateOf(news, facts, realization, interconnects);
  await ctx.ledger.putRecord(records.vpc, id, vpcRecordOf(outs));
  return { outs };
}

export async function deleteVpc(ctx: ProviderContext, id: string, props: VpcState): Promise<void> {
  // Links first: Metal refuses to delete a VRF that still has a virtual circuit.
  await removeLinks(
    ctx,
    linked(props.owner, props, props.sites, props.realization ?? {}),
    props.interconnects,
  );
  for (const site of props.sites) await unrealizeSite(ctx, site, props);
  await ctx.ledger.release(props.owner);
  await ctx.ledger.release(owners.lbRange(props.owner));
  await ctx.ledger.deleteRecord(records.vpc, id);
}

function vpcRecordOf(s: VpcState): VpcRecord {
  const { owner, name, sites, cidr, size, vrf, l3Vni, ipv6Cidr, realization } = s;
  return ipv6Cidr
    ? { owner, name, sites, cidr, size, vrf, l3Vni, ipv6Cidr, realization }
    : { owner, name, sites, cidr, size, vrf, l3Vni, realization };
}

function requireOwner(inputs: VpcArgs): string {
  if (!inputs.owner)
    throw new Error("Vpc inputs carry no owner; create Vpc resources through the anyvpc SDK");
  return inputs.owner;
}

function stateOf(
  args: VpcArgs,
  facts: VpcFacts,
  realization: Record<string, VpcSiteRealization>,
  interconnects: Record<string, VpcInterconnectRealization>,
): VpcState {
  const parsed = parsePrefix(facts.cidr);
  const state: VpcState = {
    name: args.name ?? facts.owner.split("/").pop()!,
    sites: args.sites,
    cidr: facts.cidr,
    size: parsed.ok ? parsed.prefix.length : 0,
    owner: facts.owner,
    l3Vni: facts.l3Vni,
    vrf: facts.vrf,
    realization,
    ipv6: args.ipv6 ?? false,
  };
  if (facts.ipv6Cidr) state.ipv6Cidr = facts.ipv6Cidr;
  if (args.tags !== undefined) state.tags = args.tags;
  if (Object.keys(interconnects).length) state.interconnects = interconnects;
  return state;
}

export const vpcHandlers: ResourceHandlers<VpcArgs, VpcState> = {
  check: checkVpc,
  diff: diffVpc,
  create: createVpc,
  read: readVpc,
  update: updateVpc,
  delete: deleteVpc,
};
