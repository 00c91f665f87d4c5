/**
 * Runs every example of pipelines/examples/ with the command its header and the README give, on both
 * runners, and checks what it prints: an example that no longer compiles, runs or gives its documented
 * result fails here. (The example that needs a broker has a test file of its own, whose name makes the
 * global setup start one; this file does not name it, so running it alone starts none.)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_RUNNERS, ROOT, runExample } from './run-example.js';

const tmp = mkdtempSync(join(tmpdir(), 'watershed-examples-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const done = (runner: string) => `DONE on the ${runner} runner`;
const nine = (hhmm: string) => `2026-01-01T${hhmm}:00.000Z`;
const w = (from: string, to: string) => `[${nine(from)}, ${nine(to)})`;

/** What each example prints (sorted), besides its last line `DONE on the <runner> runner`. */
const PRINTS: Record<string, readonly string[]> = {
  'sessions.ts': [
    `ann ${w('09:00', '09:10')} EARLY #0: 1`,
    `ann ${w('09:00', '09:14')} EARLY #1: 2`,
    `ann ${w('09:00', '09:14')} ON_TIME #2: 2`,
    `bob ${w('09:01', '09:11')} EARLY #0: 1`,
    `bob ${w('09:01', '09:11')} ON_TIME #1: 1`,
    `bob ${w('09:01', '09:15')} LATE #2: 2`,
    `dropped {"key":"bob","value":"bob"} at ${nine('09:06')}: past-allowed-lateness (session ${w('09:06', '09:16')})`,
  ],
  'processing-time-windows.ts': [
    'ann [2026-01-01T09:00:00.000Z, 2026-01-01T09:00:10.000Z) ON_TIME: 2',
    'ann [2026-01-01T09:00:10.000Z, 2026-01-01T09:00:20.000Z) ON_TIME: 1',
    'bob [2026-01-01T09:00:00.000Z, 2026-01-01T09:00:10.000Z) ON_TIME: 1',
    'bob [2026-01-01T09:00:20.000Z, 2026-01-01T09:00:30.000Z) ON_TIME: 1',
  ],
  'join.ts': ['o-1 (ann): paid 30 of 30', 'o-2 (bob): unpaid, 0 of 12', 'o-3 (ann): partly paid, 30 of 50', 'o-9: payment of 5 for an unknown order'],
  'stateful-timers.ts': [
    `ALERT ann spent 110 by ${nine('09:20')}`,
    `SUMMARY ann ${w('09:00', '10:00')}: 140 spent, alert sent`,
    `SUMMARY ann ${w('10:00', '11:00')}: 20 spent, alert not needed`,
    `SUMMARY bob ${w('09:00', '10:00')}: 15 spent, alert not needed`,
  ],
  'custom-source.ts': [
    `garage ${w('09:00', '09:15')}: 4.25 °C`,
    `garage ${w('09:30', '09:45')}: 5.00 °C`,
    `kitchen ${w('09:00', '09:15')}: 20.50 °C`,
    `kitchen ${w('09:15', '09:30')}: 22.00 °C`,
    `kitchen ${w('09:30', '09:45')}: 22.50 °C`,
    "line 7 skipped (malformed-reading: unreadable temperature 'warm'): garage,2026-01-01T09:16:00Z,warm",
    "line 9 skipped (malformed-reading: unreadable time 'yesterday'): garage,yesterday,3.0",
  ],
  'rx-clicks.ts': [
    `ann ${w('09:00', '09:01')} ON_TIME: 1`,
    `ann ${w('09:01', '09:02')} ON_TIME: 2`,
    `bob ${w('09:00', '09:01')} ON_TIME: 2`,
    `cid ${w('09:01', '09:02')} ON_TIME: 1`,
    `late: a click at 2026-01-01T09:00:30.000Z for ${w('09:00', '09:01')} (past-allowed-lateness)`,
    'read 7 clicks, 1 late, 0 unreadable',
  ],
};

describe.each(EXAMPLE_RUNNERS)('the examples on the %s runner', (runner) => {
  for (const [file, prints] of Object.entries(PRINTS)) {
    it(`${file} prints its documented result`, async () => {
      const { lines } = await runExample(file, [`--runner=${runner}`]);
      expect(lines).toEqual([done(runner), ...prints].sort());
    });
  }

  it('views-per-minute.ts (the README pipeline) writes its counts file', async () => {
    const output = join(tmp, `views-per-minute.${runner}.txt`);
    const { lines } = await runExample('views-per-minute.ts', [`--runner=${runner}`, '--input=pipelines/examples/data/views.ndjson', `--output=${output}`]);
    expect(lines).toEqual([done(runner)]);
    expect(readFileSync(output, 'utf8').trim().split('\n').sort()).toEqual([
      `${w('09:00', '09:01')} ON_TIME ann: 2`,
      `${w('09:00', '09:01')} ON_TIME bob: 2`,
      `${w('09:01', '09:02')} ON_TIME ann: 1`,
      `${w('09:01', '09:02')} ON_TIME cid: 1`,
    ]);
  });
});

/** The same at `--parallelism=3` (docs/design/scale-out.md §6 step 4): the same lines (they are compared sorted anyway). */
describe.each(EXAMPLE_RUNNERS)('the examples on the %s runner at --parallelism=3', (runner) => {
  for (const [file, prints] of Object.entries(PRINTS)) {
    it(`${file} prints its documented result`, async () => {
      const { lines } = await runExample(file, [`--runner=${runner}`, '--parallelism=3']);
      expect(lines).toEqual([done(runner), ...prints].sort());
    });
  }
});

describe('the examples folder', () => {
  // csv-readings-source.ts is custom-source.ts's Source, conn-readers.ts network-talkers.ts' Sources;
  // windowed-page-views.ts is `npm start -- example`.
  const MODULES = new Set(['csv-readings-source.ts', 'conn-readers.ts', 'windowed-page-views.ts']);
  const examples = readdirSync(join(ROOT, 'pipelines/examples')).filter((f) => f.endsWith('.ts') && !MODULES.has(f));

  it('has no example that no test in test/examples/ runs', () => {
    const dir = join(ROOT, 'test/examples');
    const tests = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => readFileSync(join(dir, f), 'utf8'));
    expect(examples.filter((f) => !tests.some((t) => t.includes(`'${f}'`)))).toEqual([]);
  });

  it('README.md lists every example with its command', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(examples.filter((f) => !readme.includes(`npm run example:run -- pipelines/examples/${f}`))).toEqual([]);
  });

  it("is what the README's pipeline section shows", () => {
    const source = readFileSync(join(ROOT, 'pipelines/examples/views-per-minute.ts'), 'utf8');
    const code = source.slice(source.indexOf('import ')); // without the header comment
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').includes(code), 'README.md shows pipelines/examples/views-per-minute.ts from its first import on').toBe(true);
  });
});
