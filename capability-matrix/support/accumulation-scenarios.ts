import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import type { AccumulationMode } from '../../sdk/windowing-strategy.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Count } from '../../transforms/combiners/count.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Scenario } from './scenario.js';

/**
 * Discarding and accumulating panes, shared by test/semantics/accumulation-scenarios.test.ts and the
 * capability matrix's Discarding and Accumulating rows (cases/how.ts): the same pipelines in either
 * mode, each with the panes that mode must produce. Every input step ends with a watermark step that
 * keeps the watermark, so a micro-batch ends there too and every runner fires the same panes.
 */

type Mode = Exclude<AccumulationMode, 'retracting'>;
type Counts = Probe<KV<string, number>>;

function windowing<T>(mode: Mode, trigger: Trigger, allowedLateness = 0, windowFn = FixedWindows(10_000)): WindowTransform<T> {
  const w = Window.into<T>(windowFn).triggering(trigger).withAllowedLateness(allowedLateness);
  return mode === 'discarding' ? w.discardingFiredPanes() : w.accumulatingFiredPanes();
}

function countPerKey(p: Pipeline, stream: TestStream<string>, w: WindowTransform<string>): Counts {
  return p.apply(stream).apply(w).apply(WithKeys((s: string) => s)).apply(Count.perKey<string>()).apply(Capture.records());
}

const earlyEvery2 = () => AfterWatermark().withEarlyFirings(AfterCount(2));
const latePerElement = () => AfterWatermark().withLateFirings(AfterCount(1));
const linesOf = (probe: Probe<unknown>, key: string) => probe.lines().filter((l) => l.includes(`"key":"${key}"`));
/** Panes in emission order per key, and whether any output was a retraction (never, in these modes). */
const perKey = (keys: string[]) => (out: Counts) => [...keys.flatMap((k) => linesOf(out, k)), `retractions: ${out.records.filter((r) => r.retraction).length}`];

