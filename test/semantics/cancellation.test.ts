import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import type { Source } from '../../sdk/io/source.js';
import { kv, type KV } from '../../sdk/kv.js';
import { TimerSpec } from '../../sdk/state.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Read } from '../../transforms/read.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * An abort (options.signal) stops a run promptly in every loop of both runners, also when nothing in
 * the run waits for I/O, so the abort can only arrive between turns of the event loop. The run then
 * resolves with state CANCELLED (the PipelineRun contract).
 */

/** An unbounded in-memory source that always has more: every poll returns at once, full. */
const endless: Source<number> = {
  name: 'Endless',
  bounded: false,
  async open() {
    let n = 0;
    return {
      async poll(max) {
        const elements = Array.from({ length: Math.min(max, 100) }, () => ({ value: n, timestamp: n++ }));
        return { elements, watermark: n, done: false };
      },
      async close() {},
    };
  },
};

const YEAR = 365 * 24 * 3600 * 1000;

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('cancellation on $label', ({ options }) => {
  it('an abort from a timer stops a run whose source never ends and never waits', async () => {
    const controller = new AbortController();
    let seen = 0;
    const { result } = await runWith({ ...options, signal: controller.signal }, (p) => {
      p.apply('Endless', Read(endless)).apply(
        'Look',
        MapElements((n: number) => {
          seen++;
          return n;
        }),
      );
      setTimeout(() => controller.abort(), 20);
    });
    expect(result.state).toBe('CANCELLED');
    expect(seen).toBeGreaterThan(0);
  });

  it('an abort from a timer stops a year of processing time with a timer due every second', async () => {
    const start = Date.UTC(2018, 0, 1);
    const controller = new AbortController();
    let fired = 0;
    const tick = statefulDoFn({
      timers: { tick: TimerSpec.processingTime() },
      process(_e: KV<string, number>, ctx) {
        ctx.timers.tick.offset(1000);
      },
      onTimer: {
        tick(ctx) {
          fired++;
          ctx.timers.tick.offset(1000);
        },
      },
    });
    const { result } = await runWith({ ...options, signal: controller.signal }, (p) => {
      p.apply(TestStream.create<KV<string, number>>({ startTime: start }).addElements([kv('k', 0), start]).advanceProcessingTime(YEAR)).apply('Tick', ParDo(tick));
      setTimeout(() => controller.abort(), 20);
    });
    if (options.runner === 'microbatch' && options.batchInterval !== 'asap') {
      // a timed micro-batch fires the timer at every boundary of the year (31.5 million): stopped early
      expect(result.state).toBe('CANCELLED');
      expect(fired).toBeGreaterThan(0);
      expect(fired).toBeLessThan(YEAR / 1000);
    } else {
      // the clock jumps a year in one step: the timer fires once, then is due a second after the end
      expect(result.state).toBe('DONE');
      expect(fired).toBe(1);
    }
  });
});
