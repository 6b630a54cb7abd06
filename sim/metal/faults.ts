// Fault injection: scripted rules first (in order, each `times` times), then the random rates.
// The randomness is seeded so a failing run can be replayed exactly.
import type { FaultRule } from "./types";

export type Fault =
  | { kind: "drop" }
  | { kind: "drop-after-commit" }
  | { kind: "status"; status: 429 | 500 | 502 | 503; injected: "429" | "5xx" };

import { seededRandom } from "../seeded-random";

export { seededRandom };

interface ArmedRule {
  method?: string;
  path?: RegExp;
  mode: FaultRule["mode"];
  remaining: number;
}

export class FaultInjector {
  private rules: ArmedRule[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** Replaces the scripted rules, with fresh counters. */
  arm(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({
      method: r.method?.toUpperCase(),
      path: r.path === undefined ? undefined : new RegExp(r.path),
      mode: r.mode,
      remaining: r.times,
    }));
  }

  decide(method: string, apiPath: string, rate429: number, rate5xx: number): Fault | undefined {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method === method) &&
        (r.path === undefined || r.path.test(apiPath)),
    );
    if (rule) {
      rule.remaining--;
      if (rule.mode === "drop" || rule.mode === "drop-after-commit") return { kind: rule.mode };
      if (rule.mode === "429") return { kind: "status", status: 429, injected: "429" };
      return { kind: "status", status: rule.mode === "500" ? 500 : 503, injected: "5xx" };
    }
    if (rate429 > 0 && this.random() < rate429) return { kind: "status", status: 429, injected: "429" };
    if (rate5xx > 0 && this.random() < rate5xx) {
      const statuses = [500, 502, 503] as const;
      const status = statuses[Math.floor(this.random() * statuses.length)] ?? 500;
      return { kind: "status", status, injected: "5xx" };
    }
    return undefined;
  }
}
