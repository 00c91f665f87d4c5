import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbTriggerSpec, arbWindowSpec, triggerOf, windowFnOf } from '../support/random-windowing.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { TIMESTAMP_MIN, TIMESTAMP_MAX } from '../../sdk/time.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { handRead, interrupted, uninterrupted, type EngineMode, type ScriptStep } from './engine-harness.js';

/**
 * Checkpoint and restore in the middle of random input: a random script (elements with timestamps at
 * the extremes too, watermark steps, processing time), random windows, triggers, accumulation modes
 * (retracting included) and allowed lateness, cut at up to three random points, each part on a new
 * engine restored from the previous part's snapshot: the outputs (sums, late data, groups; every
 * record with its window, pane and timestamps) equal those of the uninterrupted run, on both engines,
 * with Combine right after Window.into (the sliced driver for SlidingWindows) or after a Map.
 */
const arbTs = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -3000, max: 20000 }) }, { weight: 1, arbitrary: fc.constantFrom(TIMESTAMP_MIN, -8.64e15, 8.64e15, TIMESTAMP_MAX, -1, 0) });
const arbStep: fc.Arbitrary<ScriptStep> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.tuple(fc.constantFrom('a', 'b'), fc.integer({ min: 1, max: 9 }), arbTs), { minLength: 1, maxLength: 3 }).map((xs) => ({ add: xs.map(([k, v, t]) => [kv(k, v), t] as const) })) },
  { weight: 2, arbitrary: fc.integer({ min: -3000, max: 25000 }).map((w) => ({ watermark: w })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((t) => ({ time: t })) },
);
const arb = fc.record({
  script: fc.array(arbStep, { minLength: 1, maxLength: 14 }),
  window: arbWindowSpec,
  trigger: arbTriggerSpec({ all: false }),
  mode: fc.constantFrom('discarding', 'accumulating', 'retracting'),
  lateness: fc.constantFrom(0, 1000, 1e15),
  cuts: fc.uniqueArray(fc.integer({ min: 0, max: 14 }), { maxLength: 3 }),
  engine: fc.constantFrom<EngineMode>('native', 'microbatch'),
  viaMap: fc.boolean(),
});

describe('property: capture and restore at random points of random input', () => {
  it('random scripts, windows, triggers and cuts: the outputs equal the uninterrupted run', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        // time steps must be absolute and increasing
        let now = 0;
        const script = c.script.map((s) => ('time' in s ? { time: (now += s.time) } : s));
        const build = (p: any) => {
          let w = Window.into<KV<string, number>>(windowFnOf(c.window)).triggering(triggerOf(c.trigger)).withAllowedLateness(c.lateness);
          w = c.mode === 'discarding' ? w.discardingFiredPanes() : c.mode === 'accumulating' ? w.accumulatingFiredPanes() : w.accumulatingAndRetractingFiredPanes();
          let win = handRead<KV<string, number>>(p, 'Events').apply('Window', w);
          if (c.viaMap) win = win.apply('Id', MapElements((x: KV<string, number>) => x));
          const sum = win.apply('Sum', Sum.perKey<string>());
          return {
            sums: sum.apply('SumProbe', Capture.records()) as unknown as Probe<unknown>,
            late: sum.lateData().apply('LateProbe', Capture.records()) as unknown as Probe<unknown>,
            groups: win.apply('Group', GroupByKey<string, number>()).apply('Sorted', MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b)))).apply('GroupProbe', Capture.records()) as unknown as Probe<unknown>,
          };
        };
        const expected = await uninterrupted(build, script, c.engine);
        const cuts = c.cuts.map((x) => Math.min(x, script.length)).sort((a, b) => a - b);
        const { lines } = await interrupted(build, script, cuts, [c.engine]);
        expect(lines).toEqual(expected);
      }),
      { numRuns: 300, seed: 20261203 },
    );
  }, 240_000);
});
