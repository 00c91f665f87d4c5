import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '../../../runners/index.js';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Create } from '../../../transforms/create.js';
import { deadLetterRecord, type DeadLetterOutputRecord } from '../../../pipelines/netflow/io/dead-letter-output.js';
import type { LateOutputRecord } from '../../../pipelines/netflow/io/late-output.js';
import { runNetflowApp, type NetflowInput, type NetflowRunSummary } from '../../../pipelines/netflow/netflow-app.js';
import { NetflowJob } from '../../../pipelines/netflow/netflow-job.js';
import { formatNetflowSummary } from '../../../pipelines/netflow/netflow-summary.js';
import type { NetflowLine, SourcedLine } from '../../../pipelines/netflow/sourced-line.js';
import { runWith } from '../../support/runners.js';
import { DISORDER_BASE_S, disorderData } from './disorder-data.js';

/**
 * Runner configurations whose watermark lags the input by a bounded number of rows (polls of 50
 * lines; micro-batches of about 200 rows), so the disorder data's stragglers are late on each.
 * (With the defaults, a micro-batch of 100,000 rows takes a whole small file, and nothing is late:
 * the watermark moves only between batches.)
 */
const CONFIGS: readonly { label: string; options: Partial<PipelineOptions> }[] = [
  { label: 'native(bundle=50)', options: { runner: 'native', bundleSize: 50 } },
  { label: 'native(bundle=1)', options: { runner: 'native', bundleSize: 1, bufferSize: 1 } },
  { label: 'microbatch(asap, 200 rows)', options: { runner: 'microbatch', batchInterval: 'asap', maxBatchSize: 200, bundleSize: 50 } },
  { label: 'microbatch(1s, 200 rows)', options: { runner: 'microbatch', batchInterval: 1000, maxBatchSize: 200, bundleSize: 50 } },
];
const TWO = CONFIGS.filter((c) => c.label === 'native(bundle=50)' || c.label === 'microbatch(asap, 200 rows)');

const readJsonLines = <T>(path: string): T[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
const total = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

async function run(options: Partial<PipelineOptions>, input: NetflowInput, dir: string, tag: string): Promise<NetflowRunSummary> {
  return runNetflowApp(Pipeline.create(options), {
    input,
    output: { kind: 'stdout-summary' },
    job: { windowMs: 3000 },
    maxOutOfOrdernessMs: 1000,
    deadLetters: { kind: 'ndjson', path: join(dir, `${tag}.dead.ndjson`) },
    lateOutput: { kind: 'ndjson', path: join(dir, `${tag}.late.ndjson`) },
  });
}

describe.each(CONFIGS)('late records on $label', ({ options }) => {
  it('NDJSON with disorder and --maxOutOfOrderness gives the same late records as the equivalent Zeek file, each with its origin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-late-'));
    const data = disorderData();
    const zeekPath = join(dir, 'conn.log');
    const ndjsonPath = join(dir, 'flows.ndjson');
    writeFileSync(zeekPath, data.zeek);
    writeFileSync(ndjsonPath, data.ndjson);
    const zeek = await run(options, { kind: 'zeek', path: zeekPath }, dir, 'zeek');
    const ndjson = await run(options, { kind: 'ndjson', path: ndjsonPath }, dir, 'ndjson');

    for (const [s, path, tag] of [[zeek, zeekPath, 'zeek'], [ndjson, ndjsonPath, 'ndjson']] as const) {
      expect(s.eventsIn).toBe(data.events);
      expect(s.lateDropped).toBe(data.stragglers.length);
      expect(s.recordsPaired).toBe(data.events - data.stragglers.length);
      const late = readJsonLines<LateOutputRecord>(join(dir, `${tag}.late.ndjson`)).sort((a, b) => (a.eventid! < b.eventid! ? -1 : 1));
      expect(late.map((l) => l.eventid)).toEqual(data.stragglers);
      expect(late.map((l) => l.origin)).toEqual(data.stragglerLines.map((line) => ({ file: path, line })));
      for (const l of late) {
        expect(l.reason).toBe('past-allowed-lateness');
        expect(l.step).toBe('Netflow/GroupByKey');
        expect(l.windowStart! % 3000).toBe(0);
        expect(l.windowEnd! - l.windowStart!).toBe(3000);
        expect(l.timestamp).toBeGreaterThanOrEqual(l.windowStart!);
        expect(l.timestamp).toBeLessThan(l.windowEnd!);
        expect(l.timestamp).toBe(Math.round(Number((l.record as { eventtime: number }).eventtime) * 1000));
      }
      expect(readFileSync(join(dir, `${tag}.dead.ndjson`), 'utf8')).toBe('');
    }
    expect(ndjson.pairs.pairs).toBe(zeek.pairs.pairs);
    expect(ndjson.groups).toBe(zeek.groups);
  }, 60_000);
});

