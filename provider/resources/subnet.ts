// Subnet: one L2 segment of a VPC at one site. This file holds its handlers: validate (with what the
// site's kind supports) → plan the CIDR (inside the VPC), gateway, VLAN (per site), VNI and IPv6 /64
// through the ledger → the site's adapter realizes it → outputs. The VPC is found by its id in the
// ledger.
import { InputError } from "../errors";
import type { SubnetArgs, SubnetState } from "../generated/schema";
import { subnetLayout } from "../ipam/hosts";
import { contains, parsePrefix, prefix } from "../ipam/prefix";
import type { AllocationRequest, PoolSpec } from "../ledger/ledger";
import { planAllocation } from "../ledger/ledger";
import { pools, records, type VpcRecord } from "../ledger/keys";
import type { SiteCapabilities } from "../sites";
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

export const defaultSubnetSize = 24;
export const defaultVlans = { from: 100, to: 3999 };
const defaultL2Vnis = { from: 10_000, to: 999_999 };

function cidrRequest(args: SubnetArgs): AllocationRequest {
  return args.cidr !== undefined ? { prefix: args.cidr } : { length: args.size ?? defaultSubnetSize };
}

export async function vpcRecord(ctx: ProviderContext, vpcId: string): Promise<VpcRecord | undefined> {
  return ctx.ledger.getRecord<VpcRecord>(records.vpc, vpcId);
}

/** IPv6 is on by default where the VPC has it and the site supports it. */
function wantsIpv6(args: SubnetArgs, vpc: VpcRecord, site: SiteCapabilities): boolean {
  return args.ipv6 ?? (vpc.ipv6Cidr !== undefined && site.ipv6);
}

export async function checkSubnet(
  ctx: ProviderContext,
  _olds: Partial<SubnetState>,
  news: SubnetArgs,
): Promise<{ inputs: SubnetArgs; failures: CheckFailure[] }> {
  const known = knownOnly(news);
  const pending = pendingInputs(news);
  const errors = validateInputs("SubnetArgs", "Subnet", news);
  const fail = (field: string, value: unknown, problem: string, fix?: string) =>
    errors.push(new InputError({ resource: "Subnet", field, value, problem, fix }));
  if (errors.length === 0 && known.vpc !== undefined) {
    const vpc = await vpcRecord(ctx, known.vpc);
    if (!vpc) {
      fail(
        "vpc",
        known.vpc,
        "is not a VPC anyvpc knows",
        "Pass the id of a Vpc created with anyvpc (vpc: prod.id)",
      );
    } else {
      const site = known.site;
      const caps =
        site !== undefined && ctx.fabric.sites[site] ? ctx.sites.get(site).capabilities : undefined;
      if (site !== undefined && !vpc.sites.includes(site)) {
        fail(
          "site",
          site,
          `is not one of the VPC's sites`,
          `Use one of ${vpc.sites.join(", ")}, or add the site to the VPC`,
        );
      }
      const vpcPrefix = prefix(vpc.cidr);
      if (known.cidr !== undefined && known.size !== undefined) {
        fail(
          "size",
          known.size,
          "cannot be given together with cidr",
          "Give cidr to pin the network, or size to have it planned, not both",
        );
      }
      const wanted = known.cidr !== undefined ? parsePrefix(known.cidr) : undefined;
      if (wanted?.ok && !contains(vpcPrefix, wanted.prefix)) {
        fail(
          "cidr",
          known.cidr,
          `is outside the VPC's ${vpc.cidr}`,
          `Choose a network inside ${vpc.cidr}, or leave cidr out to have one planned`,
        );
      }
      // The length is judged once cidr and size are known (one pending one could decide it).
      const length =
        pending.has("cidr") || pending.has("size")
          ? undefined
          : wanted?.ok
            ? wanted.prefix.length
            : (known.size ?? defaultSubnetSize);
      if (length !== undefined && length < vpcPrefix.length)
        fail(
          known.cidr ? "cidr" : "size",
          known.cidr ?? length,
          `is larger than the VPC's ${vpc.cidr}`,
          `Use /${vpcPrefix.length} or longer`,
        );
      const sizes = caps?.subnetPrefixLengths;
      if (length !== undefined && sizes && (length < sizes.min || length > sizes.max)) {
        fail(
          known.cidr ? "cidr" : "size",
          known.cidr ?? length,
          `cannot be a subnet on ${caps.title} ${site}`,
          sizes.why,
        );
      }
      if (known.ipv6 === true && vpc.ipv6Cidr === undefined)
        fail("ipv6", true, "needs a VPC with IPv6", "Set ipv6: true on the Vpc, or leave ipv6 out");
      else if (known.ipv6 === true && caps && !caps.ipv6)
        fail(
          "ipv6",
          true,
          `is not supported on ${caps.title} ${site} yet`,
          "Leave ipv6 out (or false) there",
        );
      if (errors.length === 0 && news.owner !== undefined && length !== undefined) {
        try {
          planAllocation(
            pools.vpcIpv4Space(known.vpc),
            { kind: "prefix", parent: vpc.cidr },
            await ctx.ledger.list({ pool: pools.vpcIpv4Space(known.vpc) }),
            news.owner,
            cidrRequest(news),
          );
        } catch (e) {
          errors.push(
            asFailure(
              news.cidr !== undefined ? "cidr" : "size",
              news.cidr ?? news.size ?? defaultSubnetSize,
              e,
            ),
          );
        }
      }
    }
  }
  return { inputs: news, failures: toFailures(errors) };
}

