// All switches of one NVUE site: a client and a revision combiner per switch, and "ensure"
// operations that submit changes and then confirm them by reading the applied config back.
import { AnyvpcError } from "../../errors";
import { NvueClient, type ConfigValue, type NvueClientOptions, type NvueSwitch } from "./client";
import { RevisionCombiner, type ConfigChange } from "./revisions";

/** True when `actual` holds everything `expected` sets (extra keys, e.g. defaults the switch fills in, are fine). */
export function holds(actual: ConfigValue | undefined, expected: ConfigValue): boolean {
  if (expected === null) return actual === undefined || actual === null;
  if (typeof expected !== "object") return actual !== undefined && String(actual) === String(expected);
  if (typeof actual !== "object" || actual === null) return false;
  return Object.entries(expected).every(([k, v]) => (v === null ? !(k in actual) : holds(actual[k], v)));
}

export class NvueSite {
  private readonly switches = new Map<string, { client: NvueClient; combiner: RevisionCombiner }>();

  constructor(switches: readonly NvueSwitch[], opts: NvueClientOptions = {}) {
    for (const sw of switches) {
      const client = new NvueClient(sw, opts);
      this.switches.set(sw.name, { client, combiner: new RevisionCombiner(client) });
    }
  }

  private of(name: string) {
    const s = this.switches.get(name);
    if (!s)
      throw new AnyvpcError(`switch ${name} is not in this site`, {
        value: name,
        fix: `known switches: ${[...this.switches.keys()].join(", ")}`,
      });
    return s;
  }

  get switchNames(): string[] {
    return [...this.switches.keys()];
  }

  /** Revisions applied on a switch through this site (write combining makes this far below the change count). */
  applies(name: string): number {
    return this.of(name).combiner.applies;
  }

  async read(name: string, path: readonly string[], rev = "applied"): Promise<ConfigValue | undefined> {
    return this.of(name).client.get(path, rev);
  }

  /** Applies the changes on one switch (combined with concurrent ones), then confirms each from rev=applied. */
  async ensure(name: string, changes: readonly ConfigChange[]): Promise<void> {
    await this.of(name).combiner.submit(changes);
    for (const c of changes) {
      const actual = await this.read(name, c.path);
      if (!holds(actual, c.value)) {
        throw new AnyvpcError(
          `switch ${name} does not hold ${c.path.join(".")} as applied (read back: ${JSON.stringify(actual)?.slice(0, 200)})`,
        );
      }
    }
  }

  /**
   * Unsets each of `paths` (innermost first) that is left as an empty object, so anyvpc leaves
   * nothing of its own behind, not even empty containers. A path already gone is passed over; the
   * first one that still holds something stops the walk (its parents hold it too).
   */
  async removeIfEmpty(name: string, ...paths: (readonly string[])[]): Promise<void> {
    for (const path of paths) {
      const v = await this.read(name, path);
      if (v === undefined || v === null) continue;
      if (typeof v !== "object" || Object.keys(v).length > 0) return;
      await this.ensure(name, [{ path, value: null }]);
    }
  }

  /** ensure() on several switches at once. */
  async ensureAll(changesBySwitch: ReadonlyMap<string, readonly ConfigChange[]>): Promise<void> {
    await Promise.all([...changesBySwitch].map(([name, changes]) => this.ensure(name, changes)));
  }
}
