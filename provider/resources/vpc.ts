// Vpc: a tenant network spanning one or more sites. This file holds its handlers: validate → plan
// (through the ledger) → return outputs. Realization on the fabric comes with the drivers.
import { InputError } from "../errors";
import type { VpcArgs, VpcState } from "../generated/schema";
import { contains, formatPrefix, parsePrefix } from "../ipam/prefix";
import { planAllocation, type AllocationRequest, type PoolSpec } from "../ledger/ledger";
import { validateAgainst } from "../validate";
import {
  asFailure,
  idFor,
  isUnknown,
  knownOnly,
  toFailures,
  type CheckFailure,
  type DiffResult,
  type ProviderContext,
  type ResourceHandlers,
} from "./common";

export const defaultVpcSize = 16;
export const vpcPool = "vpc-ipv4";

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
  const errors = validateAgainst("VpcArgs", "Vpc", known);
  if (errors.length === 0) errors.push(...crossFieldErrors(ctx, known));
  // Dry-run the plan against the ledger (read only) so overlaps and exhaustion fail at preview.
  if (errors.length === 0 && !isUnknown(news.cidr) && !isUnknown(news.size) && news.owner !== undefined) {
    try {
      const existing = await ctx.ledger.list({ pool: vpcPool });
      planAllocation(vpcPool, poolSpec(ctx), existing, news.owner, cidrRequest(news));
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
  const updates = (["name", "sites", "tags"] as const).filter((k) => changed(olds[k], news[k]));
  return {
    changes: replaces.length + updates.length > 0,
    replaces,
    // The old CIDR must be released before the new one is planned under the same owner.
    deleteBeforeReplace: replaces.length > 0,
  };
}

export async function createVpc(
  ctx: ProviderContext,
  inputs: VpcArgs,
): Promise<{ id: string; outs: VpcState }> {
  const owner = requireOwner(inputs);
  const cidr = await ctx.ledger.allocate(vpcPool, poolSpec(ctx), owner, cidrRequest(inputs));
  const parsed = parsePrefix(cidr.value);
  if (!parsed.ok) throw new Error(`ledger returned an invalid prefix ${cidr.value}`);
  return { id: idFor("vpc", owner), outs: stateOf(inputs, owner, cidr.value, parsed.prefix.length) };
}

export async function readVpc(
  ctx: ProviderContext,
  id: string,
  props: VpcState,
): Promise<{ id: string; props: VpcState }> {
  const held = await ctx.ledger.list({ pool: vpcPool, owner: props.owner });
  // What the ledger holds is the truth; a VPC whose allocation vanished reports no CIDR, so
  // `pulumi refresh` shows the drift instead of hiding it.
  return { id, props: { ...props, cidr: held[0]?.value ?? "" } };
}

export async function updateVpc(
  _ctx: ProviderContext,
  _id: string,
  olds: VpcState,
  news: VpcArgs,
): Promise<{ outs: VpcState }> {
  return { outs: stateOf(news, olds.owner, olds.cidr, olds.size) };
}

export async function deleteVpc(ctx: ProviderContext, _id: string, props: VpcState): Promise<void> {
  await ctx.ledger.release(props.owner);
}

function requireOwner(inputs: VpcArgs): string {
  if (!inputs.owner)
    throw new Error("Vpc inputs carry no owner; create Vpc resources through the anyvpc SDK");
  return inputs.owner;
}

function stateOf(args: VpcArgs, owner: string, cidr: string, size: number): VpcState {
  const state: VpcState = {
    name: args.name ?? owner.split("/").pop()!,
    sites: args.sites,
    cidr,
    size,
    owner,
  };
  if (args.tags !== undefined) state.tags = args.tags;
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
