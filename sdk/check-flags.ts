import { closest, distance } from 'fastest-levenshtein';
import { PipelineOptionsError } from './errors.js';
import { parseArgs } from './options.js';

/** A flag the program does not know (a command line usually exits with 2 on it). */
export class UnknownFlagError extends PipelineOptionsError {}

/**
 * Checks that every `--flag` of `argv` is one `command` understands, so a typo (`--scenari=1`) fails
 * instead of being ignored while the job runs with defaults. A program with flags of its own passes
 * them with the pipeline's: `checkFlags('my-job', argv, [...PIPELINE_FLAGS, 'input'])`.
 * @throws UnknownFlagError naming each unknown flag, with the closest known one when it is near.
 * @example checkFlags('netflow', ['--scenari=1'], ['scenario']) // UnknownFlagError: unknown flag --scenari (did you mean --scenario?) for 'netflow'; ...
 */
export function checkFlags(command: string, argv: readonly string[], known: readonly string[]): void {
  // A bare `--` (end of options) is not a flag.
  const unknown = Object.keys(parseArgs(argv)).filter((f) => f !== '' && !known.includes(f));
  if (unknown.length === 0) return;
  const described = unknown.map((f) => {
    const near = closest(f, known as string[]);
    return near !== undefined && distance(f, near) <= Math.max(2, Math.floor(f.length / 3)) ? `--${f} (did you mean --${near}?)` : `--${f}`;
  });
  throw new UnknownFlagError(`unknown flag${unknown.length > 1 ? 's' : ''} ${described.join(', ')} for '${command}'; --help lists the flags`);
}
