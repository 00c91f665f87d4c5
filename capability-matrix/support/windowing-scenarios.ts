import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MIN, END_OF_GLOBAL_WINDOW } from '../../sdk/time.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { paneLines, paneLinesWithTimestamps, type Scenario } from './scenario.js';

/**
 * Global, fixed, sliding and session windows, shared by test/semantics/windowing-scenarios.test.ts
 * and the capability matrix's Where rows (cases/where.ts). Results are pane lines (see Probe.lines),
 * sorted, plus derived facts where the order of emission matters.
 */

type Counts = Probe<KV<string, number>>;

/** Keys each string by itself and counts per key and window. */
function countPerKey(p: Pipeline, stream: TestStream<string>, windowing: WindowTransform<string>): Counts {
  return p.apply(stream).apply(windowing).apply(WithKeys((s: string) => s)).apply(Count.perKey<string>()).apply(Capture.records());
}

/** Sums numbers per window. */
function sumPerWindow(p: Pipeline, stream: TestStream<number>, windowing: WindowTransform<number>): Probe<number> {
  return p.apply(stream).apply(windowing).apply(Sum.globally().withoutDefaults()).apply(Capture.records());
}

const groupsSorted = MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b)));

export const GLOBAL_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'GroupByKey over a bounded input fires once, at the end, in the global window, stamped with its end',
    build: (p): Probe<KV<string, number[]>> =>
      p.apply(Create([kv('a', 1), kv('b', 2), kv('a', 3)])).apply(GroupByKey<string, number>()).apply(groupsSorted).apply(Capture.records()),
    lines: paneLinesWithTimestamps,
    expected: [`global ON_TIME #0 last {"key":"a","value":[1,3]} ts=${END_OF_GLOBAL_WINDOW}`, `global ON_TIME #0 last {"key":"b","value":[2]} ts=${END_OF_GLOBAL_WINDOW}`],
  },
  {
    name: 'a TestStream in the global window is counted when its input ends, not at a watermark step',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', 100], ['a', 5000]).advanceWatermarkTo(10_000).addElements(['a', 20_000]).advanceWatermarkToInfinity(),
        Window.into<string>(GlobalWindows()),
      ),
    lines: (out: Counts) => out.lines(),
    expected: ['global ON_TIME #0 last {"key":"a","value":3}'],
  },
  {
    name: 'an empty input: no pane at all (Count.perKey has no default)',
    build: (p) => countPerKey(p, TestStream.create<string>().advanceWatermarkTo(1000).advanceWatermarkToInfinity(), Window.into<string>(GlobalWindows())),
    lines: paneLines,
    expected: [],
  },
  {
    name: 'extreme timestamps (the minimum, and the end of the global window) and duplicate keys share the one window',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', TIMESTAMP_MIN], ['b', 0], ['a', END_OF_GLOBAL_WINDOW], ['a', 0], ['b', 0]).advanceWatermarkToInfinity(),
        Window.into<string>(GlobalWindows()),
      ),
    lines: paneLinesWithTimestamps,
    expected: [`global ON_TIME #0 last {"key":"a","value":3} ts=${END_OF_GLOBAL_WINDOW}`, `global ON_TIME #0 last {"key":"b","value":2} ts=${END_OF_GLOBAL_WINDOW}`],
  },
];

