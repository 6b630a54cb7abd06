// Writes the simulated fabric into a Pulumi stack's config with the `pulumi` CLI on PATH, or, when
// there is no stack to write to, renders the commands that would. The user's own CLI is used (not
// a copy of ours) because it is the one that knows their backend, login and selected stack.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

export interface FabricConfig {
  /** The value of `anyvpc:fabric`, credentials left out. */
  fabric: unknown;
  /** Each credential: its config path, its value and its entry in the lab's credentials.json. */
  secrets: { path: string; value: string; credential: string }[];
}

/** Why no stack can be configured: none is selected, or there is no pulumi to ask. */
export class NoStackToConfigure extends Error {}

class PulumiFailed extends Error {
  constructor(
    message: string,
    /** Pulumi's own account of the failure. */
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Runs `pulumi` from PATH in the project directory; `input` goes to its stdin. */
function pulumi(projectDir: string, args: string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "pulumi",
      [...args, "--non-interactive"],
      // Only a default: a user who wants the update check keeps it.
      { cwd: projectDir, env: { PULUMI_SKIP_UPDATE_CHECK: "true", ...process.env } },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
          return reject(new NoStackToConfigure("no `pulumi` on PATH"));
        }
        // Name only the subcommand: the arguments may be long, and stderr says what went wrong.
        const what = `pulumi ${args.slice(0, 2).join(" ")}`;
        reject(new PulumiFailed(`${what} failed: ${stderr.trim() || err.message}`, stderr));
      },
    );
    child.stdin?.end(input);
  });
}

/** The project's selected stack. */
async function selectedStack(projectDir: string): Promise<string> {
  try {
    return (await pulumi(projectDir, ["stack", "--show-name"])).trim();
  } catch (e) {
    if (!(e instanceof PulumiFailed)) throw e;
    // Pulumi's own words: "error: no stack selected; please use `pulumi stack select`…".
    const why = e.stderr
      .trim()
      .split("\n")[0]!
      .replace(/^error: /, "");
    throw new NoStackToConfigure(why || e.message);
  }
}

/**
 * `pulumi config set-all --json` is the one `config set` form of Pulumi 3.248 that stores an
 * object (`config set --path key '{…}'` stores the text); it replaces the whole anyvpc:fabric, so
 * nothing of an older fabric lingers. The JSON holds no credential: those follow, one
 * `config set --secret` each, with the value on stdin so that it never shows in a process list.
 */
const setAllArgs = ["config", "set-all", "--json"];

/** The argument of `config set-all --json` that sets anyvpc:fabric to the object `fabric`. */
function setAllJson(fabric: unknown): string {
  return JSON.stringify({
    "anyvpc:fabric": { value: JSON.stringify(fabric), objectValue: fabric, secret: false },
  });
}

function setSecretArgs(configPath: string): string[] {
  return ["config", "set", "--secret", "--path", configPath];
}

/**
 * Writes the fabric into the stack's config: the `requested` stack, else the selected one. Returns
 * the stack's name; throws NoStackToConfigure when there is no stack (or no pulumi) to write to.
 */
export async function configureStack(
  projectDir: string,
  requested: string | undefined,
  config: FabricConfig,
): Promise<string> {
  const stack = requested ?? (await selectedStack(projectDir));
  await pulumi(projectDir, [...setAllArgs, setAllJson(config.fabric), "--stack", stack]);
  for (const s of config.secrets) {
    await pulumi(projectDir, [...setSecretArgs(s.path), "--stack", stack], s.value);
  }
  return stack;
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands a user runs to do what configureStack does. Nothing secret is printed: the
 * fabric goes into a file (`config-set-all.json` in the lab's state directory) that the set-all
 * command reads, and each secret's command pipes its value out of the lab's credentials file
 * (mode 0600) into pulumi's stdin.
 */
export function configCommands(stack: string | undefined, config: FabricConfig, stateDir: string): string[] {
  const stackArgs = stack ? ["--stack", stack] : [];
  const line = (args: string[]) => args.map(shellQuote).join(" ");
  const fabricFile = path.join(stateDir, "config-set-all.json");
  writeFileSync(fabricFile, setAllJson(config.fabric));
  const credentials = path.join(stateDir, "credentials.json");
  return [
    `${line(["pulumi", ...setAllArgs])} "$(cat ${shellQuote(fabricFile)})" ${line(stackArgs)}`.trimEnd(),
    ...config.secrets.map((s) => {
      const read = `process.stdout.write(require(${JSON.stringify(credentials)})[${JSON.stringify(s.credential)}])`;
      return `${line(["node", "-e", read])} | ${line(["pulumi", ...setSecretArgs(s.path), ...stackArgs])}`;
    }),
  ];
}
