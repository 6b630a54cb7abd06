// Contract validator for the Equinix Metal API: loads the vendor's multi-file OpenAPI 3.0 spec into one
// document, compiles its schemas with ajv, and checks request and response bodies against it. Tests use
// it to prove that our Metal client and our Metal simulator speak the API the vendor documents.
//
// It is strict where the spec is: a `oneOf` is checked as oneOf (a body matching two branches is a
// violation), except the spec's own ambiguities listed case by case in metal-ambiguities.ts; and a
// nested object must be what the spec types it as, so a bare `{href}` is accepted only where the
// schema is an `Href` (elsewhere the resource itself must come, valid by its own schema).
import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import type { ErrorObject, SchemaValidateFunction, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";
import { METAL_ONE_OF_AMBIGUITIES } from "./metal-ambiguities";

export interface ContractViolation {
  /** The spec operation, e.g. "POST /projects/{id}/vrfs", or the concrete path when none matched. */
  operation: string;
  where: "request" | "response";
  status?: number;
  /** ajv messages prefixed with the instance path ("body/ip_ranges must be array"). */
  errors: string[];
}

export interface MetalContract {
  /** The spec operation for a concrete API path (without the /metal/v1 base), or undefined. Literal segments win over {params} (e.g. /ports/{id}/vlan-assignments/batches vs /ports/{id}/vlan-assignments/{assignment_id}). */
  operationFor(method: string, apiPath: string): string | undefined;
  /** Validates a JSON request body against the operation's requestBody schema (application/json). A body where none is defined, or a missing required body, is a violation. Returns [] when valid. */
  checkRequest(method: string, apiPath: string, body: unknown): ContractViolation[];
  /** Validates a response: the status must be declared for the operation (or covered by "default"); a JSON body must match its schema; a declared-empty response (e.g. 204) must have no body. Returns [] when valid. Special case from the real API: GET /projects/{id}/bgp-config may return 200 with an empty body when BGP is disabled — accept an empty 200 body there. */
  checkResponse(method: string, apiPath: string, status: number, body: unknown): ContractViolation[];
  /** Compiles a schema whose refs ("#/components/schemas/Vrf") name the spec's components, held as request or response bodies are (e.g. `{oneOf: [...]}` to count the branches a body matches). */
  schemaValidator(schema: object, where: "request" | "response"): ValidateFunction;
}

/** The repository root (this file lives in test/contract/). */
const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The spec sits beside the repository clone, in the shared folder (also in CI). */
export const METAL_SPEC_PATH = path.resolve(
  REPO_ROOT,
  "..",
  "shared",
  "specs",
  "equinix-metal",
  "oas3.fetched",
  "openapi3.yaml",
);

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const SCHEMA_REF_PREFIX = "#/components/schemas/";

// ---------------------------------------------------------------------------------------------------------
// Loading: one document with every external $ref resolved.
//
// The spec's files only ever $ref whole files by relative path (no fragments). Files under
// components/schemas/ become named entries in components.schemas and are referenced as
// "#/components/schemas/<file name>", which keeps recursive schemas (Device <-> Project) as internal refs.
// Everything else (path items, parameters, request bodies) is not recursive and is inlined.
// ---------------------------------------------------------------------------------------------------------

class SpecBundler {
  readonly schemas: Record<string, unknown> = {};
  private readonly schemaFiles = new Map<string, string>();
  private readonly inlining = new Set<string>();
  private readonly schemasDir: string;

  constructor(private readonly rootFile: string) {
    this.schemasDir = path.join(path.dirname(rootFile), "components", "schemas");
  }

  bundle(): JsonObject {
    const root = readYaml(this.rootFile);
    if (!isObject(root)) throw new Error(`${this.rootFile}: not a YAML mapping`);
    const dir = path.dirname(this.rootFile);
    const components = isObject(root.components) ? root.components : {};
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(components)) {
      if (key === "schemas") continue;
      out[key] = this.resolve(value, dir);
    }
    // The root lists schemas by name; a name that differs from its file's name becomes an alias.
    if (isObject(components.schemas)) {
      for (const [name, value] of Object.entries(components.schemas)) {
        const resolved = this.resolve(value, dir);
        if (!(name in this.schemas)) this.schemas[name] = resolved;
      }
    }
    const paths = this.resolve(root.paths, dir);
    out.schemas = this.schemas;
    return { ...root, paths, components: out };
  }

  private resolve(node: unknown, dir: string): unknown {
    if (Array.isArray(node)) return node.map((item) => this.resolve(item, dir));
    if (!isObject(node)) return node;
    const ref = node.$ref;
    if (typeof ref === "string") {
      // OpenAPI 3.0 ignores siblings of $ref, so dropping them loses nothing.
      if (ref.includes("#")) throw new Error(`unsupported $ref "${ref}" (only whole-file refs are expected)`);
      const file = path.resolve(dir, ref);
      if (path.dirname(file) === this.schemasDir) {
        const name = path.basename(file).replace(/\.ya?ml$/, "");
        this.registerSchema(name, file);
        return { $ref: SCHEMA_REF_PREFIX + name };
      }
      if (this.inlining.has(file)) throw new Error(`recursive $ref outside components/schemas: ${file}`);
      this.inlining.add(file);
      try {
        return this.resolve(readYaml(file), path.dirname(file));
      } finally {
        this.inlining.delete(file);
      }
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) out[key] = this.resolve(value, dir);
    return out;
  }

  private registerSchema(name: string, file: string): void {
    const known = this.schemaFiles.get(name);
    if (known !== undefined) {
      if (known !== file) throw new Error(`schema name clash: ${name} is both ${known} and ${file}`);
      return; // Registered or being registered: the returned $ref covers recursion.
    }
    this.schemaFiles.set(name, file);
    this.schemas[name] = this.resolve(readYaml(file), path.dirname(file));
  }
}

