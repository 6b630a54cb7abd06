// A VPC's links over the fabric's interconnects (part of the Vpc's handlers). For each declared
// interconnect whose NVUE site and Metal metro the VPC both spans: plan a link VLAN (from the NVUE
// site's VLAN pool, so it never collides with a subnet's VLAN there) and a /30 inside the VPC's
// CIDR (Metal requires the link subnet inside the VRF's ranges), then realize both ends: a VRF
// virtual circuit on the Metal interconnection, and on the border leaf the link VLAN on the
// cabled port, an SVI in the VPC's VRF and eBGP to the Metal VRF. Traffic between the sites of a
// VPC flows only over such a link; without one they stay apart.
import { AnyvpcError } from "../errors";
import type { InterconnectConfig as Interconnect, VpcInterconnectRealization } from "../generated/schema";
import type { MetalClient } from "../drivers/metal/client";
import {
  deleteVrfVirtualCircuit,
  ensureVrfVirtualCircuit,
  ownerTag,
  resolveConnectionPort,
} from "../drivers/metal/realize";
import { borderChanges, removeBorderChanges } from "../drivers/nvue/intent";
import { holds } from "../drivers/nvue/site";
import { formatAddress, prefix } from "../ipam/prefix";
import { owners, pools } from "../ledger/keys";
import type { ProviderContext } from "./common";
import { defaultVlans } from "./subnet";

/** The ASN Metal VRFs speak BGP with unless the interconnect says otherwise. */
export const defaultMetalAsn = 65100;

export interface LinkedVpc {
  id: string;
  owner: string;
  vrf: string;
  cidr: string;
  sites: readonly string[];
  /** The Metal VRF of each Metal site, by site name. */
  metalVrfIds: Readonly<Record<string, string | undefined>>;
}

/** A VPC's links by interconnect name (as in VpcState.interconnects). */
type Links = Readonly<Record<string, VpcInterconnectRealization | undefined>>;

/** The ASN of the VPC VRFs anyvpc makes in a Metal metro (their local_asn, the border's BGP peer). */
export function metalAsnOf(ctx: ProviderContext, metalSite: string): number {
  const ic = Object.values(ctx.fabric.interconnects ?? {}).find((i) => i?.metal.site === metalSite);
  return ic?.metal.asn ?? defaultMetalAsn;
}

/** The interconnects whose two sites the VPC spans. */
export function linksOf(ctx: ProviderContext, sites: readonly string[]): [string, Interconnect][] {
  return Object.entries(ctx.fabric.interconnects ?? {}).flatMap(([name, ic]) =>
    ic && sites.includes(ic.nvue.site) && sites.includes(ic.metal.site) ? [[name, ic]] : [],
  );
}

function border(ctx: ProviderContext, ic: Interconnect, vpc: LinkedVpc, link: VpcInterconnectRealization) {
  return {
    vrf: vpc.vrf,
    port: ic.nvue.port,
    vlan: link.nniVlan,
    address: `${link.customerIp}/${prefix(link.subnet).length}`,
    peer: link.metalIp,
    peerAsn: metalAsnOf(ctx, ic.metal.site),
  };
}

function drivers(ctx: ProviderContext, ic: Interconnect) {
  const nvue = ctx.sites.get(ic.nvue.site);
  const metal = ctx.sites.get(ic.metal.site);
  if (nvue.kind !== "nvue" || metal.kind !== "equinix-metal")
    throw new AnyvpcError(
      `interconnect between ${ic.nvue.site} and ${ic.metal.site} joins the wrong kinds of site`,
      {
        fix: "nvue.site must be an NVUE site and metal.site an Equinix Metal metro",
      },
    );
  return { nvue, metal };
}

/** Plans (idempotently, through the ledger) and realizes one link; returns what exists. */
async function ensureLink(
  ctx: ProviderContext,
  vpc: LinkedVpc,
  name: string,
  ic: Interconnect,
): Promise<VpcInterconnectRealization> {
  const owner = owners.link(vpc.owner, name);
  const { nvue, metal } = drivers(ctx, ic);
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
  if (!vrfId) throw new AnyvpcError(`the VPC has no Metal VRF at ${ic.metal.site} yet`);
  const vc = await ensureVrfVirtualCircuit(metal.metal, metal.site, {
    owner,
    connectionId: ic.metal.connectionId,
    portName: ic.metal.port ?? "primary",
    vrfId,
    nniVlan: link.nniVlan,
    peerAsn: nvue.config.asn,
    subnet: link.subnet,
    metalIp: link.metalIp,
    customerIp: link.customerIp,
  });
  await nvue.nvue.ensure(ic.nvue.switch, borderChanges(border(ctx, ic, vpc, link)));
  return { ...link, complete: true, virtualCircuitId: vc.id };
}

async function removeLink(
  ctx: ProviderContext,
  vpc: LinkedVpc,
  name: string,
  ic: Interconnect,
  link: VpcInterconnectRealization | undefined,
): Promise<void> {
  const owner = owners.link(vpc.owner, name);
  const { nvue, metal } = drivers(ctx, ic);
  if (link) {
    await nvue.nvue.ensure(ic.nvue.switch, removeBorderChanges(border(ctx, ic, vpc, link)));
    // A border port with no link VLAN left leaves the bridge (an empty VLAN list would carry all).
    const at = ["interface", ic.nvue.port];
    const bridge = [...at, "bridge"];
    await nvue.nvue.removeIfEmpty(
      ic.nvue.switch,
      [...bridge, "domain", "br_default", "vlan"],
      [...bridge, "domain", "br_default"],
      [...bridge, "domain"],
      bridge,
      at,
    );
  }
  // The circuit is found by its owner tag, so one a crashed create made is removed too.
  for (const vc of await circuitsOf(metal.metal, ic, owner))
    await deleteVrfVirtualCircuit(metal.metal, vc.id);
  await ctx.ledger.release(owner);
}

/** The circuits on the interconnect's port tagged with `owner`. */
async function circuitsOf(client: MetalClient, ic: Interconnect, owner: string) {
  const port = await resolveConnectionPort(client, ic.metal.connectionId, {
    portName: ic.metal.port ?? "primary",
  });
  const tag = ownerTag(owner);
  return (await client.listPortVirtualCircuits(ic.metal.connectionId, port.id)).filter((c) =>
    (c.tags ?? []).includes(tag),
  );
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
    const { nvue, metal } = drivers(ctx, ic);
    const circuits = await circuitsOf(metal.metal, ic, owners.link(vpc.owner, name));
    const vc = circuits.find((c) => c.status === "active");
    let onBorder = true;
    for (const change of borderChanges(border(ctx, ic, vpc, link)))
      onBorder &&= holds(await nvue.nvue.read(ic.nvue.switch, change.path), change.value);
    out[name] = { ...link, complete: Boolean(vc) && onBorder };
  }
  return out;
}
