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
  if (errors.length === 0) errors.push(...interconnectErrors(value as Fabric));
  return errors.length ? { ok: false, errors } : { ok: true, fabric: value as Fabric };
}

/** An interconnect joins a switch of an NVUE site to an Equinix Metal metro of this fabric. */
function interconnectErrors(fabric: Fabric): InputError[] {
  const errors: InputError[] = [];
  const sitesOf = (kind: string) =>
    Object.keys(fabric.sites)
      .filter((s) => fabric.sites[s]?.kind === kind)
      .join(", ") || "(none)";
  const wrongKind = (field: string, site: string, kind: string, what: string) =>
    new InputError({
      field,
      value: site,
      problem: `is not ${what} of the fabric`,
      fix: `Use one of: ${sitesOf(kind)}`,
    });
  for (const [name, ic] of Object.entries(fabric.interconnects ?? {})) {
    if (!ic) continue;
    const at = `${fabricConfigKey}.interconnects.${name}`;
    const nvue = fabric.sites[ic.nvue.site];
    if (nvue?.kind !== "nvue")
      errors.push(wrongKind(`${at}.nvue.site`, ic.nvue.site, "nvue", "an NVUE site"));
    else if (!nvue.switches[ic.nvue.switch])
      errors.push(
        new InputError({
          field: `${at}.nvue.switch`,
          value: ic.nvue.switch,
          problem: `is not a switch of site ${ic.nvue.site}`,
          fix: `Use one of: ${Object.keys(nvue.switches).join(", ")}`,
        }),
      );
    if (fabric.sites[ic.metal.site]?.kind !== "equinix-metal")
      errors.push(wrongKind(`${at}.metal.site`, ic.metal.site, "equinix-metal", "an Equinix Metal site"));
  }
  return errors;
}