function readYaml(file: string): unknown {
  return YAML.parse(fs.readFileSync(file, "utf8"));
}

// ---------------------------------------------------------------------------------------------------------
// Normalising OpenAPI 3.0 schema dialect for ajv (draft-07).
// ---------------------------------------------------------------------------------------------------------

/** Rewrites one schema in place (returning its replacement) and records the formats it uses. */
function normalizeSchema(node: unknown, formats: Set<string>): unknown {
  if (Array.isArray(node)) return node.map((item) => normalizeSchema(item, formats));
  if (!isObject(node) || typeof node.$ref === "string") return node;

  if (typeof node.format === "string") formats.add(node.format);

  for (const key of ["properties", "patternProperties", "definitions"]) {
    const map = node[key];
    if (isObject(map))
      for (const [name, sub] of Object.entries(map)) map[name] = normalizeSchema(sub, formats);
  }
  for (const key of ["items", "additionalProperties", "additionalItems", "not", "allOf", "anyOf", "oneOf"]) {
    if (key in node) node[key] = normalizeSchema(node[key], formats);
  }
  if (Array.isArray(node.oneOf)) exemptListedAmbiguities(node);

  if (node.nullable === true) {
    if (node.type !== undefined) {
      // ajv's nullable only widens `type`; an enum must list null too or a null value still fails it.
      // OpenAPI 3.0 means "null is allowed" (VlanVirtualCircuit.bill_type: "Legacy ... will have nil").
      if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
    } else {
      // ajv refuses nullable without type; express it as "null or the schema".
      delete node.nullable;
      return { anyOf: [{ type: "null" }, node] };
    }
  }
  return node;
}

/** Applies normalizeSchema at every schema position of the bundled document. */
function normalizeDocument(doc: JsonObject): Set<string> {
  const formats = new Set<string>();
  const components = doc.components;
  if (isObject(components) && isObject(components.schemas)) {
    const schemas = components.schemas;
    for (const [name, schema] of Object.entries(schemas)) schemas[name] = normalizeSchema(schema, formats);
  }
  const normalizeContent = (holder: unknown): void => {
    if (!isObject(holder) || !isObject(holder.content)) return;
    for (const media of Object.values(holder.content)) {
      if (isObject(media) && "schema" in media) media.schema = normalizeSchema(media.schema, formats);
    }
  };
  const normalizeParameters = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const param of list) {
      if (isObject(param) && "schema" in param) param.schema = normalizeSchema(param.schema, formats);
    }
  };
  if (isObject(doc.paths)) {
    for (const item of Object.values(doc.paths)) {
      if (!isObject(item)) continue;
      normalizeParameters(item.parameters);
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!isObject(op)) continue;
        normalizeParameters(op.parameters);
        normalizeContent(op.requestBody);
        if (isObject(op.responses))
          for (const response of Object.values(op.responses)) normalizeContent(response);
      }
    }
  }
  return formats;
}

/** The keyword that refuses a bare `{href}` where the spec types a property as a full resource. */
const FULL_OBJECT = "x-anyvpc-full-object";

