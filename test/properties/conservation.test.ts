import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbTriggerSpec, arbWindowSpec, triggerOf, windowFnOf } from '../support/random-windowing.js';
import type { KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterEach } from '../../sdk/triggers/after-each.js';
import { AfterFirst } from '../../sdk/triggers/after-first.js';
import { AfterAll } from '../../sdk/triggers/after-all.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { Never } from '../../sdk/triggers/never.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { TIMESTAMP_MIN, TIMESTAMP_MAX } from '../../sdk/time.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Nothing lost, nothing counted twice: with random triggers (watermark with early/late firings,
 * AfterCount, Repeatedly, AfterEach, orFinally, Never, processing-time delays, AfterFirst, AfterAll),
 * random windows (fixed, sliding with size not a multiple of the period, sessions, global), allowed
 * lateness 0 to huge, random watermark and processing-time schedules and timestamps at the extremes
 * (TIMESTAMP_MIN, ±8.64e15, TIMESTAMP_MAX) or invalid (NaN, ±Infinity, 1e20), every runner configuration
 * accounts for each element in each of its windows exactly once, in a discarding pane or in the late
 * output (whose size is the lateDropped metric), and for each element with an invalid timestamp once
 * in the Read step's dead letters. (Sessions: each element once, in the session it ends up in.)
 */

const INVALID = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e20];
const arbTs = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: -3000, max: 20000 }) },
  { weight: 2, arbitrary: fc.constantFrom(TIMESTAMP_MIN, -8.64e15, 8.64e15, TIMESTAMP_MAX, TIMESTAMP_MAX - 86_400_000, -1, 0) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID) },
);
const isValid = (t: number) => t >= TIMESTAMP_MIN && t <= TIMESTAMP_MAX;
const arb = fc.record({
  events: fc.array(fc.record({ key: fc.constantFrom('a', 'b'), ts: arbTs }), { minLength: 1, maxLength: 30 }),
  wms: fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: -3000, max: 25000 }), fc.constantFrom(8.64e15, TIMESTAMP_MAX - 86_400_000 - 1))), { maxLength: 5 }),
  pts: fc.array(fc.nat(), { maxLength: 5 }),
  window: arbWindowSpec,
  trigger: arbTriggerSpec(),
  lateness: fc.constantFrom(0, 1000, 1e15),
});

describe('property: nothing lost, nothing counted twice', () => {
  it('every element-window is counted once in a discarding pane or in the late output, every invalid timestamp once in the dead letters, on every runner configuration', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const wms = c.wms.map(([pos, wm]) => [pos % (c.events.length + 1), wm] as const).sort((a, b) => a[0] - b[0]);
        let s = TestStream.create<{ key: string; ts: number }>();
        let w = 0; let hi = TIMESTAMP_MIN;
        c.events.forEach((e, i) => {
          while (w < wms.length && wms[w]![0] === i) { hi = Math.max(hi, wms[w++]![1]); s = s.advanceWatermarkTo(hi); }
          if (c.pts.includes(i)) s = s.advanceProcessingTime(600);
          s = s.addElements([e, e.ts]);
        });
        s = s.advanceWatermarkToInfinity();
        const fn = windowFnOf(c.window);
        let expected = 0;
        for (const e of c.events) {
          if (isValid(e.ts)) expected += c.window.k === 'sessions' ? 1 : fn.assignWindows({ element: e, timestamp: e.ts, window: { kind: 'global', id: 'global', maxTimestamp: 0 } }).length;
        }
        const invalid = c.events.filter((e) => !isValid(e.ts)).length;
        for (const cfg of RUNNER_CONFIGS_WITH_PARALLELISM) {
          const { out, result } = await runWith(cfg.options, (p) => {
            const input = p.apply('Script', s);
            const counts = input
              .apply(Window.into<{ key: string; ts: number }>(windowFnOf(c.window)).triggering(triggerOf(c.trigger)).withAllowedLateness(c.lateness).discardingFiredPanes())
              .apply(WithKeys((e: { key: string }) => e.key))
              .apply('Count', Count.perKey<string>());
            return { counts: counts.apply('C', Capture.records<KV<string, number>>()), late: counts.lateData().apply('L', Capture.records()), dead: input.deadLetters().apply('D', Capture.records()) };
          });
          const emitted = out.counts.records.filter((r) => !r.retraction).reduce((a, r) => a + r.value.value, 0);
          const late = out.late.values().length;
          const dead = out.dead.values().length;
          expect({ cfg: cfg.label, total: emitted + late, lateMetric: result.metrics['Count']!.lateDropped, dead }).toEqual({ cfg: cfg.label, total: expected, lateMetric: late, dead: invalid });
        }
      }),
      { numRuns: 250, seed: 20261203 },
    );
  }, 240_000);
});
