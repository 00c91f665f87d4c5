import type { LateRecord } from '../../sdk/graph.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { formatWindow, intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { countPerKey, groups, type Counted } from './count-per-key.js';
import type { Scenario } from './scenario.js';

/**
 * Configurable triggering, event-time triggers and allowed lateness, shared by
 * test/semantics/trigger-scenarios.test.ts and the capability matrix's When rows (cases/when.ts).
 * Element groups a count trigger must see exactly end with a watermark step that keeps the
 * watermark, so a micro-batch ends there too and every runner fires the same panes.
 */

const STEP = 'Count.perKey';

/** Panes in emission order. */
const inOrder = ({ out }: Counted) => out.lines();
/** Panes sorted. */
const sorted = ({ out }: Counted) => out.lines({ sorted: true });
/** Panes sorted, then one line per late record (`late <value> <timestamp> <window> <reason>`), then the step's lateDropped. */
function withLate({ out, late }: Counted, result: PipelineResult): string[] {
  const lates = late.values().map((l: LateRecord) => `late ${JSON.stringify(l.value)} ${l.timestamp} ${l.window} ${l.reason}${l.step === STEP ? '' : ` at ${l.step}`}`);
  return [...out.lines({ sorted: true }), ...lates, `lateDropped: ${result.metrics[STEP]?.lateDropped}`];
}
const win = (start: number, end: number) => formatWindow(intervalWindow(start, end));

const in3s = (t: Trigger) => Window.into<string>(FixedWindows(3000)).triggering(t);
/** 'a' ×2 and 'b' ×2, then 'b': early panes per 2 elements of a key, discarding. */
const onTimeStream = () => TestStream.create<string>().addElements(['a', 100], ['a', 200], ['b', 300], ['b', 400]).advanceWatermarkTo(0).addElements(['b', 500]).advanceWatermarkToInfinity();
const earlyPer2Discarding = () => in3s(AfterWatermark().withEarlyFirings(AfterCount(2))).discardingFiredPanes();

export const CONFIGURABLE_TRIGGER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'Window.configure().triggering(...) replaces the default trigger of windowed data',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', 110], ['a', 120]).advanceWatermarkTo(0).addElements(['a', 130]).advanceWatermarkTo(0).advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(3000)),
        Window.configure<string>().triggering(AfterWatermark().withEarlyFirings(AfterCount(2))),
      ),
    lines: inOrder,
    expected: ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) ON_TIME #1 last {"key":"a","value":1}'],
  },
  {
    name: 'withOnTimeBehavior(FIRE_ALWAYS) emits the ON_TIME pane even when the early panes took everything',
    build: (p) => countPerKey(p, onTimeStream(), earlyPer2Discarding().withOnTimeBehavior('FIRE_ALWAYS')),
    lines: sorted,
    expected: ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #0 {"key":"b","value":2}', '[0,3000) ON_TIME #1 last {"key":"a","value":0}', '[0,3000) ON_TIME #1 last {"key":"b","value":1}'],
  },
  {
    name: 'FIRE_ALWAYS (the default) with GroupByKey: an empty ON_TIME pane is an empty list',
    build: (p): Probe<KV<string, string[]>> => p.apply(onTimeStream()).apply(earlyPer2Discarding()).apply(WithKeys((s: string) => s)).apply(GroupByKey<string, string>()).apply(Capture.records()),
    lines: (out: Probe<KV<string, string[]>>) => out.lines({ sorted: true }),
    expected: [
      '[0,3000) EARLY #0 {"key":"a","value":["a","a"]}',
      '[0,3000) EARLY #0 {"key":"b","value":["b","b"]}',
      '[0,3000) ON_TIME #1 last {"key":"a","value":[]}',
      '[0,3000) ON_TIME #1 last {"key":"b","value":["b"]}',
    ],
  },
  {
    name: 'withOnTimeBehavior(FIRE_IF_NON_EMPTY) emits the ON_TIME pane only when it has new data',
    build: (p) => countPerKey(p, onTimeStream(), earlyPer2Discarding().withOnTimeBehavior('FIRE_IF_NON_EMPTY')),
    lines: sorted,
    expected: ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #0 {"key":"b","value":2}', '[0,3000) ON_TIME #1 last {"key":"b","value":1}'],
  },
  {
    name: "a trigger that finishes (AfterCount(2) alone) closes the window: later data is dropped as 'window-closed'",
    build: (p) =>
      countPerKey(p, TestStream.create<string>().addElements(['a', 100], ['a', 200]).advanceWatermarkTo(0).addElements(['a', 300], ['b', 400]).advanceWatermarkToInfinity(), in3s(AfterCount(2))),
    // b never reached 2: emitted once as the window expires
    lines: withLate,
    expected: ['[0,3000) EARLY #0 last {"key":"a","value":2}', '[0,3000) ON_TIME #0 last {"key":"b","value":1}', `late {"key":"a","value":"a"} 300 ${win(0, 3000)} window-closed`, 'lateDropped: 1'],
  },
];

