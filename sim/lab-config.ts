// Stack config for a simulated lab: the fabric description with its credentials lifted out, to be
// set as Pulumi secrets (so they are encrypted in the config file and never in plaintext in state).
// It lives beside the lab so that the quick start, the e2e tests and `anyvpc sim` share one copy.
import type { Lab } from "./lab";

export interface LabConfig {
  config: Record<string, unknown>;
  /** The lab's secrets, by their full config path (`anyvpc:fabric.sites…`). */
  secrets: Lab["secrets"];
}

export function labStackConfig(
  lab: Lab,
  rest: { pools: Record<string, unknown>; ledger?: Record<string, unknown> },
  extra: Record<string, unknown> = {},
): LabConfig {
  const sites = structuredClone(lab.sites);
  for (const s of lab.secrets) {
    const keys = s.path.split(".").slice(1); // below "sites"
    let node = sites as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    delete node[keys[keys.length - 1]!];
  }
  return {
    config: { "anyvpc:fabric": { sites, interconnects: lab.interconnects, ...rest }, ...extra },
    secrets: lab.secrets.map((s) => ({ ...s, path: `anyvpc:fabric.${s.path}` })),
  };
}
