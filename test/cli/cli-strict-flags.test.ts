import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'watershed-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI as a user does (`npm start -- ...` is `tsx bin/watershed.ts ...`). */
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

/** A usage error: exit 2, one line on stderr (no stack trace), nothing on stdout. */
function expectUsageError(r: ReturnType<typeof cli>, ...fragments: string[]): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  for (const f of fragments) expect(r.stderr).toContain(f);
}

describe('the CLI parses flags strictly, under one set of rules', () => {
  it('takes --flag value as well as --flag=value', () => {
    const r = cli('example', '--runner', 'microbatch', '--count', '50', '--batchInterval', 'asap');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("on the 'microbatch' runner (50 generated views)");
  });

  it('netflow takes the space-separated forms too', () => {
    const stats = join(tmp, 'space', 'stats.json');
    const r = cli('--count', '300', '--sourceIps', '5', '--runner', 'microbatch', '--statsOut', stats, '--quiet');
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(stats, 'utf8')) as { runner: string; eventsIn: number };
    expect(s.runner).toBe('microbatch');
    expect(s.eventsIn).toBe(300);
  });

  it('refuses a short flag, naming it', () => {
    expectUsageError(cli('-x'), 'unknown flag -x', "'netflow'");
    expectUsageError(cli('example', '-runner=microbatch'), 'unknown flag -runner=microbatch (did you mean --runner?)');
  });

  it('refuses a stray word, with the flag it was probably meant as', () => {
    expectUsageError(cli('example', 'microbatch'), "unexpected argument 'microbatch'");
    expectUsageError(cli('netflow', 'scenario=1'), "unexpected argument 'scenario=1'", 'did you mean --scenario=1?');
    expectUsageError(cli('example', '--progress', 'microbatch'), "unexpected argument 'microbatch'", '--progress takes no value');
  });

  it('refuses unknown and misspelt flags in both forms, with the closest known flag', () => {
    expectUsageError(cli('example', '--runnr', 'microbatch'), 'unknown flag --runnr (did you mean --runner?)', "'example'");
    expectUsageError(cli('--windw=2s'), 'unknown flag --windw (did you mean --window?)');
    expectUsageError(cli('exmaple'), "unknown command 'exmaple' (did you mean example?)");
  });

  it('refuses a missing value, a value given to a boolean flag and a repeated flag', () => {
    expectUsageError(cli('example', '--runner'), '--runner needs a value');
    expectUsageError(cli('example', '--runner', '--progress'), '--runner needs a value');
    expectUsageError(cli('example', '--progress=yes'), '--progress takes no value');
    expectUsageError(cli('example', '--count=1', '--count', '2'), '--count is given twice');
  });

  it('compare refuses flags it would ignore (it runs both runners and writes its own summaries)', () => {
    expectUsageError(cli('compare', '--runner=native'), 'unknown flag --runner', "'compare'");
  });

  it('a generator or job value out of range stops the command before it runs (exit 2, one line naming the flag)', () => {
    expectUsageError(cli('--count=-5'), '--count=-5', 'non-negative integer');
    expectUsageError(cli('--window=0s'), '--window=0s: must be a positive whole number of ms');
    // Before: the run started and failed on its first event with "SourceError: ... Invalid time value" (exit 1).
    expectUsageError(cli('--count=300', '--rate=1e-300'), '--count + --rate + --jitter', 'past the last date');
    // Before: accepted and ignored (a file read to its end and the run finished, as if --follow had not been given).
    writeFileSync(join(tmp, 'flows.ndjson'), '');
    expectUsageError(cli(`--input=ndjson:${join(tmp, 'flows.ndjson')}`, '--follow'), '--follow applies to --input=kafka:<topic> only');
    expectUsageError(cli('--count=10', '--reconnectTimeout=5s'), '--reconnectTimeout applies to --input=kafka:<topic> only');
  });

  it('an unwritable --statsOut fails at the start, before the job runs', () => {
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const pairs = join(tmp, 'pairs.ndjson');
    expectUsageError(cli('--count=200', `--output=ndjson:${pairs}`, `--statsOut=${join(blocker, 'stats.json')}`), '--statsOut', blocker);
    expect(existsSync(pairs)).toBe(false);
  });
});
