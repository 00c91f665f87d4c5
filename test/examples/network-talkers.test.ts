/**
 * pipelines/examples/network-talkers.ts over a slice of the shared real Zeek conn.log (the first 600
 * lines, copied to a temporary file: the data is never copied into the repository), on both runners.
 * With a watermark that holds everything until the end of the slice nothing is late, so the ON_TIME
 * panes are the whole sessions and windows: they must equal what a plain loop over the slice gives,
 * on both runners. With the default 10 s bound the slice (Zeek's write order, minutes out of event
 * order) has late records: every one goes to the late output, none is lost.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedDataFile } from '../pipelines/netflow/shared-data.js';
import { EXAMPLE_RUNNERS, runExample } from './run-example.js';

const tmp = mkdtempSync(join(tmpdir(), 'watershed-talkers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const slice = join(tmp, 'conn-slice.log');
const lines = readFileSync(sharedDataFile('zeek-conn-mixed.log'), 'utf8').split('\n').slice(0, 600);
writeFileSync(slice, lines.join('\n') + '\n');

interface Conn { ts: number; src: string; dport: number; bytes: number }
const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
const conns: Conn[] = lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
  const cols = l.split('\t');
  const col = (name: string) => cols[fields.indexOf(name)]!;
  const n = (v: string) => (v === '-' ? 0 : Number(v));
  return { ts: Math.round(Number(col('ts')) * 1000), src: col('id.orig_h'), dport: Number(col('id.resp_p')), bytes: n(col('orig_bytes')) + n(col('resp_bytes')) };
});
const iso = (t: number) => new Date(t).toISOString();
const win = (start: number, end: number) => `[${iso(start)}, ${iso(end)})`;

/** Sessions with a 30 s gap per source host, by a plain loop. */
function expectedSessions(): string[] {
  const out: string[] = [];
  const byHost = Map.groupBy(conns, (c) => c.src);
  for (const [host, cs] of byHost) {
    cs.sort((a, b) => a.ts - b.ts);
    let group: Conn[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const end = Math.max(...group.map((c) => c.ts)) + 30_000;
      out.push(JSON.stringify({ host, session: win(group[0]!.ts, end), count: group.length, bytes: group.reduce((s, c) => s + c.bytes, 0), distinctPorts: new Set(group.map((c) => c.dport)).size }));
      group = [];
    };
    for (const c of cs) {
      if (group.length > 0 && c.ts >= Math.max(...group.map((g) => g.ts)) + 30_000) flush();
      group.push(c);
    }
    flush();
  }
  return out.sort();
}

/** The top 10 hosts by bytes in every 1 min window starting every 10 s, by a plain loop. */
function expectedTop(): string[] {
  const perWindow = new Map<number, Map<string, number>>();
  for (const c of conns) {
    for (let start = Math.floor(c.ts / 10_000) * 10_000; start > c.ts - 60_000; start -= 10_000) {
      const hosts = perWindow.get(start) ?? new Map<string, number>();
      hosts.set(c.src, (hosts.get(c.src) ?? 0) + c.bytes);
      perWindow.set(start, hosts);
    }
  }
  return [...perWindow].map(([start, hosts]) => {
    const top = [...hosts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([host, bytes]) => ({ host, bytes }));
    return JSON.stringify({ window: win(start, start + 60_000), top });
  }).sort();
}

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