export const EVENT_TIME_TRIGGER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'AfterWatermark fires each window when the watermark passes its end, not at the end of input',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 100], ['a', 200])
          .advanceWatermarkTo(3000)
          .advanceProcessingTime(1000)
          .addElements(['a', 3100])
          .advanceWatermarkTo(6000)
          .advanceProcessingTime(1000)
          .addElements(['a', 6100])
          .advanceProcessingTime(1000)
          .advanceWatermarkToInfinity(),
        in3s(AfterWatermark()),
      ),
    lines: ({ out }: Counted) => out.lines({ withTime: true }),
    expected: ['[0,3000) ON_TIME #0 last {"key":"a","value":2} @pt=0', '[3000,6000) ON_TIME #0 last {"key":"a","value":1} @pt=1000', '[6000,9000) ON_TIME #0 last {"key":"a","value":1} @pt=3000'],
  },
  {
    name: 'late firings: a LATE pane per late element after the ON_TIME pane',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', 100], ['a', 200]).advanceWatermarkTo(3000).addElements(['a', 300]).advanceWatermarkTo(3000).addElements(['a', 400]).advanceWatermarkTo(3000).advanceWatermarkToInfinity(),
        in3s(AfterWatermark().withLateFirings(AfterCount(1))).withAllowedLateness(5000),
      ),
    lines: inOrder,
    expected: ['[0,3000) ON_TIME #0 {"key":"a","value":2}', '[0,3000) LATE #1 {"key":"a","value":1}', '[0,3000) LATE #2 {"key":"a","value":1}'],
  },
  {
    name: 'pane index, nonSpeculativeIndex, isFirst and isLast through early, on-time, late and final panes',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 100], ['a', 200])
          .advanceWatermarkTo(0)
          .addElements(['a', 300], ['a', 400])
          .advanceWatermarkTo(0)
          .addElements(['a', 500])
          .advanceWatermarkTo(3000)
          .addElements(['a', 600])
          .advanceWatermarkTo(3000)
          .addElements(['a', 700])
          .advanceWatermarkTo(3000)
          .addElements(['a', 800])
          .advanceWatermarkTo(4000) // expires: 4000 > 2999 + 1000
          .advanceWatermarkToInfinity(),
        in3s(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(2))).withAllowedLateness(1000),
      ),
    lines: ({ out }: Counted) => out.records.map((r) => `${r.pane.timing} ${r.value.value} ${JSON.stringify(r.pane)}`),
    expected: [
      'EARLY 2 {"index":0,"nonSpeculativeIndex":-1,"timing":"EARLY","isFirst":true,"isLast":false}',
      'EARLY 2 {"index":1,"nonSpeculativeIndex":-1,"timing":"EARLY","isFirst":false,"isLast":false}',
      'ON_TIME 1 {"index":2,"nonSpeculativeIndex":0,"timing":"ON_TIME","isFirst":false,"isLast":false}',
      'LATE 2 {"index":3,"nonSpeculativeIndex":1,"timing":"LATE","isFirst":false,"isLast":false}',
      'LATE 1 {"index":4,"nonSpeculativeIndex":2,"timing":"LATE","isFirst":false,"isLast":true}',
    ],
  },
  {
    name: 'edge: the ON_TIME pane is the last one when there is no allowed lateness (even if empty, with late firings set)',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', 100], ['a', 200]).advanceWatermarkTo(0).advanceWatermarkToInfinity(),
        in3s(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1))),
      ),
    lines: inOrder,
    expected: ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) ON_TIME #1 last {"key":"a","value":0}'],
  },
  {
    name: 'edge: an element at the last instant of a window (2999) is on time when the watermark reaches 2999, and the window fires only past it',
    build: (p) =>
      countPerKey(p, TestStream.create<string>().addElements(['a', 2999]).advanceWatermarkTo(2999).advanceProcessingTime(1000).addElements(['a', 2999]).advanceWatermarkTo(3000).advanceWatermarkToInfinity(), in3s(AfterWatermark())),
    lines: (c: Counted, result: PipelineResult) => [...c.out.lines({ withTime: true }), ...withLate(c, result).filter((l) => !l.startsWith('['))],
    expected: ['[0,3000) ON_TIME #0 last {"key":"a","value":2} @pt=1000', 'lateDropped: 0'],
  },
];

