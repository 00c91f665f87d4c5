import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { TestStream } from '../../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../../sdk/windows/sliding-windows.js';
import { MapElements } from '../../../transforms/map.js';
import { Top } from '../../../transforms/combiners/top.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Top construction', () => {
  it('rejects n < 1 or a fractional n', () => {
    expect(() => Top.largest(0).globally()).toThrow(RangeError);
    expect(() => Top.smallest(1.5).perKey()).toThrow(RangeError);
    expect(() => Top.of(-1, (a: number, b: number) => a - b).globally()).toThrow('Top needs n >= 1, got -1');
  });

  it('names steps after n', () => {
    const p = Pipeline.create();
    const src = p.apply(Create([kv('a', 1)]));
    src.apply(Top.largest(3).perKey());
    expect(p.stepNames()).toEqual(['Create', 'Top.largest(3).perKey']);
  });

  it('the CombineFn keeps n, greatest first, and merges', () => {
    const f = Top.largest(3).fn();
    let a = f.createAccumulator();
    for (const x of [5, 1, 9, 7, 3]) a = f.addInput(a, x, 0);
    expect(f.extractOutput(a)).toEqual([9, 7, 5]);
    let b = f.createAccumulator();
    for (const x of [8, 6]) b = f.addInput(b, x, 0);
    expect(f.extractOutput(f.mergeAccumulators([a, b]))).toEqual([9, 8, 7]);
    // extractOutput returns a copy: changing it does not change the accumulator
    f.extractOutput(a).push(100);
    expect(f.extractOutput(a)).toEqual([9, 7, 5]);
  });
});

/** Numbers Top must order whatever the arrival: NaN, both zeros, the infinities, ties. */
const arbNumber = fc.oneof(fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e308, -1e308), fc.integer({ min: -3, max: 3 }), fc.double());

describe('Top.largest / Top.smallest order numbers totally (NaN the largest, -0 < 0)', () => {
  it('keeps NaN, -0 and 0 by that order, not by arrival (before: [NaN] or [5] for the same inputs)', () => {
    const f = Top.largest(1).fn();
    const top = (xs: number[]) => f.extractOutput(xs.reduce((a, x) => f.addInput(a, x, 0), f.createAccumulator()));
    expect(top([Number.NaN, 5])).toEqual([Number.NaN]);
    expect(top([5, Number.NaN])).toEqual([Number.NaN]);
    expect(top([-0, 0])).toEqual([0]);
    expect(top([0, -0])).toEqual([0]);
    const s = Top.smallest(2).fn();
    expect(s.extractOutput([Number.NaN, 0, -0, Number.NEGATIVE_INFINITY].reduce((a, x) => s.addInput(a, x, 0), s.createAccumulator()))).toEqual([Number.NEGATIVE_INFINITY, -0]);
  });

  it('property: the result does not depend on the arrival order or on how partial results are merged', () => {
    fc.assert(
      fc.property(fc.array(arbNumber, { maxLength: 25 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), (xs, n, largest, cuts) => {
        const f = (largest ? Top.largest(n) : Top.smallest(n)).fn();
        const addAll = (ys: number[]) => ys.reduce((a, x) => f.addInput(a, x, 0), f.createAccumulator());
        const sorted = [...xs].sort((a, b) => (Number.isNaN(a) ? 1 : 0) - (Number.isNaN(b) ? 1 : 0) || (a < b ? -1 : a > b ? 1 : Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1));
        const expected = largest ? sorted.reverse().slice(0, n) : sorted.slice(0, n);
        expect(f.extractOutput(addAll(xs))).toEqual(expected);
        expect(f.extractOutput(addAll([...xs].reverse()))).toEqual(expected);
        const bounds = [...new Set(cuts.map((c) => c % (xs.length + 1)))].sort((a, b) => a - b);
        const parts = [0, ...bounds, xs.length].slice(1).map((end, i, ends) => xs.slice(i === 0 ? 0 : ends[i - 1], end));
        expect(f.extractOutput(f.mergeAccumulators(parts.reverse().map(addAll)))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe.each(RUNNER_CONFIGS)('Top on $label', ({ options }) => {
  it('Top.largest(1) of SlidingWindows with a NaN: the sliced driver (merging slices) and the per-window driver agree', async () => {
    const run = (perWindow: boolean) =>
      runWith(options, (p) => {
        let w = p.apply(TestStream.create<number>().addElements([5, 1100], [Number.NaN, 100]).advanceWatermarkToInfinity()).apply(Window.into<number>(SlidingWindows(2000, 1000)));
        if (perWindow) w = w.apply(MapElements((x: number) => x)); // rules out slicing
        return w.apply(Top.largest(1).globally()).apply(Capture.records<number[]>());
      });
    const lines = async (perWindow: boolean) => (await run(perWindow)).out.records.map((r) => `${r.window.id} ${JSON.stringify(r.value.map(String))}`).sort();
    expect(await lines(false)).toEqual(['-1000:1000 ["NaN"]', '0:2000 ["NaN"]', '1000:3000 ["5"]']);
    expect(await lines(true)).toEqual(['-1000:1000 ["NaN"]', '0:2000 ["NaN"]', '1000:3000 ["5"]']);
  });

  it('Top.largest(n).globally / Top.smallest(n).globally, fewer than n inputs, duplicates kept', async () => {
    const { out } = await runWith(options, (p) => {
      const nums = p.apply('Nums', Create([5, 1, 9, 7, 9, 3]));
      return {
        largest: nums.apply('L', Top.largest(3).globally()).apply('P1', Capture.records<number[]>()),
        smallest: nums.apply('S', Top.smallest(2).globally()).apply('P2', Capture.records<number[]>()),
        all: nums.apply('A', Top.largest(10).globally()).apply('P3', Capture.records<number[]>()),
        empty: p.apply('None', Create<number>([])).apply('E', Top.largest(2).globally()).apply('P4', Capture.records<number[]>()),
      };
    });
    expect(out.largest.values()).toEqual([[9, 9, 7]]);
    expect(out.smallest.values()).toEqual([[1, 3]]);
    expect(out.all.values()).toEqual([[9, 9, 7, 5, 3, 1]]);
    expect(out.empty.lines()).toEqual(['global ON_TIME #0 last []']);
  });

  it('Top.of(n, compare).perKey orders by the comparator, per key and window', async () => {
    interface Flow {
      readonly id: string;
      readonly bytes: number;
    }
    const f = (id: string, bytes: number): Flow => ({ id, bytes });
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          ts<KV<string, Flow>>([
            [kv('h1', f('a', 10)), 0],
            [kv('h1', f('b', 50)), 100],
            [kv('h2', f('c', 5)), 200],
            [kv('h1', f('d', 30)), 300],
            [kv('h1', f('e', 99)), 1000],
          ]),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply(Top.of(2, (x: Flow, y: Flow) => x.bytes - y.bytes).perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"h1","value":[{"id":"b","bytes":50},{"id":"d","bytes":30}]}',
      '[0,1000) ON_TIME #0 last {"key":"h2","value":[{"id":"c","bytes":5}]}',
      '[1000,2000) ON_TIME #0 last {"key":"h1","value":[{"id":"e","bytes":99}]}',
    ]);
  });
});
