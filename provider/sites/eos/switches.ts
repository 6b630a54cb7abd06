// Facts of the site's switches from the fabric description.
import { AnyvpcError } from "../../errors";
import type { EosSiteConfig } from "../../generated/schema";

/** The switch's BGP router id: the admin part of its route distinguishers. */
export function routerIdOf(config: EosSiteConfig, sw: string): string {
  const s = config.switches[sw];
  if (!s) throw new AnyvpcError(`switch ${sw} is not in the site`, { value: sw });
  return s.routerId;
}
