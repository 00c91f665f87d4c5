import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
import type { IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { countPerKeyWithLateData } from '../support/count-per-key-with-late-data.js';
import { runningCount } from '../support/running-count.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Event time in the last day before TIMESTAMP_MAX, past END_OF_GLOBAL_WINDOW: valid instants, windowed
 * like any other. Before, aggregations and stateful DoFns collected every window ending there as soon as
 * the watermark passed END_OF_GLOBAL_WINDOW (not the window's end): its pane fired EARLY and last, and
 * on-time elements that came after (timestamps ahead of the watermark) were dropped as late
 * (`past-allowed-lateness`); a stateful DoFn's state was deleted while its window was still open.
 */
const W = TIMESTAMP_MAX - 1_000_000; // past END_OF_GLOBAL_WINDOW, windows around it end before TIMESTAMP_MAX
const stream = () =>
  TestStream.create<string>()
    .addElements(['a', W + 10])
    .advanceWatermarkTo(W)
    .addElements(['a', W + 20], ['b', W + 30])
    .advanceWatermarkTo(W + 5000)
    .addElements(['c', W + 6000])
    .advanceWatermarkToInfinity();

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('timestamps past END_OF_GLOBAL_WINDOW on $label', ({ options }) => {
  it.each([
    ['FixedWindows', () => FixedWindows(3000)],
    ['SlidingWindows', () => SlidingWindows(6000, 2000)],
    ['Sessions', () => Sessions(5000)],
  ] as const)('on-time elements are counted in their window, which fires ON_TIME when the watermark passes its end (%s)', async (_name, windowFn) => {
    expect(W).toBeGreaterThan(END_OF_GLOBAL_WINDOW);
    const { out } = await runWith(options, (p) => countPerKeyWithLateData(p.apply(stream()), windowFn()));
    expect(out.late.values()).toEqual([]);
    const panes = out.counts.records;
    expect(panes.every((r) => r.pane.timing === 'ON_TIME' && r.pane.isFirst && r.pane.isLast)).toBe(true);
    // every element counted once per window it is in: the totals per key are the windows per element
    const perKey = new Map<string, number>();
    for (const r of panes) perKey.set(r.value.key, (perKey.get(r.value.key) ?? 0) + r.value.value);
    const windowsPerElement = _name === 'SlidingWindows' ? 3 : 1;
    expect(Object.fromEntries(perKey)).toEqual({ a: 2 * windowsPerElement, b: windowsPerElement, c: windowsPerElement });
  });

  it("a stateful DoFn keeps a window's state until the watermark passes the window's end", async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<KV<string, number>>()
            .addElements([kv('a', 1), W + 10])
            .advanceWatermarkTo(W)
            .addElements([kv('a', 2), W + 20])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<KV<string, number>>(FixedWindows(3000)))
        .apply('Remember', ParDo(runningCount((e: KV<string, number>, n) => `${e.key}${e.value}:${n}`)))
        .apply(Capture.records<string>()),
    );
    expect(out.values().sort()).toEqual(['a1:1', 'a2:2']);
  });

  it.each([
    ['Sessions(Infinity)', () => Sessions(Number.POSITIVE_INFINITY)],
    ['Sessions(2^60)', () => Sessions(2 ** 60)],
    ['FixedWindows(1e300)', () => FixedWindows(1e300)],
    ['FixedWindows(3000)', () => FixedWindows(3000)],
    ['SlidingWindows(2^54, 2^53)', () => SlidingWindows(2 ** 54, 2 ** 53)],
  ] as const)(
    'a window ending past TIMESTAMP_MAX gives its pane a valid timestamp (at most TIMESTAMP_MAX) and fires ON_TIME at the end of the input, so a later windowing step takes it (%s)',
    async (_name, windowFn) => {
      const { out } = await runWith(options, (p) => {
        const counts = p
          .apply(TestStream.create<string>().addElements(['a', 100], ['a', TIMESTAMP_MAX - 1], ['b', TIMESTAMP_MIN]).advanceWatermarkToInfinity())
          .apply(Window.into<string>(windowFn()))
          .apply(WithKeys((s: string) => s))
          .apply(Count.perKey<string>());
        const again = counts
          .apply('Rewindow', Window.into<KV<string, number>>(FixedWindows(1000)))
          .apply('Rekey', WithKeys((c: KV<string, number>) => c.key))
          .apply('CountPanes', Count.perKey<string>());
        return { counts: counts.apply('Counts', Capture.records()), again: again.apply('Again', Capture.records()) };
      });
      for (const r of [...out.counts.records, ...out.again.records]) {
        expect(r.timestamp).toBeGreaterThanOrEqual(TIMESTAMP_MIN);
        expect(r.timestamp).toBeLessThanOrEqual(TIMESTAMP_MAX);
      }
      expect(out.counts.records.every((r) => r.pane.timing === 'ON_TIME')).toBe(true);
      // every element counted: 'a' twice (one window or two), 'b' once
      const total = (k: string) => out.counts.records.filter((r) => r.value.key === k).reduce((n, r) => n + r.value.value, 0);
      expect([total('a'), total('b')]).toEqual(_name.startsWith('Sliding') ? [4, 2] : [2, 1]);
      expect(out.again.records.length).toBeGreaterThan(0);
    },
  );

  it.each([
    ['FixedWindows(0.5)', () => FixedWindows(0.5)],
    ['FixedWindows(0.75, offset 0.25)', () => FixedWindows(0.75, 0.25)],
    ['FixedWindows(1e-6)', () => FixedWindows(1e-6)],
    ['SlidingWindows(0.5, 0.25)', () => SlidingWindows(0.5, 0.25)],
    ['SlidingWindows(1.5, 0.5)', () => SlidingWindows(1.5, 0.5)],
    ['Sessions(0.5)', () => Sessions(0.5)],
  ] as const)(
    'a fractional window size near TIMESTAMP_MAX and TIMESTAMP_MIN (whole ms there) gives every element a valid window that holds it (before: start + size rounded to start and the run failed) (%s)',
    async (_name, windowFn) => {
      const times = [TIMESTAMP_MIN, TIMESTAMP_MIN + 1, TIMESTAMP_MIN + 2, 1e12, 1e12 + 0.5, TIMESTAMP_MAX - 2, TIMESTAMP_MAX - 1, TIMESTAMP_MAX];
      const { out } = await runWith(options, (p) => {
        const input = p.apply(TestStream.create<string>().addElements(...times.map((t, i) => [`k${i}`, t] as [string, number])).advanceWatermarkToInfinity());
        const counts = input
          .apply(Window.into<string>(windowFn()))
          .apply(WithKeys((s: string) => s))
          .apply(Count.perKey<string>());
        // Count.perKey right after Window.into: over sliding windows of whole ms it keeps slices, not windows (slicing.ts)
        const direct = input
          .apply('KeyFirst', WithKeys((s: string) => s))
          .apply('WindowDirect', Window.into<KV<string, string>>(windowFn()))
          .apply('CountDirect', Count.perKey<string>());
        return {
          counts: counts.apply('Counts', Capture.records()),
          late: counts.lateData().apply('Late', Capture.records()),
          direct: direct.apply('DirectCounts', Capture.records()),
          directLate: direct.lateData().apply('DirectLate', Capture.records()),
        };
      });
      expect(out.late.values()).toEqual([]);
      expect(out.directLate.values()).toEqual([]);
      const show = (rs: typeof out.counts.records) => rs.map((r) => `${r.value.key} ${r.window.id} ${r.value.value}`).sort();
      expect(show(out.direct.records)).toEqual(show(out.counts.records));
      // every element counted in at least one window, each window holding it
      times.forEach((t, i) => {
        const panes = out.counts.records.filter((r) => r.value.key === `k${i}`);
        expect(panes.length, `k${i} at ${t}`).toBeGreaterThan(0);
        for (const r of panes) {
          const w = r.window as IntervalWindow;
          expect(w.start <= t && t < w.end, `k${i} at ${t} in [${w.start}, ${w.end})`).toBe(true);
          expect(r.value.value).toBe(1);
        }
      });
    },
  );

  it.each([
    ['GlobalWindows', false],
    ['FixedWindows', true],
  ] as const)('an event-time timer set to TIMESTAMP_MAX fires when the input ends, with its state (before: never, silently) (%s)', async (_name, fixed) => {
    const { out } = await runWith(options, (p) => {
      let input = p.apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1), TIMESTAMP_MAX - 5000], [kv('j', 2), 0]).advanceWatermarkToInfinity());
      if (fixed) input = input.apply(Window.into<KV<string, number>>(FixedWindows(3000)));
      return input
        .apply(
          'AtEnd',
          ParDo(
            statefulDoFn<KV<string, number>, string>()({
              state: { v: StateSpec.value<number>() },
              timers: { end: TimerSpec.eventTime() },
              process(e, ctx) {
                ctx.state.v.write(e.value);
                ctx.timers.end.set(TIMESTAMP_MAX);
              },
              onTimer: { end: (ctx) => ctx.output(`${String(ctx.key)}=${ctx.state.v.read()}@${ctx.timestamp === TIMESTAMP_MAX ? 'max' : ctx.timestamp}`) },
            }),
          ),
        )
        .apply(Capture.records<string>());
    });
    expect(out.values().sort()).toEqual(['j=2@max', 'k=1@max']);
  });

  it('an event-time timer past its window\'s garbage-collection time fires, with its state, when the window is collected (before: dropped silently)', async () => {
    // The global window is collected once the watermark passes END_OF_GLOBAL_WINDOW, here well before the input ends.
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1), 10], [kv('j', 2), 20]).advanceWatermarkTo(W).advanceWatermarkToInfinity())
        .apply(
          'Late',
          ParDo(
            statefulDoFn<KV<string, number>, string>()({
              state: { v: StateSpec.value<number>() },
              timers: { end: TimerSpec.eventTime(), early: TimerSpec.eventTime() },
              process(e, ctx) {
                ctx.state.v.write(e.value);
                ctx.timers.end.set(TIMESTAMP_MAX);
                ctx.timers.early.set(END_OF_GLOBAL_WINDOW + 5);
              },
              onTimer: {
                end: (ctx) => ctx.output(`end ${String(ctx.key)}=${ctx.state.v.read()}`),
                early: (ctx) => ctx.output(`early ${String(ctx.key)}=${ctx.state.v.read()}`),
              },
            }),
          ),
        )
        .apply(Capture.records<string>()),
    );
    // each key: `early` first (earlier time), then `end`, both with the state
    expect(out.values().filter((v) => v.endsWith('k=1'))).toEqual(['early k=1', 'end k=1']);
    expect(out.values().sort()).toEqual(['early j=2', 'early k=1', 'end j=2', 'end k=1']);
  });
});
