import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { LineSourceStats, TextFile } from '../../../transforms/io/text-file.js';
import type { FlowRecord } from '../../../pipelines/netflow/flow-record.js';
import { generateNetflow } from '../../../pipelines/netflow/generator.js';
import { GeneratorStats, NetflowGenerator } from '../../../pipelines/netflow/io/generator-source.js';
import { SensorLog, toNetflowLine } from '../../../pipelines/netflow/io/sensor-log-sources.js';
import { formatNetflowPair, NetflowJob, netflowPairEncoder } from '../../../pipelines/netflow/netflow-job.js';
import { CollectPairStats, PairStats } from '../../../pipelines/netflow/pair-stats.js';
import { parseFlow } from '../../../pipelines/netflow/parse-flow.js';
import { readLines } from '../../../pipelines/netflow/readers/read-lines.js';
import { readSuricataEveLine } from '../../../pipelines/netflow/readers/suricata-eve.js';
import { readZeekConnFile } from '../../../pipelines/netflow/readers/zeek-conn-file.js';
import { windowCensus } from '../../../pipelines/netflow/window-census.js';
import { RUNNERS, runWith } from '../../support/runners.js';
import { sharedDataFile } from './shared-data.js';

/** Flow records of a sample read the plain way (reader + parseFlow), for the expected counts. */
async function plainRecords(kind: 'suricata' | 'zeek', path: string): Promise<FlowRecord[]> {
  const out: FlowRecord[] = [];
  if (kind === 'zeek') {
    for await (const r of readZeekConnFile(path)) if (r.kind === 'flow') pushOk(out, parseFlow(r.raw));
  } else {
    for await (const line of readLines(path)) {
      const r = readSuricataEveLine(line.text);
      if (r.kind === 'flow') pushOk(out, parseFlow(r.raw));
    }
  }
  return out;
}
function pushOk(out: FlowRecord[], r: ReturnType<typeof parseFlow>): void {
  if (r.ok) out.push(r.record);
}

const SAMPLES = [
  // file, reader, window, flows the job must pair, lines skipped by the reader, records with unset measurements
  { file: 'suricata-eve-flows.json', kind: 'suricata' as const, windowMs: 3000, parsed: 3512, skipped: { 'not-a-flow': 1488 }, unset: 0 },
  { file: 'zeek-conn-mixed.log', kind: 'zeek' as const, windowMs: 3000, parsed: 9048, skipped: { header: 8 }, unset: 167 },
  // the hot key: 4,504 flows of one scanner; 250 ms windows keep the pair count test-sized
  { file: 'zeek-conn-portscan.log', kind: 'zeek' as const, windowMs: 250, parsed: 4504, skipped: {}, unset: 2698 },
];

