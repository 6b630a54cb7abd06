// Runs the real Pulumi CLI against a local file backend, offline (DESIGN.md §8). Used by the e2e
// tests and the quick start. Each Stack has its own backend directory and config file, so runs
// never touch ~/.pulumi or a project's Pulumi.<stack>.yaml. The CLI is called by its path, not via
// PATH: the engine then finds the language host and the provider launcher beside it.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const pulumiBin = path.join(repoRoot, ".tools", "pulumi", "bin");

export class PulumiCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`pulumi ${args.join(" ")} exited with ${code}\n${stdout}\n${stderr}`);
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface StackOptions {
  /** The Pulumi project directory (holds Pulumi.yaml). */
  projectDir: string;
  stack: string;
  /** Directory for the backend, the config file and logs. */
  stateDir: string;
  /** Stack config, written to the stack's config file (values may be objects). */
  config?: Record<string, unknown>;
  /** Secret config values, set encrypted (`pulumi config set --secret --path`, value on stdin). */
  secrets?: { path: string; value: string }[];
  /** Extra environment for the CLI and so for the program and provider. */
  env?: Record<string, string>;
}

export class Stack {
  readonly configFile: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(readonly opts: StackOptions) {
    this.configFile = path.join(opts.stateDir, `Pulumi.${opts.stack}.yaml`);
    const backend = path.join(opts.stateDir, "backend");
    mkdirSync(backend, { recursive: true });
    this.env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_HOME: path.join(opts.stateDir, "home"),
      PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      ...opts.env,
    };
  }

  /** Selects the stack, creating it on first use, and writes its config. */
  static async open(opts: StackOptions): Promise<Stack> {
    if (!existsSync(path.join(pulumiBin, "pulumi"))) {
      throw new Error(`no Pulumi CLI in ${pulumiBin}: run scripts/setup-pulumi.sh`);
    }
    const s = new Stack(opts);
    const ls = await s.run(["stack", "ls", "--json"]);
    const exists = (JSON.parse(ls.stdout) as { name: string }[]).some((x) => x.name === opts.stack);
    if (!exists) {
      // `stack init` has no --config-file and would write a Pulumi.<stack>.yaml (with a secrets
      // salt) into the project; run it against a copy of Pulumi.yaml in the state directory.
      const initDir = path.join(opts.stateDir, "init");
      mkdirSync(initDir, { recursive: true });
      copyFileSync(path.join(opts.projectDir, "Pulumi.yaml"), path.join(initDir, "Pulumi.yaml"));
      await s.run(["stack", "init", opts.stack], { cwd: initDir });
    }
    s.writeConfig(opts.config ?? {});
    for (const secret of opts.secrets ?? []) {
      await s.run(["config", "set", "--secret", "--path", secret.path, ...s.stackArgs()], {
        input: secret.value,
      });
    }
    return s;
  }

  /** Replaces the stack's config, keeping the secrets salt Pulumi stored in the same file. */
  writeConfig(config: Record<string, unknown>): void {
    const old = existsSync(this.configFile) ? (YAML.parse(readFileSync(this.configFile, "utf8")) ?? {}) : {};
    const doc: Record<string, unknown> = { config };
    if (old.encryptionsalt) doc.encryptionsalt = old.encryptionsalt;
    writeFileSync(this.configFile, YAML.stringify(doc));
  }

  /** Sets one config key (a plain value or object), keeping every other key and the secrets. */
  setConfigValue(key: string, value: unknown): void {
    const doc = YAML.parse(readFileSync(this.configFile, "utf8")) as { config?: Record<string, unknown> };
    this.writeConfig({ ...doc.config, [key]: value });
  }

  run(
    args: string[],
    opts: { allowFailure?: boolean; cwd?: string; input?: string } = {},
  ): Promise<RunResult & { code: number | null }> {
    const cwd = opts.cwd ?? this.opts.projectDir;
    const full = [...args, "--non-interactive", "--cwd", cwd];
    return new Promise((resolve, reject) => {
      const child = execFile(
        path.join(pulumiBin, "pulumi"),
        full,
        { env: this.env, cwd, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? ((err as { code?: number }).code ?? 1) : 0;
          if (err && !opts.allowFailure) reject(new PulumiCommandError(args, code, stdout, stderr));
          else resolve({ stdout, stderr, code });
        },
      );
      child.stdin?.end(opts.input ?? "");
    });
  }

  stackArgs(): string[] {
    return ["--stack", this.opts.stack, "--config-file", this.configFile];
  }

  // up, refresh and destroy run as a user runs them: their preview first, then the change.
  up(extra: string[] = []) {
    return this.run(["up", "--yes", ...this.stackArgs(), ...extra]);
  }

  preview(extra: string[] = [], opts: { allowFailure?: boolean } = {}) {
    return this.run(["preview", ...this.stackArgs(), ...extra], opts);
  }

  refresh(extra: string[] = []) {
    return this.run(["refresh", "--yes", ...this.stackArgs(), ...extra]);
  }

  destroy(extra: string[] = []) {
    return this.run(["destroy", "--yes", ...this.stackArgs(), ...extra]);
  }

  async outputs(): Promise<Record<string, unknown>> {
    const r = await this.run(["stack", "output", "--json", "--stack", this.opts.stack]);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  /** The stack's state as `pulumi stack export` gives it (secrets stay encrypted). */
  async exportState(): Promise<{ deployment: { resources?: StateResource[] } }> {
    const r = await this.run(["stack", "export", "--stack", this.opts.stack]);
    return JSON.parse(r.stdout);
  }

  async remove(): Promise<void> {
    await this.run(["stack", "rm", "--yes", "--force", "--stack", this.opts.stack], { allowFailure: true });
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
