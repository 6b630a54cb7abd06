// Input validation against schema.json (ajv), turned into messages that name the field, the value
// and the fix. Cross-field rules live with each resource; this file only speaks for the schema.
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
export type { ErrorObject } from "ajv/dist/2020";
import schema from "../schema.json";
import { InputError } from "./errors";
import { parsePrefix } from "./ipam/prefix";

export type SchemaDef = keyof typeof schema.$defs;

const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
  discriminator: true,
});
ajv.addKeyword({ keyword: "x-fix", schemaType: "string" });
ajv.addFormat("ipv4-cidr", (v: string) => {
  const r = parsePrefix(v);
  return r.ok && r.prefix.version === 4;
});
ajv.addFormat("ipv4", (v: string) => parsePrefix(`${v}/32`).ok);
ajv.addFormat("ipv6-cidr", (v: string) => {
  const r = parsePrefix(v);
  return r.ok && r.prefix.version === 6;
});
ajv.addSchema(schema);

const compiled = new Map<SchemaDef, ValidateFunction>();
function validatorFor(def: SchemaDef): ValidateFunction {
  let v = compiled.get(def);
  if (!v) {
    v = ajv.getSchema(`${schema.$id}#/$defs/${def}`)!;
    compiled.set(def, v);
  }
  return v;
}

/** "/sites/0" → "sites[0]"; with a prefix, "fabric.sites". */
export function fieldPath(pointer: string, prefix = ""): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function fixOf(err: ErrorObject): string | undefined {
  const fix = (err.parentSchema as { "x-fix"?: string } | undefined)?.["x-fix"];
  return fix ? fix.charAt(0).toUpperCase() + fix.slice(1) : undefined;
}

function toInputError(resource: string, data: unknown, err: ErrorObject, prefix: string): InputError {
  const fix = fixOf(err);
  const p = err.params as Record<string, unknown>;
  const at = (pointer: string) => fieldPath(pointer, prefix);
  switch (err.keyword) {
    case "required":
      return new InputError({
        resource,
        field: at(`${err.instancePath}/${String(p.missingProperty)}`),
        problem: "is required",
      });
    case "additionalProperties": {
      const known = Object.keys((err.parentSchema as { properties?: object }).properties ?? {});
      const extra = String(p.additionalProperty);
      return new InputError({
        resource,
        field: at(`${err.instancePath}/${extra}`),
        problem: "is not a known property",
        fix: known.length ? `Known properties: ${known.join(", ")}` : undefined,
      });
    }
    case "format": {
      const value = valueAt(data, err.instancePath);
      if (p.format === "ipv4")
        return new InputError({
          resource,
          field: at(err.instancePath),
          value,
          problem: "is not a valid IPv4 address",
          fix,
        });
      const parsed = parsePrefix(value);
      const family = String(p.format).startsWith("ipv6") ? "IPv6" : "IPv4";
      const problem = parsed.ok
        ? `is an IPv${parsed.prefix.version} prefix where ${family} is expected`
        : parsed.reason;
      return new InputError({
        resource,
        field: at(err.instancePath),
        value,
        problem: `is not a valid ${family} CIDR: it ${problem}`,
        fix,
      });
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const bound = {
        minimum: "at least",
        maximum: "at most",
        exclusiveMinimum: "more than",
        exclusiveMaximum: "less than",
      }[err.keyword];
      return new InputError({
        resource,
        field: at(err.instancePath),
        value: valueAt(data, err.instancePath),
        problem: `must be ${bound} ${String(p.limit)}`,
        fix,
      });
    }
    case "minItems":
      return new InputError({
        resource,
        field: at(err.instancePath),
        value: valueAt(data, err.instancePath),
        problem: `needs at least ${String(p.limit)} item${p.limit === 1 ? "" : "s"}`,
        fix,
      });
    case "enum":
      return new InputError({
        resource,
        field: at(err.instancePath),
        value: valueAt(data, err.instancePath),
        problem: `is not one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        fix,
      });
    case "propertyNames": {
      const name = String(p.propertyName);
      return new InputError({
        resource,
        field: at(`${err.instancePath}/${name}`),
        problem: "is not an allowed name",
        fix,
      });
    }
    default: {
      const value = valueAt(data, err.instancePath);
      return new InputError({
        resource,
        field: at(err.instancePath) || "(inputs)",
        value,
        problem: err.message ?? "is invalid",
        fix,
      });
    }
  }
}

/**
 * Validates data against a schema definition and returns one InputError per problem (empty when
 * valid). Errors raised inside property-name checks duplicate their parent's; those are dropped, and
 * so are those `ignore` says cannot be judged yet.
 */
export function validateAgainst(
  def: SchemaDef,
  resource: string,
  data: unknown,
  prefix = "",
  ignore: (e: ErrorObject) => boolean = () => false,
): InputError[] {
  const validate = validatorFor(def);
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter(
    (e) => !(e.keyword === "pattern" && e.propertyName !== undefined) && !ignore(e),
  );
  const out: InputError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const ie = toInputError(resource, data, e, prefix);
    if (!seen.has(ie.message)) {
      seen.add(ie.message);
      out.push(ie);
    }
  }
  return out;
}
