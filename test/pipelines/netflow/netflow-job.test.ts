import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../sdk/clock.js';
import type { Source } from '../../../sdk/io/source.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Read } from '../../../transforms/read.js';
import { TestStream } from '../../../sdk/testing/test-stream.js';
import { formatWindow, intervalWindow } from '../../../sdk/window.js';
import { Create } from '../../../transforms/create.js';
import type { PairResult } from '../../../pipelines/netflow/distance.js';
import { ORIGINAL_FEATURES, type FeatureName, type Scaling } from '../../../pipelines/netflow/features.js';
import type { FlowRecord } from '../../../pipelines/netflow/flow-record.js';
import { generateNetflow, type NetflowGeneratorOptions } from '../../../pipelines/netflow/generator.js';
import { histogramFn, type HistogramSpec } from '../../../pipelines/netflow/histogram.js';
import { NetflowGenerator } from '../../../pipelines/netflow/io/generator-source.js';
import { compareByDistance, formatNetflowPair, NetflowJob, netflowPairEncoder, type NetflowPair } from '../../../pipelines/netflow/netflow-job.js';
import { formatPairOutput } from '../../../pipelines/netflow/pair-output.js';
import { parseFlow } from '../../../pipelines/netflow/parse-flow.js';
import { referencePairs } from '../../../pipelines/netflow/reference.js';
import { keyWindowId, tumblingWindowStart } from '../../../pipelines/netflow/tumbling-window.js';
import { RUNNER_CONFIGS, RUNNERS, runWith } from '../../support/runners.js';

/** Small, skewed, out-of-order input over three 3 s windows and 6 source IPs (with IPv6 and malformed events mixed in). */
const SMALL: Partial<NetflowGeneratorOptions> = { seed: 7, count: 600, eventsPerSecond: 100, sourceIps: 6, keySkew: 1, maxJitterMs: 800, ipv6Share: 0.05, malformedShare: 0.05 };

function validRecords(options: Partial<NetflowGeneratorOptions>): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (const e of generateNetflow(options)) {
    const r = parseFlow(e.raw);
    if (r.ok) out.push(r.record);
  }
  return out;
}

const strip = (p: NetflowPair): PairResult => ({ eventid_1: p.eventid_1, ts_flow1: p.ts_flow1, eventid_2: p.eventid_2, ts_flow2: p.ts_flow2, distance: p.distance });