describe.each(RUNNERS)('sensor-log sources through the Netflow job on $label', ({ options }) => {
  it.each(SAMPLES)('$file: every flow parsed, pairs as a plain census of its windows', async (s) => {
    const path = sharedDataFile(s.file);
    const stats = new LineSourceStats();
    const pairStats = new PairStats({ digests: true });
    const { result } = await runWith(options, (p) => {
      const lines = p.apply('Read', s.kind === 'suricata' ? SensorLog.suricataEve(path, { stats }) : SensorLog.zeekConn(path, { stats }));
      const job = lines.apply('Netflow', NetflowJob.of({ windowMs: s.windowMs }));
      job.pairs.apply('Stats', CollectPairStats(pairStats));
    });
    const records = await plainRecords(s.kind, path);
    expect(records).toHaveLength(s.parsed);
    expect(records.filter((r) => r.unset !== undefined)).toHaveLength(s.unset);
    const census = windowCensus(records, s.windowMs);
    // the reader source: skipped lines counted by reason, nothing unreadable
    expect(stats.skipped).toEqual(s.skipped);
    expect(stats.deadLettered).toEqual({});
    expect(stats.elements).toBe(s.parsed);
    expect(result.metrics['Read']!.deadLettered).toBe(0);
    // the job: every flow parsed (unset values filled, not rejected), none late (the watermark waits for the end of the file)
    expect(result.metrics['Netflow/DropIPv6']!.elementsIn).toBe(s.parsed);
    expect(result.metrics['Netflow/Parse']!.counters).toEqual({});
    expect(result.metrics['Netflow/GroupByKey']!.elementsIn).toBe(s.parsed);
    expect(result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(0);
    expect(result.metrics['Netflow/GroupByKey']!.elementsOut).toBe(census.groups.size);
    const json = pairStats.toJSON();
    expect(json.pairs).toBe(census.pairs);
    expect(json.keyWindows).toBe([...census.groups.values()].filter((n) => n > 1).length);
    expect(Object.fromEntries(json.digests!.map(([k, n]) => [k, n]))).toEqual(Object.fromEntries([...census.groups].filter(([, n]) => n > 1).map(([k, n]) => [k, (n * (n - 1)) / 2])));
  });

  it('sends unreadable sensor lines to the Read step dead letters with file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-'));
    const path = join(dir, 'conn.log');
    writeFileSync(
      path,
      [
        '#separator \\x09',
        '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts',
        '1655071209.5\tCa\t10.0.0.1\t1000\t10.0.0.2\t80\ttcp\t1.5\t100\t200\t2\t3',
        '1655071209.7\tCb\t10.0.0.1\t1001\t10.0.0.2\t80\ttcp',
        '1655071210.1\tCc\t10.0.0.1\t1002\t10.0.0.2\t80\ttcp\t-\t-\t-\t1\t0',
        '1655071210.2\tCd\tfe80::1\t1003\tfe80::2\t80\ttcp\t1\t1\t1\t1\t1',
        '',
      ].join('\n'),
    );
    const stats = new LineSourceStats();
    const { out, result } = await runWith(options, (p) => {
      const lines = p.apply('Read', SensorLog.zeekConn(path, { stats }));
      const job = lines.apply('Netflow', NetflowJob.of({ features: ['in_bytes', 'out_packets'] }));
      return { dead: lines.deadLetters().apply('Dead', Capture.records()), pairs: job.pairs.apply('Pairs', Capture.records()), rejected: job.rejected.apply('Rejected', Capture.records()) };
    });
    const dead = out.dead.values();
    expect(dead.map((d) => [d.reason, d.origin, d.step])).toEqual([['malformed-line', { file: path, line: 4 }, 'Read']]);
    expect(stats).toMatchObject({ lines: 6, elements: 3, skipped: { header: 2 }, deadLettered: { 'malformed-line': 1 } });
    expect(result.metrics['Read']!.deadLettered).toBe(1);
    expect((out.rejected.values() as DeadLetter[]).map((d) => d.reason)).toEqual(['ipv6']);
    expect(out.pairs.values().map((p) => [p.eventid_1, p.eventid_2, p.distance])).toEqual([['Ca', 'Cc', Math.hypot(100, 3)]]);
  });

  it('a flow whose timestamp is out of range is a dead letter and does not move the watermark (maxOutOfOrderness)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-'));
    const path = join(dir, 'conn.log');
    const row = (ts: string, uid: string) => `${ts}\t${uid}\t10.0.0.1\t1000\t10.0.0.2\t80\ttcp\t1.5\t100\t200\t2\t3`;
    writeFileSync(
      path,
      [
        '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts',
        row('1655071209.5', 'Ca'),
        row('1655071209500', 'Cms'), // milliseconds where seconds belong: year 54,000
        row('1655071209.6', 'Cb'),
        row('1655071209.7', 'Cc'),
      ].join('\n'),
    );
    const { out, result } = await runWith(options, (p) => {
      const lines = p.apply('Read', SensorLog.zeekConn(path, { watermark: { maxOutOfOrderness: 1000 } }));
      const job = lines.apply('Netflow', NetflowJob.of());
      return { dead: lines.deadLetters().apply('Dead', Capture.records()), pairs: job.pairs.apply('Pairs', Capture.records()) };
    });
    expect(out.dead.values().map((d) => [d.reason, d.origin])).toEqual([['invalid-timestamp', { file: path, line: 3 }]]);
    expect(result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(0);
    expect(out.pairs.values().map((p) => `${p.eventid_1}-${p.eventid_2}`).sort()).toEqual(['Ca-Cb', 'Ca-Cc', 'Cb-Cc']);
    // the source's own guard, whatever a reader hands it
    expect(toNetflowLine({ kind: 'flow', raw: { eventtime: 1e300 } }, 'f', 1)).toMatchObject({ kind: 'dead', reason: 'invalid-timestamp' });
    expect(toNetflowLine({ kind: 'flow', raw: {} }, 'f', 1)).toMatchObject({ kind: 'dead', reason: 'invalid-timestamp', message: 'eventtime is missing' });
  });

  it('the generator source refuses options out of range when opened, also a negative count (which would make no event)', async () => {
    await expect(runWith(options, (p) => p.apply('Gen', NetflowGenerator.read({ count: -5 })).apply(Capture.records()))).rejects.toThrow(/count must be a non-negative integer, got -5/);
    await expect(runWith(options, (p) => p.apply('Gen', NetflowGenerator.read({ count: 3, eventsPerSecond: 0 })).apply(Capture.records()))).rejects.toThrow(/eventsPerSecond must be > 0/);
  });

  it('the generator source: lazily generated lines, the exact out-of-orderness bound as watermark, so nothing is late', async () => {
    const gen = { seed: 3, count: 2000, eventsPerSecond: 500, sourceIps: 20, keySkew: 1, maxJitterMs: 2000, ipv6Share: 0.1, malformedShare: 0.1 };
    const stats = new GeneratorStats();
    const { out, result } = await runWith(options, (p) => p.apply('Gen', NetflowGenerator.read(gen, stats)).apply(Capture.records()));
    const expected = [...generateNetflow(gen)];
    expect(out.values()).toEqual(expected.map((e) => e.raw));
    expect(out.records.map((r) => r.timestamp)).toEqual(expected.map((e) => e.eventTimeMs));
    expect(stats.events).toBe(2000);
    expect(stats.kinds.valid! + stats.kinds.ipv6! + stats.kinds['truncated-json']! + stats.kinds['non-numeric-field']! + stats.kinds['negative-count']!).toBe(2000);
    expect(result.metrics['Gen']!.elementsOut).toBe(2000);
    const late = await runWith(options, (p) => p.apply('Gen', NetflowGenerator.read(gen)).apply('Netflow', NetflowJob.of()));
    expect(late.result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(0);
  });
});

