import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CombineFn } from '../../sdk/combine-fn.js';
import type { KV } from '../../sdk/kv.js';
import { Capture, type CapturedRecord } from '../../sdk/testing/capture.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import type { IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import type { AccumulationMode } from '../../sdk/windowing-strategy.js';
import { Combine } from '../../transforms/combine.js';
import { countFn } from '../../transforms/combiners/count.js';
import { Max } from '../../transforms/combiners/min-max.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { MapElements } from '../../transforms/map.js';
import { RUNNER_CONFIGS, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';
import { monotoneWatermarks, scriptedEvents } from '../support/scripted-events.js';

interface Ev {
  readonly key: string;
  readonly v: number;
  readonly ts: number;
}

type WindowSpec = { kind: 'fixed'; size: number } | { kind: 'sliding'; size: number; period: number } | { kind: 'sessions'; gap: number };
type CombineName = 'sum' | 'count' | 'max';

interface Case {
  readonly events: Ev[];
  /** Watermark steps, as [index in arrival order before which it happens, watermark]. */
  readonly watermarks: [number, number][];
  readonly window: WindowSpec;
  readonly combine: CombineName;
  readonly mode: AccumulationMode;
  readonly lateFirings: boolean;
  readonly earlyFirings: boolean;
  readonly lateness: number;
}

const windowFnOf = (w: WindowSpec): WindowFn<unknown> =>
  w.kind === 'fixed' ? FixedWindows(w.size) : w.kind === 'sliding' ? SlidingWindows(w.size, w.period) : Sessions(w.gap);
const combineFnOf = (c: CombineName): CombineFn<number, any, number> => (c === 'sum' ? sumFn() : c === 'count' ? countFn<number>() : Max.fn());
/** How the outputs of discarding panes of one window add up to the window's whole result. */
const mergeOutputs = (c: CombineName, xs: number[]) => (c === 'max' ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0));

const arbWindow: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({ kind: fc.constant('fixed' as const), size: fc.constantFrom(1000, 3000, 5000) }),
  fc.record({ kind: fc.constant('sliding' as const), size: fc.constantFrom(4000, 6000), period: fc.constantFrom(1000, 2000) }),
  fc.record({ kind: fc.constant('sessions' as const), gap: fc.constantFrom(500, 1500, 3000) }),
);

const arbCase = (withLateData: boolean): fc.Arbitrary<Case> =>
  fc
    .record({
      events: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: 0, max: 100 }), ts: fc.integer({ min: 0, max: 20_000 }) }), {
        minLength: 1,
        maxLength: 40,
      }),
      wmPositions: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 25_000 })), { maxLength: withLateData ? 6 : 0 }),
      window: arbWindow,
      combine: fc.constantFrom<CombineName>('sum', 'count', 'max'),
      mode: fc.constantFrom<AccumulationMode>('discarding', 'accumulating', 'retracting'),
      lateFirings: fc.boolean(),
      earlyFirings: fc.boolean(),
      lateness: fc.constantFrom(0, 2000, 10_000),
    })
    .map(({ wmPositions, events, ...rest }) => {
      const watermarks = monotoneWatermarks(wmPositions, events.length, 0); // watermarks never move back
      // A trigger that finishes (no late firings) closes its window at the firing; with allowed
      // lateness, which late records made it into that pane depends on bundle/batch boundaries (as
      // in Beam), so only lateness 0 is batching-independent for it.
      const lateness = rest.lateFirings ? rest.lateness : 0;
      return { events, watermarks, ...rest, lateness };
    });

async function run(c: Case, options: (typeof RUNNER_CONFIGS)[number]['options']) {
  let trigger = AfterWatermark();
  if (c.earlyFirings) trigger = trigger.withEarlyFirings(AfterCount(2));
  if (c.lateFirings) trigger = trigger.withLateFirings(AfterCount(1));
  let win = Window.into<Ev>(windowFnOf(c.window)).triggering(trigger).withAllowedLateness(c.lateness);
  win = c.mode === 'discarding' ? win.discardingFiredPanes() : c.mode === 'accumulating' ? win.accumulatingFiredPanes() : win.accumulatingAndRetractingFiredPanes();
  const { out, result } = await runWith(options, (p) =>
    p
      .apply(scriptedEvents(c.events, c.watermarks, (s, i) => (i % 7 === 6 ? s.advanceProcessingTime(700) : s)))
      .apply(win)
      .apply(WithKeys((e: Ev) => e.key))
      .apply(MapElements((e: KV<string, Ev>) => ({ key: e.key, value: e.value.v })))
      .apply(Combine.perKey(combineFnOf(c.combine)))
      .apply(Capture.records<KV<string, number>>()),
  );
  return { records: out.records, late: Object.values(result.metrics).reduce((a, m) => a + m.lateDropped, 0) };
}

