import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture, type CapturedRecord } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { isIntervalWindow, type IntervalWindow } from '../../sdk/window.js';
import type { MergeResult, WindowFn } from '../../sdk/windows/window-fn.js';
import { Combine } from '../../transforms/combine.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { sameWindow } from '../../runners/core/util/same-window.js';
import { RUNNER_CONFIGS, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Issue #16: the window driver tells a merging WindowFn's windows apart by their interval bounds
 * before their ids (sameWindow), and merging once per micro-batch adds the waiting elements in
 * arrival order after every key merged. Checked against a naive reference: a user-written WindowFn
 * whose interval windows carry ids of their own (sessions per label, so windows of two labels can
 * have the same bounds and still be different windows), fresh objects for everything, must give per
 * key and label exactly the sessions that merging the intervals by hand gives, on every runner
 * configuration.
 */

interface Ev {
  readonly key: string;
  readonly label: 'x' | 'y';
  readonly v: number;
  readonly ts: number;
}

const labelled = (label: string, start: number, end: number): IntervalWindow => ({ kind: 'interval', id: `${label}@${start}:${end}`, start, end, maxTimestamp: end - 1 });
const labelOf = (w: IntervalWindow) => w.id.slice(0, w.id.indexOf('@'));

/** Sessions of `gap` per label: windows of one label merge when they overlap; never across labels. */
function LabelledSessions(gap: number): WindowFn<KV<string, { label: string; v: number }>> {
  return {
    name: `LabelledSessions(${gap})`,
    isMerging: true,
    assignWindows: ({ element, timestamp }) => [labelled(element.value.label, timestamp, timestamp + gap)],
    mergeWindows(active) {
      const out: MergeResult[] = [];
      for (const label of ['x', 'y']) {
        const ws = active
          .filter(isIntervalWindow)
          .filter((w) => labelOf(w) === label)
          .map((w) => ({ ...w }))
          .sort((a, b) => a.start - b.start || a.end - b.end);
        let group: IntervalWindow[] = [];
        let end = 0;
        for (const w of [...ws, undefined]) {
          if (w !== undefined && group.length > 0 && w.start < end) {
            group.push(w);
            end = Math.max(end, w.end);
            continue;
          }
          if (group.length > 1) out.push({ toMerge: group, result: labelled(label, group[0]!.start, end) });
          if (w === undefined) break;
          group = [w];
          end = w.end;
        }
      }
      return out;
    },
  };
}

/** The reference: per key and label, the intervals merged by hand, with the sum of their values. */
function expected(events: readonly Ev[], gap: number): string[] {
  const lines: string[] = [];
  for (const key of ['a', 'b']) {
    for (const label of ['x', 'y'] as const) {
      const evs = events.filter((e) => e.key === key && e.label === label).sort((a, b) => a.ts - b.ts);
      let cur: { start: number; end: number; sum: number } | undefined;
      const flush = () => cur && lines.push(`${key} ${label}@${cur.start}:${cur.end} ${cur.sum}`);
      for (const e of evs) {
        if (cur && e.ts < cur.end) {
          cur.end = Math.max(cur.end, e.ts + gap);
          cur.sum += e.v;
        } else {
          flush();
          cur = { start: e.ts, end: e.ts + gap, sum: e.v };
        }
      }
      flush();
    }
  }
  return lines.sort();
}

const arbEvents = fc.array(
  fc.record({
    key: fc.constantFrom('a', 'b'),
    label: fc.constantFrom<'x' | 'y'>('x', 'y'),
    v: fc.integer({ min: 0, max: 9 }),
    // Coarse times as well, so windows of both labels often share their bounds.
    ts: fc.oneof(fc.integer({ min: 0, max: 6000 }), fc.integer({ min: 0, max: 24 }).map((k) => k * 250)),
  }),
  { minLength: 1, maxLength: 40 },
);

describe('property: merging windows with ids of their own, against merging by hand', () => {
  it('sameWindow agrees with "same object or same id" for windows whose id fixes their bounds', () => {
    const arbWindow = fc.record({ label: fc.constantFrom('x', 'y', 'z'), start: fc.integer({ min: 0, max: 4 }), len: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(arbWindow, arbWindow, fc.boolean(), ({ label, start, len }, b, alias) => {
        const x = labelled(label, start, start + len);
        const y = alias ? x : labelled(b.label, b.start, b.start + b.len);
        expect(sameWindow(x, y)).toBe(x === y || x.id === y.id);
      }),
      { numRuns: 500, seed: 1617 },
    );
  });

  it('one pane per session of each key and label, with the sum of its values, on every runner configuration', async () => {
    await fc.assert(
      fc.asyncProperty(arbEvents, fc.constantFrom(500, 1500), async (events, gap) => {
        let s = TestStream.create<Ev>();
        for (const e of events) s = s.addElements([e, e.ts]);
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) {
          const { out } = await runWith(cfg.options, (p) =>
            p
              .apply('Events', s.advanceWatermarkToInfinity())
              .apply('Keyed', MapElements((e: Ev) => kv(e.key, { label: e.label, v: e.v })))
              .apply('Window', Window.into(LabelledSessions(gap)))
              .apply('Values', MapElements((e: KV<string, { label: string; v: number }>) => kv(e.key, e.value.v)))
              .apply('Sum', Combine.perKey(sumFn()))
              .apply('Out', Capture.records<KV<string, number>>()),
          );
          const got = out.records.map((r: CapturedRecord<KV<string, number>>) => `${r.value.key} ${r.window.id} ${r.value.value}`).sort();
          expect({ runner: cfg.label, sessions: got }).toEqual({ runner: cfg.label, sessions: expected(events, gap) });
          expect(out.records.every((r) => r.pane.timing === 'ON_TIME' && r.pane.isFirst)).toBe(true);
        }
      }),
      { numRuns: 40, seed: 1618 },
    );
  }, 240_000);
});
