import { closest, distance } from 'fastest-levenshtein';
import { parseArgs } from '../sdk/options.js';

/** A command line the CLI cannot take: an unknown flag. The CLI prints it with a hint and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Checks that every `--flag` of `argv` is one `command` understands, so a typo (`--scenari=1`) fails
 * instead of being ignored while the job runs with defaults.
 * @throws UsageError naming each unknown flag, with the closest known one when it is near.
 * @example checkFlags('netflow', ['--scenari=1'], ['scenario']) // UsageError: unknown flag --scenari for 'netflow' (did you mean --scenario?)
 */
export function checkFlags(command: string, argv: readonly string[], known: readonly string[]): void {
  // A bare `--` (end of options) is not a flag.
  const unknown = Object.keys(parseArgs(argv)).filter((f) => f !== '' && !known.includes(f));
  if (unknown.length === 0) return;
  const described = unknown.map((f) => {
    const near = closest(f, known as string[]);
    return near !== undefined && distance(f, near) <= Math.max(2, Math.floor(f.length / 3)) ? `--${f} (did you mean --${near}?)` : `--${f}`;
  });
  throw new UsageError(`unknown flag${unknown.length > 1 ? 's' : ''} ${described.join(', ')} for '${command}'; \`npm start -- ${command} --help\` lists the flags`);
}
