import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { View } from '../../sdk/side-input.js';
import { Capture, type CapturedRecord, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { intervalWindow } from '../../sdk/window.js';
import type { AccumulationMode } from '../../sdk/windowing-strategy.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Combine } from '../../transforms/combine.js';
import { Count } from '../../transforms/combiners/count.js';
import { Max, Min } from '../../transforms/combiners/min-max.js';
import { Sum } from '../../transforms/combiners/sum.js';
import type { SumAccumulator } from '../../transforms/combiners/exact-sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { Filter } from '../../transforms/filter.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { Values, WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * How successive panes of one window relate (discarding, accumulating, accumulating and retracting),
 * on every runner, and how aggregations downstream of a retracting one consume the retractions.
 */

const WINDOW = intervalWindow(0, 10_000);

function windowing<T>(mode: AccumulationMode, trigger: Trigger, allowedLateness = 0): WindowTransform<T> {
  const w = Window.into<T>(FixedWindows(10_000)).triggering(trigger).withAllowedLateness(allowedLateness);
  return mode === 'discarding' ? w.discardingFiredPanes() : mode === 'accumulating' ? w.accumulatingFiredPanes() : w.accumulatingAndRetractingFiredPanes();
}

/**
 * Early panes every 2 elements of a key; each group ends with a watermark step that keeps the
 * watermark, so a micro-batch ends there and both runners fire the same panes.
 * Totals: a = 4, b = 3.
 */
const countStream = () =>
  TestStream.create<string>()
    .addElements(['a', 1000], ['a', 2000]) // a: early pane
    .advanceWatermarkTo(0)
    .addElements(['b', 1500], ['b', 2500], ['a', 3000]) // b: early pane; a: 1 pending
    .advanceWatermarkTo(0)
    .addElements(['a', 4000], ['b', 5000]) // a: early pane; b: 1 pending
    .advanceWatermarkTo(0)
    .advanceWatermarkToInfinity();
const countTrigger = () => AfterWatermark().withEarlyFirings(AfterCount(2));

/** The same elements with processing-time early firings: batch-dependent on micro-batch. */
const ptStream = () =>
  TestStream.create<string>()
    .addElements(['a', 1000], ['a', 2000], ['b', 1500])
    .advanceProcessingTime(1000)
    .addElements(['a', 3000])
    .advanceProcessingTime(1000)
    .addElements(['a', 4000], ['b', 5000])
    .advanceWatermarkToInfinity();
const ptTrigger = () => AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000));

/** Totals of ptStream. */
const PT_TOTALS: Record<string, number> = { a: 4, b: 2 };

function counts(p: Pipeline, stream: TestStream<string>, mode: AccumulationMode, trigger: Trigger, allowedLateness = 0) {
  return p
    .apply(stream)
    .apply(windowing<string>(mode, trigger, allowedLateness))
    .apply(WithKeys((s: string) => s))
    .apply(Count.perKey<string>());
}

type Rec = CapturedRecord<KV<string, number>>;
const forKey = (probe: Probe<KV<string, number>>, key: string): Rec[] => probe.records.filter((r) => r.value.key === key);
const linesFor = (probe: Probe<KV<string, number>>, key: string): string[] => probe.lines().filter((l) => l.includes(`"key":"${key}"`));
const panes = (rs: Rec[]) => rs.filter((r) => !r.retraction);

/** The one final (isLast, not retracted) output; it must be the window's ON_TIME or LATE pane. */
function finalRecord<T>(probe: Probe<T>): CapturedRecord<T> {
  const last = probe.records.filter((r) => !r.retraction && r.pane.isLast);
  expect(last, probe.describe()).toHaveLength(1);
  expect(last[0]!.pane.timing).not.toBe('EARLY');
  expect(last[0]!.window).toEqual(WINDOW);
  return last[0]!;
}

/** Adds minus retractions of a numeric output: what a consumer summing the stream ends with. */
function net(probe: Probe<number>): number {
  return probe.records.reduce((s, r) => s + (r.retraction ? -r.value : r.value), 0);
}