/**
 * Nested objects as the spec types them. The spec gives a nested object either as an `Href` (where a
 * bare `{href}` is the documented answer) or as the full resource (Vrf.virtual_circuits: VrfVirtualCircuit,
 * Vrf.project: Project, ...). For response validation, every $ref to a component other than Href also
 * refuses a bare `{href}` stub, whether or not the component's required fields would already catch it:
 * the object must be the resource itself, valid by its own schema.
 */
function requireFullObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(requireFullObjects);
  if (!isObject(node)) return node;
  if (typeof node.$ref === "string") {
    const target = node.$ref.startsWith(SCHEMA_REF_PREFIX) ? node.$ref.slice(SCHEMA_REF_PREFIX.length) : "";
    if (target === "" || target === "Href") return node;
    return { allOf: [node, { [FULL_OBJECT]: target }] };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    // Property and definition names are not schemas; their values are.
    if (key === "properties" || key === "patternProperties" || key === "definitions") {
      const mapped: JsonObject = {};
      if (isObject(value))
        for (const [name, sub] of Object.entries(value)) mapped[name] = requireFullObjects(sub);
      out[key] = mapped;
    } else if (
      key === "enum" ||
      key === "const" ||
      key === "example" ||
      key === "default" ||
      key === "required"
    ) {
      out[key] = value;
    } else {
      out[key] = requireFullObjects(value);
    }
  }
  return out;
}

/** True for `{href: ...}` and nothing else: the API's stub for a nested resource. */
function isHrefStub(data: unknown): boolean {
  return isObject(data) && Object.keys(data).length === 1 && "href" in data;
}

/** The spec's oneOf, held as oneOf, except the overlaps listed in METAL_ONE_OF_AMBIGUITIES. */
function exemptListedAmbiguities(node: JsonObject): void {
  const branches = node.oneOf as unknown[];
  const names = branches.map((b) =>
    isObject(b) && typeof b.$ref === "string" && b.$ref.startsWith(SCHEMA_REF_PREFIX)
      ? b.$ref.slice(SCHEMA_REF_PREFIX.length)
      : undefined,
  );
  const cases = METAL_ONE_OF_AMBIGUITIES.filter(
    (c) => c.oneOf.length === names.length && c.oneOf.every((name, i) => names[i] === name),
  );
  if (cases.length === 0) return;
  const ref = (name: string) => ({ $ref: SCHEMA_REF_PREFIX + name });
  // Exactly one branch, or exactly the listed overlapping branches of a body the case describes.
  const alternatives: unknown[] = [{ oneOf: branches }];
  for (const c of cases) {
    const others = c.oneOf.filter((name) => !c.overlapping.includes(name));
    alternatives.push({
      allOf: [c.accepts, ...c.overlapping.map(ref), ...others.map((name) => ({ not: ref(name) }))],
    });
  }
  delete node.oneOf;
  if (Array.isArray(node.anyOf)) {
    node.allOf = [...(Array.isArray(node.allOf) ? node.allOf : []), { anyOf: alternatives }];
  } else {
    node.anyOf = alternatives;
  }
}

/** Points the document-relative refs of an operation-level schema at one of the registered documents. */
function rebase(node: unknown, docId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => rebase(item, docId));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#")
        ? docId + value
        : rebase(value, docId);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Operations and the contract.
// ---------------------------------------------------------------------------------------------------------

interface Operation {
  /** "POST /projects/{id}/vrfs" */
  name: string;
  template: string;
  /** Literal segments as strings, template parameters as null. */
  segments: (string | null)[];
  spec: JsonObject;
}

