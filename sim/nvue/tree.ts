// The NVUE config tree: nested JSON objects keyed by NVUE path words, with `{}` as the leaf of a
// collection entry. Helpers to read, merge (null unsets) and copy trees.

export type ConfigTree = { [key: string]: ConfigTree | string | number | boolean | null };
export type ConfigValue = ConfigTree | string | number | boolean | null;

/** One staged change of a revision, replayed in order over the applied config at apply time. */
export type RevisionOp =
  { op: "patch"; path: string[]; value: ConfigValue } | { op: "delete"; path: string[] };

export function isTree(v: unknown): v is ConfigTree {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function copyValue<T extends ConfigValue>(v: T): T {
  return structuredClone(v);
}

/** Whether `v` is a JSON value made only of objects and scalars (NVUE bodies have no arrays). */
export function checkConfigValue(v: unknown, where: string[] = []): string | undefined {
  if (v === null || typeof v === "string" || typeof v === "boolean") return undefined;
  if (typeof v === "number")
    return Number.isFinite(v) ? undefined : `non-finite number at /${where.join("/")}`;
  if (Array.isArray(v)) return `arrays are not part of the NVUE schema (at /${where.join("/")})`;
  if (isTree(v)) {
    for (const [k, child] of Object.entries(v)) {
      if (k === "") return `empty key under /${where.join("/")}`;
      const err = checkConfigValue(child, [...where, k]);
      if (err) return err;
    }
    return undefined;
  }
  return `unsupported value type ${typeof v} at /${where.join("/")}`;
}

export function getAt(tree: ConfigTree, path: string[]): ConfigValue | undefined {
  let cur: ConfigValue = tree;
  for (const seg of path) {
    if (!isTree(cur) || !Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
    cur = cur[seg] as ConfigValue;
  }
  return cur;
}

/** A copy of `v` with every null (unset marker) removed. */
function stripNulls(v: ConfigValue): ConfigValue {
  if (!isTree(v)) return v;
  const out: ConfigTree = {};
  for (const [k, child] of Object.entries(v)) {
    if (child === null) continue;
    out[k] = stripNulls(child);
  }
  return out;
}

/** Deep-merge `patch` into `target` in place: objects merge, scalars replace, null unsets. */
export function mergeInto(target: ConfigTree, patch: ConfigTree): void {
  for (const [k, pv] of Object.entries(patch)) {
    if (pv === null) {
      delete target[k];
      continue;
    }
    const cur = target[k];
    if (isTree(pv) && isTree(cur)) mergeInto(cur, pv);
    else target[k] = stripNulls(pv);
  }
}

/** The parent object of `path`, created (replacing scalars) along the way. */
function parentFor(tree: ConfigTree, path: string[]): ConfigTree {
  let cur = tree;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (isTree(next)) cur = next;
    else {
      const created: ConfigTree = {};
      cur[seg] = created;
      cur = created;
    }
  }
  return cur;
}

/** PATCH semantics: merge `value` into the tree at `path` (null unsets the key at `path`). */
export function patchAt(tree: ConfigTree, path: string[], value: ConfigValue): void {
  if (path.length === 0) {
    if (isTree(value)) mergeInto(tree, value);
    else if (value === null) for (const k of Object.keys(tree)) delete tree[k];
    return;
  }
  const last = path[path.length - 1] as string;
  if (value === null) {
    const parent = getAt(tree, path.slice(0, -1));
    if (isTree(parent)) delete parent[last];
    return;
  }
  const parent = parentFor(tree, path);
  const cur = parent[last];
  if (isTree(value) && isTree(cur)) mergeInto(cur, value);
  else parent[last] = stripNulls(copyValue(value));
}

/** Replace (not merge) the value at `path`; null deletes it. */
export function replaceAt(tree: ConfigTree, path: string[], value: ConfigValue): void {
  if (path.length === 0) {
    for (const k of Object.keys(tree)) delete tree[k];
    if (isTree(value)) Object.assign(tree, stripNulls(copyValue(value)));
    return;
  }
  if (value === null) {
    patchAt(tree, path, null);
    return;
  }
  const parent = parentFor(tree, path);
  parent[path[path.length - 1] as string] = stripNulls(copyValue(value));
}

export function applyOps(base: ConfigTree, ops: RevisionOp[]): ConfigTree {
  const out = copyValue(base);
  for (const o of ops) {
    if (o.op === "patch") patchAt(out, o.path, o.value);
    else patchAt(out, o.path, null);
  }
  return out;
}

/** The keys of an object-valued child, or [] when it is absent or a scalar. */
export function keysOf(v: ConfigValue | undefined): string[] {
  return isTree(v) ? Object.keys(v) : [];
}

export function childTree(v: ConfigValue | undefined, ...path: string[]): ConfigTree | undefined {
  if (!isTree(v)) return undefined;
  const got = getAt(v, path);
  return isTree(got) ? got : undefined;
}

export function childScalar(
  v: ConfigValue | undefined,
  ...path: string[]
): string | number | boolean | undefined {
  if (!isTree(v)) return undefined;
  const got = getAt(v, path);
  return got === null || got === undefined || isTree(got) ? undefined : got;
}