describe.each(TWO)('dead letters, late records and the summary counts on $label', ({ options }) => {
  it('from NDJSON: every rejected and late record with reason and origin (file and line); rejected + paired + late = events in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-dead-'));
    const data = disorderData();
    const garbage = 'x'.repeat(10_000);
    const bad: [text: string, reason: string, step: string][] = [
      ['{"eventid":"t1","eventtime":1490024760,"src_ip4":"10.0.0.1"', 'malformed-json', 'Netflow/Parse'],
      [JSON.stringify({ eventid: 'v6', src_ip6: '2001:db8::1', dst_ip6: '2001:db8::2', eventtime: DISORDER_BASE_S + 70 }), 'ipv6', 'Netflow/DropIPv6'],
      [JSON.stringify({ eventid: 'nn', src_ip4: '10.0.0.1', dst_ip4: '10.0.1.1', src_port: 1, dst_port: 2, duration: 0, in_bytes: 'abc', in_packets: 1, out_bytes: 0, out_packets: 0, eventtime: DISORDER_BASE_S + 70, nproto: 'TCP' }), 'non-numeric-field', 'Netflow/Parse'],
      [garbage, 'malformed-json', 'Netflow/Parse'],
    ];
    const lines = data.ndjson.trimEnd().split('\n');
    const firstBad = lines.length + 2; // after one blank line
    const path = join(dir, 'flows.ndjson');
    writeFileSync(path, [...lines, '', ...bad.map((b) => b[0])].join('\n') + '\n');

    const s = await run(options, { kind: 'ndjson', path }, dir, 'run');

    const dead = readJsonLines<DeadLetterOutputRecord>(join(dir, 'run.dead.ndjson')).sort((a, b) => (a.origin as { line: number }).line - (b.origin as { line: number }).line);
    expect(dead.map((d) => [d.reason, d.step, d.origin])).toEqual(bad.map(([, reason, step], i) => [reason, step, { file: path, line: firstBad + i }]));
    expect(dead.slice(0, 3).map((d) => d.raw)).toEqual(bad.slice(0, 3).map((b) => b[0]));
    expect(dead.slice(0, 3).every((d) => d.shortened === undefined && d.rawLength === d.raw.length)).toBe(true);
    expect(dead[3]).toMatchObject({ rawLength: 10_000, shortened: true, raw: `${'x'.repeat(4000)}…` });
    expect(dead[2]!.message).toBe('in_bytes is "abc"');
    const late = readJsonLines<LateOutputRecord>(join(dir, 'run.late.ndjson'));
    expect(late.map((l) => (l.origin as { line: number }).line).sort((a, b) => a - b)).toEqual(data.stragglerLines);

    // the counts add up: every line that entered the job was rejected, paired or dropped as late
    const rejected = total(s.rejected);
    expect(s.eventsIn).toBe(data.events + bad.length);
    expect(rejected).toBe(bad.length);
    expect(s.lateDropped).toBe(data.stragglers.length);
    expect(s.recordsPaired).toBe(data.events - data.stragglers.length);
    expect(rejected + s.recordsPaired + s.lateDropped).toBe(s.eventsIn);
    expect(s.deadLetterOutput).toEqual({ to: `ndjson ${join(dir, 'run.dead.ndjson')}`, records: bad.length });
    expect(s.lateOutput).toEqual({ to: `ndjson ${join(dir, 'run.late.ndjson')}`, records: data.stragglers.length });
    const text = formatNetflowSummary(s);
    expect(text).toContain('events in             1,504');
    expect(text).toContain('records paired        1,492, 8 dropped as late');
    expect(text).toContain(`dead letters          4 written to ndjson ${join(dir, 'run.dead.ndjson')}`);
    expect(text).toContain(`late records          8 written to ndjson ${join(dir, 'run.late.ndjson')}`);
    expect(text).toContain(`(${path}:${firstBad + 1})`); // the rejected examples name their file and line
  }, 60_000);

  it('from a Zeek file: lines the reader cannot read come first-hand from the source, with file and line, next to the job\'s rejects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-dead-zeek-'));
    const data = disorderData();
    const lines = data.zeek.trimEnd().split('\n');
    const extra = [
      `${DISORDER_BASE_S + 70}.0\tCshort\t10.0.0.1\t1\t10.0.1.1`, // too few columns: the reader's malformed-line
      [`${DISORDER_BASE_S + 70}.1`, 'Cv6', 'fe80::1', '1', 'fe80::2', '80', 'tcp', '1', '1', '1', '1', '1'].join('\t'),
      [`${DISORDER_BASE_S + 70}.2`, 'Cabc', '10.0.0.1', '1', '10.0.1.1', '80', 'tcp', '1', 'abc', '1', '1', '1'].join('\t'),
    ];
    const path = join(dir, 'conn.log');
    writeFileSync(path, [...lines, ...extra].join('\n') + '\n');

    const s = await run(options, { kind: 'zeek', path }, dir, 'run');

    const dead = readJsonLines<DeadLetterOutputRecord>(join(dir, 'run.dead.ndjson')).sort((a, b) => (a.origin as { line: number }).line - (b.origin as { line: number }).line);
    const n = lines.length;
    expect(dead.map((d) => [d.reason, d.step, d.origin])).toEqual([
      ['malformed-line', 'ZeekConn', { file: path, line: n + 1 }],
      ['ipv6', 'Netflow/DropIPv6', { file: path, line: n + 2 }],
      ['non-numeric-field', 'Netflow/Parse', { file: path, line: n + 3 }],
    ]);
    expect(dead[0]!.raw).toBe(extra[0]);
    expect(JSON.parse(dead[2]!.raw)).toMatchObject({ eventid: 'Cabc', in_bytes: 'abc' });
    expect(s.sourceRejected).toEqual({ 'malformed-line': 1 });
    expect(total(s.rejected) + s.recordsPaired + s.lateDropped).toBe(s.eventsIn);
    expect(s.eventsIn).toBe(data.events + 2);
    expect(s.deadLetterOutput!.records).toBe(3);
    expect(readJsonLines(join(dir, 'run.late.ndjson'))).toHaveLength(data.stragglers.length);
  }, 60_000);

  it("a line that makes the job's own code throw is a 'user-code' dead letter with its origin, and the run goes on", async () => {
    const line = (id: string, t: number) => JSON.stringify({ eventid: id, src_ip4: '10.0.0.1', dst_ip4: '10.0.1.1', src_port: 1, dst_port: 2, duration: 0, in_bytes: Math.round(t * 1000), in_packets: 1, out_bytes: 0, out_packets: 0, eventtime: DISORDER_BASE_S + t, nproto: 'TCP' });
    const broken = { text: 42, origin: { file: 'f.ndjson', line: 2 } } as unknown as SourcedLine;
    const input: NetflowLine[] = [{ text: line('a', 0.1), origin: { file: 'f.ndjson', line: 1 } }, broken, line('b', 0.2)];
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply(Create(input)).apply('Netflow', NetflowJob.of());
      return { pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()) };
    });
    expect(out.pairs.values().map((q) => `${q.eventid_1}-${q.eventid_2}`)).toEqual(['a-b']);
    const letters = out.rejected.values() as DeadLetter[];
    expect(letters.map((d) => [d.reason, d.step])).toEqual([['user-code', 'Netflow/DropIPv6']]);
    expect(deadLetterRecord(letters[0]!)).toMatchObject({ reason: 'user-code', step: 'Netflow/DropIPv6', origin: { file: 'f.ndjson', line: 2 }, raw: JSON.stringify(broken) });
    expect(result.metrics['Netflow/DropIPv6']!.deadLettered).toBe(1);
  });
});

