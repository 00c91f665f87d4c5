import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { ParDo } from '../../transforms/par-do.js';
import { countPerKeyWithLateData } from '../support/count-per-key-with-late-data.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Instants are numbers of ms, fractions included (a source with micro-second event times keeps them as
 * the fraction). Windows end on whole ms: `[0, 3000)` has maxTimestamp 2999, yet holds 2999.75. Before,
 * a watermark at 2999.5 ("nothing before 2999.5 is still to come") counted as past that window, which
 * fired and was collected: the elements at 2999.5 and 2999.75 that came after it, on time, were dropped
 * as late (`past-allowed-lateness`). Watermarks now act in whole ms (a step's input watermark is rounded
 * down, which only ever waits longer), so a window ending on a whole ms is complete once nothing inside it
 * can still come.
 */
const stream = () => TestStream.create<string>().addElements(['a', 2999.25]).advanceWatermarkTo(2999.5).addElements(['a', 2999.75], ['b', 2999.5]).advanceWatermarkToInfinity();

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('fractional timestamps on $label', ({ options }) => {
  it.each([
    ['FixedWindows', () => FixedWindows(3000), ['0:3000 a=2', '0:3000 b=1']],
    ['SlidingWindows', () => SlidingWindows(6000, 3000), ['-3000:3000 a=2', '-3000:3000 b=1', '0:6000 a=2', '0:6000 b=1']],
  ] as const)('elements ahead of a fractional watermark are on time in the window ending the next whole ms (%s)', async (_name, windowFn, expected) => {
    const { out } = await runWith(options, (p) => countPerKeyWithLateData(p.apply(stream()), windowFn()));
    expect(out.late.values()).toEqual([]);
    expect(out.counts.records.map((r) => `${r.window.id} ${r.value.key}=${r.value.value}`).sort()).toEqual(expected);
    expect(out.counts.records.every((r) => r.pane.timing === 'ON_TIME')).toBe(true);
  });

  it.each([
    ['FixedWindows(1.5)', () => FixedWindows(1.5), ['0:1.5 a=2', '0:1.5 b=1']],
    ['FixedWindows(0.5)', () => FixedWindows(0.5), ['0:0.5 a=1', '1:1.5 a=1', '1:1.5 b=1']],
    ['Sessions(0.5)', () => Sessions(0.5), ['0.25:0.75 a=1', '1.2:1.7 a=1', '1.4:1.9 b=1']],
    ['SlidingWindows(3, 1.5)', () => SlidingWindows(3, 1.5), ['-1.5:1.5 a=2', '-1.5:1.5 b=1', '0:3 a=2', '0:3 b=1']],
  ] as const)('windows with fractional ends keep elements ahead of the watermark on time (%s)', async (_name, windowFn, expected) => {
    // Before, a window [0, 1.5) had maxTimestamp 0.5: the watermark at 1 closed it, and 1.2 and 1.4 (on time) were dropped as late.
    const { out } = await runWith(options, (p) =>
      countPerKeyWithLateData(p.apply(TestStream.create<string>().addElements(['a', 0.25]).advanceWatermarkTo(1).addElements(['a', 1.2], ['b', 1.4]).advanceWatermarkToInfinity()), windowFn()),
    );
    expect(out.late.values()).toEqual([]);
    expect(out.counts.records.map((r) => `${r.window.id} ${r.value.key}=${r.value.value}`).sort()).toEqual(expected);
  });

  it('an event-time timer at a fractional time fires once the watermark passes it, not before', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1), 10]).advanceWatermarkTo(20.5).advanceWatermarkTo(21).advanceWatermarkToInfinity())
        .apply(
          'Timer',
          ParDo(
            statefulDoFn<KV<string, number>, string>()({
              timers: { t: TimerSpec.eventTime() },
              process(_e, ctx) {
                ctx.timers.t.set(20.25);
              },
              onTimer: { t: (ctx) => ctx.output(`fired@${ctx.timestamp}`) },
            }),
          ),
        )
        .apply(Capture.records<string>()),
    );
    expect(out.values()).toEqual(['fired@20.25']);
  });
});
