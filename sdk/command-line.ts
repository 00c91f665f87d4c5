import { PipelineOptionsError } from './errors.js';
import { flagHelp, parseFlags, type FlagSpecs, type ParsedFlags } from './flags.js';
import { printable } from './internal/printable.js';
import { PIPELINE_FLAGS } from './options.js';

/** Whether `argv` asks for help: `--help` or `-h` before any bare `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  return flags.includes('--help') || flags.includes('-h');
}

/**
 * For a program's entry point: prints `error` as one line (no stack trace) and exits with 2 when it
 * is a command-line mistake ({@link PipelineOptionsError}); returns otherwise, so the caller rethrows.
 * Control characters in the message (a flag value, a path) are escaped (see `printable`), so a command
 * line cannot make the error drive the terminal.
 */
export function exitOnUsageError(error: unknown): void {
  if (!(error instanceof PipelineOptionsError)) return;
  process.stderr.write(`${error.name}: ${printable(error.message)}\n`);
  process.exit(2);
}

/**
 * Parses a program's command line with {@link parseFlags}. `--help` (or `-h`) prints `usage` and the
 * flags' help lines and exits with 0; a bad command line prints one line and exits with 2.
 *
 * @example
 * const { values } = parseCommandLine(process.argv.slice(2), {
 *   repeat: { type: 'string', value: 'N', help: 'runs per case (default 1)' },
 *   keep: { type: 'boolean', help: 'keep the output files' },
 * }, { program: 'bench:netflow', usage: 'npm run bench:netflow -- [flags]' });
 * const repeat = Number(values.repeat ?? 1);
 */
export function parseCommandLine<const F extends FlagSpecs>(
  argv: readonly string[],
  flags: F,
  options: { readonly program: string; readonly usage?: string; readonly positionals?: boolean },
): ParsedFlags<F> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${options.usage ?? `${options.program} [flags]`}\n\nFlags:\n${flagHelp(flags)}\n`);
    process.exit(0);
  }
  try {
    return parseFlags(argv, flags, options);
  } catch (e) {
    exitOnUsageError(e);
    throw e;
  }
}

/**
 * What `--help` (or `-h`) prints for a program built on `Pipeline.create(argv, { flags, program })`:
 * its usage line, its own flags, then the pipeline's flags (`--runner`, `--checkpointDir`, ...).
 * `Pipeline.create(argv)` prints it to stdout and exits with 0 when the command line asks for help.
 * @example pipelineHelp({ input: { type: 'string', help: 'the file to read' } }, 'my-job')
 */
export function pipelineHelp(own: FlagSpecs, program?: string): string {
  const ownFlags = Object.fromEntries(Object.entries(own).filter(([name]) => !Object.hasOwn(PIPELINE_FLAGS, name)));
  const ownHelp = flagHelp(ownFlags);
  return `Usage: ${program ?? '<program>'} [flags]\n\n${ownHelp ? `Flags:\n${ownHelp}\n\n` : ''}Pipeline flags:\n${flagHelp(PIPELINE_FLAGS)}\n`;
}