/** Splits a concrete or template path into segments, ignoring a query string and a trailing slash. */
function pathSegments(apiPath: string): string[] {
  const bare = apiPath.split(/[?#]/, 1)[0] ?? "";
  return bare.split("/").filter((segment) => segment.length > 0);
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === null || body === "";
}

function jsonSchemaOf(holder: unknown): { found: boolean; json: boolean; schema?: unknown } {
  if (!isObject(holder) || !isObject(holder.content) || Object.keys(holder.content).length === 0) {
    return { found: false, json: false };
  }
  const media = holder.content["application/json"];
  if (!isObject(media)) return { found: true, json: false };
  return { found: true, json: true, schema: media.schema };
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? []).map((error) => {
    let line = `body${error.instancePath} ${error.message ?? error.keyword}`;
    const params: Record<string, unknown> = error.params;
    if (error.keyword === "additionalProperties") line += ` ("${String(params.additionalProperty)}")`;
    if (error.keyword === "enum" && Array.isArray(params.allowedValues)) {
      line += ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
    }
    return line;
  });
  // anyOf branches repeat the same complaint; one copy is enough.
  return [...new Set(lines)];
}

const REQUEST_DOC = "metal-request";
const RESPONSE_DOC = "metal-response";

class Contract implements MetalContract {
  private readonly byMethod = new Map<string, Operation[]>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    doc: JsonObject,
    private readonly ajv: Ajv,
  ) {
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [template, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      const segments = pathSegments(template).map((s) => (/^\{[^}]+\}$/.test(s) ? null : s));
      for (const method of HTTP_METHODS) {
        const spec = item[method];
        if (!isObject(spec)) continue;
        const list = this.byMethod.get(method) ?? [];
        list.push({ name: `${method.toUpperCase()} ${template}`, template, segments, spec });
        this.byMethod.set(method, list);
      }
    }
  }

  private find(method: string, apiPath: string): Operation | undefined {
    const concrete = pathSegments(apiPath);
    let best: Operation | undefined;
    for (const op of this.byMethod.get(method.toLowerCase()) ?? []) {
      if (op.segments.length !== concrete.length) continue;
      if (!op.segments.every((segment, i) => segment === null || segment === concrete[i])) continue;
      if (best === undefined || moreSpecific(op, best)) best = op;
    }
    return best;
  }

  operationFor(method: string, apiPath: string): string | undefined {
    return this.find(method, apiPath)?.name;
  }

  checkRequest(method: string, apiPath: string, body: unknown): ContractViolation[] {
    const op = this.find(method, apiPath);
    if (op === undefined) return [unknownOperation(method, apiPath, "request")];
    const violation = (errors: string[]): ContractViolation[] => [
      { operation: op.name, where: "request", errors },
    ];
    const requestBody = op.spec.requestBody;
    if (!isObject(requestBody)) {
      return isEmptyBody(body) ? [] : violation(["the spec defines no request body, but one was sent"]);
    }
    if (isEmptyBody(body)) {
      return requestBody.required === true
        ? violation(["the request body is required but none was sent"])
        : [];
    }
    const content = jsonSchemaOf(requestBody);
    if (!content.json || content.schema === undefined) return [];
    const validate = this.validator(`request ${op.name}`, REQUEST_DOC, content.schema);
    return validate(body) ? [] : violation(formatErrors(validate.errors));
  }

  checkResponse(method: string, apiPath: string, status: number, body: unknown): ContractViolation[] {
    const op = this.find(method, apiPath);
    if (op === undefined) return [{ ...unknownOperation(method, apiPath, "response"), status }];
    const violation = (errors: string[]): ContractViolation[] => [
      { operation: op.name, where: "response", status, errors },
    ];
    const responses = isObject(op.spec.responses) ? op.spec.responses : {};
    const key = [String(status), `${String(status).charAt(0)}XX`, "default"].find((k) => k in responses);
    if (key === undefined) {
      const known = undeclaredButReal.find((u) => u.status === status && u.operation.test(op.name));
      if (!known)
        return violation([
          `status ${status} is not declared (declared: ${Object.keys(responses).join(", ")})`,
        ]);
      // Still an error body of the API's one error shape.
      const validate = this.validator("response Error", RESPONSE_DOC, { $ref: `${SCHEMA_REF_PREFIX}Error` });
      return validate(body) ? [] : violation(formatErrors(validate.errors));
    }
    const content = jsonSchemaOf(responses[key]);
    if (!content.found) {
      return isEmptyBody(body)
        ? []
        : violation([`status ${status} is declared without a body, but one was sent`]);
    }
    if (isEmptyBody(body)) {
      // The real API answers 200 with an empty body when the project has no BGP config ("When BGP
      // configuration is not enabled empty structure is returned").
      if (op.name === "GET /projects/{id}/bgp-config" && status === 200) return [];
      return violation([`status ${status} declares a body, but none was sent`]);
    }
    if (!content.json || content.schema === undefined) return [];
    const validate = this.validator(`response ${op.name} ${key}`, RESPONSE_DOC, content.schema);
    return validate(body) ? [] : violation(formatErrors(validate.errors));
  }

  schemaValidator(schema: object, where: "request" | "response"): ValidateFunction {
    return this.validator(
      `${where} schema ${JSON.stringify(schema)}`,
      where === "request" ? REQUEST_DOC : RESPONSE_DOC,
      schema,
    );
  }

  /** Compiles once per operation, direction and status; ajv shares the compiled component schemas. */
  private validator(cacheKey: string, docId: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(cacheKey);
    if (validate === undefined) {
      const held = docId === RESPONSE_DOC ? requireFullObjects(schema) : schema;
      validate = this.ajv.compile(rebase(held, docId) as object);
      this.validators.set(cacheKey, validate);
    }
    return validate;
  }
}

