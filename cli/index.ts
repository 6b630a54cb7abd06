#!/usr/bin/env node
// The `anyvpc` command. One subcommand so far, `sim`; the table below is where more would go.
// Exit codes: 0 done (or stopped by a signal), 1 failed, 2 the command line itself is wrong.
import { sim, simHelp } from "./sim";

const help = `Usage: anyvpc <command> [options]

Commands:
  sim      start a simulated fabric (NVUE switches of site "ams", EOS switches of site "fra", the
           Equinix Metal API of metro "da") for the Pulumi project in a directory and point its
           stack's anyvpc:fabric at it

Options:
  -h, --help   show this help; \`anyvpc <command> --help\` shows a command's
`;

const commands: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  sim: { help: simHelp, run: sim },
};

/** A mistake in the command line: reported with a pointer to the help, exit code 2. */
class UsageError extends Error {}

/** node:util parseArgs throws TypeErrors with these codes for unknown options, stray arguments… */
function isParseArgsError(e: unknown): e is Error {
  return e instanceof Error && String((e as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS_");
}

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === "-h" || first === "--help") {
    process.stdout.write(help);
    return;
  }
  if (first === undefined) throw new UsageError("missing command");
  if (first.startsWith("-")) throw new UsageError(`unknown option '${first}'`);
  const command = commands[first];
  if (!command) throw new UsageError(`unknown command '${first}'`);
  try {
    await command.run(rest);
  } catch (e) {
    if (isParseArgsError(e)) throw new UsageError(`${first}: ${e.message}`);
    throw e;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    // The help of the command named, if it names one, is where the valid options are.
    const topic = commands[process.argv[2] ?? ""] ? `anyvpc ${process.argv[2]} --help` : "anyvpc --help";
    process.stderr.write(`anyvpc: ${e.message} (see '${topic}')\n`);
    process.exit(2);
  }
  process.stderr.write(`anyvpc: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
