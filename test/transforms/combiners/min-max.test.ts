import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CombineFn } from '../../../sdk/combine-fn.js';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { TestStream } from '../../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../../sdk/windows/sliding-windows.js';
import { MapElements } from '../../../transforms/map.js';
import { Max, Min } from '../../../transforms/combiners/min-max.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe.each(RUNNER_CONFIGS)('Min / Max on $label', ({ options }) => {
  it('Min.perKey and Max.perKey per key and window, negatives included', async () => {
    const input = ts<KV<string, number>>([[kv('a', 3), 0], [kv('a', -7), 10], [kv('b', 0), 20], [kv('a', 12), 30], [kv('a', 5), 1000]]);
    const { out } = await runWith(options, (p) => {
      const w = p.apply(input).apply(Window.into(FixedWindows(1000)));
      return { min: w.apply(Min.perKey()).apply('PMin', Capture.records()), max: w.apply(Max.perKey()).apply('PMax', Capture.records()) };
    });
    expect(out.min.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":-7}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":0}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":5}',
    ]);
    expect(out.max.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":12}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":0}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":5}',
    ]);
  });

  it('Min.globally / Max.globally; an empty global input yields +Infinity / -Infinity', async () => {
    const { out } = await runWith(options, (p) => {
      const nums = p.apply('Nums', Create([4, -2, 9, 0]));
      const none = p.apply('None', Create<number>([]));
      return {
        min: nums.apply('Min', Min.globally()).apply('P1', Capture.records<number>()),
        max: nums.apply('Max', Max.globally()).apply('P2', Capture.records<number>()),
        minEmpty: none.apply('MinE', Min.globally()).apply('P3', Capture.records<number>()),
        maxEmpty: none.apply('MaxE', Max.globally()).apply('P4', Capture.records<number>()),
      };
    });
    expect(out.min.values()).toEqual([-2]);
    expect(out.max.values()).toEqual([9]);
    expect(out.minEmpty.values()).toEqual([Number.POSITIVE_INFINITY]);
    expect(out.maxEmpty.values()).toEqual([Number.NEGATIVE_INFINITY]);
  });
});

/** Numbers Min/Max must handle whatever the arrival: NaN, both zeros, the infinities, ties. */
const arbNumber = fc.oneof(fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -1e308), fc.integer({ min: -3, max: 3 }), fc.double());

describe('Min / Max with NaN and signed zeros (a NaN is never skipped; -0 < 0)', () => {
  const run = (f: CombineFn<number, number, number>, xs: number[]) => f.extractOutput(xs.reduce((a, x) => f.addInput(a, x, 0), f.createAccumulator()));

  it('a group holding a NaN gives NaN (before: Max of [NaN] was -Infinity, as if empty)', () => {
    expect(run(Max.fn(), [Number.NaN])).toBeNaN();
    expect(run(Min.fn(), [Number.NaN])).toBeNaN();
    expect(run(Max.fn(), [5, Number.NaN, 1])).toBeNaN();
    expect(run(Min.fn(), [5, Number.NaN, 1])).toBeNaN();
    expect(run(Max.fn(), [-0, 0])).toBe(0);
    expect(run(Max.fn(), [0, -0])).toBe(0);
    expect(run(Min.fn(), [0, -0])).toBe(-0);
    expect(run(Min.fn(), [-0, 0])).toBe(-0);
  });

  it('property: any permutation and any split into merged accumulators gives the same result', () => {
    fc.assert(
      fc.property(fc.array(arbNumber, { maxLength: 25 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), fc.nat(), (xs, max, cuts, seed) => {
        const f = (max ? Max : Min).fn();
        const addAll = (ys: number[]) => ys.reduce((a, x) => f.addInput(a, x, 0), f.createAccumulator());
        const expected = xs.some(Number.isNaN) ? Number.NaN : xs.length === 0 ? (max ? -Infinity : Infinity) : max ? Math.max(...xs) : Math.min(...xs);
        const shuffled = xs.map((x, i) => ({ x, k: (i * 7919 + seed) % 1009 })).sort((a, b) => a.k - b.k).map((e) => e.x);
        expect(Object.is(f.extractOutput(addAll(xs)), expected)).toBe(true);
        expect(Object.is(f.extractOutput(addAll(shuffled)), expected)).toBe(true);
        const bounds = [...new Set(cuts.map((c) => c % (shuffled.length + 1)))].sort((a, b) => a - b);
        const parts = [0, ...bounds, shuffled.length].slice(1).map((end, i, ends) => shuffled.slice(i === 0 ? 0 : ends[i - 1], end));
        expect(Object.is(f.extractOutput(f.mergeAccumulators(parts.reverse().map(addAll))), expected)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe.each(RUNNER_CONFIGS)('Min / Max with NaN on $label', ({ options }) => {
  it('SlidingWindows with a NaN: the sliced driver and the per-window driver agree', async () => {
    const run = (perWindow: boolean) =>
      runWith(options, (p) => {
        let w = p.apply(TestStream.create<number>().addElements([5, 1100], [Number.NaN, 100]).advanceWatermarkToInfinity()).apply(Window.into<number>(SlidingWindows(2000, 1000)));
        if (perWindow) w = w.apply(MapElements((x: number) => x)); // rules out slicing
        return { max: w.apply('Max', Max.globally()).apply('PMax', Capture.records<number>()), min: w.apply('Min', Min.globally()).apply('PMin', Capture.records<number>()) };
      });
    for (const perWindow of [false, true]) {
      const { out } = await run(perWindow);
      const lines = (c: typeof out.max) => c.records.map((r) => `${r.window.id} ${String(r.value)}`).sort();
      expect(lines(out.max)).toEqual(['-1000:1000 NaN', '0:2000 NaN', '1000:3000 5']);
      expect(lines(out.min)).toEqual(['-1000:1000 NaN', '0:2000 NaN', '1000:3000 5']);
    }
  });
});
