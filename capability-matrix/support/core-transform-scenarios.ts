import type { CombineFn } from '../../sdk/combine-fn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Combine } from '../../transforms/combine.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum, sumFn } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { paneLines, paneLinesWithTimestamps, type Scenario } from './scenario.js';

/**
 * GroupByKey, Flatten and Combine, shared by test/semantics/core-transform-scenarios.test.ts and the
 * capability matrix's What rows (cases/what.ts). Results are pane lines (see Probe.lines), sorted.
 */

const sortGroup = () => MapElements((g: KV<unknown, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b)));
type Groups = Probe<KV<unknown, number[]>>;

export const GROUP_BY_KEY_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'groups per key and fixed window, stamped with the window end',
    build: (p): Groups =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100], [kv('b', 2), 200], [kv('a', 3), 900], [kv('a', 4), 1100]).advanceWatermarkTo(1000).addElements([kv('b', 5), 1500]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply(GroupByKey<string, number>())
        .apply('Sort', sortGroup())
        .apply(Capture.records()),
    lines: paneLinesWithTimestamps,
    expected: [
      '[0,1000) ON_TIME #0 last {"key":"a","value":[1,3]} ts=999',
      '[0,1000) ON_TIME #0 last {"key":"b","value":[2]} ts=999',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":[4]} ts=1999',
      '[1000,2000) ON_TIME #0 last {"key":"b","value":[5]} ts=1999',
    ],
  },
  {
    name: 'keys compare by value: 1 and "1" differ, equal objects are one key',
    build: (p): Groups =>
      p.apply(Create<KV<unknown, number>>([kv(1, 1), kv('1', 2), kv({ id: 1 }, 3), kv({ id: 1 }, 4), kv(1, 5)])).apply(GroupByKey<unknown, number>()).apply('Sort', sortGroup()).apply(Capture.records()),
    lines: paneLines,
    expected: ['global ON_TIME #0 last {"key":"1","value":[2]}', 'global ON_TIME #0 last {"key":1,"value":[1,5]}', 'global ON_TIME #0 last {"key":{"id":1},"value":[3,4]}'],
  },
  {
    name: 'edge: an empty input makes no group at all',
    build: (p): Groups => p.apply(TestStream.create<KV<string, number>>().advanceWatermarkTo(5000).advanceWatermarkToInfinity()).apply(Window.into(FixedWindows(1000))).apply(GroupByKey<string, number>()).apply('Sort', sortGroup()).apply(Capture.records()),
    lines: paneLines,
    expected: [],
  },
  {
    name: 'edge: duplicate values of one key are all kept; a single element is a group of one',
    build: (p): Groups =>
      p.apply(Create<KV<string, number>>([kv('a', 7), kv('a', 7), kv('b', 1), kv('a', 7)])).apply(GroupByKey<string, number>()).apply('Sort', sortGroup()).apply(Capture.records()),
    lines: paneLines,
    expected: ['global ON_TIME #0 last {"key":"a","value":[7,7,7]}', 'global ON_TIME #0 last {"key":"b","value":[1]}'],
  },
];

