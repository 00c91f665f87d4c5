import { describe, expect, it } from 'vitest';
import type { CombineFn } from '../../sdk/combine-fn.js';
import { UserCodeError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { MapElements } from '../../transforms/map.js';
import { Combine } from '../../transforms/combine.js';
import { Create } from '../../transforms/create.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

interface Acc {
  sum: number;
  n: number;
}

/** A mean CombineFn that records how it is used. */
function instrumentedMean() {
  const calls = { create: 0, add: 0, merge: 0, extract: 0 };
  const seen: unknown[] = [];
  const fn: CombineFn<number, Acc, number> = {
    createAccumulator() {
      calls.create++;
      return { sum: 0, n: 0 };
    },
    addInput(acc, x) {
      calls.add++;
      seen.push(acc);
      acc.sum += x;
      acc.n++;
      return acc;
    },
    mergeAccumulators(accs) {
      calls.merge++;
      seen.push(...accs);
      return accs.reduce((a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }), { sum: 0, n: 0 });
    },
    extractOutput(acc) {
      calls.extract++;
      seen.push(acc);
      return acc.sum / acc.n;
    },
  };
  return { fn, calls, seen };
}

const sumFn: CombineFn<number, number, number> = {
  createAccumulator: () => 0,
  addInput: (a, x) => a + x,
  mergeAccumulators: (as) => as.reduce((a, b) => a + b, 0),
  extractOutput: (a) => a,
};

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Combine construction', () => {
  it('Combine.globally expands to WithNullKey / Combine / Values under its name', () => {
    const p = Pipeline.create();
    p.apply(Create([1])).apply(Combine.globally(sumFn));
    p.apply('Other', Create([1])).apply('Total', Combine.globally(sumFn).withoutDefaults());
    expect(p.stepNames()).toEqual([
      'Create',
      'Combine.globally',
      'Combine.globally/WithNullKey',
      'Combine.globally/Combine',
      'Combine.globally/Values',
      'Other',
      'Total',
      'Total/WithNullKey',
      'Total/Combine',
      'Total/Values',
    ]);
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Combine on $label', ({ options }) => {
  it('Combine.perKey adds each input once to an accumulator and never buffers the inputs', async () => {
    const { fn, calls, seen } = instrumentedMean();
    const input: [KV<string, number>, number][] = [
      [kv('a', 1), 100],
      [kv('b', 10), 200],
      [kv('a', 2), 2500],
      [kv('a', 6), 3100],
      [kv('b', 20), 2999],
      [kv('a', 3), 1000],
    ];
    const { out, result } = await runWith(options, (p) =>
      p.apply(ts(input)).apply(Window.into(FixedWindows(3000))).apply('Mean', Combine.perKey<string, number, Acc, number>(fn)).apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,3000) ON_TIME #0 last {"key":"a","value":2}',
      '[0,3000) ON_TIME #0 last {"key":"b","value":15}',
      '[3000,6000) ON_TIME #0 last {"key":"a","value":6}',
    ]);
    expect(calls.add).toBe(input.length);
    expect(calls.extract).toBe(3);
    expect(seen.length).toBeGreaterThan(0);
    for (const acc of seen) {
      expect(Array.isArray(acc)).toBe(false);
      expect(Object.keys(acc as object).sort()).toEqual(['n', 'sum']);
    }
    expect(result.metrics['Mean']).toMatchObject({ elementsIn: 6, elementsOut: 3 });
  });

  it('Combine.perKey merges accumulators (not inputs) when session windows merge', async () => {
    const { fn, calls, seen } = instrumentedMean();
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts([[kv('k', 2), 0], [kv('k', 4), 2000], [kv('k', 6), 1000]]))
        .apply(Window.into(Sessions(1500)))
        .apply(Combine.perKey<string, number, Acc, number>(fn))
        .apply(Capture.records()),
    );
    expect(out.lines()).toEqual(['[0,3500) ON_TIME #0 last {"key":"k","value":4}']);
    expect(calls.add).toBe(3);
    expect(calls.merge).toBeGreaterThanOrEqual(1);
    for (const acc of seen) expect(Array.isArray(acc)).toBe(false);
  });

  it('Combine.perKey stays incremental when it fires accumulating-and-retracting panes itself (its input has no retractions)', async () => {
    const { fn, calls, seen } = instrumentedMean(); // no retractInput
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100]).addElements([kv('a', 2), 200]).addElements([kv('a', 6), 300]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingAndRetractingFiredPanes())
        .apply(Combine.perKey<string, number, Acc, number>(fn))
        .apply(Capture.records()),
    );
    expect(calls.add).toBe(3);
    for (const acc of seen) expect(Array.isArray(acc)).toBe(false);
    const last = out.records.filter((r) => !r.retraction && r.pane.isLast);
    expect(last.map((r) => r.value)).toEqual([kv('a', 3)]);
    if (options.runner === 'native') {
      expect(out.lines()).toEqual([
        '[0,1000) EARLY #0 {"key":"a","value":1}',
        '-[0,1000) EARLY #1 {"key":"a","value":1}',
        '[0,1000) EARLY #1 {"key":"a","value":1.5}',
        '-[0,1000) EARLY #2 {"key":"a","value":1.5}',
        '[0,1000) EARLY #2 {"key":"a","value":3}',
        '-[0,1000) ON_TIME #3 last {"key":"a","value":3}',
        '[0,1000) ON_TIME #3 last {"key":"a","value":3}',
      ]);
    } else {
      // micro-batch: the three elements arrive in one batch, so one early pane
      expect(out.lines()).toEqual(['[0,1000) EARLY #0 {"key":"a","value":3}', '-[0,1000) ON_TIME #1 last {"key":"a","value":3}', '[0,1000) ON_TIME #1 last {"key":"a","value":3}']);
    }
  });

  it('Combine.perKey downstream of a retracting aggregation retracts with retractInput, or recomputes without it', async () => {
    let adds = 0;
    let retracts = 0;
    const sum: CombineFn<number, number, number> = {
      ...sumFn,
      addInput: (a, x) => {
        adds++;
        return a + x;
      },
      retractInput: (a, x) => {
        retracts++;
        return a - x;
      },
    };
    const max: CombineFn<number, number, number> = {
      createAccumulator: () => Number.NEGATIVE_INFINITY,
      addInput: (a, x) => Math.max(a, x),
      mergeAccumulators: (as) => Math.max(...as),
      extractOutput: (a) => a,
    };
    const { out } = await runWith(options, (p) => {
      const counts = p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100]).addElements([kv('b', 2), 200]).addElements([kv('a', 3), 300]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingAndRetractingFiredPanes())
        .apply('CountPerKey', Combine.perKey<string, number, number, number>({ ...sumFn, addInput: (a) => a + 1, retractInput: (a) => a - 1 }));
      const totals = counts.apply('ToTotal', MapElements((e: KV<string, number>) => kv('total', e.value)));
      return {
        counts: counts.apply('C', Capture.records<KV<string, number>>()),
        sum: totals.apply('Sum', Combine.perKey<string, number, number, number>(sum)).apply('S', Capture.records<KV<string, number>>()),
        max: totals.apply('Max', Combine.perKey<string, number, number, number>(max)).apply('M', Capture.records<KV<string, number>>()),
        // re-configured to discarding panes: the records still include the retractions from upstream
        maxDiscarding: totals
          .apply(Window.configure<KV<string, number>>().triggering(AfterWatermark()).discardingFiredPanes())
          .apply('MaxD', Combine.perKey<string, number, number, number>(max))
          .apply('MD', Capture.records<KV<string, number>>()),
      };
    });
    const final = (probe: { records: { value: KV<string, number>; retraction: boolean; pane: { isLast: boolean } }[] }) =>
      probe.records.filter((r) => !r.retraction && r.pane.isLast).map((r) => r.value);
    expect(final(out.counts).sort((x, y) => x.key.localeCompare(y.key))).toEqual([kv('a', 2), kv('b', 1)]);
    expect(final(out.sum)).toEqual([kv('total', 3)]);
    expect(final(out.max)).toEqual([kv('total', 2)]);
    expect(out.maxDiscarding.lines()).toEqual(['[0,1000) ON_TIME #0 last {"key":"total","value":2}']);
    // every upstream record reached the Sum exactly once, as an input or as a retraction
    expect(adds).toBe(out.counts.records.filter((r) => !r.retraction).length);
    expect(retracts).toBe(out.counts.records.filter((r) => r.retraction).length);
    expect(retracts).toBeGreaterThan(0);
  });

  it('Combine.globally combines everything per window', async () => {
    const { out } = await runWith(options, (p) =>
      p.apply(ts([[1, 0], [2, 1500], [3, 1999], [4, 2000]])).apply(Window.into(FixedWindows(2000))).apply(Combine.globally(sumFn)).apply(Capture.records<number>()),
    );
    expect(out.lines({ sorted: true })).toEqual(['[0,2000) ON_TIME #0 last 6', '[2000,4000) ON_TIME #0 last 4']);
  });

  it('Combine.globally over an empty input yields the default in the global window', async () => {
    const { out, result } = await runWith(options, (p) => p.apply(Create<number>([])).apply('Total', Combine.globally(sumFn)).apply(Capture.records<number>()));
    expect(out.lines()).toEqual(['global ON_TIME #0 last 0']);
    expect(out.records[0]!.timestamp).toBe(out.records[0]!.window.maxTimestamp);
    expect(result.metrics['Total/Combine']).toMatchObject({ elementsIn: 0, elementsOut: 1 });
  });

  it('Combine.globally over a non-empty global input yields exactly one value (no extra default)', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create([1, 2, 3])).apply(Combine.globally(sumFn)).apply(Capture.records<number>()));
    expect(out.lines()).toEqual(['global ON_TIME #0 last 6']);
  });

  it('Combine.globally(...).withoutDefaults() yields nothing for an empty input', async () => {
    const { out, result } = await runWith(options, (p) => {
      const empty = p.apply(Create<number>([]));
      return {
        none: empty.apply('Total', Combine.globally(sumFn).withoutDefaults()).apply('N', Capture.records<number>()),
        some: p.apply('Some', Create([4, 5])).apply('Total2', Combine.globally(sumFn).withoutDefaults()).apply('S', Capture.records<number>()),
      };
    });
    expect(out.none.records).toEqual([]);
    expect(result.metrics['Total/Combine']).toMatchObject({ elementsOut: 0 });
    expect(out.some.lines()).toEqual(['global ON_TIME #0 last 9']);
  });

  it('Combine.globally yields no default for windows other than the global one', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create<number>([])).apply(Window.into(FixedWindows(1000))).apply(Combine.globally(sumFn)).apply(Capture.records<number>()));
    expect(out.records).toEqual([]);
  });

  it('a throwing addInput fails the run with a UserCodeError naming the step and the element', async () => {
    const bad: CombineFn<number, number, number> = {
      ...sumFn,
      addInput: (a, x) => {
        if (x < 0) throw new RangeError('negative input');
        return a + x;
      },
    };
    const err = await runWith(options, (p) => p.apply(Create([kv('a', 1), kv('a', -1)])).apply('Sum', Combine.perKey<string, number, number, number>(bad))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Sum');
    expect((err as UserCodeError).element).toBe('{"key":"a","value":-1}');
    expect((err as Error).message).toContain('negative input');
  });

  it('a throwing extractOutput fails the run naming the step', async () => {
    const bad: CombineFn<number, number, number> = {
      ...sumFn,
      extractOutput: () => {
        throw new Error('cannot extract');
      },
    };
    const err = await runWith(options, (p) => p.apply(Create([kv('a', 1)])).apply('Sum', Combine.perKey<string, number, number, number>(bad))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Sum');
    expect((err as Error).message).toContain('cannot extract');
  });
});