const wid = (w: IntervalWindow | { id: string }) => w.id;

/**
 * Per key and window, the window's whole result as the panes describe it. For sessions, a pane of a
 * session that later merged counts toward the final (maximal) session containing it: which
 * intermediate sessions fired before a merge depends on arrival batching, the final sessions do not.
 */
function finalResults(c: Case, records: readonly CapturedRecord<KV<string, number>>[]): Record<string, number> {
  const finalWindow = c.window.kind === 'sessions' ? maximalSessions(records) : (key: string, w: IntervalWindow) => w.id;
  const panes: Record<string, number[]> = {};
  for (const r of records) {
    if (r.retraction) continue;
    (panes[`${r.value.key}|${finalWindow(r.value.key, r.window as IntervalWindow)}`] ??= []).push(r.value.value);
  }
  const out: Record<string, number> = {};
  for (const [k, vs] of Object.entries(panes)) out[k] = c.mode === 'discarding' ? mergeOutputs(c.combine, vs) : vs[vs.length - 1]!;
  return out;
}

/** Maps a session window to the largest emitted session window of the same key that contains it. */
function maximalSessions(records: readonly CapturedRecord<KV<string, number>>[]) {
  const byKey: Record<string, IntervalWindow[]> = {};
  for (const r of records) (byKey[r.value.key] ??= []).push(r.window as IntervalWindow);
  return (key: string, w: IntervalWindow): string => {
    let best = w;
    for (const x of byKey[key]!) if (x.start <= best.start && x.end >= best.end) best = x;
    return best.id;
  };
}

/** The same computation done plainly, as a batch job over everything. */
function batchReference(c: Case): Record<string, number> {
  const groups: Record<string, number[]> = {};
  const byKey: Record<string, Ev[]> = {};
  for (const e of c.events) (byKey[e.key] ??= []).push(e);
  for (const [key, evs] of Object.entries(byKey)) {
    if (c.window.kind === 'sessions') {
      const gap = c.window.gap;
      const sorted = [...evs].sort((a, b) => a.ts - b.ts);
      let start = sorted[0]!.ts;
      let end = start + gap;
      let vals: number[] = [];
      const flush = () => ((groups[`${key}|${start}:${end}`] ??= []).push(...vals), (vals = []));
      for (const e of sorted) {
        if (e.ts >= end) {
          flush();
          start = e.ts;
        }
        end = Math.max(end, e.ts + gap);
        vals.push(e.v);
      }
      flush();
    } else {
      const fn = windowFnOf(c.window);
      for (const e of evs) for (const w of fn.assignWindows({ element: e, timestamp: e.ts, window: { kind: 'global', id: 'global', maxTimestamp: 0 } })) (groups[`${key}|${w.id}`] ??= []).push(e.v);
    }
  }
  const out: Record<string, number> = {};
  for (const [k, vs] of Object.entries(groups)) {
    const fn = combineFnOf(c.combine);
    out[k] = fn.extractOutput(vs.reduce((a, v) => fn.addInput(a, v, 0), fn.createAccumulator()));
  }
  return out;
}

describe('property: runners agree on event-time results', () => {
  it('with late data and random watermark schedules, every runner configuration gives the same final results and drops the same records', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase(true), async (c) => {
        const runs = [];
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) runs.push({ label: cfg.label, ...(await run(c, cfg.options)) });
        const base = runs[0]!;
        const baseFinal = finalResults(c, base.records);
        for (const r of runs.slice(1)) {
          expect({ runner: r.label, final: finalResults(c, r.records), late: r.late }).toEqual({ runner: r.label, final: baseFinal, late: base.late });
        }
        if (!c.lateFirings && !c.earlyFirings) {
          // watermark-only triggers: the very same panes everywhere
          const lines = (recs: typeof base.records) =>
            recs.map((x) => `${x.retraction ? '-' : ''}${x.value.key} ${wid(x.window)} ${x.pane.timing} #${x.pane.index} ${x.value.value}`).sort();
          for (const r of runs.slice(1)) expect({ runner: r.label, panes: lines(r.records) }).toEqual({ runner: r.label, panes: lines(base.records) });
        }
      }),
      { numRuns: 200, seed: 20261122 },
    );
  }, 240_000);

  it('when nothing is late, every runner equals a plain batch computation', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase(false), async (c) => {
        const expected = batchReference(c);
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) {
          const r = await run(c, cfg.options);
          expect({ runner: cfg.label, final: finalResults(c, r.records), late: r.late }).toEqual({ runner: cfg.label, final: expected, late: 0 });
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  }, 240_000);
});
