#!/usr/bin/env node
/**
 * The Watershed command line.
 *
 *   npm start -- [netflow] [--runner=native|microbatch] [--input=...] [--output=...] [...]   (the default command)
 *   npm start -- example [--runner=native|microbatch] [--batchInterval=1s] [--count=2000] [--progress]
 *   npm run compare -- [netflow flags] [--name=<report name>]
 *   npm start -- generate --output=kafka:<topic>|ndjson:<path> [--brokers=...] [generator flags]
 *
 * Runs a job in-process on the chosen runner and prints its outputs and per-step metrics; `compare`
 * runs the Netflow job on both runners and writes out/compare/<name>/report.html and report.json.
 * Flags are strict (see sdk/flags.ts): a mistake on the command line prints one line and exits with 2
 * before anything runs; a failed run prints one line and exits with 1. `compare` exits as diff does:
 * 0 when both runners' results are the same, 1 when they differ, 2 on a usage error or a failed run.
 * A stdout that cannot be written (a full disk under `> file`) ends any command with StdoutWriteError
 * and 1, once its run is done (its file outputs are written); a closed pipe (`| head`) with 141.
 */
import './require-node.js'; // first: stops with a clear message on a Node older than 24
import '../runners/index.js';
import { exitOnUsageError, wantsHelp } from '../sdk/command-line.js';
import { SinkWriteError } from '../sdk/errors.js';
import { printable } from '../sdk/internal/printable.js';
import { nearestFlag, parseFlags } from '../sdk/flags.js';
import { CLOSED_PIPE_EXIT_CODE, isClosedPipe } from './closed-pipe.js';
import { COMPARE_EXIT, compareCommand, compareExitCode, type CompareOutcome } from './compare-command.js';
import { CompareRunError } from './compare-run-error.js';
import { errorLine } from './error-line.js';
import { exampleCommand } from './example-command.js';
import { generateCommand } from './generate-command.js';
import { netflowCommand } from './netflow-command.js';
import { BIN_NAMES, COMMAND_FLAGS, COMMANDS, NPM_SCRIPT_NAMES, usageOf } from './usage.js';
import { userCwd } from './user-cwd.js';
import { StdoutGuard } from './stdout-guard.js';
import { StdoutWriteError } from './stdout-write-error.js';
import { writesToStdout } from '../transforms/io/file-sink-target.js';

// Relative paths in flags are the user's: under `npm start`/`npm run compare`, the folder npm was started in (INIT_CWD).
process.chdir(userCwd());
// A stdout that cannot be written (a full disk under `> file`) must not crash the process nor go unnoticed: see settleStdout.
const stdout = new StdoutGuard();

/**
 * Sets the exit status to `code` once what was printed to stdout has gone out; if a write to stdout
 * failed, exits with StdoutWriteError on stderr and 1 instead (quietly with 141 when the reader of the pipe left).
 */
async function settleStdout(code: number): Promise<void> {
  const failed = await stdout.failure();
  if (failed === undefined) {
    process.exitCode = code;
    return;
  }
  if (isClosedPipe(failed)) process.exit(CLOSED_PIPE_EXIT_CODE);
  process.stderr.write(`${errorLine(new StdoutWriteError(failed))}\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const named = argv[0] !== undefined && !argv[0].startsWith('-');
const command = named ? argv[0]! : 'netflow';
const rest = named ? argv.slice(1) : argv;
// Compiled (the installed package's `watershed` bin) the help says `watershed example`; from the sources, `npm start -- example`.
const names = import.meta.url.endsWith('.js') ? BIN_NAMES : NPM_SCRIPT_NAMES;

if (command === 'help' || wantsHelp(rest)) {
  process.stdout.write(`${usageOf(command === 'help' ? rest[0] : named ? command : undefined, names)}\n`);
  await settleStdout(0);
  process.exit(0);
}

const run: Record<string, (argv: readonly string[]) => Promise<unknown>> = {
  netflow: netflowCommand,
  compare: compareCommand,
  generate: generateCommand,
  example: exampleCommand,
};

const flags = COMMAND_FLAGS[command];
if (!flags || !run[command]) {
  const near = nearestFlag(command, COMMANDS);
  console.error(`unknown command '${printable(command)}'${near ? ` (did you mean ${near}?)` : ''}. Commands: ${COMMANDS.join(', ')} (${names.start} --help)`);
  process.exit(2);
}
try {
  parseFlags(rest, flags, { program: command });
} catch (e) {
  exitOnUsageError(e);
  throw e;
}
run[command](rest).then(async (outcome) => {
  // compare exits as diff does: 1 when the results differ
  await settleStdout(command === 'compare' ? compareExitCode(outcome as CompareOutcome) : 0);
}, (e: unknown) => {
  // Options refused before running anything (a bad value, an output that is the input) exit 2, like a misspelt flag.
  exitOnUsageError(e);
  // A sink writing stdout (--output=ndjson:-) that could not: the stdout's error, as for a summary (EPIPE: below).
  if (e instanceof SinkWriteError && !isClosedPipe(e) && writesToStdout(e.path)) {
    console.error(errorLine(new StdoutWriteError(e.cause)));
    process.exit(1);
  }
  // A run under compare failed: trouble (2), as diff says it, not a difference (1).
  if (e instanceof CompareRunError) {
    console.error(errorLine(e));
    process.exit(COMPARE_EXIT.trouble);
  }
  // The reader of the output pipe went away (`| head`): stop quietly, as Unix tools do.
  if (isClosedPipe(e)) process.exit(CLOSED_PIPE_EXIT_CODE);
  console.error(errorLine(e));
  process.exit(1);
});
