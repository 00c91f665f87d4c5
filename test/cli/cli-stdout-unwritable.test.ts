import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI with its stdout on /dev/full (every write fails with ENOSPC, as on a full disk under `> file`). */
function cliToFullDisk(...args: string[]) {
  const full = openSync('/dev/full', 'w');
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', full, 'pipe'] });
  } finally {
    closeSync(full);
  }
}

const STDOUT_ERROR = /^StdoutWriteError: cannot write to stdout: ENOSPC: no space left on device/m;

describe('a stdout that cannot be written (> /dev/full) ends the CLI with StdoutWriteError, exit 1, not exit 0 or a crash', () => {
  for (const [label, args] of [
    ['netflow, its summary', ['--count=50']],
    ['netflow --output=ndjson:- (the pairs)', ['--count=50', '--output=ndjson:-']],
    ['example (prints while it runs)', ['example', '--count=2000']],
    ['generate --output=ndjson:-', ['generate', '--count=5', '--output=ndjson:-']],
    ['--help', ['--help']],
  ] as const) {
    it(label, () => {
      const r = cliToFullDisk(...args);
      expect(r.stderr).toMatch(STDOUT_ERROR);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toContain("Unhandled 'error' event");
      expect(r.status).toBe(1);
    });
  }

  it('the run\'s file outputs are still written (only the summary is lost, and that is said)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-stdout-')), 'pairs.ndjson');
    const r = cliToFullDisk('--count=50', `--output=ndjson:${out}`, '--statsOut=' + out.replace('pairs.ndjson', 'stats.json'));
    expect(r.stderr).toMatch(STDOUT_ERROR);
    expect(r.status).toBe(1);
    expect(existsSync(out)).toBe(true);
    const stats = JSON.parse(readFileSync(out.replace('pairs.ndjson', 'stats.json'), 'utf8')) as { pairs: { pairs: number } };
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toHaveLength(stats.pairs.pairs);
  });

  it('compare, its summary', () => {
    const r = cliToFullDisk('compare', '--count=20', `--outDir=${mkdtempSync(join(tmpdir(), 'cli-stdout-'))}`);
    expect(r.stderr).toMatch(STDOUT_ERROR);
    expect(r.status).toBe(1);
  }, 120_000);
});