describe('the netflow command with --deadLetters and --lateOutput, as a user runs it', () => {
  it('writes both files and prints counts that add up', () => {
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'netflow-cli-late-'));
    const data = disorderData();
    const input = join(dir, 'flows.ndjson');
    writeFileSync(input, data.ndjson + '{"eventid":"t1","eventtime":149\n');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bin/watershed.ts', `--input=ndjson:${input}`, '--maxOutOfOrderness=1s', '--bundleSize=50', `--deadLetters=ndjson:${join(dir, 'dead.ndjson')}`, `--lateOutput=ndjson:${join(dir, 'late.ndjson')}`, '--top=0', '--histogram=none'],
      { cwd: repo, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('events in             1,501');
    expect(r.stdout).toMatch(/rejected\s+1 {2}\(malformed-json 1\)/);
    expect(r.stdout).toContain('records paired        1,492, 8 dropped as late');
    expect(r.stdout).toContain(`dead letters          1 written to ndjson ${join(dir, 'dead.ndjson')}`);
    expect(r.stdout).toContain(`late records          8 written to ndjson ${join(dir, 'late.ndjson')}`);
    expect(readJsonLines<DeadLetterOutputRecord>(join(dir, 'dead.ndjson')).map((d) => [d.reason, d.origin])).toEqual([['malformed-json', { file: input, line: data.headerLines + data.events + 1 }]]);
    expect(readJsonLines<LateOutputRecord>(join(dir, 'late.ndjson')).map((l) => l.eventid).sort()).toEqual(data.stragglers);
  }, 120_000);
});
