/**
 * pipelines/examples/network-talkers.ts over a slice of the shared real Zeek conn.log (the first 600
 * lines, copied to a temporary file: the data is never copied into the repository), on both runners.
 * With a watermark that holds everything until the end of the slice nothing is late, so the ON_TIME
 * panes are the whole sessions and windows: they must equal what a plain loop over the slice gives,
 * on both runners. With the default 10 s bound the slice (Zeek's write order, minutes out of event
 * order) has late records: every one goes to the late output, none is lost.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conns, expectedSessions, expectedTop, win, writeSlice } from './network-talkers-oracle.js';
import { EXAMPLE_RUNNERS, runExample } from './run-example.js';

const tmp = mkdtempSync(join(tmpdir(), 'watershed-talkers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const slice = writeSlice(join(tmp, 'conn-slice.log'));

const readNdjson = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

async function run(runner: string, name: string, extra: string[]) {
  const out = (what: string) => join(tmp, `${name}.${runner}.${what}.ndjson`);
  const { lines: printed } = await runExample('network-talkers.ts', [
    `--runner=${runner}`, `--input=zeek:${slice}`,
    `--sessions=ndjson:${out('sessions')}`, `--top=ndjson:${out('top')}`, `--late=ndjson:${out('late')}`, `--deadLetters=ndjson:${out('dead')}`, ...extra,
  ]);
  expect(printed).toEqual([`DONE on the ${runner} runner`]);
  return { sessions: readNdjson(out('sessions')), top: readNdjson(out('top')), late: readNdjson(out('late')), dead: readNdjson(out('dead')) };
}

describe.each(EXAMPLE_RUNNERS)('network-talkers.ts on the %s runner', (runner) => {
  it('gives, with nothing late, the sessions and top talkers a plain loop over the slice gives', async () => {
    const { sessions, top, late, dead } = await run(runner, 'all-on-time', ['--maxOutOfOrderness=10h']);
    expect(conns.length).toBeGreaterThan(500);
    expect(late).toEqual([]);
    expect(dead).toEqual([]);
    const onTime = sessions.filter((s) => s['pane'] === 'ON_TIME').map(({ host, session, count, bytes, distinctPorts }) => JSON.stringify({ host, session, count, bytes, distinctPorts }));
    expect(onTime.sort()).toEqual(expectedSessions());
    expect(sessions.every((s) => s['pane'] === 'ON_TIME' || s['pane'] === 'EARLY')).toBe(true);
    expect(top.map((t) => JSON.stringify(t)).sort()).toEqual(expectedTop());
  });

  it('with a 10 s bound, sends the connections past the allowed lateness to the late output, with their session or sliding window', async () => {
    const { sessions, late } = await run(runner, 'late', ['--bundleSize=1', '--maxBatchSize=1']);
    // Native with bundles of 1 moves the watermark after every connection: this slice has late ones. Micro-batch
    // reads ahead (--bufferSize), so its watermark moves after the buffered rows: none are late here (README, runners).
    if (runner === 'native') expect(late.length).toBeGreaterThan(0);
    for (const r of late) {
      expect(r['reason']).toBe('past-allowed-lateness');
      expect(conns.some((c) => c.ts === r['ts'] && c.src === r['src'] && c.bytes === r['bytes'])).toBe(true);
      if (r['step'] === 'SessionStats') expect(r['window']).toBe(win(r['ts'] as number, (r['ts'] as number) + 30_000));
      else expect(r['step']).toBe('BytesPerHost');
    }
    expect(sessions.length).toBeGreaterThan(0);
    expect(new Set(sessions.map((s) => s['pane']))).toSatisfy((kinds: Set<unknown>) => [...kinds].every((k) => ['EARLY', 'ON_TIME', 'LATE'].includes(k as string)));
  });

  it('a run that fails while its second output file is published leaves every output of the run before as it was, and no hidden file', async () => {
    const dir = join(tmp, `failing-${runner}`);
    mkdirSync(dir);
    const names = ['sessions', 'top', 'late', 'dead'];
    for (const n of names) writeFileSync(join(dir, `${n}.ndjson`), `OLD ${n}`);
    process.env['WATERSHED_FAILPOINT'] = 'fileSink.publish:2:throw'; // armed in the example's process
    try {
      await expect(runExample('network-talkers.ts', [
        `--runner=${runner}`, `--input=zeek:${slice}`, ...names.map((n) => `--${n === 'dead' ? 'deadLetters' : n}=ndjson:${join(dir, `${n}.ndjson`)}`),
      ])).rejects.toThrow(/simulated crash at failpoint 'fileSink\.publish'/);
    } finally {
      delete process.env['WATERSHED_FAILPOINT'];
    }
    for (const n of names) expect(readFileSync(join(dir, `${n}.ndjson`), 'utf8')).toBe(`OLD ${n}`);
    expect(readdirSync(dir).sort()).toEqual(names.map((n) => `${n}.ndjson`).sort());
  });
});

describe('network-talkers.ts on the command line', () => {
  it('--help lists its own flags and the pipeline flags and exits with 0 (Pipeline.create(argv) prints them)', async () => {
    const { lines: printed } = await runExample('network-talkers.ts', ['--help']);
    const text = printed.join('\n');
    expect(text).toContain('Usage: network-talkers.ts [flags]');
    expect(text).toMatch(/--input=zeek:<conn.log>\|eve:<eve.json>\|kafka:<topic>\s+the connections/);
    expect(text).toMatch(/--runner=native\|microbatch\s+the runner/);
    expect(text).toMatch(/--checkpointDir=<dir>/);
  });

  it('a misspelt flag or a missing --input is one line naming the flag, with exit code 2', async () => {
    await expect(runExample('network-talkers.ts', ['--runnr=native'])).rejects.toThrow(/exited with 2:\nUnknownFlagError: unknown flag --runnr \(did you mean --runner\?\) for 'network-talkers.ts'[^\n]*\n\n/);
    await expect(runExample('network-talkers.ts', ['--runner=native'])).rejects.toThrow(/exited with 2:\nPipelineOptionsError: --input is required/);
  });
});
