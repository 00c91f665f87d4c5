import { statefulDoFn } from '../../sdk/dofn.js';
import type { Source, SourceBatch } from '../../sdk/io/source.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { TimerSpec } from '../../sdk/state.js';
import { CommittedCapture, type CommittedStore } from '../../sdk/testing/committed-capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Generate } from '../../transforms/io/generate.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';

/**
 * Pipelines that are stopped or drained before their input ends, shared by
 * test/checkpoint/stop-drain.test.ts and the capability matrix's Drain row (cases/drain.ts), so both
 * exercise the same scenarios.
 */

/** Element i at event time i ms, keys k0..k4. */
export const keyOf = (i: number): string => `k${i % 5}`;

/** A timer per key, an hour of event time after the key's latest element: only the end of time (a drain) fires it. */
const hourTimer = statefulDoFn({
  timers: { later: TimerSpec.eventTime() },
  process(e: KV<string, number>, ctx) {
    ctx.timers.later.set(ctx.timestamp + 3_600_000);
  },
  onTimer: {
    later(ctx) {
      ctx.output(`${String(ctx.key)} timer`);
    },
  },
});

/**
 * Generate (`count` elements, element i at event time i ms; Infinity: never ends) → counts per key
 * (k0..k4) in 1 s windows into `counts`, and the hour timers into `timers` (`"k0 timer"`, ...).
 * `onElement(i)` sees every element first (to ask for a stop).
 * @example countsAndTimers(p, Infinity, counts, timers, (i) => i === 5000 && void run.stop({ drain: true }))
 */
export function countsAndTimers(p: Pipeline, count: number, counts: CommittedStore<unknown>, timers: CommittedStore<unknown>, onElement: (i: number) => void = () => {}): void {
  const seen = p
    .apply('Gen', Generate.of({ count, element: (i) => i, timestamp: (i) => i }))
    .apply('Watch', MapElements((i: number) => (onElement(i), i)));
  seen
    .apply('Window', Window.into<number>(FixedWindows(1000)))
    .apply('Keyed', WithKeys(keyOf))
    .apply('Count', Count.perKey<string>())
    .apply('Out', CommittedCapture.records(counts as CommittedStore<never>));
  seen
    .apply('ByKey', MapElements((i: number) => kv(keyOf(i), i)))
    .apply('Timer', ParDo(hourTimer))
    .apply('TimerOut', CommittedCapture.records(timers as CommittedStore<never>));
}

/** Sum of the committed counts (values of `KV<string, number>`). */
export const totalCount = (store: CommittedStore<unknown>): number => store.values().reduce((n: number, e) => n + (e as KV<string, number>).value, 0);

/**
 * An endless (unbounded) source that hands out `values` once, each at event time = value, then waits
 * for input that never comes: each poll after the first stays open until the reader is closed (an
 * idle followed read). Its watermark stays at 0. Resumable (`position()` is `{i}`).
 */
export function idleAfter(values: readonly number[]): Source<number> {
  return {
    name: 'IdleAfter',
    bounded: false,
    async open(ctx) {
      let i = (ctx.resumeFrom as { i: number } | undefined)?.i ?? 0;
      let closed: (() => void) | undefined;
      const closing = new Promise<void>((r) => (closed = r));
      return {
        async poll(): Promise<SourceBatch<number>> {
          if (i < values.length) {
            const elements = values.slice(i).map((value) => ({ value, timestamp: value }));
            i = values.length;
            return { elements, watermark: 0, done: false };
          }
          await closing;
          return { elements: [], watermark: 0, done: false };
        },
        position: () => ({ i }),
        async close() {
          closed?.();
        },
      };
    },
  };
}
