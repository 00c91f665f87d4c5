import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the Netflow CLI (`bin/watershed.ts`) in a child process and waits for it (120 s at most).
 * `failpoint` goes to `WATERSHED_FAILPOINT` (`<name>:<n>:crash` makes the child SIGKILL itself there).
 * @example const r = cliChild(['--count=200', '--output=ndjson:/tmp/x.ndjson']); r.status // 0
 */
export const cliChild = (args: readonly string[], failpoint?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, WATERSHED_FAILPOINT: failpoint ?? '' },
  });

/** Netflow pair records (JSON lines) without `ts_output` (processing time, which differs between any two runs), sorted: a multiset. */
export const pairMultiset = (lines: readonly string[]): string[] =>
  lines
    .map((l) => {
      const { ts_output: _drop, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(rest);
    })
    .sort();
