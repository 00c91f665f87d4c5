import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { netflowCommand } from '../../bin/netflow-command.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { flow } from '../pipelines/netflow/test-records.js';

/** The run's four files, each holding `OLD <name>` before the run. */
const OUTPUTS = ['pairs.ndjson', 'dead.ndjson', 'late.ndjson', 'stats.json'] as const;

/** A directory with a small NDJSON input (one unreadable line, for a dead letter) and an old version of every output. */
function setUp(): { dir: string; flags: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'netflow-output-set-'));
  const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(flow({ eventid: String(i), in_bytes: i * 10 })));
  writeFileSync(join(dir, 'flows.ndjson'), [...lines, '{not json'].join('\n') + '\n');
  for (const n of OUTPUTS) writeFileSync(join(dir, n), `OLD ${n}`);
  const flags = [
    `--input=ndjson:${join(dir, 'flows.ndjson')}`,
    `--output=ndjson:${join(dir, 'pairs.ndjson')}`,
    `--deadLetters=ndjson:${join(dir, 'dead.ndjson')}`,
    `--lateOutput=ndjson:${join(dir, 'late.ndjson')}`,
    `--statsOut=${join(dir, 'stats.json')}`,
    '--quiet',
  ];
  return { dir, flags };
}

const old = (dir: string, n: string): boolean => readFileSync(join(dir, n), 'utf8') === `OLD ${n}`;
/** Every output is the old one, and nothing else is in the folder (no hidden in-progress file). */
function expectUntouched(dir: string): void {
  for (const n of OUTPUTS) expect(readFileSync(join(dir, n), 'utf8')).toBe(`OLD ${n}`);
  expect(readdirSync(dir).sort()).toEqual(['flows.ndjson', ...OUTPUTS].sort());
}

describe.each(['native', 'microbatch'])('the file outputs of one netflow run on %s are published as one set', (runner) => {
  afterEach(() => failpoints.reset());

  it('a failure while publishing the second output leaves every previous output untouched and no hidden file', async () => {
    const { dir, flags } = setUp();
    failpoints.arm('fileSink.publish', { at: 2 });
    await expect(netflowCommand([...flags, `--runner=${runner}`])).rejects.toThrow(SimulatedCrash);
    expectUntouched(dir);
  });

  it('a failure writing --statsOut (after every sink finished) leaves the pairs, dead letters and late records untouched too', async () => {
    const { dir, flags } = setUp();
    failpoints.arm('file.write', { at: 1 });
    await expect(netflowCommand([...flags, `--runner=${runner}`])).rejects.toThrow(/cannot write --statsOut=.*simulated crash at failpoint 'file\.write'/);
    expectUntouched(dir);
  });

  it('a failure between the renames leaves each file whole (the ones before it new, the rest old) and no hidden file', async () => {
    const { dir, flags } = setUp();
    failpoints.arm('fileSet.rename', { at: 2 });
    await expect(netflowCommand([...flags, `--runner=${runner}`])).rejects.toThrow(SimulatedCrash);
    expect(OUTPUTS.filter((n) => !old(dir, n))).toHaveLength(1);
    for (const n of OUTPUTS.filter((n) => !old(dir, n))) {
      // whole: every line (the summary: the file) parses
      for (const line of readFileSync(join(dir, n), 'utf8').split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(readdirSync(dir).sort()).toEqual(['flows.ndjson', ...OUTPUTS].sort());
  });

  it('a successful run publishes every output', async () => {
    const { dir, flags } = setUp();
    const summary = await netflowCommand([...flags, `--runner=${runner}`]);
    for (const n of OUTPUTS) expect(old(dir, n)).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'))).toMatchObject({ runner, eventsIn: summary.eventsIn });
    expect(readFileSync(join(dir, 'pairs.ndjson'), 'utf8').split('\n').filter((l) => l !== '').length).toBe(summary.pairs.pairs);
    expect(readFileSync(join(dir, 'dead.ndjson'), 'utf8')).toContain('{not json');
    expect(readFileSync(join(dir, 'late.ndjson'), 'utf8')).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['flows.ndjson', ...OUTPUTS].sort());
  });
});
