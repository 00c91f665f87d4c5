import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../sdk/kv.js';
import type { LateRecord } from '../../sdk/graph.js';
import { Capture, type CapturedRecord } from '../../sdk/testing/capture.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { intervalWindow, isIntervalWindow, type IntervalWindow } from '../../sdk/window.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import type { MergeResult, WindowFn } from '../../sdk/windows/window-fn.js';
import type { AccumulationMode } from '../../sdk/windowing-strategy.js';
import { Combine } from '../../transforms/combine.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';
import { monotoneWatermarks, scriptedEvents } from '../support/scripted-events.js';

/**
 * Issue #16: merging windows are merged in place, and Sessions takes a shortcut when a key has one
 * open session (no mergeWindows call). The shortcut must give exactly what the general merge path
 * gives: Sessions and a custom WindowFn with the same merge written as a user would (its own window
 * objects, mergeWindows called for every element) must produce the same records (windows, panes,
 * timestamps, retractions, values) and the same late drops, with early, late and retracting panes,
 * on every runner configuration. In micro-batch the user's WindowFn is merged once per key and batch
 * when each window fires once at the watermark (WindowDriver, "merging once per batch").
 */

interface Ev {
  readonly key: string;
  readonly v: number;
  readonly ts: number;
}

/** Sessions as a user writes them: overlapping proto-windows merge; new objects for everything. */
function UserSessions(gap: number): WindowFn<unknown> {
  return {
    name: `UserSessions(${gap})`,
    isMerging: true,
    assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + gap)],
    mergeWindows(active) {
      const ws = active.filter(isIntervalWindow).sort((a, b) => a.start - b.start || a.end - b.end);
      const out: MergeResult[] = [];
      let group: IntervalWindow[] = [];
      let start = 0;
      let end = 0;
      for (const w of [...ws, undefined]) {
        if (w !== undefined && group.length > 0 && w.start < end) {
          group.push(w);
          end = Math.max(end, w.end);
          continue;
        }
        if (group.length > 1) out.push({ toMerge: group, result: intervalWindow(start, end) });
        if (w === undefined) break;
        group = [w];
        start = w.start;
        end = w.end;
      }
      return out;
    },
  };
}

interface Case {
  readonly events: Ev[];
  readonly watermarks: [number, number][];
  readonly gap: number;
  readonly mode: AccumulationMode;
  readonly early: boolean;
  readonly late: boolean;
  readonly lateness: number;
  readonly aggregate: 'sum' | 'group';
}

const arbCase: fc.Arbitrary<Case> = fc
  .record({
    events: fc.array(fc.record({ key: fc.constantFrom('a', 'b'), v: fc.integer({ min: 0, max: 9 }), ts: fc.oneof(fc.integer({ min: 0, max: 8000 }), fc.integer({ min: 0, max: 32 }).map((k) => k * 250)) }), {
      minLength: 2,
      maxLength: 40,
      size: 'medium',
    }),
    wmPositions: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 16_000 }), fc.integer({ min: 0, max: 64 }).map((k) => k * 250 - 1))), { maxLength: 6 }),
    gap: fc.constantFrom(500, 1500, 3000),
    mode: fc.constantFrom<AccumulationMode>('discarding', 'accumulating', 'retracting'),
    early: fc.boolean(),
    late: fc.boolean(),
    lateness: fc.constantFrom(0, 2000, 10_000),
    aggregate: fc.constantFrom<'sum' | 'group'>('sum', 'group'),
  })
  .map(({ wmPositions, events, ...rest }) => {
    const watermarks = monotoneWatermarks(wmPositions, events.length, 0); // watermarks never move back
    return { events, watermarks, ...rest };
  });

const recordLine = (r: CapturedRecord<KV<string, unknown>>) =>
  `${r.retraction ? '-' : ''}${r.window.id} ${r.pane.timing} #${r.pane.index}/${r.pane.nonSpeculativeIndex}${r.pane.isFirst ? ' first' : ''}${r.pane.isLast ? ' last' : ''} ts=${r.timestamp} ${JSON.stringify(r.value)}`;
const lateLine = (r: CapturedRecord<LateRecord>) => `${r.value.reason} ${r.value.window} ts=${r.value.timestamp} ${JSON.stringify(r.value.value)}`;

async function run(c: Case, windowFn: WindowFn<unknown>, options: (typeof RUNNER_CONFIGS)[number]['options']) {
  let trigger = AfterWatermark();
  if (c.early) trigger = trigger.withEarlyFirings(AfterCount(2));
  if (c.late) trigger = trigger.withLateFirings(AfterCount(1));
  let win = Window.into<KV<string, number>>(windowFn).triggering(trigger).withAllowedLateness(c.late ? c.lateness : 0);
  win = c.mode === 'discarding' ? win.discardingFiredPanes() : c.mode === 'accumulating' ? win.accumulatingFiredPanes() : win.accumulatingAndRetractingFiredPanes();
  const { out } = await runWith(options, (p) => {
    const windowed = p
      .apply('Events', scriptedEvents(c.events, c.watermarks))
      .apply('Keyed', MapElements((e: Ev) => kv(e.key, e.v)))
      .apply('Window', win);
    if (c.aggregate === 'sum') {
      const sums = windowed.apply('Sum', Combine.perKey(sumFn()));
      return { records: sums.apply('Out', Capture.records<KV<string, unknown>>()), late: sums.lateData().apply('Late', Capture.records<LateRecord>()) };
    }
    const groups = windowed.apply('Group', GroupByKey<string, number>());
    const sorted = groups.apply('Sorted', MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b))));
    return { records: sorted.apply('Out', Capture.records<KV<string, unknown>>()), late: groups.lateData().apply('Late', Capture.records<LateRecord>()) };
  });
  // Each key's records in the order they came (the model orders a key's panes, not panes of different
  // keys that fire at one watermark: merging once per micro-batch may fire those in another order).
  const records = out.records.records.map((r, i) => ({ r, i })).sort((x, y) => (x.r.value.key < y.r.value.key ? -1 : x.r.value.key > y.r.value.key ? 1 : x.i - y.i));
  return { records: records.map((x) => recordLine(x.r)), late: out.late.records.map(lateLine).sort() };
}

describe('property: Sessions (shortcut) and a user-written merging WindowFn (general path) merge alike', () => {
  it('the same records in the same order per key and the same late drops, with early, late and retracting panes, on every runner configuration', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) {
          const builtIn = await run(c, Sessions(c.gap), cfg.options);
          const user = await run(c, UserSessions(c.gap), cfg.options);
          expect({ runner: cfg.label, ...user }).toEqual({ runner: cfg.label, ...builtIn });
        }
      }),
      { numRuns: 60, seed: 1616 },
    );
  }, 240_000);
});
