// The fabric description: sites, pools and the ledger, given once per stack as the config value
// `anyvpc:fabric` (a JSON object). Validated against schema.json like resource inputs.
import type { Fabric } from "./generated/schema";
import { InputError } from "./errors";
import { validateAgainst } from "./validate";

export const fabricConfigKey = "anyvpc:fabric";

export type FabricResult = { ok: true; fabric: Fabric } | { ok: false; errors: InputError[] };

/** Parses the raw config text (as Pulumi hands it to configure) into a validated Fabric. */
export function parseFabric(raw: string | undefined): FabricResult {
  if (raw === undefined || raw === "") {
    return {
      ok: false,
      errors: [
        new InputError({
          field: fabricConfigKey,
          problem: "is not set",
          fix: "Describe your sites and pools in the stack config, e.g. `pulumi config set --path 'anyvpc:fabric.pools.vpcIpv4' 10.0.0.0/8` (see examples/quickstart/Pulumi.yaml)",
        }),
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      errors: [
        new InputError({
          field: fabricConfigKey,
          problem: "is not a JSON object",
          fix: "Set it as a YAML object in Pulumi.<stack>.yaml",
        }),
      ],
    };
  }
  const errors = validateAgainst("Fabric", "Fabric", value, fabricConfigKey);
  return errors.length ? { ok: false, errors } : { ok: true, fabric: value as Fabric };
}
