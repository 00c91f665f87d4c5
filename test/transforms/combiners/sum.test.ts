import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowStateCodec } from '../../../runners/core/checkpoint/codecs/window-state-codec.js';
import type { WindowState } from '../../../runners/core/driver/window-driver.js';
import { UNFINISHED } from '../../../sdk/internal/trigger-state.js';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { intervalWindow } from '../../../sdk/window.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../../sdk/windows/sliding-windows.js';
import { Combine } from '../../../transforms/combine.js';
import type { SumAccumulator } from '../../../transforms/combiners/exact-sum.js';
import { Sum, sumFn } from '../../../transforms/combiners/sum.js';
import { referenceSum } from '../../support/exact-sum-reference.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { extremeSlidingLines } from '../../support/extreme-sliding-run.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Sum.fn', () => {
  it('adds, merges and retracts', () => {
    const f = Sum.fn();
    let a = f.createAccumulator();
    for (const x of [1, 2.5, -4]) a = f.addInput(a, x, 0);
    a = f.retractInput!(a, 2.5, 0);
    expect(f.extractOutput(f.mergeAccumulators([a, 10, f.createAccumulator()]))).toBe(7);
  });
});

describe.each(RUNNER_CONFIGS)('Sum on $label', ({ options }) => {
  it('Sum.perKey sums per key and window', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts<KV<string, number>>([[kv('a', 1), 0], [kv('a', 2.5), 999], [kv('b', -3), 10], [kv('a', 4), 1000]]))
        .apply(Window.into(FixedWindows(1000)))
        .apply(Sum.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":3.5}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":-3}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":4}',
    ]);
  });

  it('Sum.globally sums everything; 0 for an empty global input', async () => {
    const { out } = await runWith(options, (p) => ({
      all: p.apply('Nums', Create([1, 2, 3, 4])).apply('S1', Sum.globally()).apply('P1', Capture.records<number>()),
      none: p.apply('None', Create<number>([])).apply('S2', Sum.globally()).apply('P2', Capture.records<number>()),
    }));
    expect(out.all.lines()).toEqual(['global ON_TIME #0 last 10']);
    expect(out.none.lines()).toEqual(['global ON_TIME #0 last 0']);
  });
});

/** Doubles incl. the extremes: NaN, ±Infinity, ±0, near-overflow, subnormals, ties. */
const arbDouble = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  { weight: 3, arbitrary: fc.constantFrom(-0, 0, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 970, -(2 ** 970), Number.MIN_VALUE, -Number.MIN_VALUE, 2 ** 53, 1, -1, 0.1, 1e-16) },
  { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
const finiteDouble = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, 2 ** 970, Number.MIN_VALUE), fc.integer());

/** Splits `xs` at `cuts` (taken modulo its length) into consecutive parts. */
const split = <T>(xs: readonly T[], cuts: readonly number[]): T[][] => {
  const bounds = [...new Set(cuts.map((c) => c % (xs.length + 1)))].sort((a, b) => a - b);
  return [0, ...bounds, xs.length].slice(1).map((end, i, ends) => xs.slice(i === 0 ? 0 : ends[i - 1], end));
};
const same = (a: number, b: number) => Object.is(a, b) || (a === 0 && b === 0);