/**
 * Statuses the real API answers that the spec leaves out of some operations, each with its source.
 * Their bodies must still be the spec's Error schema.
 */
const undeclaredButReal: { status: number; operation: RegExp; why: string }[] = [
  {
    status: 401,
    operation: /./,
    why: "a missing or wrong X-Auth-Token is refused on every endpoint; the spec declares 401 on some only",
  },
  {
    status: 422,
    operation: /^DELETE \/(vrfs|ips|virtual-networks)\/\{id\}$/,
    why: "deleting an object that others still use (a VRF with reservations, a reservation with a gateway: terraform-provider-equinix #135)",
  },
  {
    status: 422,
    operation: /^POST \/connections\/\{connection_id\}\/ports\/\{port_id\}\/virtual-circuits$/,
    why: "invalid circuit parameters (a subnet outside the VRF's ranges, an NNI VLAN in use on the port); the virtual circuit endpoints answer validation errors with 422 though they declare none (terraform-provider-equinix PR #320: 422 \"Update params can't be blank\" from the circuit update)",
  },
];

/** True when `a` has a literal where `b` has a parameter at the first position where they differ. */
function moreSpecific(a: Operation, b: Operation): boolean {
  for (let i = 0; i < a.segments.length; i++) {
    const literalA = a.segments[i] !== null;
    const literalB = b.segments[i] !== null;
    if (literalA !== literalB) return literalA;
  }
  return false;
}

function unknownOperation(method: string, apiPath: string, where: "request" | "response"): ContractViolation {
  const name = `${method.toUpperCase()} ${apiPath}`;
  return { operation: name, where, errors: [`no operation in the spec matches ${name}`] };
}

/** Loads and bundles the spec (exported so tests can inspect the document). */
export function loadBundledSpec(specPath: string = METAL_SPEC_PATH): JsonObject {
  return new SpecBundler(specPath).bundle();
}

function createContract(): MetalContract {
  const doc = loadBundledSpec();
  const formats = normalizeDocument(doc);
  const components = isObject(doc.components) ? doc.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};

  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  // The spec uses formats ajv-formats lacks ("datetime", "string"); they document, they do not constrain.
  for (const format of formats) if (!(format in ajv.formats)) ajv.addFormat(format, true);

  ajv.addKeyword({ keyword: FULL_OBJECT, schemaType: "string", errors: true, validate: validateFullObject });

  ajv.addSchema({ $id: REQUEST_DOC, components: { schemas } });
  ajv.addSchema({ $id: RESPONSE_DOC, components: { schemas: requireFullObjects(schemas) } });
  return new Contract(doc, ajv);
}

/** The FULL_OBJECT keyword: its schema value names the component the spec requires there. */
const validateFullObject: SchemaValidateFunction = (schema: unknown, data: unknown) => {
  if (!isHrefStub(data)) return true;
  validateFullObject.errors = [
    {
      keyword: FULL_OBJECT,
      message: `is an {href} stub where the spec requires a ${String(schema)} (a stub is valid only as an Href)`,
      params: { schema },
    },
  ];
  return false;
};

let contract: Promise<MetalContract> | undefined;

/**
 * A validator for one schema of the spec's components, as the spec writes it (no normalization; only
 * for schemas without $refs): a body that matches a oneOf is also held to the branch the client means.
 */
export function componentValidator(name: string, specPath: string = METAL_SPEC_PATH): ValidateFunction {
  const spec = loadBundledSpec(specPath) as { components: { schemas: Record<string, object> } };
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("int64", true);
  const schema = spec.components.schemas[name];
  if (!schema) throw new Error(`the spec has no component schema ${name}`);
  return ajv.compile(schema);
}

/** Loads the contract once per process; later calls share it (and its compiled validators). */
export function loadMetalContract(): Promise<MetalContract> {
  if (contract === undefined) {
    const loading = Promise.resolve().then(createContract);
    // A failed load (e.g. the shared folder is missing) is not cached, so a later call can retry.
    loading.catch(() => {
      if (contract === loading) contract = undefined;
    });
    contract = loading;
  }
  return contract;
}
