import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sdk/clock.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { Instant } from '../../sdk/time.js';
import { ParDo } from '../../transforms/par-do.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * TestStream's "one processing instant" (sdk/testing/test-stream.ts): the processing-time timers due
 * at a clock step fire first, then the elements and watermark steps the script puts at that instant,
 * in script order; on the micro-batch runner with an interval, processing-time work fires at the
 * next boundary the script reaches, with the same order there. And the absolute and relative forms
 * of both clocks' steps.
 */

type Ev = KV<string, string>;

/**
 * Element 'a' sets a processing-time timer 500 ms ahead ("pt") and an event-time timer at event time
 * 5 ("et"); every element is echoed with the processing time it was processed at.
 */
const timers = statefulDoFn({
  timers: { pt: TimerSpec.processingTime(), et: TimerSpec.eventTime() },
  process(e: Ev, ctx) {
    if (e.value === 'a') {
      ctx.timers.pt.offset(500);
      ctx.timers.et.set(5);
    }
    ctx.output(e.value);
  },
  onTimer: {
    pt(ctx) {
      ctx.output('pt');
    },
    et(ctx) {
      ctx.output('et');
    },
  },
});

async function play(options: Partial<PipelineOptions>, stream: TestStream<Ev>) {
  const { out } = await runWith(options, (p) => p.apply(stream).apply(ParDo(timers)).apply(Capture.records<string>()));
  return out.records.map((r) => ({ v: r.value, at: r.emittedAt }));
}

/**
 * The instant a processing-time timer due at `due` fires at: the first clock step of the script at or
 * after it (`steps`), or on micro-batch with an interval the first boundary at or after it.
 */
function firesAt(options: Partial<PipelineOptions>, due: Instant, steps: readonly Instant[]): Instant {
  const interval = options.batchInterval;
  if (options.runner === 'microbatch' && typeof interval === 'number') return Math.ceil(due / interval) * interval;
  return steps.find((t) => t >= due)!;
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('one processing instant of a TestStream on $label', ({ options }) => {
  it('the processing-time timers due at a clock step fire before the elements and watermark steps scripted at that instant', async () => {
    // instant 0: a (timers due at pt 500 and at event time 5); instant 500: b, watermark 1, c; instant 1000: d
    const stream = TestStream.create<Ev>()
      .addElements([kv('k', 'a'), 0])
      .advanceWatermarkTo(0)
      .advanceProcessingTimeBy(500)
      .addElements([kv('k', 'b'), 1])
      .advanceWatermarkTo(1)
      .addElements([kv('k', 'c'), 2])
      .advanceProcessingTimeTo(1000)
      .addElements([kv('k', 'd'), 3]);
    const out = await play(options, stream);
    const at = firesAt(options, 500, [500, 1000]);
    // elements scripted before the instant the timer fires at come before it, those scripted at it after it
    const scriptedAt: Record<string, Instant> = { a: 0, b: 500, c: 500, d: 1000 };
    const before = ['a', 'b', 'c', 'd'].filter((v) => scriptedAt[v]! < at);
    const after = ['a', 'b', 'c', 'd'].filter((v) => scriptedAt[v]! >= at);
    expect(out.filter((o) => o.v !== 'et').map((o) => o.v)).toEqual([...before, 'pt', ...after]);
    expect(out.find((o) => o.v === 'pt')!.at).toBe(at);
    // the event-time timer fires when the script ends (watermark to +infinity), after every element
    expect(out.at(-1)!.v).toBe('et');
  });

  it('a watermark step fires the event-time timers it passes before the next element of the same instant', async () => {
    const stream = TestStream.create<Ev>()
      .addElements([kv('k', 'a'), 0])
      .advanceWatermarkTo(0)
      .advanceProcessingTimeBy(2000)
      .addElements([kv('k', 'b'), 6])
      .advanceWatermarkTo(10)
      .addElements([kv('k', 'c'), 11]);
    const out = await play(options, stream);
    // pt fires at or before instant 2000 (a boundary on every configuration), so before b; then the
    // watermark step at 2000 fires et before c
    expect(out.map((o) => o.v)).toEqual(['a', 'pt', 'b', 'et', 'c']);
    expect(out.find((o) => o.v === 'pt')!.at).toBe(firesAt(options, 500, [2000]));
  });

  it('absolute and relative steps of both clocks script the same run', async () => {
    const relative = TestStream.create<Ev>({ startTime: 1000 })
      .addElements([kv('k', 'a'), 0])
      .advanceWatermarkTo(0)
      .advanceProcessingTimeBy(250)
      .addElements([kv('k', 'b'), 1])
      .advanceWatermarkBy(3)
      .advanceProcessingTimeBy(1250)
      .addElements([kv('k', 'c'), 4])
      .advanceWatermarkBy(2);
    const absolute = TestStream.create<Ev>({ startTime: 1000 })
      .addElements([kv('k', 'a'), 0])
      .advanceWatermarkTo(0)
      .advanceProcessingTimeTo(1250)
      .addElements([kv('k', 'b'), 1])
      .advanceWatermarkTo(3)
      .advanceProcessingTimeTo(2500)
      .addElements([kv('k', 'c'), 4])
      .advanceWatermarkTo(5);
    const r = await play(options, relative);
    expect(await play(options, absolute)).toEqual(r);
    // the timer set at 1000 is due at 1500; et (event time 5) fires at the last watermark step, before the end
    expect(r.map((o) => o.v)).toEqual(['a', 'b', 'pt', 'c', 'et']);
    expect(r.find((o) => o.v === 'pt')!.at).toBe(firesAt(options, 1500, [1250, 2500]));
  });

  it('a run whose clock starts after an absolute processing-time step fails, naming the step', async () => {
    const p = Pipeline.create({ ...options, clock: new VirtualClock(5000) });
    p.apply(TestStream.create<Ev>().addElements([kv('k', 'a'), 0]).advanceProcessingTimeTo(1000)).apply(ParDo(timers));
    await expect(p.run()).rejects.toThrow(/advanceProcessingTimeTo\(1000\): the run's clock is already at 5000/);
  });
});

describe('TestStream time steps', () => {
  it('refuse to move either clock back, and a relative watermark step without a watermark to start from', () => {
    const s = TestStream.create<string>({ startTime: 1000 });
    expect(() => s.advanceProcessingTimeTo(1000)).toThrow(/must move forward: it is at 1000 by the script, got advanceProcessingTimeTo\(1000\)/);
    expect(() => s.advanceProcessingTimeBy(500).advanceProcessingTimeTo(1200)).toThrow(/it is at 1500/);
    expect(() => s.advanceProcessingTimeBy(0)).toThrow(RangeError);
    expect(() => s.advanceWatermarkBy(10)).toThrow(/needs an earlier watermark step/);
    expect(() => s.advanceWatermarkTo(10).advanceWatermarkBy(-1)).toThrow(RangeError);
    expect(() => s.advanceWatermarkTo(10).advanceWatermarkTo(9)).toThrow(/cannot move back from 10 to 9/);
  });

  it('advanceProcessingTime is the old name of advanceProcessingTimeBy', () => {
    const s = TestStream.create<string>().addElements(['a', 0]);
    expect(s.advanceProcessingTime(300).events).toEqual(s.advanceProcessingTimeBy(300).events);
  });
});
