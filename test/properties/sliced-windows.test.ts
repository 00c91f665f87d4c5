import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CombineFn } from '../../sdk/combine-fn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { LateRecord } from '../../sdk/graph.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type CapturedRecord } from '../../sdk/testing/capture.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { slicingOf } from '../../runners/core/driver/slicing.js';
import { Combine } from '../../transforms/combine.js';
import { countFn } from '../../transforms/combiners/count.js';
import { latestFn } from '../../transforms/combiners/latest.js';
import { meanFn } from '../../transforms/combiners/mean.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { topFn } from '../../transforms/combiners/top.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';
import { monotoneWatermarks, scriptedEvents } from '../support/scripted-events.js';

/**
 * Issue #16: a Combine right after Window.into(SlidingWindows) keeps an accumulator per key and
 * slice (SlicedWindowDriver) instead of one per key and window. Its outputs must be exactly those of
 * per-window state: the same records (key, value, window, pane, timestamp) and the same late drops,
 * on every runner configuration, with late data and random watermark schedules. The per-window
 * reference is the same Combine with an identity Map between Window.into and it (which rules slicing out).
 */

interface Ev {
  readonly key: string;
  readonly v: number;
  readonly ts: number;
}

type CombineName = 'count' | 'sum' | 'mean' | 'top2' | 'latest';
const combineFnOf = (c: CombineName): CombineFn<number, any, unknown> =>
  c === 'count' ? countFn<number>() : c === 'sum' ? sumFn() : c === 'mean' ? meanFn() : c === 'top2' ? topFn<number>(2, (a, b) => a - b) : latestFn<number>();

interface Case {
  readonly events: Ev[];
  /** Watermark steps, as [index in arrival order before which it happens, watermark]. */
  readonly watermarks: [number, number][];
  readonly size: number;
  readonly period: number;
  readonly offset: number;
  readonly combine: CombineName;
  readonly onTimeOnly: boolean;
  readonly accumulating: boolean;
}

/** Instants in [min, max], often on or next to window and slice boundaries (multiples of 500 ms, and one before). */
const arbInstant = (min: number, max: number) =>
  fc.oneof(
    fc.integer({ min, max }),
    fc.integer({ min: Math.ceil(min / 500), max: Math.floor(max / 500) }).chain((k) => fc.constantFrom(k * 500, k * 500 - 1, k * 500 + 1)),
  );

const arbCase: fc.Arbitrary<Case> = fc
  .record({
    events: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), v: fc.integer({ min: -50, max: 100 }), ts: arbInstant(-3000, 20_000) }), {
      minLength: 1,
      maxLength: 50,
      size: 'medium',
    }),
    wmPositions: fc.array(fc.tuple(fc.nat(), arbInstant(-2000, 25_000)), { maxLength: 8 }),
    shape: fc.constantFrom([4000, 1000], [6000, 2000], [6000, 3000], [3000, 1000], [10_000, 2000]),
    offset: fc.constantFrom(0, 500),
    combine: fc.constantFrom<CombineName>('count', 'sum', 'mean', 'top2', 'latest'),
    onTimeOnly: fc.boolean(),
    accumulating: fc.boolean(),
  })
  .map(({ wmPositions, events, shape, ...rest }) => {
    const watermarks = monotoneWatermarks(wmPositions, events.length, Number.NEGATIVE_INFINITY); // watermarks never move back
    return { events, watermarks, size: shape[0]!, period: shape[1]!, ...rest };
  });

const recordLine = (r: CapturedRecord<KV<string, unknown>>) =>
  `${r.retraction ? '-' : ''}${r.window.id} ${r.pane.timing} #${r.pane.index}/${r.pane.nonSpeculativeIndex} ${r.pane.isFirst ? 'first' : ''} ${r.pane.isLast ? 'last' : ''} ts=${r.timestamp} ${JSON.stringify(r.value)}`;
const lateLine = (r: CapturedRecord<LateRecord>) => `${r.value.reason} ${r.value.window} ts=${r.value.timestamp} ${JSON.stringify(r.value.value)} in ${r.window.id}`;

function build(c: Case, p: Pipeline) {
  const keyed = p.apply('Events', scriptedEvents(c.events, c.watermarks)).apply('Keyed', MapElements((e: Ev) => kv(e.key, e.v)));
  const windowing = () => {
    let w = Window.into<KV<string, number>>(SlidingWindows(c.size, c.period, c.offset));
    if (c.onTimeOnly) w = w.triggering(AfterWatermark());
    return c.accumulating ? w.accumulatingFiredPanes() : w;
  };
  const sliced = keyed.apply('WindowA', windowing()).apply('CombineA', Combine.perKey(combineFnOf(c.combine)));
  const perWindow = keyed
    .apply('WindowB', windowing())
    .apply('Same', MapElements((e: KV<string, number>) => e))
    .apply('CombineB', Combine.perKey(combineFnOf(c.combine)));
  return {
    sliced: sliced.apply('ProbeA', Capture.records<KV<string, unknown>>()),
    perWindow: perWindow.apply('ProbeB', Capture.records<KV<string, unknown>>()),
    lateSliced: sliced.lateData().apply('LateA', Capture.records<LateRecord>()),
    latePerWindow: perWindow.lateData().apply('LateB', Capture.records<LateRecord>()),
    graph: p.graph(),
  };
}

describe('property: sliced sliding windows give exactly the panes of per-window state', () => {
  it('with late data and random watermark schedules, on every runner configuration: the same records and the same late drops', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) {
          const { out } = await runWith(cfg.options, (p) => build(c, p));
          const node = (name: string) => out.graph.primitives.find((n) => n.fullName.startsWith(name) && n.payload?.kind === 'combine')!;

          expect(slicingOf(node('CombineA')), 'the first Combine is sliced').toBeDefined();
          expect(slicingOf(node('CombineB')), 'the reference is not').toBeUndefined();
          expect({ runner: cfg.label, records: out.sliced.records.map(recordLine).sort(), late: out.lateSliced.records.map(lateLine).sort() }).toEqual({
            runner: cfg.label,
            records: out.perWindow.records.map(recordLine).sort(),
            late: out.latePerWindow.records.map(lateLine).sort(),
          });
        }
      }),
      { numRuns: 100, seed: 16 },
    );
  }, 240_000);
});