/** The job's pairs per key-window, in emission order. */
function byKeyWindow(pairs: readonly NetflowPair[]): Map<string, PairResult[]> {
  const m = new Map<string, PairResult[]>();
  for (const p of pairs) {
    const id = keyWindowId(p.src_ip4, p.window_start);
    const l = m.get(id);
    if (l) l.push(strip(p));
    else m.set(id, [strip(p)]);
  }
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The reference without the key-windows that hold a single record (they have no pairs). */
function nonEmpty(ref: Map<string, PairResult[]>): Map<string, PairResult[]> {
  return new Map([...ref].filter(([, l]) => l.length > 0));
}

describe.each(RUNNER_CONFIGS)('the Netflow job on $label', ({ options }) => {
  it('emits exactly the reference pairs and distances, per source IP and window, in the reference order', async () => {
    const startedAt = Date.now();
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply(NetflowGenerator.read(SMALL)).apply('Netflow', NetflowJob.of());
      return job.pairs.apply(Capture.records());
    });
    const finishedAt = Date.now();
    const expected = nonEmpty(referencePairs(validRecords(SMALL)));
    const pairs = out.values();
    expect(pairs.length).toBe([...expected.values()].reduce((n, l) => n + l.length, 0));
    expect(pairs.length).toBeGreaterThan(5000);
    expect(byKeyWindow(pairs)).toEqual(expected);
    expect(result.metrics['Netflow/Pairs']!.counters['pairs']).toBe(pairs.length);
    // each pair sits in its window; ts_output is the processing time of its emission, after its events' ingestion
    for (const r of out.records) {
      const p = r.value;
      expect(formatWindow(r.window)).toBe(formatWindow(intervalWindow(p.window_start, p.window_start + 3000)));
      expect(tumblingWindowStart(p.ts_flow1)).toBe(p.window_start);
      expect(p.ts_output).toBeGreaterThanOrEqual(Math.max(p.ingested_at, startedAt));
      expect(p.ts_output).toBeLessThanOrEqual(Math.min(r.emittedAt, finishedAt));
    }
    expect(new Set(pairs.map((p) => p.window_start))).toEqual(new Set([1490024700000, 1490024703000, 1490024706000]));
  });

  it.each<[string, { windowMs: number; features: readonly FeatureName[]; scaling: Scaling }]>([
    ['the original features, 2 s windows', { windowMs: 2000, features: ORIGINAL_FEATURES, scaling: 'none' }],
    ['log1p scaling', { windowMs: 3000, features: ['in_bytes', 'out_bytes', 'duration'], scaling: 'log1p' }],
    ['per-feature divisors', { windowMs: 1500, features: ['in_bytes', 'in_packets'], scaling: { divisors: { in_bytes: 1500 } } }],
  ])('matches the reference with %s', async (_label, o) => {
    const { out } = await runWith(options, (p) => p.apply(NetflowGenerator.read(SMALL)).apply('Netflow', NetflowJob.of(o)).pairs.apply(Capture.records()));
    expect(byKeyWindow(out.values())).toEqual(nonEmpty(referencePairs(validRecords(SMALL), { windowSizeMs: o.windowMs, features: o.features, scaling: o.scaling })));
  });

  it('reports the top-N most distant pairs of each window and the run histogram, as computed from the reference pairs', async () => {
    const spec: HistogramSpec = { kind: 'log', bucketsPerDecade: 4 };
    const { out } = await runWith(options, (p) => {
      const job = p.apply(NetflowGenerator.read(SMALL)).apply('Netflow', NetflowJob.of({ topN: 4, histogram: spec }));
      return { top: job.top!.apply('TopProbe', Capture.records()), hist: job.histogram!.apply('HistProbe', Capture.records()) };
    });
    const ref = referencePairs(validRecords(SMALL));
    const all: NetflowPair[] = [];
    for (const [id, list] of ref) {
      const [key, start] = id.split('@').map(Number) as [number, number];
      for (const q of list) all.push({ ...q, src_ip4: key, window_start: start, ts_output: 0, ingested_at: 0 });
    }
    const starts = [...new Set(all.map((q) => q.window_start))].sort();
    const expectedTop = starts.map((s) => ({
      window: s,
      pairs: all.filter((q) => q.window_start === s).sort((a, b) => compareByDistance(b, a)).slice(0, 4).map((q) => [q.src_ip4, q.eventid_1, q.eventid_2, q.distance]),
    }));
    const tops = out.top.records.map((r) => ({ window: r.value.window_start, pane: r.pane.timing, pairs: r.value.pairs.map((q) => [q.src_ip4, q.eventid_1, q.eventid_2, q.distance]) }));
    expect(tops.sort((a, b) => a.window - b.window)).toEqual(expectedTop.map((t) => ({ ...t, pane: 'ON_TIME' })));
    const fn = histogramFn(spec);
    let acc = fn.createAccumulator();
    for (const q of all) acc = fn.addInput(acc, q.distance, 0);
    const expectedHistogram = fn.extractOutput(acc);
    expect(out.hist.values()).toHaveLength(1);
    const h = out.hist.values()[0]!;
    expect({ ...h, mean: undefined }).toEqual({ ...expectedHistogram, mean: undefined });
    expect(h.mean).toBeCloseTo(expectedHistogram.mean!, 6);
    expect(h.count).toBe(all.length);
  });

  it('with allowed lateness, pairs a late event with the events already seen in its window, and drops what comes later', async () => {
    const line = (id: string, ms: number, inBytes: number) =>
      JSON.stringify({ eventid: id, src_ip4: 167772161, dst_ip4: 167772162, src_port: 1000, dst_port: 80, duration: 0, in_bytes: inBytes, in_packets: 1, out_bytes: 0, out_packets: 0, eventtime: ms / 1000, nproto: 'TCP' });
    const stream = TestStream.create<string>()
      .addElements([line('a', 100, 10), 100], [line('b', 200, 40), 200], [line('x', 3100, 5), 3100])
      .advanceWatermarkTo(3500) // [0, 3000) fires ON_TIME with a, b
      .addElements([line('c', 300, 100), 300]) // late, within the 1 s of lateness: paired with a and b
      .advanceWatermarkTo(4500)
      .addElements([line('d', 400, 1000), 400]) // past the lateness: dropped
      .advanceWatermarkToInfinity();
    const { out, result } = await runWith(options, (p) => {
      const job = p.apply(stream).apply('Netflow', NetflowJob.of({ features: ['in_bytes'], allowedLatenessMs: 1000 }));
      return { pairs: job.pairs.apply('PairsProbe', Capture.records()), late: job.late.apply('LateProbe', Capture.records()) };
    });
    const got = out.pairs.records.map((r) => `${r.pane.timing} ${r.value.eventid_1}-${r.value.eventid_2} ${r.value.distance}`);
    expect(got).toEqual(['ON_TIME a-b 30', 'LATE a-c 90', 'LATE b-c 60']);
    expect(result.metrics['Netflow/GroupByKey']!.lateDropped).toBe(1);
    expect(out.late.values().map((l) => [l.reason, l.window, (l.value as { value: { record: FlowRecord } }).value.record.eventid])).toEqual([['past-allowed-lateness', '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:03.000Z)', 'd']]);
  });

  it('orders each pair earlier event first and ties by eventid, whatever the arrival order', async () => {
    const line = (id: string, ms: number, inBytes: number) =>
      JSON.stringify({ eventid: id, src_ip4: '10.0.0.9', dst_ip4: 1, src_port: 1, dst_port: 2, duration: 0, in_bytes: inBytes, in_packets: 0, out_bytes: 0, out_packets: 0, eventtime: ms / 1000, nproto: 'UDP' });
    const lines = [line('z', 500, 3), line('m', 100, 0), line('b', 500, 7), line('q', 2999, 1)];
    const { out } = await runWith(options, (p) => p.apply(Create(lines)).apply('Netflow', NetflowJob.of({ features: ['in_bytes'] })).pairs.apply(Capture.records()));
    expect(out.values().map((p) => `${p.eventid_1}(${p.ts_flow1})-${p.eventid_2}(${p.ts_flow2}) ${p.distance}`)).toEqual([
      'm(100)-b(500) 7',
      'm(100)-z(500) 3',
      'm(100)-q(2999) 1',
      'b(500)-z(500) 4',
      'b(500)-q(2999) 6',
      'z(500)-q(2999) 2',
    ]);
  });
});

