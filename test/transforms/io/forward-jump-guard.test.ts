import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForwardJumpGuard, describeHeldRecords } from '../../../sdk/io/forward-jump-guard.js';
import { kv } from '../../../sdk/kv.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { TIMESTAMP_MIN } from '../../../sdk/time.js';
import type { IntervalWindow } from '../../../sdk/window.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Count } from '../../../transforms/combiners/count.js';
import { Generate } from '../../../transforms/io/generate.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { MapElements } from '../../../transforms/map.js';
import { Window } from '../../../transforms/window.js';
import { runWith } from '../../support/runners.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2022, 5, 12);
const Y2099 = Date.UTC(2099, 11, 31);

describe('ForwardJumpGuard', () => {
  it('follows the largest event time, holds one more than maxForwardJump ahead, and moves once a second record confirms a jump', () => {
    const g = new ForwardJumpGuard(HOUR);
    g.observe(T0);
    expect(g.confirmed()).toBe(TIMESTAMP_MIN); // one record: nothing to judge it against yet
    g.observe(T0 + 1000);
    expect(g.confirmed()).toBe(T0 + 1000);
    g.observe(Y2099);
    expect(g.confirmed()).toBe(T0 + 1000);
    g.observe(T0 + 2000);
    expect(g.confirmed()).toBe(T0 + 2000);
    expect(g.stats.held).toBe(1);
    expect(describeHeldRecords(g.stats)).toBe('1 record ahead of event time by up to 77 years held from the watermark');
    g.observe(Y2099 + 1); // a second record there confirms it: the rule guards against one record, not two
    expect(g.confirmed()).toBe(Y2099 + 1);
  });

  it('holds a real gap in the data until a second record confirms it', () => {
    const g = new ForwardJumpGuard(HOUR);
    g.observe(T0);
    g.observe(T0 + 1000);
    g.observe(T0 + 2 * HOUR);
    expect(g.confirmed()).toBe(T0 + 1000);
    g.observe(T0 + HOUR + 1); // at or beyond (the jump's time - maxForwardJump): confirms it
    expect(g.confirmed()).toBe(T0 + 2 * HOUR);
    expect(g.stats).toEqual({ held: 1, largestLead: 2 * HOUR - 1000 });
    expect(describeHeldRecords(g.stats)).toBe('1 record ahead of event time by up to 1 hour held from the watermark');
  });

  it('with maxForwardJump Infinity, follows the largest event time (the unguarded watermark)', () => {
    const g = new ForwardJumpGuard(Number.POSITIVE_INFINITY);
    g.observe(T0);
    g.observe(Y2099);
    expect(g.confirmed()).toBe(Y2099);
    expect(() => new ForwardJumpGuard(-1)).toThrow(RangeError);
  });

  it('restored from top(), goes on exactly as an uninterrupted guard (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * HOUR }), { maxLength: 30 }), fc.nat(), (ts, cutAt) => {
        const cut = ts.length === 0 ? 0 : cutAt % (ts.length + 1);
        const a = new ForwardJumpGuard(HOUR);
        const b = new ForwardJumpGuard(HOUR);
        ts.slice(0, cut).forEach((t) => a.observe(t));
        const { maxTs, secondTs } = a.top();
        b.restore(maxTs, secondTs);
        for (const t of ts.slice(cut)) {
          a.observe(t);
          b.observe(t);
          expect(b.confirmed()).toBe(a.confirmed());
        }
      }),
    );
  });
});

/** One element per poll, so the watermark moves between records on both runners. */
const ONE_PER_POLL: readonly { label: string; options: Partial<PipelineOptions> }[] = [
  { label: 'native', options: { runner: 'native', bundleSize: 1, bufferSize: 1 } },
  { label: 'microbatch', options: { runner: 'microbatch', batchInterval: 'asap', maxBatchSize: 1, bufferSize: 1 } },
];

type Rec = { readonly key: string; readonly at: number };

/** Sorted event times (gaps up to 10 s) with keys, and one record dated more than an hour after all of them, inserted anywhere. */
const inputWithOneOutlier = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 10_000 }), key: fc.constantFrom('a', 'b', 'c') }), { minLength: 1, maxLength: 25 })
  .chain((steps) => {
    let at = T0;
    const records: Rec[] = steps.map(({ gap, key }) => ({ key, at: (at += gap) }));
    return fc.record({ records: fc.constant(records), outlierAt: fc.integer({ min: at + HOUR + 1, max: Date.UTC(2100, 0) }), index: fc.integer({ min: 0, max: records.length }) });
  });

/** The ON_TIME counts per (1 s window, key) a source gave. */
function onTimeCounts(p: Pipeline, read: (p: Pipeline) => PCollection<Rec>) {
  return read(p)
    .apply(MapElements((r: Rec) => kv(r.key, 1)))
    .apply(Window.into(FixedWindows(1000)))
    .apply(Count.perKey())
    .apply(Capture.records());
}

function expectedCounts(records: readonly Rec[]): string[] {
  const m = new Map<string, number>();
  for (const r of records) {
    const id = `${Math.floor(r.at / 1000) * 1000}|${r.key}`;
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return [...m].map(([id, n]) => `${id}|${n}`).sort();
}

const SOURCES: readonly { name: string; read: (records: readonly Rec[]) => (p: Pipeline) => PCollection<Rec> }[] = [
  {
    name: 'Generate',
    read: (records) => (p) => p.apply('Read', Generate.of({ count: records.length, element: (i) => records[i]!, timestamp: (i) => records[i]!.at })),
  },
  {
    name: 'TextFile',
    read: (records) => {
      const path = join(mkdtempSync(join(tmpdir(), 'forward-jump-')), 'in.ndjson');
      writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n'));
      return (p) => p.apply('Read', TextFile.ndjson<Rec>(path, { timestamp: (r) => r.at, watermark: { maxOutOfOrderness: 0 } }));
    },
  },
];

describe.each(ONE_PER_POLL)('one record dated far ahead never changes the on-time panes of the others, on $label', ({ options }) => {
  it.each(SOURCES)('$name (property)', async ({ read }) => {
    await fc.assert(
      fc.asyncProperty(inputWithOneOutlier, async ({ records, outlierAt, index }) => {
        const outlier: Rec = { key: 'a', at: outlierAt };
        const input = [...records.slice(0, index), outlier, ...records.slice(index)];
        const { out, result } = await runWith(options, (p) => onTimeCounts(p, read(input)));
        const got = out.records.map((r) => `${(r.window as IntervalWindow).start}|${(r.value as { key: string }).key}|${(r.value as { value: number }).value}|${r.pane.timing}`);
        const outlierWindow = `${Math.floor(outlierAt / 1000) * 1000}|a|1|ON_TIME`;
        expect(got.filter((g) => g !== outlierWindow).sort()).toEqual(expectedCounts(records).map((c) => `${c}|ON_TIME`));
        expect(got).toContain(outlierWindow); // the outlier itself is emitted, in its own window
        expect(Object.values(result.metrics).reduce((n, m) => n + m.lateDropped, 0)).toBe(0);
      }),
      { numRuns: 15 },
    );
  });
});