describe.each(RUNNERS)('NDJSON in and out through the job on $label', ({ options }) => {
  it('reads raw Netflow lines from a file and writes one seed record per pair, the same pairs as the generator gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netflow-io-'));
    const input = join(dir, 'flows.ndjson');
    const output = join(dir, 'pairs.ndjson');
    const gen = { seed: 11, count: 400, eventsPerSecond: 200, sourceIps: 4, maxJitterMs: 300, malformedShare: 0.05 };
    writeFileSync(input, [...generateNetflow(gen)].map((e) => e.raw).join('\n') + '\n');
    const fromFile = new PairStats({ keepPairsUpTo: 1e6 });
    const fromGenerator = new PairStats({ keepPairsUpTo: 1e6 });
    const { result } = await runWith(options, (p) => {
      const job = p.apply('File', TextFile.lines(input)).apply('Netflow', NetflowJob.of());
      job.pairs.apply('Write', TextFile.writeEncoded(output, netflowPairEncoder(), 10_000));
      job.pairs.apply('WriteText', TextFile.write(`${output}.txt`, formatNetflowPair));
      job.pairs.apply('Stats', CollectPairStats(fromFile));
    });
    await runWith(options, (p) => p.apply('Gen', NetflowGenerator.read(gen)).apply('Netflow', NetflowJob.of()).pairs.apply('Stats', CollectPairStats(fromGenerator)));
    expect(fromFile.toJSON().kept).toEqual(fromGenerator.toJSON().kept);
    const lines = readFileSync(output, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(fromFile.pairs);
    expect(lines.length).toBeGreaterThan(1000);
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first)).toEqual(['eventid_1', 'ts_flow1', 'eventid_2', 'ts_flow2', 'distance', 'ts_output']);
    const kept = Object.values(fromFile.toJSON().kept!).flat().map(([a, b, d]) => `${a} ${b} ${d}`).sort();
    expect(lines.map((l) => JSON.parse(l)).map((o) => `${o.eventid_1} ${o.eventid_2} ${o.distance}`).sort()).toEqual(kept);
    expect(result.metrics['Write']!.counters['bytesWritten']).toBe(Buffer.byteLength(readFileSync(output)));
    expect(readFileSync(`${output}.txt`).equals(readFileSync(output))).toBe(true);
    expect(Object.values(result.metrics['Netflow/Parse']!.counters).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
