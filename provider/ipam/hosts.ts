// Host addresses inside a subnet. The network address, the gateway (first usable by default), any
// extra reserved addresses after it, and (IPv4) the broadcast address are held back; hosts are then
// single-address blocks planned by best fit, so a /64 costs the same as a /24: nothing is listed.
import { PlanError } from "../errors";
import { addressBits, formatAddress, formatPrefix, lastAddress, prefixSize, type Prefix } from "./prefix";
import { AddressSpace } from "./space";

export interface SubnetLayout {
  readonly subnet: Prefix;
  readonly gateway: string;
  /** Addresses held back: network, gateway, extra reservations, broadcast (as /32 or /128 prefixes). */
  readonly reserved: readonly Prefix[];
  /** How many addresses remain for hosts. */
  readonly usable: bigint;
}

/**
 * The layout of a subnet: gateway at network + 1 (or `gatewayOffset`), then `reserve` more
 * addresses held for the fabric (e.g. per-switch SVI addresses). IPv4 subnets must leave room for
 * at least one host (/30 or shorter); IPv6 has no broadcast address.
 */
export function subnetLayout(
  subnet: Prefix,
  opts: { reserve?: number; gatewayOffset?: number } = {},
): SubnetLayout {
  const bits = addressBits(subnet.version);
  const reserve = opts.reserve ?? 0;
  const gatewayOffset = opts.gatewayOffset ?? 1;
  const size = prefixSize(subnet);
  const held = 1n + BigInt(gatewayOffset) + BigInt(reserve) + (subnet.version === 4 ? 1n : 0n);
  if (size <= held) {
    throw new PlanError(
      `${formatPrefix(subnet)} has no room for hosts after the network, gateway and reserved addresses`,
      {
        value: formatPrefix(subnet),
        fix: `use a /${Math.max(0, bits - Math.ceil(Math.log2(Number(held) + 1)))} or shorter prefix`,
      },
    );
  }
  const single = (value: bigint): Prefix => ({ version: subnet.version, network: value, length: bits });
  const gateway = subnet.network + BigInt(gatewayOffset);
  const reserved: Prefix[] = [single(subnet.network), single(gateway)];
  for (let i = 1; i <= reserve; i++) reserved.push(single(gateway + BigInt(i)));
  if (subnet.version === 4) reserved.push(single(lastAddress(subnet)));
  return {
    subnet,
    gateway: formatAddress(subnet.version, gateway),
    reserved,
    usable: size - BigInt(reserved.length),
  };
}

/** The subnet's space with the layout's reserved addresses already held. */
export function hostSpace(layout: SubnetLayout): AddressSpace {
  let space = AddressSpace.of(layout.subnet);
  for (const r of layout.reserved) if (space.isFree(r)) space = space.claim(r);
  return space;
}

/** Plans the next host address (lowest free address in the smallest gap). */
export function planHost(space: AddressSpace): { address: string; space: AddressSpace } {
  const r = space.allocate(addressBits(space.parent.version));
  return { address: formatAddress(r.prefix.version, r.prefix.network), space: r.space };
}
