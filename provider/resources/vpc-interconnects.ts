// A VPC's links over the fabric's interconnects (part of the Vpc's handlers). For each declared
// interconnect whose NVUE site and Metal metro the VPC both spans: plan a link VLAN (from the NVUE
// site's VLAN pool, so it never collides with a subnet's VLAN there) and a /30 inside the VPC's
// CIDR (Metal requires the link subnet inside the VRF's ranges), then realize both ends: a VRF
// virtual circuit on the Metal interconnection, and on the border leaf the link VLAN on the
// cabled port, an SVI in the VPC's VRF and eBGP to the Metal VRF. Traffic between the sites of a
// VPC flows only over such a link; without one they stay apart.
import { AnyvpcError } from "../errors";
import type { InterconnectConfig as Interconnect, VpcInterconnectRealization } from "../generated/schema";
import { formatAddress, prefix } from "../ipam/prefix";
import { owners, pools } from "../ledger/keys";
import type { BorderLink } from "../sites";
import type { ProviderContext } from "./common";
import { defaultVlans } from "./subnet";

export interface LinkedVpc {
  id: string;
  owner: string;
  vrf: string;
  cidr: string;
  sites: readonly string[];
  /** The cloud VRF of each cloud site, by site name. */
  metalVrfIds: Readonly<Record<string, string | undefined>>;
}

/** A VPC's links by interconnect name (as in VpcState.interconnects). */
type Links = Readonly<Record<string, VpcInterconnectRealization | undefined>>;

/** The interconnects whose two sites the VPC spans. */
export function linksOf(ctx: ProviderContext, sites: readonly string[]): [string, Interconnect][] {
  return Object.entries(ctx.fabric.interconnects ?? {}).flatMap(([name, ic]) =>
    ic && sites.includes(ic.nvue.site) && sites.includes(ic.metal.site) ? [[name, ic]] : [],
  );
}

/** The interconnect's two ends: a site that can be its switch end, and one that can be its cloud end. */
function ends(ctx: ProviderContext, ic: Interconnect) {
  const border = ctx.sites.get(ic.nvue.site).border;
  const cloud = ctx.sites.get(ic.metal.site).cloud;
  if (!border || !cloud)
    throw new AnyvpcError(
      `interconnect between ${ic.nvue.site} and ${ic.metal.site} joins the wrong kinds of site`,
      {
        fix: "nvue.site must be a switch-fabric site that can host a border, and metal.site a cloud site with virtual circuits",
      },
    );
  return { border, cloud };
}

function borderLink(
  ctx: ProviderContext,
  ic: Interconnect,
  vpc: LinkedVpc,
  link: VpcInterconnectRealization,
): BorderLink {
  return {
    switch: ic.nvue.switch,
    vrf: vpc.vrf,
    port: ic.nvue.port,
    vlan: link.nniVlan,
    address: `${link.customerIp}/${prefix(link.subnet).length}`,
    peer: link.metalIp,
    peerAsn: ends(ctx, ic).cloud.asn(ctx),
  };
}

const cloudPlace = (ic: Interconnect, owner: string) => ({
  owner,
  connectionId: ic.metal.connectionId,
  portName: ic.metal.port ?? "primary",
});

/** Plans (idempotently, through the ledger) and realizes one link; returns what exists. */
async function ensureLink(
  ctx: ProviderContext,
  vpc: LinkedVpc,
  name: string,
  ic: Interconnect,
): Promise<VpcInterconnectRealization> {
  const owner = owners.link(vpc.owner, name);
  const { border, cloud } = ends(ctx, ic);
  const vlan = await ctx.ledger.allocate(
    pools.vlans(ic.nvue.site),
    { kind: "number", range: ctx.fabric.pools.vlans ?? defaultVlans },
    owner,
    {},
  );
  const subnet = prefix(
    (
      await ctx.ledger.allocate(pools.vpcIpv4Space(vpc.id), { kind: "prefix", parent: vpc.cidr }, owner, {
        length: 30,
      })
    ).value,
  );
  const link: VpcInterconnectRealization = {
    complete: false,
    nniVlan: Number(vlan.value),
    subnet: `${formatAddress(4, subnet.network)}/30`,
    metalIp: formatAddress(4, subnet.network + 1n),
    customerIp: formatAddress(4, subnet.network + 2n),
  };
  const vrfId = vpc.metalVrfIds[ic.metal.site];
  if (!vrfId) throw new AnyvpcError(`the VPC has no VRF at ${ic.metal.site} yet`);
  const vc = await cloud.ensure(ctx, {
    ...cloudPlace(ic, owner),
    vrfId,
    realization: link,
    peerAsn: border.asn,
  });
  await border.ensure(ctx, borderLink(ctx, ic, vpc, link));
  return { ...link, complete: true, virtualCircuitId: vc.virtualCircuitId };
}

async function removeLink(
  ctx: ProviderContext,
  vpc: LinkedVpc,
  name: string,
  ic: Interconnect,
  link: VpcInterconnectRealization | undefined,
): Promise<void> {
  const owner = owners.link(vpc.owner, name);
  const { border, cloud } = ends(ctx, ic);
  if (link) await border.remove(ctx, borderLink(ctx, ic, vpc, link));
  // The circuit is found by its owner tag, so one a crashed create made is removed too.
  await cloud.remove(ctx, cloudPlace(ic, owner));
  await ctx.ledger.release(owner);
}

/**
 * Brings the VPC's links to what its sites call for: each link the VPC should have is ensured
 * (complete ones are kept as they are), each one it should no longer have is removed.
 */
export async function ensureLinks(
  ctx: ProviderContext,
  vpc: LinkedVpc,
  before: Links = {},
): Promise<Record<string, VpcInterconnectRealization>> {
  const wanted = linksOf(ctx, vpc.sites);
  const out: Record<string, VpcInterconnectRealization> = {};
  for (const [name, ic] of wanted) {
    const had = before[name];
    out[name] = had?.complete ? had : await ensureLink(ctx, vpc, name, ic);
  }
  for (const [name, link] of Object.entries(before)) {
    const ic = ctx.fabric.interconnects?.[name];
    if (ic && link && !(name in out)) await removeLink(ctx, vpc, name, ic, link);
  }
  return out;
}

/** Removes every link of the VPC (before its VRFs go: Metal refuses to delete a VRF with a circuit). */
export async function removeLinks(ctx: ProviderContext, vpc: LinkedVpc, links: Links = {}): Promise<void> {
  for (const [name, ic] of linksOf(ctx, vpc.sites)) await removeLink(ctx, vpc, name, ic, links[name]);
}

/** What the fabric holds of each link: the circuit active, and the border config as applied. */
export async function readLinks(
  ctx: ProviderContext,
  vpc: LinkedVpc,
  links: Links = {},
): Promise<Record<string, VpcInterconnectRealization>> {
  const out: Record<string, VpcInterconnectRealization> = {};
  for (const [name, ic] of linksOf(ctx, vpc.sites)) {
    const link = links[name];
    if (!link) continue;
    const { border, cloud } = ends(ctx, ic);
    const active = await cloud.holds(ctx, cloudPlace(ic, owners.link(vpc.owner, name)));
    const onBorder = await border.holds(ctx, borderLink(ctx, ic, vpc, link));
    out[name] = { ...link, complete: active && onBorder };
  }
  return out;
}
