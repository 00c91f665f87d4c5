import { PipelineOptionsError } from '../sdk/errors.js';
import { exitOnUsageError } from '../sdk/command-line.js';

/**
 * A benchmark's count flag (`--elements=N`, `--repeat=N`, ...): `fallback` when not given, else its value as a
 * whole number of at least `min`, written in decimal digits (`_` or `,` between digit groups allowed). Anything
 * else (`abc`, `1e3`, `-1`, `2.5`, past 2^53 - 1) prints one line naming the flag and exits with 2, instead of a
 * NaN or a cut-down number running a benchmark of another size.
 * @example countFlag('repeat', args.repeat, 3) // 3 when --repeat is not given; --repeat=abc exits with 2
 */
export function countFlag(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const digits = value.replace(/(?<=\d)[_,](?=\d{3})/g, '');
  const n = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min)) {
    try {
      throw new PipelineOptionsError(`--${name}=${value}: expected a whole number >= ${min} (decimal digits)`);
    } catch (e) {
      exitOnUsageError(e);
      throw e;
    }
  }
  return n;
}