/** The scenarios for one mode; `expected` gives each scenario's lines for discarding and accumulating. */
function scenarios(mode: Mode): Scenario<any>[] {
  const pick = (e: Record<Mode, string[]>) => e[mode];
  return [
    {
      name: 'early panes every 2 elements of a key, then the on-time pane',
      // totals: a = 4, b = 3
      build: (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 1000], ['a', 2000]) // a: early pane
            .advanceWatermarkTo(0)
            .addElements(['b', 1500], ['b', 2500], ['a', 3000]) // b: early pane; a: 1 pending
            .advanceWatermarkTo(0)
            .addElements(['a', 4000], ['b', 5000]) // a: early pane; b: 1 pending
            .advanceWatermarkTo(0)
            .advanceWatermarkToInfinity(),
          windowing(mode, earlyEvery2()),
        ),
      lines: perKey(['a', 'b']),
      expected: pick({
        // a's on-time pane is empty (the early panes took everything) and still fires: it is the last
        discarding: [
          '[0,10000) EARLY #0 {"key":"a","value":2}',
          '[0,10000) EARLY #1 {"key":"a","value":2}',
          '[0,10000) ON_TIME #2 last {"key":"a","value":0}',
          '[0,10000) EARLY #0 {"key":"b","value":2}',
          '[0,10000) ON_TIME #1 last {"key":"b","value":1}',
          'retractions: 0',
        ],
        accumulating: [
          '[0,10000) EARLY #0 {"key":"a","value":2}',
          '[0,10000) EARLY #1 {"key":"a","value":4}',
          '[0,10000) ON_TIME #2 last {"key":"a","value":4}',
          '[0,10000) EARLY #0 {"key":"b","value":2}',
          '[0,10000) ON_TIME #1 last {"key":"b","value":3}',
          'retractions: 0',
        ],
      }),
    },
    {
      name: 'an on-time pane, then a LATE pane per late element',
      build: (p) =>
        countPerKey(
          p,
          TestStream.create<string>().addElements(['a', 100], ['a', 200]).advanceWatermarkTo(10_000).addElements(['a', 300]).advanceWatermarkTo(10_000).addElements(['a', 400]).advanceWatermarkToInfinity(),
          windowing(mode, latePerElement(), 5000),
        ),
      lines: perKey(['a']),
      expected: pick({
        discarding: ['[0,10000) ON_TIME #0 {"key":"a","value":2}', '[0,10000) LATE #1 {"key":"a","value":1}', '[0,10000) LATE #2 {"key":"a","value":1}', 'retractions: 0'],
        accumulating: ['[0,10000) ON_TIME #0 {"key":"a","value":2}', '[0,10000) LATE #1 {"key":"a","value":3}', '[0,10000) LATE #2 {"key":"a","value":4}', 'retractions: 0'],
      }),
    },
    {
      name: 'edge: late data at the allowed-lateness boundary makes a LATE pane; one past it is dropped',
      // window [0,10000) with 5 s allowed lateness expires when the watermark passes 9999 + 5000
      build: (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100], ['a', 200])
            .advanceWatermarkTo(14_999)
            .addElements(['a', 300]) // the last instant late data is accepted
            .advanceWatermarkTo(15_000)
            .addElements(['a', 400]) // the window has expired: dropped
            .advanceWatermarkToInfinity(),
          windowing(mode, latePerElement(), 5000),
        ),
      lines: perKey(['a']),
      expected: pick({
        discarding: ['[0,10000) ON_TIME #0 {"key":"a","value":2}', '[0,10000) LATE #1 {"key":"a","value":1}', 'retractions: 0'],
        accumulating: ['[0,10000) ON_TIME #0 {"key":"a","value":2}', '[0,10000) LATE #1 {"key":"a","value":3}', 'retractions: 0'],
      }),
    },
    {
      name: 'GroupByKey with duplicate values: what each pane holds (duplicates kept)',
      build: (p): Probe<KV<string, string[]>> =>
        p
          .apply(TestStream.create<KV<string, string>>().addElements([kv('k', 'x'), 100], [kv('k', 'x'), 200]).advanceWatermarkTo(0).addElements([kv('k', 'y'), 300], [kv('k', 'x'), 400]).advanceWatermarkTo(0).addElements([kv('k', 'y'), 500]).advanceWatermarkTo(0).advanceWatermarkToInfinity())
          .apply(windowing<KV<string, string>>(mode, earlyEvery2()))
          .apply(GroupByKey<string, string>())
          .apply(MapElements((g: KV<string, string[]>) => kv(g.key, [...g.value].sort())))
          .apply(Capture.records()),
      lines: (out: Probe<KV<string, string[]>>) => out.lines(),
      expected: pick({
        discarding: ['[0,10000) EARLY #0 {"key":"k","value":["x","x"]}', '[0,10000) EARLY #1 {"key":"k","value":["x","y"]}', '[0,10000) ON_TIME #2 last {"key":"k","value":["y"]}'],
        accumulating: ['[0,10000) EARLY #0 {"key":"k","value":["x","x"]}', '[0,10000) EARLY #1 {"key":"k","value":["x","x","x","y"]}', '[0,10000) ON_TIME #2 last {"key":"k","value":["x","x","x","y","y"]}'],
      }),
    },
    {
      name: 'a late element merging two emitted sessions: the merged LATE pane',
      build: (p) =>
        countPerKey(
          p,
          TestStream.create<string>().addElements(['a', 0], ['a', 1500]).advanceWatermarkTo(3000).addElements(['a', 800]).advanceWatermarkToInfinity(),
          windowing(mode, latePerElement(), 10_000, Sessions(1000)),
        ),
      lines: (out: Counts) => [...out.lines().slice(0, 2).sort(), ...out.lines().slice(2), `retractions: ${out.records.filter((r) => r.retraction).length}`],
      expected: pick({
        // discarding: what the two sessions fired is not fired again; the merged pane holds the new element only
        discarding: ['[0,1000) ON_TIME #0 {"key":"a","value":1}', '[1500,2500) ON_TIME #0 {"key":"a","value":1}', '[0,2500) LATE #1 {"key":"a","value":1}', 'retractions: 0'],
        accumulating: ['[0,1000) ON_TIME #0 {"key":"a","value":1}', '[1500,2500) ON_TIME #0 {"key":"a","value":1}', '[0,2500) LATE #1 {"key":"a","value":3}', 'retractions: 0'],
      }),
    },
  ];
}

export const DISCARDING_SCENARIOS: readonly Scenario<any>[] = scenarios('discarding');
export const ACCUMULATING_SCENARIOS: readonly Scenario<any>[] = scenarios('accumulating');
