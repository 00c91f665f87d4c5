import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, env: { ...process.env, KAFKA_BROKERS: '' } });
const cli = (...args: string[]) => run('bin/watershed.ts', ...args);

/** Terminal control: C0 (ESC, CR, BEL, ...) but newline, DEL, C1 (the 8-bit CSI \x9b) and the bidi overrides. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const CLEAR = '\u001b[2J';

/** The error went to stderr with its control characters escaped as the summary escapes them. */
function expectEscaped(stderr: string): void {
  expect(stderr).toContain('\\x1b[2J');
  expect(stderr).not.toMatch(CONTROL);
  expect(stderr).not.toContain('\u001b');
}

describe('errors printed by the CLI cannot drive the terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-error-escapes-'));

  it('a run that fails on an input named with control characters (SourceError, exit 1)', () => {
    const r = cli(`--input=ndjson:${join(dir, `gone${CLEAR}\r.ndjson`)}`);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^SourceError: /);
    expect(r.stderr).toContain('\\r');
    expectEscaped(r.stderr);
  });

  it('a refused output (a directory) and a bad flag value (PipelineOptionsError, exit 2)', () => {
    const input = join(dir, 'in.ndjson');
    writeFileSync(input, '{"eventid":"a"}\n');
    const out = join(dir, `out${CLEAR}\u202e`);
    mkdirSync(out);
    const r = cli(`--input=ndjson:${input}`, `--output=ndjson:${out}`);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('\\u{202e}');
    expectEscaped(r.stderr);
    const s = cli(`--scenario=${CLEAR}\x9b2J`);
    expect(s.status, s.stderr).toBe(2);
    expect(s.stderr).toContain('\\x9b2J');
    expectEscaped(s.stderr);
  });

  it('an unknown command and a bad compare name (exit 2)', () => {
    const r = cli(`net${CLEAR}flow`);
    expect(r.status, r.stderr).toBe(2);
    expectEscaped(r.stderr);
    const c = cli('compare', `--name=x${CLEAR}`);
    expect(c.status, c.stderr).toBe(2);
    expectEscaped(c.stderr);
  });

  it('the capability matrix: an unknown runner named with control characters (a usage error: exit 2, nothing run)', () => {
    const r = run('capability-matrix/cli.ts', `--runner=native,x${CLEAR}`);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('unknown runner');
    expectEscaped(r.stderr);
  });
});