describe.each(RUNNERS)('the Netflow job over an unbounded input (as from Kafka) on $label', ({ options }) => {
  it('fires windows as the watermark passes them and emits the run histogram (accumulating) when the input ends', async () => {
    const events = [...generateNetflow(SMALL)];
    // An unbounded source, polled 50 lines at a time, watermark = generator bound; it ends after the last line.
    const source: Source<string> = {
      name: 'Unbounded',
      bounded: false,
      async open() {
        let i = 0;
        let maxTs = -Infinity;
        return {
          async poll(max: number) {
            const batch = events.slice(i, i + Math.min(max, 50));
            i += batch.length;
            for (const e of batch) maxTs = Math.max(maxTs, e.eventTimeMs);
            return { elements: batch.map((e) => ({ value: e.raw, timestamp: e.eventTimeMs })), watermark: maxTs - SMALL.maxJitterMs!, done: i >= events.length };
          },
          async close() {},
        };
      },
    };
    const { out } = await runWith({ ...options, clock: new VirtualClock(0) }, (p) => {
      const lines = p.apply('Unbounded', Read(source));
      expect(lines.bounded).toBe(false);
      const job = lines.apply('Netflow', NetflowJob.of({ topN: 2 }));
      return { pairs: job.pairs.apply('P', Capture.records()), hist: job.histogram!.apply('H', Capture.records()), top: job.top!.apply('T', Capture.records()) };
    });
    expect(byKeyWindow(out.pairs.values())).toEqual(nonEmpty(referencePairs(validRecords(SMALL))));
    expect(out.hist.records.map((r) => [r.pane.timing, r.pane.isLast, r.value.count])).toEqual([['ON_TIME', true, out.pairs.values().length]]);
    expect(out.top.records.map((r) => r.pane.timing)).toEqual(['ON_TIME', 'ON_TIME', 'ON_TIME']);
  });
});

