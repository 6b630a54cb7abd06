// Generated from schema.json by scripts/gen-types.ts. Do not edit; run `npm run gen`.

/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Name".
 */
export type Name = string;
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Ipv4Cidr".
 */
export type Ipv4Cidr = string;
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Ipv6Cidr".
 */
export type Ipv6Cidr = string;

/**
 * Inputs and outputs of anyvpc's resources and the fabric description. The one source of truth: the provider validates with it (ajv) and the TypeScript types are generated from it (npm run gen).
 */
export interface Anyvpc {}
/**
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Tags".
 */
export interface Tags {
  [k: string]: string | undefined;
}
/**
 * One site of the fabric: a switch fabric or an Equinix Metal metro.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Site".
 */
export interface Site {
  kind: "nvue" | "equinix-metal";
  [k: string]: unknown | undefined;
}
/**
 * Address and number pools that anyvpc plans from.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Pools".
 */
export interface Pools {
  /**
   * Private IPv4 space that VPC CIDRs are planned from.
   */
  vpcIpv4: string;
}
/**
 * Where allocations are recorded. Default: a JSON file under .anyvpc/ next to the program.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Ledger".
 */
export interface LedgerConfig {
  /**
   * Path of the file ledger.
   */
  file?: string;
  /**
   * PostgreSQL connection URL; selects the PostgreSQL engine.
   */
  url?: string;
}
/**
 * The fabric description a stack gives once, as the stack config value anyvpc:fabric.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "Fabric".
 */
export interface Fabric {
  sites: {
    [k: string]: Site | undefined;
  };
  pools: Pools;
  ledger?: LedgerConfig;
}
/**
 * Inputs of a Vpc.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "VpcArgs".
 */
export interface VpcArgs {
  /**
   * Name on the fabric (VRF name). Default: the resource name.
   */
  name?: string;
  /**
   * Sites of the fabric this VPC spans.
   *
   * @minItems 1
   */
  sites: [Name, ...Name[]];
  /**
   * Explicit IPv4 CIDR. Default: planned from the fabric's VPC pool.
   */
  cidr?: string;
  /**
   * Prefix length of the planned IPv4 CIDR when cidr is not given. Default 16.
   */
  size?: number;
  tags?: Tags;
  /**
   * Set by the SDK: project/stack/kind/name, the identity allocations are recorded under.
   */
  owner?: string;
}
/**
 * Outputs of a Vpc.
 *
 * This interface was referenced by `Anyvpc`'s JSON-Schema
 * via the `definition` "VpcState".
 */
export interface VpcState {
  name: string;
  sites: string[];
  /**
   * The VPC's IPv4 CIDR (explicit or planned).
   */
  cidr: string;
  /**
   * Prefix length of cidr.
   */
  size: number;
  tags?: {
    [k: string]: string | undefined;
  };
  owner: string;
}