/** Retracting mode: before every pane but the first, a retraction of the previous pane. */
function expectRetractionsBeforeEachPane(rs: Rec[]): void {
  expect(rs[0]!.retraction).toBe(false);
  let prev = rs[0]!;
  for (let i = 1; i < rs.length; i += 2) {
    const retraction = rs[i]!;
    const pane = rs[i + 1]!;
    expect(retraction.retraction).toBe(true);
    expect(retraction.value).toEqual(prev.value);
    expect(retraction.timestamp).toBe(prev.timestamp);
    expect(retraction.window).toEqual(prev.window);
    expect(pane.retraction).toBe(false);
    expect(pane.pane.index).toBe(prev.pane.index + 1);
    prev = pane;
  }
  expect(rs.length % 2).toBe(1);
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('accumulation modes on $label', ({ options }) => {
  const micro = options.runner === 'microbatch';

  describe('with count-based early firings (the same panes on every runner)', () => {
    // discarding and accumulating: see accumulation-scenarios.test.ts (scenarios shared with the capability matrix)

    it('retracting: each new pane is preceded by a retraction of the previous one', async () => {
      const { out } = await runWith(options, (p) => counts(p, countStream(), 'retracting', countTrigger()).apply(Capture.records()));
      expect(linesFor(out, 'a')).toEqual([
        '[0,10000) EARLY #0 {"key":"a","value":2}',
        '-[0,10000) EARLY #1 {"key":"a","value":2}',
        '[0,10000) EARLY #1 {"key":"a","value":4}',
        '-[0,10000) ON_TIME #2 last {"key":"a","value":4}',
        '[0,10000) ON_TIME #2 last {"key":"a","value":4}',
      ]);
      expect(linesFor(out, 'b')).toEqual([
        '[0,10000) EARLY #0 {"key":"b","value":2}',
        '-[0,10000) ON_TIME #1 last {"key":"b","value":2}',
        '[0,10000) ON_TIME #1 last {"key":"b","value":3}',
      ]);
      for (const k of ['a', 'b']) {
        expectRetractionsBeforeEachPane(forKey(out, k));
        // the retractions carry the withdrawn pane's timestamp
        expect(forKey(out, k).every((r) => r.timestamp === 9999)).toBe(true);
      }
      // Capture.values() leaves retractions out: the panes as an accumulating consumer sees them
      expect(out.values().filter((v) => v.key === 'a').map((v) => v.value)).toEqual([2, 4, 4]);
    });
  });

  // discarding and accumulating across the on-time pane: see accumulation-scenarios.test.ts
  it.each([
    ['retracting', ['ON_TIME #0 2', '-LATE #1 2', 'LATE #1 3', '-LATE #2 3', 'LATE #2 4']],
  ] as const)('%s across the on-time pane: late panes', async (mode, expected) => {
    const { out } = await runWith(options, (p) =>
      counts(
        p,
        TestStream.create<string>()
          .addElements(['a', 100], ['a', 200])
          .advanceWatermarkTo(10_000)
          .addElements(['a', 300])
          .advanceWatermarkTo(10_000)
          .addElements(['a', 400])
          .advanceWatermarkToInfinity(),
        mode,
        AfterWatermark().withLateFirings(AfterCount(1)),
        5000,
      ).apply(Capture.records()),
    );
    expect(out.records.map((r) => `${r.retraction ? '-' : ''}${r.pane.timing} #${r.pane.index} ${r.value.value}`)).toEqual(expected);
  });

  describe('with processing-time early firings (micro-batch: coarser early panes)', () => {
    it('discarding: panes sum to the total', async () => {
      const { out } = await runWith(options, (p) => counts(p, ptStream(), 'discarding', ptTrigger()).apply(Capture.records()));
      if (!micro) {
        expect(out.lines({ withTime: true })).toEqual([
          '[0,10000) EARLY #0 {"key":"a","value":2} @pt=1000',
          '[0,10000) EARLY #0 {"key":"b","value":1} @pt=1000',
          '[0,10000) EARLY #1 {"key":"a","value":1} @pt=2000',
          '[0,10000) ON_TIME #2 last {"key":"a","value":1} @pt=2000',
          '[0,10000) ON_TIME #1 last {"key":"b","value":1} @pt=2000',
        ]);
      }
      for (const k of ['a', 'b']) {
        const rs = forKey(out, k);
        expect(rs.reduce((s, r) => s + r.value.value, 0)).toBe(PT_TOTALS[k]);
        expect(rs.at(-1)!.pane).toMatchObject({ timing: 'ON_TIME', isLast: true });
        expect(rs.slice(0, -1).every((r) => r.pane.timing === 'EARLY' && !r.pane.isLast)).toBe(true);
        rs.forEach((r, i) => expect(r.pane.index).toBe(i));
      }
    });

    it('accumulating: panes never shrink and the final one equals the total', async () => {
      const { out } = await runWith(options, (p) => counts(p, ptStream(), 'accumulating', ptTrigger()).apply(Capture.records()));
      if (!micro) {
        expect(out.lines()).toEqual([
          '[0,10000) EARLY #0 {"key":"a","value":2}',
          '[0,10000) EARLY #0 {"key":"b","value":1}',
          '[0,10000) EARLY #1 {"key":"a","value":3}',
          '[0,10000) ON_TIME #2 last {"key":"a","value":4}',
          '[0,10000) ON_TIME #1 last {"key":"b","value":2}',
        ]);
      }
      for (const k of ['a', 'b']) {
        const vs = forKey(out, k).map((r) => r.value.value);
        for (let i = 1; i < vs.length; i++) expect(vs[i]).toBeGreaterThanOrEqual(vs[i - 1]!);
        expect(vs.at(-1)).toBe(PT_TOTALS[k]);
        expect(forKey(out, k).at(-1)!.pane).toMatchObject({ timing: 'ON_TIME', isLast: true });
      }
    });

    it('retracting: a retraction of the previous pane before each new one; the net is the total', async () => {
      const { out } = await runWith(options, (p) => counts(p, ptStream(), 'retracting', ptTrigger()).apply(Capture.records()));
      if (!micro) {
        expect(out.lines()).toEqual([
          '[0,10000) EARLY #0 {"key":"a","value":2}',
          '[0,10000) EARLY #0 {"key":"b","value":1}',
          '-[0,10000) EARLY #1 {"key":"a","value":2}',
          '[0,10000) EARLY #1 {"key":"a","value":3}',
          '-[0,10000) ON_TIME #2 last {"key":"a","value":3}',
          '[0,10000) ON_TIME #2 last {"key":"a","value":4}',
          '-[0,10000) ON_TIME #1 last {"key":"b","value":1}',
          '[0,10000) ON_TIME #1 last {"key":"b","value":2}',
        ]);
      }
      for (const k of ['a', 'b']) {
        const rs = forKey(out, k);
        expectRetractionsBeforeEachPane(rs);
        expect(rs.reduce((s, r) => s + (r.retraction ? -r.value.value : r.value.value), 0)).toBe(PT_TOTALS[k]);
        expect(panes(rs).at(-1)!.value.value).toBe(PT_TOTALS[k]);
      }
    });
  });

  describe('a retraction withdraws the equal element, not just any element of the same type', () => {
    /**
     * Per-key counts in the global window, a pane per element, retracting: x 1, y 1, z 1, then z's
     * pane 1 is retracted and z 2 follows (each step its own batch). Downstream sees each count as a
     * Date or a Map of Maps; a retraction must remove z's old value, not x's (the first of the type).
     */
    const steps = () =>
      TestStream.create<string>()
        .addElements(['x', 1000])
        .advanceWatermarkTo(0)
        .addElements(['y', 2000])
        .advanceWatermarkTo(0)
        .addElements(['z', 3000])
        .advanceWatermarkTo(0)
        .addElements(['z', 4000])
        .advanceWatermarkTo(0);
    const perKeyCounts = (p: Pipeline) =>
      p
        .apply(steps().advanceWatermarkToInfinity())
        .apply(Window.configure<string>().triggering(Repeatedly(AfterCount(1))).accumulatingAndRetractingFiredPanes())
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>());
    const BASE = Date.UTC(2018, 0, 1);
    const OFFSET: Record<string, number> = { x: 0, y: 100_000, z: 200_000 };
    const asDate = (e: KV<string, number>): unknown => new Date(BASE + OFFSET[e.key]! + e.value);
    // all with the same outer key and inner Maps: JSON.stringify sees '[["counts",{}]]' for every one
    const asMapOfMaps = (e: KV<string, number>): unknown => new globalThis.Map([['counts', new globalThis.Map([[e.key, e.value]])]]);

    it.each([
      ['Date', asDate],
      ['Map of Maps', asMapOfMaps],
    ] as const)('downstream GroupByKey keeps the current value of every key (%s values)', async (_label, as) => {
      const { out } = await runWith(options, (p) =>
        perKeyCounts(p)
          .apply('AsValue', MapElements((e: KV<string, number>) => kv('all', as(e))))
          .apply('Group', GroupByKey<string, unknown>())
          .apply(Capture.records<KV<string, unknown[]>>()),
      );
      const last = out.records.filter((r) => !r.retraction).at(-1)!;
      const expected = [kv('x', 1), kv('y', 1), kv('z', 2)].map(as);
      expect(last.value.value).toHaveLength(3);
      for (const v of expected) expect(last.value.value).toContainEqual(v);
    });

    it('a retracting side input (View.asList of Maps) drops the retracted Map, not the first one', async () => {
      // the same steps as side input; the main element 'm' comes after z's second pane
      const { out } = await runWith(options, (p) => {
        const input = p.apply(steps().addElements(['m', 5000]));
        const view = View.asList(
          input
            .apply('SideOnly', Filter((s: string) => s !== 'm'))
            .apply(Window.configure<string>().triggering(Repeatedly(AfterCount(1))).accumulatingAndRetractingFiredPanes())
            .apply(WithKeys((s: string) => s))
            .apply(Count.perKey<string>())
            .apply('AsMap', MapElements((e: KV<string, number>) => new globalThis.Map([[e.key, e.value]]))),
        );
        return input
          .apply('MainOnly', Filter((s: string) => s === 'm'))
          .apply(
            'Join',
            ParDo<string, string[]>({
              process(_m, ctx) {
                ctx.output(ctx.sideInput(view).map((m) => JSON.stringify([...m])).sort());
              },
            }).withSideInputs(view),
          )
          .apply(Capture.records<string[]>());
      });
      expect(out.values()).toEqual([['[["x",1]]', '[["y",1]]', '[["z",2]]']]);
    });
  });

  describe('downstream of an aggregation with early panes', () => {
    /**
     * Per-key counts with early panes, re-keyed to one key and aggregated again. The true total is
     * a = 4 plus b = 3 = 7. Upstream panes (accumulating): a 2, 4, 4 and b 2, 3.
     */
    function twoLevels(p: Pipeline, mode: AccumulationMode) {
      const perKey = counts(p, countStream(), mode, countTrigger());
      const values = perKey.apply('Counts', Values<string, number>());
      return {
        sumPerKey: perKey
          .apply('ToOneKey', MapElements((e: KV<string, number>) => kv('all', e.value)))
          .apply('SumPerKey', Combine.perKey<string, number, SumAccumulator, number>(Sum.fn()))
          .apply('SumPerKeyValue', Values<string, number>())
          .apply('P1', Capture.records()),
        sumGlobally: values.apply('SumGlobally', Sum.globally()).apply('P2', Capture.records()),
        grouped: perKey
          .apply('Named', MapElements((e: KV<string, number>) => kv('all', `${e.key}=${e.value}`)))
          .apply('Group', GroupByKey<string, string>())
          .apply('P3', Capture.records()),
        min: values.apply('MinGlobally', Min.globally()).apply('P4', Capture.records()),
      };
    }

    it('retracting: downstream Sum (Combine.perKey and Sum.globally) ends with the true total', async () => {
      const { out } = await runWith(options, (p) => twoLevels(p, 'retracting'));
      for (const probe of [out.sumPerKey, out.sumGlobally]) {
        expect(finalRecord(probe).value).toBe(7);
        // downstream retracts its own earlier panes too: a consumer summing adds minus retractions ends at 7
        expect(net(probe)).toBe(7);
        expect(probe.records.some((r) => r.retraction)).toBe(true);
      }
    });

    it('accumulating: the same pipeline double counts downstream', async () => {
      const { out } = await runWith(options, (p) => twoLevels(p, 'accumulating'));
      // 2 + 4 + 4 (a) + 2 + 3 (b): every accumulated pane counted again
      expect(finalRecord(out.sumPerKey).value).toBe(15);
      expect(finalRecord(out.sumGlobally).value).toBe(15);
      expect(out.sumGlobally.records.some((r) => r.retraction)).toBe(false);
    });

    it('discarding: downstream panes are deltas too; they add up to the true total', async () => {
      const { out } = await runWith(options, (p) => twoLevels(p, 'discarding'));
      for (const probe of [out.sumPerKey, out.sumGlobally]) {
        expect(probe.records.some((r) => r.retraction)).toBe(false);
        finalRecord(probe);
        expect(net(probe)).toBe(7);
      }
    });

    it('retracting: downstream GroupByKey keeps only the current value of each upstream pane', async () => {
      const { out } = await runWith(options, (p) => twoLevels(p, 'retracting'));
      const last = finalRecord(out.grouped);
      expect([...last.value.value].sort()).toEqual(['a=4', 'b=3']);
      // with accumulating, every pane stays in the group
      const acc = await runWith(options, (p) => twoLevels(p, 'accumulating'));
      expect([...finalRecord(acc.out.grouped).value.value].sort()).toEqual(['a=2', 'a=4', 'a=4', 'b=2', 'b=3']);
    });

    it('retracting: Min (no retractInput) downstream recomputes from the kept inputs', async () => {
      const { out } = await runWith(options, (p) => twoLevels(p, 'retracting'));
      // the early counts a = 2 and b = 2 were withdrawn: min(4, 3)
      expect(finalRecord(out.min).value).toBe(3);
      const acc = await runWith(options, (p) => twoLevels(p, 'accumulating'));
      expect(finalRecord(acc.out.min).value).toBe(2);
    });

    it('retracting: Max (no retractInput) downstream forgets a withdrawn larger early value', async () => {
      // per-key sums that go down: a is 15 early, 3 at the end; b is 6
      const build = (mode: AccumulationMode) => (p: Pipeline) =>
        p
          .apply(
            TestStream.create<KV<string, number>>()
              .addElements([kv('a', 10), 1000], [kv('a', 5), 1100]) // a: early pane 15
              .advanceWatermarkTo(0)
              .addElements([kv('a', -12), 2000], [kv('b', 4), 2100], [kv('b', 2), 2200]) // b: early pane 6
              .advanceWatermarkTo(0)
              .addElements([kv('a', 0), 3000]) // a: early pane 3
              .advanceWatermarkTo(0)
              .advanceWatermarkToInfinity(),
          )
          .apply(windowing<KV<string, number>>(mode, countTrigger()))
          .apply(Sum.perKey<string>())
          .apply(Values<string, number>())
          .apply(Max.globally())
          .apply(Capture.records());
      const retracting = await runWith(options, build('retracting'));
      expect(finalRecord(retracting.out).value).toBe(6);
      const accumulating = await runWith(options, build('accumulating'));
      expect(finalRecord(accumulating.out).value).toBe(15);
    });
  });
});