describe('Sum is exact: the result does not depend on order or grouping; retractions are exact', () => {
  const f = Sum.fn();
  const addAll = (xs: readonly number[], a = f.createAccumulator()) => xs.reduce((acc, x) => f.addInput(acc, x, 0), a);

  it('1e308 + 1e308 - 1e308 is 1e308 in any order (before: Infinity when the positives came first)', () => {
    expect(f.extractOutput(addAll([1e308, 1e308, -1e308]))).toBe(1e308);
    expect(f.extractOutput(addAll([1e308, -1e308, 1e308]))).toBe(1e308);
    expect(f.extractOutput(f.mergeAccumulators([addAll([1e308, 1e308]), addAll([-1e308])]))).toBe(1e308);
    expect(f.extractOutput(addAll([0.1, 0.2, 0.3]))).toBe(0.6); // plain float adds give 0.6000000000000001
    expect(f.extractOutput(addAll([1e308, 1e308]))).toBe(Number.POSITIVE_INFINITY); // overflow only at the end
  });

  it('retracting an infinity or a NaN restores the sum (before: Infinity - Infinity gave NaN)', () => {
    let a = addAll([1, Number.POSITIVE_INFINITY]);
    expect(f.extractOutput(a)).toBe(Number.POSITIVE_INFINITY);
    a = f.retractInput!(a, Number.POSITIVE_INFINITY, 0);
    expect(f.extractOutput(a)).toBe(1);
    a = addAll([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY], a);
    expect(f.extractOutput(a)).toBeNaN();
    a = f.retractInput!(a, Number.NEGATIVE_INFINITY, 0);
    expect(f.extractOutput(a)).toBe(Number.POSITIVE_INFINITY);
    a = f.retractInput!(f.addInput(f.retractInput!(a, Number.POSITIVE_INFINITY, 0), Number.NaN, 0), Number.NaN, 0);
    expect(f.extractOutput(a)).toBe(1);
  });

  it('reads accumulators of the old format: a plain number is that sum (checkpoints before exact sums)', () => {
    expect(f.extractOutput(0.30000000000000004)).toBe(0.30000000000000004);
    expect(f.extractOutput(f.addInput(2.5, 1, 0))).toBe(3.5);
    expect(f.extractOutput(f.addInput(1e308, 1e308, 0))).toBe(Number.POSITIVE_INFINITY);
    expect(f.extractOutput(f.retractInput!(f.addInput(1e308, 1e308, 0), 1e308, 0))).toBe(1e308);
    expect(f.extractOutput(f.retractInput!(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 0))).toBe(0);
    expect(f.extractOutput(f.mergeAccumulators([0.5, addAll([0.25]), Number.NaN]))).toBeNaN();
  });

  it('an exact accumulator survives the checkpoint codec', () => {
    const acc = addAll([0.1, 1e308, 1e308, Number.POSITIVE_INFINITY, 2 ** 980]);
    const w = intervalWindow(0, 1000);
    const st: WindowState = { w, k: 'a', acc, n: 1, trig: UNFINISHED, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: w.maxTimestamp, hold: w.maxTimestamp, et: [], pt: [], et0: undefined };
    const [[, , back]] = windowStateCodec.decode(windowStateCodec.encode([['a', w.id, st]]));
    const restored = f.retractInput!(back!.acc as SumAccumulator, Number.POSITIVE_INFINITY, 0);
    expect(f.extractOutput(restored)).toBe(f.extractOutput(f.retractInput!(acc, Number.POSITIVE_INFINITY, 0)));
    expect(f.extractOutput(restored)).toBe(referenceSum([0.1, 1e308, 1e308, 2 ** 980]));
  });

  it('property: any order and any split into merged accumulators gives the exactly rounded sum of all', () => {
    fc.assert(
      fc.property(fc.array(arbDouble, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 3 }), (xs, cuts, nest) => {
        const expected = referenceSum(xs);
        expect(same(f.extractOutput(addAll(xs)), expected)).toBe(true);
        expect(same(f.extractOutput(addAll([...xs].reverse())), expected)).toBe(true);
        const parts = split(xs, cuts).map((p) => addAll(p));
        // merge in groups too: merging merged accumulators
        const groups = split(parts, nest).map((g) => f.mergeAccumulators(g));
        expect(same(f.extractOutput(f.mergeAccumulators(groups.reverse())), expected)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: retracting what was added returns the previous result', () => {
    fc.assert(
      fc.property(fc.array(arbDouble, { maxLength: 15 }), fc.array(arbDouble, { maxLength: 15 }), fc.array(fc.nat(), { maxLength: 3 }), (xs, ys, cuts) => {
        const before = f.extractOutput(addAll(xs));
        let a = f.mergeAccumulators(split([...xs, ...ys], cuts).map((p) => addAll(p)));
        for (const y of [...ys].reverse()) a = f.retractInput!(a, y, 0);
        expect(same(f.extractOutput(a), before)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: finite inputs sum to the exact sum rounded once', () => {
    fc.assert(
      fc.property(fc.array(finiteDouble, { maxLength: 30 }), (xs) => {
        expect(same(f.extractOutput(addAll(xs)), referenceSum(xs))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe.each(RUNNER_CONFIGS)('Sum of extremes on $label', ({ options }) => {
  it('SlidingWindows per key with 1e308@100, 1e308@1100, -1e308@150: the sliced and per-window drivers agree (before: 1e308 vs Infinity)', async () => {
    for (const perWindow of [false, true]) {
      expect(await extremeSlidingLines(options, Combine.perKey(sumFn()), perWindow)).toEqual([
        '[-1000,1000) ON_TIME #0 last {"key":"k","value":0}',
        '[0,2000) ON_TIME #0 last {"key":"k","value":1e+308}',
        '[1000,3000) ON_TIME #0 last {"key":"k","value":1e+308}',
      ]);
    }
  });
});
