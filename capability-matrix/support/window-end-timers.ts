import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { sumFn } from '../../transforms/combiners/sum.js';

/**
 * Stateful DoFns whose event-time timer `flush` is set to the end of each element's window: shared by
 * the Timers and Bounded replay rows (timer-scenarios.ts, replay-scenarios.ts) and
 * test/semantics/state-and-timers.test.ts. A timer's output gets the timer's time (the window's
 * maxTimestamp) as its timestamp.
 * @example p.apply(events).apply(Window.into(FixedWindows(1000))).apply('Buffer', ParDo(bufferUntilWindowEnd))
 */

/** A bag per key and window, output sorted (`KV<key, number[]>`) and cleared by the timer at the end of the window. */
export const bufferUntilWindowEnd = statefulDoFn({
  state: { buf: StateSpec.bag<number>() },
  timers: { flush: TimerSpec.eventTime() },
  process(e: KV<string, number>, ctx) {
    ctx.state.buf.add(e.value);
    ctx.timers.flush.set(ctx.window.maxTimestamp);
  },
  onTimer: {
    flush(ctx) {
      ctx.output(kv(ctx.key as string, [...ctx.state.buf.read()].sort((a, b) => a - b)));
      ctx.state.buf.clear();
    },
  },
});

/** A sum per key and window in combining state, output (`KV<key, number>`) by the timer at the end of the window. */
export const sumAtWindowEnd = statefulDoFn({
  state: { n: StateSpec.combining(sumFn()) },
  timers: { flush: TimerSpec.eventTime() },
  process(e: KV<string, number>, ctx) {
    ctx.state.n.add(e.value);
    ctx.timers.flush.set(ctx.window.maxTimestamp);
  },
  onTimer: {
    flush(ctx) {
      ctx.output(kv(ctx.key as string, ctx.state.n.read()));
    },
  },
});