export const ALLOWED_LATENESS_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'within the lateness: LATE panes; beyond it: dropped, counted and on lateData()',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 100], ['b', 500], ['a', 1200])
          .advanceWatermarkTo(1000) // [0,1000) on time
          .addElements(['a', 900]) // late, within 2000 ms
          .advanceWatermarkTo(2500) // [1000,2000) on time
          .addElements(['a', 800]) // late, within (2500 <= 999 + 2000)
          .advanceWatermarkTo(3000) // [0,1000) expires
          .addElements(['a', 700], ['a', 1500]) // dropped; late within for [1000,2000)
          .advanceWatermarkTo(4000) // [1000,2000) expires
          .addElements(['b', 1999]) // dropped
          .advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(1000)).withAllowedLateness(2000),
      ),
    lines: (c: Counted, result: PipelineResult) => [
      ...withLate(c, result),
      `a in [0,1000): ${c.out.records.filter((r) => r.value.key === 'a' && r.window.id === intervalWindow(0, 1000).id).map((r) => `${r.pane.timing} ${r.pane.nonSpeculativeIndex}`).join(', ')}`,
      `elementsIn: ${result.metrics[STEP]?.elementsIn}`,
    ],
    expected: [
      '[0,1000) LATE #1 {"key":"a","value":1}',
      '[0,1000) LATE #2 {"key":"a","value":1}',
      '[0,1000) ON_TIME #0 {"key":"a","value":1}',
      '[0,1000) ON_TIME #0 {"key":"b","value":1}',
      '[1000,2000) LATE #1 {"key":"a","value":1}',
      '[1000,2000) ON_TIME #0 {"key":"a","value":1}',
      `late {"key":"a","value":"a"} 700 ${win(0, 1000)} past-allowed-lateness`,
      `late {"key":"b","value":"b"} 1999 ${win(1000, 2000)} past-allowed-lateness`,
      'lateDropped: 2',
      'a in [0,1000): ON_TIME 0, LATE 1, LATE 2',
      'elementsIn: 8',
    ],
  },
  {
    name: 'without allowed lateness, data behind the watermark is dropped',
    build: (p) => countPerKey(p, TestStream.create<string>().addElements(['a', 100], ['a', 1100]).advanceWatermarkTo(1000).addElements(['a', 200]).advanceWatermarkToInfinity(), Window.into<string>(FixedWindows(1000))),
    lines: withLate,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[1000,2000) ON_TIME #0 last {"key":"a","value":1}', `late {"key":"a","value":"a"} 200 ${win(0, 1000)} past-allowed-lateness`, 'lateDropped: 1'],
  },
  {
    name: 'edge: at the boundary (watermark = window end + lateness) late data is kept; one millisecond later it is dropped',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 100])
          .advanceWatermarkTo(2999) // [0,1000) with 2 s lateness: still open (2999 = 999 + 2000)
          .addElements(['a', 200])
          .advanceWatermarkTo(3000) // now expired
          .addElements(['a', 300])
          .advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(1000)).withAllowedLateness(2000),
      ),
    lines: withLate,
    // the LATE pane is not the last: the window expires later, with nothing left to emit
    expected: ['[0,1000) LATE #1 {"key":"a","value":1}', '[0,1000) ON_TIME #0 {"key":"a","value":1}', `late {"key":"a","value":"a"} 300 ${win(0, 1000)} past-allowed-lateness`, 'lateDropped: 1'],
  },
  {
    name: 'edge: lateness is per window: one late element is kept by the sliding window still open and dropped by the expired one',
    build: (p) =>
      countPerKey(
        p,
        TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(2000).addElements(['a', 500]).advanceWatermarkToInfinity(),
        // 500 is in [-1000,1000) (expired at 2000 > 999 + 1000) and [0,2000) (open until 2999)
        Window.into<string>(SlidingWindows(2000, 1000)).withAllowedLateness(1000),
      ),
    lines: withLate,
    expected: [
      '[-1000,1000) ON_TIME #0 last {"key":"a","value":1}',
      '[0,2000) LATE #1 {"key":"a","value":1}', // discarding (the default): the new element only
      '[0,2000) ON_TIME #0 {"key":"a","value":1}',
      `late {"key":"a","value":"a"} 500 ${win(-1000, 1000)} past-allowed-lateness`,
      'lateDropped: 1',
    ],
  },
];