export async function diffSubnet(_id: string, olds: SubnetState, news: SubnetArgs): Promise<DiffResult> {
  const replaces: string[] = [];
  if (news.vpc !== olds.vpc) replaces.push("vpc");
  if (news.site !== olds.site) replaces.push("site");
  if (news.cidr !== undefined ? news.cidr !== olds.cidr : (news.size ?? defaultSubnetSize) !== olds.size) {
    replaces.push(news.cidr !== undefined ? "cidr" : "size");
  }
  if (news.ipv6 !== undefined && news.ipv6 !== (olds.ipv6 ?? false)) replaces.push("ipv6");
  const changed = (a: unknown, b: unknown) => JSON.stringify(a ?? null) !== JSON.stringify(b ?? null);
  const updates = (["name", "tags"] as const).filter((k) => changed(olds[k], news[k]));
  return {
    changes: replaces.length + updates.length > 0 || !olds.realization?.complete,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

export async function createSubnet(
  ctx: ProviderContext,
  inputs: SubnetArgs,
): Promise<{ id: string; outs: SubnetState }> {
  const owner = inputs.owner;
  if (!owner) throw new Error("Subnet inputs carry no owner; create Subnet resources through the anyvpc SDK");
  const vpc = await vpcRecord(ctx, inputs.vpc);
  if (!vpc)
    throw new InputError({
      resource: "Subnet",
      field: "vpc",
      value: inputs.vpc,
      problem: "is not a VPC anyvpc knows",
    });
  const site = ctx.sites.get(inputs.site);
  let state: SubnetState | undefined;
  try {
    const cidrSpec: PoolSpec = { kind: "prefix", parent: vpc.cidr };
    const cidr = (
      await ctx.ledger.allocate(pools.vpcIpv4Space(inputs.vpc), cidrSpec, owner, cidrRequest(inputs))
    ).value;
    const layout = subnetLayout(prefix(cidr));
    const vlan = await ctx.ledger.allocate(
      pools.vlans(inputs.site),
      { kind: "number", range: ctx.fabric.pools.vlans ?? defaultVlans },
      owner,
      {},
    );
    const vni = await ctx.ledger.allocate(
      pools.l2Vni,
      { kind: "number", range: ctx.fabric.pools.l2Vnis ?? defaultL2Vnis },
      owner,
      {},
    );
    state = {
      vpc: inputs.vpc,
      site: inputs.site,
      name: inputs.name ?? owner.split("/").pop()!,
      cidr,
      size: layout.subnet.length,
      gateway: layout.gateway,
      vlan: Number(vlan.value),
      vni: Number(vni.value),
      ipv6: false,
      usableAddresses: Number(layout.usable),
      owner,
      realization: { kind: site.kind, complete: false },
    };
    if (wantsIpv6(inputs, vpc, site.capabilities) && vpc.ipv6Cidr) {
      const v6 = (
        await ctx.ledger.allocate(
          pools.vpcIpv6Space(inputs.vpc),
          { kind: "prefix", parent: vpc.ipv6Cidr },
          owner,
          {
            length: 64,
          },
        )
      ).value;
      state.ipv6 = true;
      state.ipv6Cidr = v6;
      state.ipv6Gateway = subnetLayout(prefix(v6)).gateway;
    }
    if (inputs.tags !== undefined) state.tags = inputs.tags;
    state.realization = await site.subnet.realize(ctx, state, vpc);
    const id = idFor("subnet", owner);
    await ctx.ledger.putRecord(records.subnet, id, state);
    return { id, outs: state };
  } catch (e) {
    // Undo what this create made: nothing stays on the fabric or in the ledger, or it is recorded.
    const made = state;
    return undoCreate({
      kind: "Subnet",
      id: idFor("subnet", owner),
      cause: e,
      undo: made ? [() => site.subnet.unrealize(ctx, made)] : [],
      release: () => ctx.ledger.release(owner),
      partial: () => made && { ...made, realization: { ...made.realization, complete: false } },
    });
  }
}

export async function readSubnet(
  ctx: ProviderContext,
  id: string,
  props: SubnetState,
): Promise<{ id: string; props: SubnetState }> {
  const held = await ctx.ledger.list({ pool: pools.vpcIpv4Space(props.vpc), owner: props.owner });
  return {
    id,
    props: {
      ...props,
      cidr: held[0]?.value ?? "",
      realization: await ctx.sites.get(props.site).subnet.read(ctx, props),
    },
  };
}

export async function updateSubnet(
  ctx: ProviderContext,
  id: string,
  olds: SubnetState,
  news: SubnetArgs,
): Promise<{ outs: SubnetState }> {
  const state: SubnetState = { ...olds, name: news.name ?? olds.name };
  if (news.tags !== undefined) state.tags = news.tags;
  else delete state.tags;
  if (!olds.realization.complete || state.name !== olds.name) {
    const vpc = await vpcRecord(ctx, olds.vpc);
    if (!vpc)
      throw new InputError({
        resource: "Subnet",
        field: "vpc",
        value: olds.vpc,
        problem: "is not a VPC anyvpc knows",
      });
    state.realization = await ctx.sites.get(olds.site).subnet.realize(ctx, state, vpc);
  }
  await ctx.ledger.putRecord(records.subnet, id, state);
  return { outs: state };
}

export async function deleteSubnet(ctx: ProviderContext, id: string, props: SubnetState): Promise<void> {
  await ctx.sites.get(props.site).subnet.unrealize(ctx, props);
  await ctx.ledger.release(props.owner);
  await ctx.ledger.deleteRecord(records.subnet, id);
}

export const subnetHandlers: ResourceHandlers<SubnetArgs, SubnetState> = {
  check: checkSubnet,
  diff: diffSubnet,
  create: createSubnet,
  read: readSubnet,
  update: updateSubnet,
  delete: deleteSubnet,
};
