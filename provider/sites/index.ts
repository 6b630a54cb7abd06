// The sites of the fabric, each behind its kind's SiteAdapter, built once per provider process from
// the fabric description. The registry below is the only place that knows the kinds: adding one is
// a folder under provider/sites/<kind>/, its schema entry and a line here. Credentials come from
// the description (Pulumi secrets) or, for Metal, METAL_AUTH_TOKEN.
import { AnyvpcError } from "../errors";
import type { Fabric } from "../generated/schema";
import type { SiteAdapter } from "./adapter";
import { eosAdapter } from "./eos";
import { metalAdapter } from "./equinix-metal";
import { nvueAdapter } from "./nvue";

export type {
  AttachmentTarget,
  BorderLink,
  LoadBalancerRealized,
  SiteAdapter,
  SiteCapabilities,
  SiteContext,
  VpcFacts,
} from "./adapter";
export { defaultSpeakerAsn } from "./adapter";
export { elasticIpOf, isMetalDevice, isSwitchPort, metalSubnetOf, metalVpcOf } from "./targets";

type SiteConfig = Fabric["sites"][string] & object;
type KindOf<C> = C extends { kind: infer K extends string } ? K : never;

/** One factory per kind of site, keyed by the `kind` of its fabric description. */
const registry: {
  [K in KindOf<SiteConfig>]: (
    name: string,
    config: Extract<SiteConfig, { kind: K }>,
    env: NodeJS.ProcessEnv,
  ) => SiteAdapter;
} = {
  nvue: (name, config) => nvueAdapter(name, config),
  eos: (name, config) => eosAdapter(name, config),
  "equinix-metal": (name, config, env) => metalAdapter(name, config, env),
};

export class Sites {
  private readonly adapters = new Map<string, SiteAdapter>();

  constructor(
    private readonly fabric: Fabric,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  names(): string[] {
    return Object.keys(this.fabric.sites);
  }

  get(name: string): SiteAdapter {
    const cached = this.adapters.get(name);
    if (cached) return cached;
    const config = this.fabric.sites[name];
    if (!config)
      throw new AnyvpcError(`site ${name} is not in the fabric description`, {
        value: name,
        fix: `known sites: ${this.names().join(", ")}`,
      });
    const make = registry[config.kind] as (n: string, c: SiteConfig, e: NodeJS.ProcessEnv) => SiteAdapter;
    const adapter = make(name, config, this.env);
    this.adapters.set(name, adapter);
    return adapter;
  }
}