/** Count triggers whose panes the model fixes for every execution model (groups end batches). */
export const COUNT_TRIGGER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'AfterCount(2) fires once and closes the window',
    build: (p) => countPerKey(p, groups(2, 1), in3s(AfterCount(2))),
    lines: withLate,
    expected: ['[0,3000) EARLY #0 last {"key":"a","value":2}', `late {"key":"a","value":"a"} 130 ${win(0, 3000)} window-closed`, 'lateDropped: 1'],
  },
  {
    name: 'Repeatedly(AfterCount(2)) fires every 2 elements; the rest when the window ends',
    build: (p) => countPerKey(p, groups(2, 2, 1), in3s(Repeatedly(AfterCount(2)))),
    lines: inOrder,
    expected: ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #1 {"key":"a","value":2}', '[0,3000) ON_TIME #2 last {"key":"a","value":1}'],
  },
  {
    name: 'edge: counts are per key and window: elements of other keys and windows never add up to a firing',
    build: (p) =>
      countPerKey(p, TestStream.create<string>().addElements(['a', 100], ['b', 200]).advanceWatermarkTo(0).addElements(['a', 3100]).advanceWatermarkTo(0).advanceWatermarkToInfinity(), in3s(Repeatedly(AfterCount(2)))),
    lines: sorted,
    expected: ['[0,3000) ON_TIME #0 last {"key":"a","value":1}', '[0,3000) ON_TIME #0 last {"key":"b","value":1}', '[3000,6000) ON_TIME #0 last {"key":"a","value":1}'],
  },
  {
    name: 'edge: Repeatedly(AfterCount(1)), one element per batch: a pane per element, and no empty pane when the window ends',
    build: (p) => countPerKey(p, groups(1, 1, 1), in3s(Repeatedly(AfterCount(1)))),
    lines: inOrder,
    expected: ['[0,3000) EARLY #0 {"key":"a","value":1}', '[0,3000) EARLY #1 {"key":"a","value":1}', '[0,3000) EARLY #2 {"key":"a","value":1}'],
  },
];
