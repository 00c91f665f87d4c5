import { describe, expect, it } from 'vitest';
import { addToHistogram, bucketBounds, bucketIndex, emptyHistogram, finishHistogram, histogramFn, mergeHistogramInto, mergeHistogramsFn, parseHistogramSpec } from '../../../pipelines/netflow/histogram.js';
import type { NetflowPair } from '../../../pipelines/netflow/netflow-job.js';
import { PairStats, percentileOf } from '../../../pipelines/netflow/pair-stats.js';

describe('distance histograms', () => {
  it('puts values on log-bucket edges in the bucket that starts there', () => {
    const spec = { kind: 'log', bucketsPerDecade: 5 } as const;
    for (let i = -10; i <= 40; i++) {
      const [lo, hi] = bucketBounds(spec, i);
      expect(bucketIndex(spec, lo)).toBe(i);
      expect(bucketIndex(spec, (lo + hi) / 2)).toBe(i);
      expect(bucketIndex(spec, hi)).toBe(i + 1);
    }
    expect(bucketIndex(spec, 1000)).toBe(15);
    expect(bucketIndex(spec, 999.9999)).toBe(14);
    expect(bucketIndex(spec, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(bucketIndex(spec, 0.7)).toBe(-1);
    expect(bucketIndex({ kind: 'linear', width: 10 }, 25)).toBe(2);
  });

  it('counts per bucket, with zero apart, and merges partial histograms to the same result', () => {
    const values = [0, 0, 1, 2, 9.99, 10, 150, 1e6];
    const fn = histogramFn({ kind: 'log', bucketsPerDecade: 1 });
    let acc = fn.createAccumulator();
    for (const v of values) acc = fn.addInput(acc, v, 0);
    const h = fn.extractOutput(acc);
    expect(h).toMatchObject({ count: 8, min: 0, max: 1e6 });
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b) / 8, 9);
    expect(h.buckets.map((b) => [b.lo, b.hi, b.count])).toEqual([[0, 0, 2], [1, 10, 3], [10, 100, 1], [100, 1000, 1], [1e6, 1e7, 1]]);
    const parts = [values.slice(0, 3), values.slice(3)].map((vs) => vs.reduce((a, v) => addToHistogram(a, v), emptyHistogram({ kind: 'log', bucketsPerDecade: 1 })));
    const m = mergeHistogramsFn({ kind: 'log', bucketsPerDecade: 1 });
    expect(m.extractOutput(m.mergeAccumulators([m.addInput(m.createAccumulator(), parts[0]!, 0), m.addInput(m.createAccumulator(), parts[1]!, 0)]))).toEqual(h);
    expect(finishHistogram(emptyHistogram())).toEqual({ spec: { kind: 'log', bucketsPerDecade: 5 }, count: 0, min: null, max: null, mean: null, buckets: [] });
    expect(() => mergeHistogramInto(emptyHistogram(), emptyHistogram({ kind: 'linear', width: 1 }))).toThrow(/different buckets/);
    expect(() => addToHistogram(emptyHistogram(), -1)).toThrow(RangeError);
  });

  it('parses log, log:<k> and linear:<width>', () => {
    expect(parseHistogramSpec('log')).toEqual({ kind: 'log', bucketsPerDecade: 5 });
    expect(parseHistogramSpec('log:10')).toEqual({ kind: 'log', bucketsPerDecade: 10 });
    expect(parseHistogramSpec('linear:2500')).toEqual({ kind: 'linear', width: 2500 });
    expect(() => parseHistogramSpec('linear:0')).toThrow();
    expect(() => parseHistogramSpec('cubic')).toThrow();
  });
});

const pair = (id1: string, t1: number, id2: string, t2: number, distance: number, key = 1, ts_output = 1000, ingested_at = 900): NetflowPair => ({
  eventid_1: id1, ts_flow1: t1, eventid_2: id2, ts_flow2: t2, distance, ts_output, src_ip4: key, window_start: 0, ingested_at,
});

describe('pair statistics', () => {
  it('gives the same digests whatever the order and orientation of the pairs, and different ones for a changed distance', () => {
    const pairs = [pair('a', 1, 'b', 2, 3), pair('a', 1, 'c', 3, 4.5), pair('b', 2, 'c', 3, 0.1), pair('x', 1, 'y', 1, 7, 2)];
    const s1 = new PairStats({ digests: true });
    const s2 = new PairStats({ digests: true });
    const s3 = new PairStats({ digests: true });
    for (const p of pairs) s1.add(p);
    for (const p of [...pairs].reverse()) s2.add({ ...p, eventid_1: p.eventid_2, ts_flow1: p.ts_flow2, eventid_2: p.eventid_1, ts_flow2: p.ts_flow1 });
    for (const p of pairs) s3.add(p.eventid_1 === 'b' ? { ...p, distance: 0.1 + Number.EPSILON / 8 } : p);
    expect(s2.toJSON().digests).toEqual(s1.toJSON().digests);
    expect(s1.toJSON().digests!.map((d) => [d[0], d[1]])).toEqual([['1@0', 3], ['2@0', 1]]);
    const d1 = s1.toJSON().digests!;
    const d3 = s3.toJSON().digests!;
    expect(d3[0]).not.toEqual(d1[0]);
    expect(d3[1]).toEqual(d1[1]);
  });

  it('keeps exact latency percentiles, first and last output, and a bounded, evenly spaced sample of output times', () => {
    const s = new PairStats({ outputTimeSamples: 100 });
    for (let i = 0; i < 10_000; i++) s.add(pair('a', 0, `b${i}`, 1, i, 1, 5000 + i, 5000 + i - (i % 100)));
    const j = s.toJSON();
    expect([j.pairs, j.firstOutput, j.lastOutput, j.windows, j.keyWindows]).toEqual([10_000, 5000, 14_999, 1, 1]);
    expect([s.latencyPercentile(50), s.latencyPercentile(95), s.latencyPercentile(99), s.latencyPercentile(100)]).toEqual([49, 94, 98, 99]);
    expect(j.outputTimes.length).toBeLessThanOrEqual(101);
    expect(j.outputTimes.length).toBeGreaterThan(40);
    const gaps = new Set(j.outputTimes.slice(1, -1).map(([i], k) => i - j.outputTimes[k]![0]));
    expect(gaps.size).toBe(1);
    expect(j.outputTimes[j.outputTimes.length - 1]).toEqual([9999, 14_999]);
    expect(percentileOf([[1, 50], [10, 50]], 50)).toBe(1);
    expect(percentileOf([], 50)).toBeNull();
  });

  it('keeps the pairs up to a limit, then only the digests', () => {
    const small = new PairStats({ keepPairsUpTo: 3 });
    small.add(pair('b', 2, 'a', 1, 1));
    expect(small.toJSON().kept).toEqual({ '1@0': [['a', 'b', 1]] });
    for (let i = 0; i < 3; i++) small.add(pair('a', 1, `c${i}`, 2, i));
    expect(small.toJSON()).toMatchObject({ keptTruncated: true });
    expect(small.toJSON().kept).toBeUndefined();
  });
});