describe('the job output line', () => {
  it('is the seed record, byte for byte the same as formatPairOutput', () => {
    const p: NetflowPair = { eventid_1: '151852746453199', ts_flow1: 1495466510792, eventid_2: 'C"x\\y', ts_flow2: 1495466511125, distance: 12322.94295207115, ts_output: 1495466520212, src_ip4: 1, window_start: 0, ingested_at: 0 };
    expect(formatNetflowPair(p)).toBe(formatPairOutput(p, p.ts_output));
    expect(JSON.parse(formatNetflowPair(p))).toEqual({ eventid_1: '151852746453199', ts_flow1: 1495466510792, eventid_2: 'C"x\\y', ts_flow2: 1495466511125, distance: 12322.94295207115, ts_output: 1495466520212 });
    expect(() => formatNetflowPair({ ...p, distance: Number.NaN })).toThrow(RangeError);
  });

  it('refuses invalid options at construction', () => {
    expect(() => NetflowJob.of({ windowMs: 0 })).toThrow(/window/);
    expect(() => NetflowJob.of({ topN: -1 })).toThrow(/top-N/);
    expect(() => NetflowJob.of({ features: [] })).toThrow(/feature/);
    expect(() => NetflowJob.of({ scaling: { divisors: { in_bytes: 0 } } })).toThrow(/divisor/);
    expect(() => NetflowJob.of({ allowedLatenessMs: -1 })).toThrow(/lateness/);
  });
});

describe('netflowPairEncoder', () => {
  it('writes the bytes of formatNetflowPair plus a newline, and refuses a line that does not fit', () => {
    const encode = netflowPairEncoder();
    const ids = ['1', '995491697672682', 'CvIOrb4ekWKPrnpqsf', 'ü"x', '日本'];
    const buf = Buffer.alloc(400);
    for (let k = 0; k < 60; k++) {
      const p: NetflowPair = { eventid_1: ids[k % 5]!, ts_flow1: 1490024700000 + (k % 3), eventid_2: ids[(k * 7) % 5]!, ts_flow2: 1490024700000 + (k % 4), distance: Math.sqrt(k * 1e5 + 0.5) * (k % 2 ? 1e-7 : 1), ts_output: 1763780000000 + (k >> 3), src_ip4: 0, window_start: 0, ingested_at: 0 };
      const want = Buffer.from(formatNetflowPair(p) + '\n', 'utf8');
      const end = encode(p, buf, 7);
      expect(end).toBe(7 + want.length);
      expect(buf.subarray(7, end).equals(want)).toBe(true);
      expect(encode(p, buf, buf.length - want.length + 1)).toBe(-1);
      expect(encode(p, buf, buf.length - want.length)).toBe(buf.length);
    }
  });
});

describe('netflowPairEncoder, as the pair step calls it', () => {
  it('row by row (the order pairs come in), with shrinking rows, repeats and jumps: the bytes of formatNetflowPair, no newline with lineEnd: false', () => {
    const encode = netflowPairEncoder({ lineEnd: false });
    const ids = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? `C${i}uid` : String(1000 + i)));
    const buf = Buffer.alloc(300);
    const check = (i: number, j: number, k: number) => {
      const p: NetflowPair = { eventid_1: ids[i]!, ts_flow1: 1490024700000 + i, eventid_2: ids[j]!, ts_flow2: 1490024700000 + j + (k % 97 === 0 ? 1 : 0), distance: Math.sqrt(i * 31 + j * 17 + k), ts_output: 1763780000000 + (k >> 6), src_ip4: 0, window_start: 0, ingested_at: 0 };
      const want = Buffer.from(formatNetflowPair(p), 'utf8');
      const end = encode(p, buf, 3);
      expect(buf.subarray(3, end).toString()).toBe(want.toString());
    };
    let k = 0;
    for (let i = 0; i < ids.length - 1; i++) for (let j = i + 1; j < ids.length; j++) check(i, j, k++);
    // other orders still encode right (the cursor misses and the map answers)
    for (let n = 0; n < 500; n++) check((n * 7) % 30, (n * 13 + 5) % 30, k++);
    for (let i = 5; i < 10; i++) for (let j = 29; j > i; j--) check(i, j, k++);
  });
});

describe('formatNetflowPair', () => {
  it('writes every number and id exactly as JSON.stringify would', () => {
    const ids = ['0', '995491697672682', 'CvIOrb4ekWKPrnpqsf', 'a"b', 'é', '', '18446744073709551615'];
    const times = [0, 5, 999, 1000, 1001, 1490024700000, 1490024700007, 1490024700070, 2147483647000, 2147483647999, 2147483648000, 9007199254740991, 1.5, -1000];
    for (const [k, t] of times.entries()) {
      const p: NetflowPair = { eventid_1: ids[k % ids.length]!, ts_flow1: t, eventid_2: ids[(k + 3) % ids.length]!, ts_flow2: times[(k + 5) % times.length]!, distance: t / 7 + 0.1, ts_output: times[(k + 1) % times.length]!, src_ip4: 0, window_start: 0, ingested_at: 0 };
      expect(formatNetflowPair(p)).toBe(formatPairOutput(p, p.ts_output));
    }
  });
});