export const FLATTEN_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'a TestStream and a bounded input, windowed alike, counted together',
    build(p) {
      const streamed = p.apply(TestStream.create<string>().addElements(['x', 100], ['y', 1500]).advanceWatermarkTo(2000).advanceWatermarkToInfinity()).apply('W1', Window.into<string>(FixedWindows(1000)));
      const bounded = p.apply('Bounded', Create.timestamped([{ value: 'x', timestamp: 200 }, { value: 'z', timestamp: 1200 }])).apply('W2', Window.into<string>(FixedWindows(1000)));
      return p.apply(Flatten(streamed, bounded)).apply(Count.perElement()).apply(Capture.records());
    },
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"x","value":2}', '[1000,2000) ON_TIME #0 last {"key":"y","value":1}', '[1000,2000) ON_TIME #0 last {"key":"z","value":1}'],
  },
  {
    name: 'an empty input contributes nothing',
    build: (p): Probe<number> => p.apply(Flatten(p.apply('A', Create([1, 2])), p.apply('Empty', Create<number>([])))).apply(Capture.records()),
    lines: paneLines,
    expected: ['global UNKNOWN #0 last 1', 'global UNKNOWN #0 last 2'],
  },
  {
    name: 'edge: all inputs empty: an empty output, and the run ends',
    build: (p): Probe<number> =>
      p.apply(Flatten(p.apply('E1', Create<number>([])), p.apply('E2', TestStream.create<number>().advanceWatermarkToInfinity()))).apply(Capture.records()),
    lines: paneLines,
    expected: [],
  },
  {
    name: 'edge: the same PCollection flattened twice: every element twice (duplicates are not removed)',
    build(p): Probe<string> {
      const xs = p.apply(Create(['a', 'b']));
      return p.apply(Flatten(xs, xs)).apply(Capture.records());
    },
    lines: paneLines,
    expected: ['global UNKNOWN #0 last "a"', 'global UNKNOWN #0 last "a"', 'global UNKNOWN #0 last "b"', 'global UNKNOWN #0 last "b"'],
  },
];

/** Mean with an accumulator of sum and count: a user CombineFn. */
const meanOf: CombineFn<number, { sum: number; n: number }, number> = {
  createAccumulator: () => ({ sum: 0, n: 0 }),
  addInput: (a, x) => ({ sum: a.sum + x, n: a.n + 1 }),
  mergeAccumulators: (as) => as.reduce((x, y) => ({ sum: x.sum + y.sum, n: x.n + y.n }), { sum: 0, n: 0 }),
  extractOutput: (a) => (a.n === 0 ? 0 : a.sum / a.n),
};

export const COMBINE_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'Combine.perKey with a user CombineFn in fixed windows',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100], [kv('a', 4), 200], [kv('b', 10), 300]).advanceWatermarkTo(500).addElements([kv('a', 7), 900], [kv('a', 2), 1000]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply(Combine.perKey<string, number, { sum: number; n: number }, number>(meanOf))
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":4}', '[0,1000) ON_TIME #0 last {"key":"b","value":10}', '[1000,2000) ON_TIME #0 last {"key":"a","value":2}'],
  },
  {
    name: 'Combine.globally: one result, and the default for an empty input',
    build(p) {
      const full = p.apply('Full', Create([1, 2, 3])).apply('SumFull', Combine.globally(sumFn())).apply('P1', Capture.records());
      const empty = p.apply('None', Create<number>([])).apply('SumNone', Sum.globally()).apply('P2', Capture.records());
      return { full, empty };
    },
    lines: (out: { full: Probe<number>; empty: Probe<number> }) => [`sum of [1,2,3]: ${out.full.values().join(',')}`, `sum of []: ${out.empty.values().join(',')}`],
    expected: ['sum of [1,2,3]: 6', 'sum of []: 0'],
  },
  {
    name: 'edge: in merging windows, accumulators of merged sessions are merged (mergeAccumulators)',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 3), 0], [kv('a', 6), 1500]).advanceWatermarkTo(500).addElements([kv('a', 9), 800]).advanceWatermarkToInfinity())
        .apply(Window.into(Sessions(1000)))
        .apply(Combine.perKey<string, number, { sum: number; n: number }, number>(meanOf))
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['[0,2500) ON_TIME #0 last {"key":"a","value":6}'],
  },
  {
    name: 'edge: extreme values and one element per key: exact sums, no overflow to Infinity',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(Create<KV<string, number>>([kv('big', Number.MAX_SAFE_INTEGER), kv('big', -Number.MAX_SAFE_INTEGER), kv('big', 1), kv('one', -0.5)]))
        .apply(Sum.perKey<string>())
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['global ON_TIME #0 last {"key":"big","value":1}', 'global ON_TIME #0 last {"key":"one","value":-0.5}'],
  },
];
