import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { SlidingWindows } from '../../../sdk/windows/sliding-windows.js';
import { Mean } from '../../../transforms/combiners/mean.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { referenceSum } from '../../support/exact-sum-reference.js';
import { extremeSlidingLines } from '../../support/extreme-sliding-run.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Mean.fn', () => {
  it('averages, merges, retracts; NaN when empty', () => {
    const f = Mean.fn();
    let a = f.createAccumulator();
    expect(f.extractOutput(a)).toBeNaN();
    for (const x of [1, 2, 6]) a = f.addInput(a, x, 0);
    a = f.retractInput!(a, 6, 0);
    expect(f.extractOutput(a)).toBe(1.5);
    expect(f.extractOutput(f.mergeAccumulators([a, { sum: 9, count: 1 }]))).toBe(4);
  });
});

describe.each(RUNNER_CONFIGS)('Mean on $label', ({ options }) => {
  it('Mean.perKey averages per key over sliding windows (a rolling mean)', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts<KV<string, number>>([[kv('t', 10), 500], [kv('t', 20), 1500], [kv('u', 7), 1200]]))
        .apply(Window.into(SlidingWindows(2000, 1000)))
        .apply(Mean.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[-1000,1000) ON_TIME #0 last {"key":"t","value":10}',
      '[0,2000) ON_TIME #0 last {"key":"t","value":15}',
      '[0,2000) ON_TIME #0 last {"key":"u","value":7}',
      '[1000,3000) ON_TIME #0 last {"key":"t","value":20}',
      '[1000,3000) ON_TIME #0 last {"key":"u","value":7}',
    ]);
  });

  it('Mean.globally averages everything; an empty global input yields NaN', async () => {
    const { out } = await runWith(options, (p) => ({
      all: p.apply('Nums', Create([1, 2, 3, 4])).apply('M1', Mean.globally()).apply('P1', Capture.records<number>()),
      none: p.apply('None', Create<number>([])).apply('M2', Mean.globally()).apply('P2', Capture.records<number>()),
    }));
    expect(out.all.values()).toEqual([2.5]);
    expect(out.none.values()).toEqual([Number.NaN]);
    expect(out.none.records[0]!.pane).toMatchObject({ timing: 'ON_TIME', isLast: true });
  });
});

const arbDouble = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  { weight: 3, arbitrary: fc.constantFrom(-0, 0, 1e308, -1e308, Number.MAX_VALUE, 2 ** 970, Number.MIN_VALUE, 0.1, 1e-16) },
  { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
const split = <T>(xs: readonly T[], cuts: readonly number[]): T[][] => {
  const bounds = [...new Set(cuts.map((c) => c % (xs.length + 1)))].sort((a, b) => a - b);
  return [0, ...bounds, xs.length].slice(1).map((end, i, ends) => xs.slice(i === 0 ? 0 : ends[i - 1], end));
};
const same = (a: number, b: number) => Object.is(a, b) || (a === 0 && b === 0);

describe('Mean is exact as Sum: independent of order and grouping; retractions are exact', () => {
  const f = Mean.fn();
  const addAll = (xs: readonly number[], a = f.createAccumulator()) => xs.reduce((acc, x) => f.addInput(acc, x, 0), a);

  it('extremes: 1e308, 1e308, -1e308 in any grouping; infinities retract (before: Infinity, and NaN after retracting Infinity)', () => {
    expect(f.extractOutput(addAll([1e308, 1e308, -1e308]))).toBe(1e308 / 3);
    expect(f.extractOutput(f.mergeAccumulators([addAll([1e308]), addAll([-1e308, 1e308])]))).toBe(1e308 / 3);
    expect(f.extractOutput(addAll([1e308, 1e308]))).toBe(1e308); // the sum overflows, the mean does not
    expect(f.extractOutput(addAll([Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE]))).toBe(Number.MAX_VALUE);
    const a = addAll([4, Number.POSITIVE_INFINITY]);
    expect(f.extractOutput(a)).toBe(Number.POSITIVE_INFINITY);
    expect(f.extractOutput(f.retractInput!(a, Number.POSITIVE_INFINITY, 0))).toBe(4);
    expect(f.extractOutput(addAll([Number.NaN, 1]))).toBeNaN();
  });

  it('reads the old accumulator format { sum: number, count } (checkpoints before exact sums)', () => {
    expect(f.extractOutput({ sum: 0.30000000000000004, count: 1 })).toBe(0.30000000000000004);
    expect(f.extractOutput(f.addInput({ sum: 2.5, count: 1 }, 1.5, 0))).toBe(2);
    expect(f.extractOutput(f.retractInput!({ sum: Number.POSITIVE_INFINITY, count: 2 }, Number.POSITIVE_INFINITY, 0))).toBe(0);
  });

  it('property: any order and any split into merged accumulators gives the same mean; retracting restores it', () => {
    fc.assert(
      fc.property(fc.array(arbDouble, { maxLength: 25 }), fc.array(arbDouble, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 4 }), (xs, ys, cuts) => {
        const expected = f.extractOutput(addAll(xs));
        const sum = referenceSum(xs);
        if (Number.isFinite(sum) || Number.isNaN(sum)) expect(same(expected, xs.length === 0 ? Number.NaN : sum / xs.length)).toBe(true);
        expect(same(f.extractOutput(addAll([...xs].reverse())), expected)).toBe(true);
        expect(same(f.extractOutput(f.mergeAccumulators(split(xs, cuts).map((p) => addAll(p)).reverse())), expected)).toBe(true);
        let a = f.mergeAccumulators(split([...ys, ...xs], cuts).map((p) => addAll(p)));
        for (const y of ys) a = f.retractInput!(a, y, 0);
        expect(same(f.extractOutput(a), expected)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe.each(RUNNER_CONFIGS)('Mean of extremes on $label', ({ options }) => {
  it('SlidingWindows per key with 1e308@100, 1e308@1100, -1e308@150: the sliced and per-window drivers agree', async () => {
    for (const perWindow of [false, true]) {
      expect(await extremeSlidingLines(options, Mean.perKey(), perWindow)).toEqual([
        '[-1000,1000) ON_TIME #0 last {"key":"k","value":0}',
        `[0,2000) ON_TIME #0 last {"key":"k","value":${JSON.stringify(1e308 / 3)}}`,
        '[1000,3000) ON_TIME #0 last {"key":"k","value":1e+308}',
      ]);
    }
  });
});
