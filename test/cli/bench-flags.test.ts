/**
 * `npm run bench`'s count flags are strict: a value that is not a whole number (a word, an exponent, a
 * fraction, a negative, 0 where at least 1 is needed, past 2^53 - 1) prints one line naming the flag and
 * exits 2 before anything runs (before: `--elements=abc` ran with NaN elements). The real scripts are
 * spawned; none of them gets as far as running a benchmark.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { countFlag } from '../../bench/count-flag.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const script = (file: string, ...args: string[]) => spawnSync(process.execPath, ['--import', tsx, join(repo, file), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

describe('benchmark count flags', () => {
  it('take whole numbers in decimal digits (digit groups may be separated), and the default when not given', () => {
    expect(countFlag('repeat', undefined, 3)).toBe(3);
    expect(countFlag('elements', '5000000', 1)).toBe(5_000_000);
    expect(countFlag('elements', '5_000_000', 1)).toBe(5_000_000);
    expect(countFlag('elements', '5,000,000', 1)).toBe(5_000_000);
    expect(countFlag('events', '2', 1, 2)).toBe(2);
  });

  for (const [file, flag] of [
    ['bench/run.ts', 'elements'],
    ['bench/run.ts', 'repeat'],
    ['bench/run.ts', 'windowEvents'],
    ['bench/window-kinds.ts', 'events'],
    ['bench/window-kinds.ts', 'keys'],
  ] as const) {
    it(`${file} --${flag}: a bad value exits 2 with one line naming the flag, nothing run`, () => {
      for (const v of ['abc', '1e3', '2.5', '-1', '0', '9007199254740993']) {
        const r = script(file, `--${flag}=${v}`);
        expect(r.status, `${v}: ${r.stderr}`).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(`--${flag}=${v}: expected a whole number`);
      }
    });
  }
});
