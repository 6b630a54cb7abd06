// The drivers of each site of the fabric, built once per provider process from the fabric
// description: an NvueSite (all switches, write combining) or a Metal client with its project and
// metro. Credentials come from the description (Pulumi secrets) or, for Metal, METAL_AUTH_TOKEN.
import { AnyvpcError } from "./errors";
import type { Fabric, MetalSiteConfig, NvueSiteConfig } from "./generated/schema";
import { MetalClient, metalToken } from "./drivers/metal/client";
import type { MetalSite } from "./drivers/metal/realize";
import { NvueSite } from "./drivers/nvue/site";

export type SiteDriver =
  | { kind: "nvue"; name: string; config: NvueSiteConfig; nvue: NvueSite }
  | { kind: "equinix-metal"; name: string; config: MetalSiteConfig; metal: MetalClient; site: MetalSite };

export class Sites {
  private readonly drivers = new Map<string, SiteDriver>();

  constructor(
    private readonly fabric: Fabric,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  names(): string[] {
    return Object.keys(this.fabric.sites);
  }

  get(name: string): SiteDriver {
    const cached = this.drivers.get(name);
    if (cached) return cached;
    const config = this.fabric.sites[name];
    if (!config)
      throw new AnyvpcError(`site ${name} is not in the fabric description`, {
        value: name,
        fix: `known sites: ${this.names().join(", ")}`,
      });
    let driver: SiteDriver;
    if (config.kind === "nvue") {
      const switches = Object.entries(config.switches).flatMap(([sw, s]) =>
        s ? [{ name: sw, url: s.url, username: s.username, password: s.password, caPem: s.caPem }] : [],
      );
      driver = { kind: "nvue", name, config, nvue: new NvueSite(switches) };
    } else {
      const metal = new MetalClient({ baseUrl: config.url, token: metalToken(config.token, this.env) });
      driver = {
        kind: "equinix-metal",
        name,
        config,
        metal,
        site: { projectId: config.projectId, metro: config.metro },
      };
    }
    this.drivers.set(name, driver);
    return driver;
  }
}
