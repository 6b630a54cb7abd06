// One eAPI `runCmds` call against one switch: the CLI session that runs its commands in order
// (exec mode, `enable`, configuration sessions, the config grammar with its modes) and the
// per-command outputs or the error that stops the call.
//
// eAPI behaviour modelled here (sources: arista-eosplus/pyeapi eapilib.py, which documents the
// request/response objects and treats 1000/1001/1002/1004 as command errors and 1005 as
// "unauthorized"; the arista-northwest/eapy test fixtures, which show real failure responses;
// /work/shared/notes/nvue-and-eos.md §2):
// - every element of `cmds` is one CLI line; commands run in order and the first failure stops the
//   call: `error.data` holds the outputs of the commands before it, then `{"errors": [...]}` for
//   the failing one (text format: `{"output": "% ...\n", "errors": [...]}`), and nothing after it;
// - the message is `CLI command <n> of <m> '<cmd>' failed: invalid command` (code 1002), or
//   `... failed: permission to run command denied` (code 1005, napalm-eos PR #43);
// - a call starts in unprivileged exec mode: configuration and `show running-config` need
//   `enable` first (the contract's 1005; anta issue #905 shows the "Authorization denied for
//   command" text of an unauthorized eAPI command).
//
// Configuration sessions (arista.com/en/um-eos/eos-configure-session): `configure session <name>`
// copies the running-config into the session and enters it; lines change only the session's copy;
// the session outlives the call and `configure session <name>` enters it again; `commit` copies the
// session config into the running-config (overwriting whatever was committed since the session was
// created) and `abort` discards it; `exit`/`end` leave it pending. Plain `configure` (terminal) is
// refused by the simulator: anyvpc only configures through sessions, and per-line immediate commits
// would blur `commits()`.

import {
  CONFIG_TABLES,
  CommandRefused,
  compileSyntax,
  matchCommand,
  type Args,
  type ModeFrame,
} from "./grammar";
import { SIM_EOS_VERSION, SIM_MODEL_NAME, copyConfig, type EosSwitchSpec, type RunningConfig } from "./model";
import { renderRunningConfig, runningConfigJson, unifiedDiff } from "./render";
import type { TokenContext } from "./tokens";
import { validateConfig } from "./validate";

export interface PendingSession {
  /** The running-config as it was when the session was created, with the session's lines applied. */
  config: RunningConfig;
  /** The lines entered in the session, as sent (trimmed); injected commit faults match these. */
  lines: string[];
}

export interface SwitchState {
  spec: EosSwitchSpec;
  running: RunningConfig;
  commits: number;
  /** Pending (neither committed nor aborted) sessions by name. */
  sessions: Record<string, PendingSession>;
}

export type CommandInput = string | { cmd: string; input?: string };
export type OutputFormat = "json" | "text";

export interface RunOptions {
  format: OutputFormat;
  maxPendingSessions: number;
  /** A reason when an injected fault makes this commit fail, else undefined. */
  commitFault(switchName: string, lines: string[]): string | undefined;
}

export interface EapiError {
  code: number;
  message: string;
  data: unknown[];
}

export interface RunOutcome {
  result?: unknown[];
  error?: EapiError;
  /** Running-config, commit count or sessions changed (the state file must be rewritten). */
  changed: boolean;
  /** A commit failed because of an injected fault. */
  injectedCommitFailure: boolean;
}

/** Why a command failed: eAPI code and the messages that go into `errors`. */
class CommandFailure extends Error {
  constructor(
    readonly code: 1002 | 1005,
    readonly reasons: string[],
    readonly injected = false,
  ) {
    super(reasons.join("; "));
  }
}

/** C0 control characters and DEL: never part of a CLI word. */
function hasControlChar(word: string): boolean {
  return [...word].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}

/** A command's output in both formats; the request's `format` picks one. */
interface Output {
  json: Record<string, unknown>;
  text: string;
}

const EMPTY: Output = { json: {}, text: "" };

interface CliState {
  privileged: boolean;
  /** Name of the session the mode stack belongs to; undefined in exec mode. */
  session?: string;
  /** Config modes, outermost first; empty in exec mode. */
  stack: ModeFrame[];
}

/** Quote a word the way EOS error messages do, with control characters made visible. */
function quoted(word: string): string {
  return `'${JSON.stringify(word).slice(1, -1).replaceAll('\\"', '"')}'`;
}

function invalidInput(words: string[], at: number): CommandFailure {
  return new CommandFailure(1002, [`Invalid input (at token ${at}: ${quoted(words[at] ?? "")})`]);
}

