// All switches of one Arista EOS site: a client and a session combiner per switch, and "ensure"
// operations that commit config lines and then confirm them by reading the running-config back
// (an answer without an error proves nothing: the read-back does).
//
// Write combining: a commit is slow on a real switch, and a configuration session replaces the
// running-config with its own copy taken when it was opened (arista.com/en/um-eos/
// eos-configure-session), so two sessions open at once on one switch would undo each other. One
// session at a time per switch, then: the lines that arrive while one is being committed wait,
// and all of them go into the next single session, each caller's lines closed back to global
// configuration mode. Each caller is then confirmed against one read of the running-config.
import { randomUUID } from "node:crypto";
import { AnyvpcError, EosAbortError, EosApiError } from "../../errors";
import { EosClient, sessionPreamble, type EosClientOptions, type EosSwitch } from "./client";
import { closeModes, missingLines, type ConfigNode } from "./running-config";

export { holdsLines, missingLines, parseRunningConfig, type ConfigNode } from "./running-config";

// Lines that would end, commit or abort the session, or leave configuration mode, inside a batch.
const sessionControl =
  /^(?:no\s+|default\s+)?(?:commit|abort|end|configure|copy|write|reload|enable|disable|show)(?:\s|$)/;

/** Checks a caller's lines before they share a session with others'; returns them closed to global mode. */
export function sessionBlock(switchName: string, lines: readonly string[]): string[] {
  for (const line of lines) {
    if (
      typeof line !== "string" ||
      line.trim() === "" ||
      /\p{Cc}/u.test(line) ||
      sessionControl.test(line.trim())
    )
      throw new AnyvpcError(
        `switch ${switchName}: ${JSON.stringify(line)} is not a configuration line anyvpc sends`,
        {
          value: line,
          fix: "give one configuration command per line, without control characters or session commands",
        },
      );
  }
  return closeModes(lines); // throws on an `exit` out of global configuration mode
}

interface Pending {
  lines: readonly string[];
  block: string[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One session at a time per switch; lines submitted meanwhile share the next session. */
export class SessionCombiner {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | undefined;
  /** Sessions committed through this combiner (for tests and benchmarks). */
  commits = 0;

  constructor(
    private readonly client: EosClient,
    private readonly newSessionName: () => string = () => `anyvpc-${randomUUID()}`,
  ) {}

  /** Resolves once the switch's running-config holds `lines` (committed in some session). */
  submit(lines: readonly string[]): Promise<void> {
    const block = sessionBlock(this.client.sw.name, lines);
    return new Promise((resolve, reject) => {
      this.queue.push({ lines, block, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Lines submitted after the drain loop saw an empty queue, but before it ended.
      if (this.queue.length) this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let callers in the same tick join the first session too.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length) await this.run(this.queue.splice(0));
  }

  private async run(batch: Pending[]): Promise<void> {
    const lines = batch.flatMap((p) => p.block);
    try {
      await this.client.configure(this.newSessionName(), lines);
      this.commits++;
    } catch (e) {
      return this.failed(batch, e);
    }
    await this.confirm(batch);
  }

  private async failed(batch: Pending[], e: unknown): Promise<void> {
    const refused =
      e instanceof EosApiError && !(e instanceof EosAbortError) && e.code !== undefined && !e.ambiguous;
    if (refused && batch.length > 1) {
      // EOS refused a line or the commit: nothing of the session was applied. One caller's bad
      // line must not sink the others: the caller whose line it was fails, the rest go again.
      let at = sessionPreamble;
      const guilty = batch.find((p) => {
        const start = at;
        at += p.block.length;
        return e.commandIndex !== undefined && e.commandIndex >= start && e.commandIndex < at;
      });
      if (guilty) {
        guilty.reject(e);
        this.queue.unshift(...batch.filter((p) => p !== guilty));
      } else {
        // Not one caller's line (the commit itself was refused): each caller in a session of its own.
        for (const p of batch) await this.run([p]);
      }
      return;
    }
    if (e instanceof EosApiError && e.ambiguous && !(e instanceof EosAbortError)) {
      // No answer: the commit may have happened. Whoever the running-config satisfies succeeded.
      return this.confirm(batch, e);
    }
    for (const p of batch) p.reject(e);
  }

  /** Resolves each caller whose lines the running-config holds; the others fail with `cause` or a read-back error. */
  private async confirm(batch: Pending[], cause?: unknown): Promise<void> {
    let tree: ConfigNode;
    try {
      tree = await this.client.runningConfig();
    } catch (readError) {
      for (const p of batch) p.reject(cause ?? readError);
      return;
    }
    for (const p of batch) {
      const missing = missingLines(tree, p.lines);
      if (missing.length === 0) p.resolve();
      else
        p.reject(
          cause ??
            new AnyvpcError(
              `switch ${this.client.sw.name} does not hold what was committed: the running-config read back lacks ${missing
                .slice(0, 5)
                .map((m) => JSON.stringify(m))
                .join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""}`,
              { value: missing },
            ),
        );
    }
  }
}

export class EosSite {
  private readonly switches = new Map<string, { client: EosClient; combiner: SessionCombiner }>();

  constructor(switches: readonly EosSwitch[], opts: EosClientOptions = {}) {
    for (const sw of switches) {
      const client = new EosClient(sw, opts);
      this.switches.set(sw.name, { client, combiner: new SessionCombiner(client) });
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

  /** Sessions committed on a switch through this site (write combining keeps this below the ensure count). */
  commits(name: string): number {
    return this.of(name).combiner.commits;
  }

  /** The switch's running-config, parsed. */
  async read(name: string): Promise<ConfigNode> {
    return this.of(name).client.runningConfig();
  }

  /**
   * Commits `lines` on one switch (in a session shared with concurrent callers), then confirms
   * them from the running-config: every line present, every `no <line>` absent. Lines start in
   * global configuration mode; the sub-modes they open are closed after them.
   */
  async ensure(name: string, lines: readonly string[]): Promise<void> {
    await this.of(name).combiner.submit(lines);
  }

  /** ensure() on several switches at once. */
  async ensureAll(linesBySwitch: ReadonlyMap<string, readonly string[]>): Promise<void> {
    await Promise.all([...linesBySwitch].map(([name, lines]) => this.ensure(name, lines)));
  }
}
