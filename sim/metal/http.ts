// Request plumbing shared by the route files: errors, routing, body field readers, `include`
// trees and pagination.
import type { MetalStore } from "./state";

export const API_BASE = "/metal/v1";

/** Thrown by handlers; the server turns it into `{"errors": [message]}` with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = "Not found"): ApiError => new ApiError(404, what);
export const unprocessable = (message: string): ApiError => new ApiError(422, message);

export interface Reply {
  status: number;
  /** undefined: no body at all (204, or BGP config's empty 200). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResolvedKnobs {
  latencyMs: number;
  rate429: number;
  rate5xx: number;
  gatewayActivateMs: number;
  gatewayDeleteMs: number;
  batchStepMs: number;
  vcActivateMs: number;
  vcDeleteMs: number;
  vcActivationFails: boolean;
  quotas: { vlans: number; vrfs: number };
}

export type Body = Record<string, unknown>;

export interface Ctx {
  store: MetalStore;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
  inc: IncludeTree;
  now: number;
  knobs: Readonly<ResolvedKnobs>;
}

export type Handler = (ctx: Ctx) => Reply;

export function param(ctx: Ctx, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter ${name}`);
  return value;
}

// ---- Routing ----

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  /** Literal path segments: more of them means more specific ("batches" beats "{assignment_id}"). */
  literals: number;
  handler: Handler;
}

export type RouteMatch =
  | { kind: "found"; handler: Handler; params: Record<string, string> }
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "not-found" };

export class Router {
  private readonly routes: Route[] = [];

  /** `template` uses the spec's form, e.g. "/vrfs/{vrf_id}/ips/{id}". */
  add(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_m, key: string) => {
      keys.push(key);
      return "([^/]+)";
    });
    const literals = template.split("/").filter((part) => part !== "" && !part.startsWith("{")).length;
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, literals, handler });
    this.routes.sort((a, b) => b.literals - a.literals);
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        route.keys.forEach((key, i) => (params[key] = decodeURIComponent(m[i + 1] ?? "")));
      } catch {
        return { kind: "not-found" }; // a malformed %-escape names nothing
      }
      return { kind: "found", handler: route.handler, params };
    }
    return allowed.length > 0
      ? { kind: "method-not-allowed", allowed: [...new Set(allowed)] }
      : { kind: "not-found" };
  }
}

// ---- Body readers: each names the offending field in its 422 ----

export function reqString(body: Body, key: string): string {
  const value = optString(body, key);
  if (value === undefined || value === "") throw unprocessable(`${key} is required`);
  return value;
}

export function optString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw unprocessable(`${key} must be a string`);
  return value;
}

export function reqInt(body: Body, key: string): number {
  const value = optInt(body, key);
  if (value === undefined) throw unprocessable(`${key} is required`);
  return value;
}

export function optInt(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  // The API's Rails backend coerces numeric strings; so do we.
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  throw unprocessable(`${key} must be an integer`);
}

export function optBool(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw unprocessable(`${key} must be a boolean`);
  return value;
}

export function optStringArray(body: Body, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw unprocessable(`${key} must be a list of strings`);
  }
  return [...(value as string[])];
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

// ---- include / exclude ----

/** `include=a,b.c` as a tree: a -> {}, b -> {c -> {}}. */
export type IncludeTree = Map<string, IncludeTree>;

export function parseInclude(query: URLSearchParams, defaults: string[] = []): IncludeTree {
  const tree: IncludeTree = new Map();
  const given = query.getAll("include").flatMap((v) => v.split(","));
  const paths = given.length > 0 ? given : defaults;
  for (const path of paths) {
    let node = tree;
    for (const part of path.trim().split(".")) {
      if (part === "") break;
      let next = node.get(part);
      if (!next) {
        next = new Map();
        node.set(part, next);
      }
      node = next;
    }
  }
  for (const path of query.getAll("exclude").flatMap((v) => v.split(","))) {
    const parts = path.trim().split(".");
    const last = parts.pop();
    let node: IncludeTree | undefined = tree;
    for (const part of parts) node = node?.get(part);
    if (last !== undefined) node?.delete(last);
  }
  return tree;
}

/**
 * What a nested object that `include` does not name is rendered with. The spec types a nested object
 * either as an `Href` (where `{href}` alone is the documented answer: use `link`) or as the resource
 * itself (Vrf.virtual_circuits: VrfVirtualCircuit, Vrf.project: Project, ...), which an `{href}` stub is
 * not. So a nested resource always comes as the resource, valid by its own schema; not included, it is
 * brief: its own fields and its single nested resources (brief too), without its lists of other
 * resources (a VRF's virtual_circuits, a VLAN's instances, a project's devices), which is also what
 * keeps mutual references (VrfVirtualCircuit.vrf and Vrf.virtual_circuits) finite. Renderers tell it
 * by identity (`isBrief`); nothing is ever added to it.
 */
const BRIEF: IncludeTree = new Map();

export function isBrief(inc: IncludeTree): boolean {
  return inc === BRIEF;
}

/** A nested resource (a property the spec types as a resource, not an Href): in full when `key` is included, else brief. */
export function nested(
  inc: IncludeTree,
  key: string,
  render: (sub: IncludeTree) => Record<string, unknown>,
): Record<string, unknown> {
  return render(inc.get(key) ?? BRIEF);
}

/** A property the spec types as an Href: only `{href}` unless `key` is included. */
export function link(
  inc: IncludeTree,
  key: string,
  href: string,
  full: (sub: IncludeTree) => Record<string, unknown>,
): Record<string, unknown> {
  const sub = inc.get(key);
  return sub ? full(sub) : { href };
}

// ---- Pagination ----

export interface Page<T> {
  items: T[];
  meta: Record<string, unknown>;
}

export function paginate<T>(items: T[], query: URLSearchParams, path: string, defaultPerPage = 10): Page<T> {
  const page = positiveInt(query, "page", 1);
  const perPage = Math.min(positiveInt(query, "per_page", defaultPerPage), 1000);
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const link = (p: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(p));
    q.set("per_page", String(perPage));
    return { href: `${API_BASE}${path}?${q.toString()}` };
  };
  const meta: Record<string, unknown> = {
    first: link(1),
    last: link(lastPage),
    self: link(page),
    total,
    current_page: page,
    last_page: lastPage,
  };
  if (page < lastPage) meta.next = link(page + 1);
  if (page > 1) meta.previous = link(Math.min(page - 1, lastPage));
  return { items: items.slice((page - 1) * perPage, page * perPage), meta };
}

/** Out-of-range or malformed values fall back rather than fail: the spec declares no 422 on lists. */
function positiveInt(query: URLSearchParams, key: string, fallback: number): number {
  const raw = query.get(key);
  if (raw === null || !/^\d+$/.test(raw)) return fallback;
  return Math.max(1, Number(raw));
}