export const FIXED_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'FixedWindows(3s): counts per key and window, stamped with the window end (2999 and 3000 fall apart)',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', 100], ['b', 200], ['a', 2999]).advanceWatermarkTo(3000).addElements(['a', 3000]).advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(3000)),
      ),
    lines: paneLinesWithTimestamps,
    expected: [
      '[0,3000) ON_TIME #0 last {"key":"a","value":2} ts=2999',
      '[0,3000) ON_TIME #0 last {"key":"b","value":1} ts=2999',
      '[3000,6000) ON_TIME #0 last {"key":"a","value":1} ts=5999',
    ],
  },
  {
    name: 'FixedWindows(1s, offset 250ms)',
    build: (p) =>
      countPerKey(p, TestStream.create<string>().addElements(['a', 100], ['a', 249], ['a', 250], ['a', 1249], ['a', 1250]).advanceWatermarkToInfinity(), Window.into<string>(FixedWindows(1000, 250))),
    lines: paneLines,
    expected: ['[-750,250) ON_TIME #0 last {"key":"a","value":2}', '[1250,2250) ON_TIME #0 last {"key":"a","value":1}', '[250,1250) ON_TIME #0 last {"key":"a","value":2}'],
  },
  {
    name: 'FixedWindows(3s, offset 1s) with a negative timestamp: a window fires as soon as the watermark passes its end',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', -1], ['a', 999], ['b', 1000], ['a', 1001]).advanceWatermarkTo(1000).addElements(['a', 3999], ['a', 4000]).advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(3000, 1000)),
      ),
    // the watermark 1000 passes maxTimestamp 999 of [-2000,1000): it fires before the rest of the input arrives
    lines: (out: Counts) => [...paneLinesWithTimestamps(out), `first: ${out.lines()[0]}`],
    expected: [
      '[-2000,1000) ON_TIME #0 last {"key":"a","value":2} ts=999',
      '[1000,4000) ON_TIME #0 last {"key":"a","value":2} ts=3999',
      '[1000,4000) ON_TIME #0 last {"key":"b","value":1} ts=3999',
      '[4000,7000) ON_TIME #0 last {"key":"a","value":1} ts=6999',
      'first: [-2000,1000) ON_TIME #0 last {"key":"a","value":2}',
    ],
  },
  {
    name: 'one element, and windows without elements: only windows that got elements produce a pane',
    build: (p) => countPerKey(p, TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(5000).addElements(['b', 7500]).advanceWatermarkToInfinity(), Window.into<string>(FixedWindows(1000))),
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[7000,8000) ON_TIME #0 last {"key":"b","value":1}'],
  },
];

export const SLIDING_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'SlidingWindows(2s every 1s): a rolling sum',
    build: (p) => sumPerWindow(p, TestStream.create<number>().addElements([1, 500], [2, 1500]).advanceWatermarkTo(2000).addElements([4, 2500]).advanceWatermarkToInfinity(), Window.into<number>(SlidingWindows(2000, 1000))),
    lines: paneLines,
    expected: ['[-1000,1000) ON_TIME #0 last 1', '[0,2000) ON_TIME #0 last 3', '[1000,3000) ON_TIME #0 last 6', '[2000,4000) ON_TIME #0 last 4'],
  },
  {
    name: 'SlidingWindows(3s every 1s): each element in 3 windows; windows ending by the watermark fire first',
    build: (p) =>
      sumPerWindow(
        p,
        TestStream.create<number>().addElements([1, 500], [2, 1500]).advanceWatermarkTo(2000).addElements([4, 2500], [8, 3500]).advanceWatermarkToInfinity(),
        Window.into<number>(SlidingWindows(3000, 1000)),
      ),
    lines: (out: Probe<number>) => [...paneLines(out), `first two: ${out.lines().slice(0, 2).sort().join(' | ')}`],
    expected: [
      '[-1000,2000) ON_TIME #0 last 3',
      '[-2000,1000) ON_TIME #0 last 1',
      '[0,3000) ON_TIME #0 last 7',
      '[1000,4000) ON_TIME #0 last 14',
      '[2000,5000) ON_TIME #0 last 12',
      '[3000,6000) ON_TIME #0 last 8',
      'first two: [-1000,2000) ON_TIME #0 last 3 | [-2000,1000) ON_TIME #0 last 1',
    ],
  },
  {
    name: 'an element exactly on a window boundary starts a window and ends none; windows without elements produce nothing',
    build: (p) => sumPerWindow(p, TestStream.create<number>().addElements([1, 1000], [10, 6000]).advanceWatermarkToInfinity(), Window.into<number>(SlidingWindows(2000, 1000))),
    lines: paneLinesWithTimestamps,
    expected: ['[0,2000) ON_TIME #0 last 1 ts=1999', '[1000,3000) ON_TIME #0 last 1 ts=2999', '[5000,7000) ON_TIME #0 last 10 ts=6999', '[6000,8000) ON_TIME #0 last 10 ts=7999'],
  },
  {
    name: 'period equal to size: sliding windows are fixed windows (each element in one window)',
    build: (p) => sumPerWindow(p, TestStream.create<number>().addElements([1, 0], [2, 999], [4, 1000]).advanceWatermarkToInfinity(), Window.into<number>(SlidingWindows(1000, 1000))),
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last 3', '[1000,2000) ON_TIME #0 last 4'],
  },
];

