import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey, kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM } from '../support/runners.js';
import { runWith } from '../support/runners.js';
import { monotoneWatermarks, scriptedEvents } from '../support/scripted-events.js';

/**
 * Extreme event times and awkward keys, with random watermark moves: every runner configuration gives
 * exactly what a plain model of the default trigger says, pane by pane, and drops exactly the elements
 * it says are late. The model: an element is late when the watermark at its arrival, in whole ms, is
 * past its window's end (a window ending past TIMESTAMP_MAX ends at the end of the input); every other
 * element is in the one ON_TIME pane of its key and window, stamped with the window's end (at most
 * TIMESTAMP_MAX). Before, elements near TIMESTAMP_MAX, fractional times and windows past TIMESTAMP_MAX
 * broke it (see near-max-timestamps and fractional-timestamps in test/semantics), and so did fractional
 * window sizes there (FixedWindows(0.5) failed the run: start + 0.5 rounded to start).
 */
const TIMES: readonly number[] = [
  TIMESTAMP_MIN,
  TIMESTAMP_MIN + 1,
  -8.64e15,
  -1000.5,
  -1,
  -0,
  0,
  0.25,
  999,
  999.5,
  999.75,
  1000,
  2999.999,
  8.64e15,
  END_OF_GLOBAL_WINDOW - 1,
  END_OF_GLOBAL_WINDOW,
  END_OF_GLOBAL_WINDOW + 1,
  TIMESTAMP_MAX - 3001,
  TIMESTAMP_MAX - 1000,
  TIMESTAMP_MAX - 1,
  TIMESTAMP_MAX,
];
const KEYS: readonly unknown[] = ['a', '', '__proto__', 'constructor', '\u0000', '\ud800', '\udc00', '1', 1, 0, -0, Number.NaN, null, 'null', true, [1], { a: 1 }];

interface Ev {
  readonly k: number;
  readonly v: number;
  readonly ts: number;
}
type WindowSpec = { kind: 'fixed'; size: number } | { kind: 'sliding'; size: number; period: number };
interface Case {
  readonly events: Ev[];
  readonly watermarks: [number, number][];
  readonly window: WindowSpec;
}

const windowFnOf = (w: WindowSpec): WindowFn<unknown> => (w.kind === 'fixed' ? FixedWindows(w.size) : SlidingWindows(w.size, w.period));

const arbTime = fc.oneof(fc.constantFrom(...TIMES), fc.tuple(fc.constantFrom(...TIMES), fc.integer({ min: -2000, max: 2000 })).map(([t, d]) => Math.min(TIMESTAMP_MAX, Math.max(TIMESTAMP_MIN, t + d))));
const arbCase: fc.Arbitrary<Case> = fc
  .record({
    events: fc.array(fc.record({ k: fc.nat(KEYS.length - 1), v: fc.integer({ min: 1, max: 9 }), ts: arbTime }), { minLength: 1, maxLength: 25 }),
    wmPositions: fc.array(fc.tuple(fc.nat(), arbTime), { maxLength: 4 }),
    window: fc.oneof(
      fc.record({ kind: fc.constant('fixed' as const), size: fc.constantFrom(1000, 3000, 1.5, 0.5) }),
      fc.record({ kind: fc.constant('sliding' as const), size: fc.constant(3000), period: fc.constant(1000) }),
      // fractional sizes: instants near TIMESTAMP_MAX/MIN are whole ms, so window bounds round (before: the run failed)
      fc.record({ kind: fc.constant('sliding' as const), size: fc.constant(1.5), period: fc.constant(0.5) }),
    ),
  })
  .map(({ events, wmPositions, window }) => ({ events, window, watermarks: monotoneWatermarks(wmPositions, events.length, TIMESTAMP_MIN) }));

const show = (k: unknown) => JSON.stringify(encodeKey(k), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

/** The model's panes and late elements, as sorted lines. */
function model(c: Case): { panes: string[]; late: string[] } {
  const fn = windowFnOf(c.window);
  const sums = new Map<string, number>();
  const late: string[] = [];
  let wi = 0;
  let wm = TIMESTAMP_MIN;
  c.events.forEach((e, i) => {
    while (wi < c.watermarks.length && c.watermarks[wi]![0] === i) wm = c.watermarks[wi++]![1];
    for (const w of fn.assignWindows({ element: e, timestamp: e.ts, window: GLOBAL_WINDOW })) {
      const end = Math.min(w.maxTimestamp, TIMESTAMP_MAX - 1);
      if (Math.floor(wm) > end) late.push(`${show(KEYS[e.k])} ${w.id} ${e.v}`);
      else {
        const at = `${show(KEYS[e.k])} ${w.id} ON_TIME @${Math.min(w.maxTimestamp, TIMESTAMP_MAX)}`;
        sums.set(at, (sums.get(at) ?? 0) + e.v);
      }
    }
  });
  return { panes: [...sums].map(([at, s]) => `${at} =${s}`).sort(), late: late.sort() };
}

async function run(c: Case, options: (typeof RUNNER_CONFIGS_WITH_PARALLELISM)[number]['options']) {
  const { out } = await runWith(options, (p) => {
    const sums = p
      .apply(scriptedEvents(c.events, c.watermarks))
      .apply(Window.into<Ev>(windowFnOf(c.window)))
      .apply(MapElements((e: Ev) => kv(KEYS[e.k], e.v)))
      .apply(Sum.perKey<unknown>());
    return { sums: sums.apply('Sums', Capture.records()), late: sums.lateData<KV<unknown, number>>().apply('Late', Capture.records()) };
  });
  return {
    panes: out.sums.records.map((r) => `${show(r.value.key)} ${r.window.id} ${r.pane.timing} @${r.timestamp} =${r.value.value}`).sort(),
    late: out.late.records.map((r) => `${show(r.value.value.key)} ${r.window.id} ${r.value.value.value}`).sort(),
  };
}

describe('property: extreme event times and awkward keys', () => {
  it('every runner configuration gives the panes and late drops of the plain model', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const expected = model(c);
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) {
          expect({ runner: cfg.label, ...(await run(c, cfg.options)) }).toEqual({ runner: cfg.label, ...expected });
        }
      }),
      { numRuns: 150, seed: 20261204 },
    );
  }, 240_000);
});