function showVersion(spec: EosSwitchSpec): Output {
  // A stable, made-up system MAC per switch: 00:1c:73 (an Arista OUI) + 3 bytes of the name.
  let h = 0;
  for (const ch of spec.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const tail = [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff].map((b) => b.toString(16).padStart(2, "0"));
  const mac = ["00", "1c", "73", ...tail].join(":");
  const json = {
    mfgName: "Arista",
    modelName: SIM_MODEL_NAME,
    hardwareRevision: "",
    serialNumber: "",
    systemMacAddress: mac,
    version: SIM_EOS_VERSION,
    architecture: "x86_64",
    internalVersion: `${SIM_EOS_VERSION}-anyvpc`,
    isIntlVersion: false,
  };
  const dotted = `${mac.replaceAll(":", "").slice(0, 4)}.${mac.replaceAll(":", "").slice(4, 8)}.${mac
    .replaceAll(":", "")
    .slice(8)}`;
  const text = [
    `Arista ${SIM_MODEL_NAME}`,
    "Hardware version: ",
    "Serial number: ",
    `System MAC address:  ${dotted}`,
    "",
    `Software image version: ${SIM_EOS_VERSION}`,
    "Architecture:           x86_64",
    "",
  ].join("\n");
  return { json, text };
}

interface ExecCommand {
  syntax: string;
  privileged: boolean;
  run(args: Args): Output;
}

interface SessionCommand {
  syntax: string;
  run(): Output;
}

export function runCommands(sw: SwitchState, cmds: CommandInput[], opts: RunOptions): RunOutcome {
  const cli: CliState = { privileged: false, stack: [] };
  const ctx: TokenContext = { spec: sw.spec };
  let changed = false;

  const runningText = () => renderRunningConfig(sw.running);
  const showRunning = (): Output => ({ json: runningConfigJson(sw.running), text: runningText() });

  function leaveSessionMode(): void {
    cli.stack = [];
    cli.session = undefined;
  }

  function commitSession(name: string): Output {
    const session = sw.sessions[name];
    if (!session || !Object.hasOwn(sw.sessions, name))
      throw new CommandFailure(1002, [`Session ${name} does not exist`]);
    const injected = opts.commitFault(sw.spec.name, session.lines);
    if (injected) throw new CommandFailure(1002, [injected], true);
    const problems = validateConfig(session.config);
    if (problems.length > 0) throw new CommandFailure(1002, problems);
    sw.running = session.config;
    sw.commits++;
    delete sw.sessions[name];
    changed = true;
    return EMPTY;
  }

  function abortSession(name: string): Output {
    if (Object.hasOwn(sw.sessions, name)) {
      delete sw.sessions[name];
      changed = true;
    }
    return EMPTY;
  }

  const EXEC: ExecCommand[] = [
    { syntax: "enable", privileged: false, run: () => ((cli.privileged = true), EMPTY) },
    { syntax: "show version", privileged: false, run: () => showVersion(sw.spec) },
    { syntax: "show running-config", privileged: true, run: showRunning },
    {
      syntax: "configure session {name:sessionName}",
      privileged: true,
      run(args) {
        const name = args["name"] as string;
        if (!Object.hasOwn(sw.sessions, name)) {
          if (Object.keys(sw.sessions).length >= opts.maxPendingSessions)
            throw new CommandFailure(1002, [
              `Maximum number of pending sessions (${opts.maxPendingSessions}) reached; commit or abort one first`,
            ]);
          sw.sessions[name] = { config: copyConfig(sw.running), lines: [] };
          changed = true;
        }
        cli.session = name;
        cli.stack = [{ mode: "config", key: "" }];
        return EMPTY;
      },
    },
    {
      syntax: "configure session {name:sessionName} commit",
      privileged: true,
      run: (args) => commitSession(args["name"] as string),
    },
    {
      syntax: "configure session {name:sessionName} abort",
      privileged: true,
      run: (args) => abortSession(args["name"] as string),
    },
    {
      syntax: "no configure session {name:sessionName}",
      privileged: true,
      run: (args) => abortSession(args["name"] as string),
    },
    ...["configure", "configure terminal"].map((syntax): ExecCommand => ({
      syntax,
      privileged: true,
      run() {
        throw new CommandFailure(1002, [
          "the simulator changes configuration only in a session: use 'configure session <name>'",
        ]);
      },
    })),
  ];
  const execTable = EXEC.map((command) => ({ command, slots: compileSyntax(command.syntax) }));

  /** Commands that work in every mode of a session, ahead of the grammar and its fallback. */
  const SESSION: SessionCommand[] = [
    {
      syntax: "commit",
      run() {
        const out = commitSession(cli.session as string);
        leaveSessionMode();
        return out;
      },
    },
    {
      syntax: "abort",
      run() {
        const out = abortSession(cli.session as string);
        leaveSessionMode();
        return out;
      },
    },
    { syntax: "end", run: () => (leaveSessionMode(), EMPTY) },
    {
      syntax: "exit",
      run() {
        cli.stack.pop();
        if (cli.stack.length === 0) leaveSessionMode();
        return EMPTY;
      },
    },
    { syntax: "show version", run: () => showVersion(sw.spec) },
    { syntax: "show running-config", run: showRunning },
    {
      syntax: "show session-config diffs",
      run() {
        const name = cli.session as string;
        const session = sw.sessions[name] as PendingSession;
        const diff = unifiedDiff(
          runningText(),
          renderRunningConfig(session.config),
          "system:/running-config",
          `session:/${name}-session-config`,
        );
        return { json: { output: diff }, text: diff };
      },
    },
  ];
  const sessionTable = SESSION.map((command) => ({ command, slots: compileSyntax(command.syntax) }));

  function runExec(words: string[]): Output {
    const m = matchCommand(execTable, words, ctx);
    if (!m.ok)
      throw m.incomplete ? new CommandFailure(1002, ["Incomplete command"]) : invalidInput(words, m.at);
    if (m.command.privileged && !cli.privileged)
      throw new CommandFailure(1005, [`Authorization denied for command '${words.join(" ")}'`]);
    return m.command.run(m.args);
  }

  function runConfigLine(words: string[], line: string): Output {
    const control = matchCommand(sessionTable, words, ctx);
    if (control.ok) return control.command.run();
    const session = sw.sessions[cli.session as string] as PendingSession;
    // A line the current mode does not know is tried in the enclosing modes, as EOS does; the
    // error reported is that of the mode that got furthest into the line.
    let best = { at: control.at, incomplete: control.incomplete };
    for (let depth = cli.stack.length - 1; depth >= 0; depth--) {
      const frame = cli.stack[depth] as ModeFrame;
      const m = matchCommand(CONFIG_TABLES[frame.mode], words, ctx);
      if (m.ok) {
        let entered: ModeFrame | void;
        try {
          entered = m.command.run(session.config, m.args, frame);
        } catch (e) {
          if (e instanceof CommandRefused) throw new CommandFailure(1002, [e.message]);
          throw e;
        }
        cli.stack.length = depth + 1;
        if (entered) cli.stack.push(entered);
        session.lines.push(line);
        changed = true;
        return EMPTY;
      }
      if (m.at > best.at || (m.at === best.at && m.incomplete)) best = { at: m.at, incomplete: m.incomplete };
    }
    throw best.incomplete ? new CommandFailure(1002, ["Incomplete command"]) : invalidInput(words, best.at);
  }

  function runOne(text: string): Output {
    const line = text.trim();
    const words = line.split(/ +/);
    // One element of `cmds` is one CLI line: a newline or other control character would smuggle
    // a second command (`vrf instance X\nno router bgp 65001`), so the whole line is refused.
    const bad = words.findIndex(hasControlChar);
    if (bad >= 0) throw invalidInput(words, bad);
    if (line === "") throw new CommandFailure(1002, ["Invalid input (empty command)"]);
    return cli.stack.length === 0 ? runExec(words) : runConfigLine(words, line);
  }

  const outputs: unknown[] = [];
  for (const [n, input] of cmds.entries()) {
    const text = typeof input === "string" ? input : input.cmd;
    try {
      const out = runOne(text);
      outputs.push(opts.format === "json" ? out.json : { output: out.text });
    } catch (e) {
      if (!(e instanceof CommandFailure)) throw e;
      const failed =
        opts.format === "json"
          ? { errors: e.reasons }
          : { output: e.reasons.map((r) => `% ${r}\n`).join(""), errors: e.reasons };
      const why = e.code === 1005 ? "permission to run command denied" : "invalid command";
      return {
        error: {
          code: e.code,
          message: `CLI command ${n + 1} of ${cmds.length} '${text}' failed: ${why}`,
          data: [...outputs, failed],
        },
        changed,
        injectedCommitFailure: e.injected,
      };
    }
  }
  return { result: outputs, changed, injectedCommitFailure: false };
}