export const SESSION_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'Sessions(1s): per key, split by gaps',
    build: (p) => countPerKey(p, TestStream.create<string>().addElements(['a', 0], ['a', 500], ['b', 100], ['a', 2000]).advanceWatermarkToInfinity(), Window.into<string>(Sessions(1000))),
    lines: paneLines,
    expected: ['[0,1500) ON_TIME #0 last {"key":"a","value":2}', '[100,1100) ON_TIME #0 last {"key":"b","value":1}', '[2000,3000) ON_TIME #0 last {"key":"a","value":1}'],
  },
  {
    name: 'a later element bridging two sessions merges them',
    build: (p) =>
      countPerKey(p, TestStream.create<string>().addElements(['a', 0], ['a', 1500]).advanceWatermarkTo(500).addElements(['a', 900]).advanceWatermarkToInfinity(), Window.into<string>(Sessions(1000))),
    lines: paneLines,
    expected: ['[0,2500) ON_TIME #0 last {"key":"a","value":3}'],
  },
  {
    name: 'edge: elements exactly one gap apart touch but do not overlap (two sessions); equal timestamps are one session',
    build: (p) => countPerKey(p, TestStream.create<string>().addElements(['a', 0], ['a', 1000], ['a', 1000]).advanceWatermarkToInfinity(), Window.into<string>(Sessions(1000))),
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[1000,2000) ON_TIME #0 last {"key":"a","value":2}'],
  },
  {
    name: 'sessions merge per key when a bridging element arrives, after earlier (early) panes fired; the merged session continues their pane numbering',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 0], ['b', 100])
          .advanceWatermarkTo(0)
          .addElements(['a', 1500])
          .advanceWatermarkTo(0)
          .addElements(['a', 800]) // [800,1800) overlaps [0,1000) and [1500,2500)
          .advanceWatermarkTo(0)
          .advanceWatermarkToInfinity(),
        Window.into<string>(Sessions(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingFiredPanes(),
      ),
    // the first four panes in emission order, then the rest sorted
    lines: (out: Counts) => [...out.lines().slice(0, 4), ...out.lines().slice(4).sort()],
    expected: [
      '[0,1000) EARLY #0 {"key":"a","value":1}',
      '[100,1100) EARLY #0 {"key":"b","value":1}',
      '[1500,2500) EARLY #0 {"key":"a","value":1}',
      '[0,2500) EARLY #1 {"key":"a","value":3}',
      '[0,2500) ON_TIME #2 last {"key":"a","value":3}',
      '[100,1100) ON_TIME #1 last {"key":"b","value":1}',
    ],
  },
  {
    name: 'late data within the allowed lateness merges two emitted sessions into a LATE pane',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 0], ['a', 1500], ['b', 5000])
          .advanceWatermarkTo(3000) // both sessions of a fire ON_TIME
          .addElements(['a', 800]) // late, bridges them
          .advanceWatermarkTo(4000)
          .advanceWatermarkToInfinity(),
        Window.into<string>(Sessions(1000)).triggering(AfterWatermark().withLateFirings(AfterCount(1))).withAllowedLateness(10_000).accumulatingFiredPanes(),
      ),
    // the two ON_TIME panes (sorted), then the rest in emission order, then the LATE pane's info
    lines: (out: Counts) => {
      const late = out.records.find((r) => r.pane.timing === 'LATE');
      return [...out.lines().slice(0, 2).sort(), ...out.lines().slice(2), `late pane: ${JSON.stringify(late?.pane)}`];
    },
    expected: [
      '[0,1000) ON_TIME #0 {"key":"a","value":1}',
      '[1500,2500) ON_TIME #0 {"key":"a","value":1}',
      '[0,2500) LATE #1 {"key":"a","value":3}',
      // b's session fires when the input ends: the watermark passes its garbage-collection time too, so it is last
      '[5000,6000) ON_TIME #0 last {"key":"b","value":1}',
      'late pane: {"index":1,"nonSpeculativeIndex":1,"timing":"LATE","isFirst":false,"isLast":false}',
    ],
  },
];
