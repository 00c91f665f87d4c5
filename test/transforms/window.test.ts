import { describe, expect, it } from 'vitest';
import { UserCodeError } from '../../sdk/errors.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { GLOBAL_WINDOW, intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

const at = (pairs: [string, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Window construction', () => {
  it('withAllowedLateness rejects a negative (or NaN) lateness at construction', () => {
    expect(() => Window.into(FixedWindows(1000)).withAllowedLateness(-1)).toThrow(RangeError);
    expect(() => Window.into(FixedWindows(1000)).withAllowedLateness(-1)).toThrow('allowed lateness must be >= 0 ms, got -1');
    expect(() => Window.configure().withAllowedLateness(Number.NaN)).toThrow(RangeError);
    expect(() => Window.configure().withAllowedLateness(0)).not.toThrow();
  });

  it('names steps after the WindowFn, or Window.configure', () => {
    const p = Pipeline.create();
    p.apply(Create([1])).apply(Window.into(FixedWindows(3000))).apply(Window.configure().withAllowedLateness(5));
    expect(p.stepNames()).toEqual(['Create', 'Window.into(FixedWindows(3000ms))', 'Window.configure']);
  });

  it('sets the output windowing strategy; configure changes only what it is told', () => {
    const p = Pipeline.create();
    const src = p.apply(Create([1]));
    expect(src.windowing.windowFn.name).toBe('GlobalWindows');
    expect(src.windowing.triggerIsDefault).toBe(true);
    const windowed = src.apply(Window.into(FixedWindows(3000)));
    expect(windowed.windowing).toMatchObject({ accumulationMode: 'discarding', allowedLateness: 0, timestampCombiner: 'END_OF_WINDOW', triggerIsDefault: true });
    expect(windowed.windowing.windowFn.name).toBe('FixedWindows(3000ms)');
    const trig = AfterWatermark().withLateFirings(AfterCount(1));
    const configured = windowed.apply(
      Window.configure<number>().triggering(trig).withAllowedLateness(60_000).accumulatingFiredPanes().withTimestampCombiner('EARLIEST').withOnTimeBehavior('FIRE_IF_NON_EMPTY'),
    );
    expect(configured.windowing).toMatchObject({
      accumulationMode: 'accumulating',
      allowedLateness: 60_000,
      timestampCombiner: 'EARLIEST',
      onTimeBehavior: 'FIRE_IF_NON_EMPTY',
      triggerIsDefault: false,
    });
    expect(configured.windowing.windowFn).toBe(windowed.windowing.windowFn);
    expect(configured.windowing.trigger).toBe(trig);
    // options return new transforms: the original is unchanged
    const base = Window.configure<number>();
    base.withAllowedLateness(5);
    expect(windowed.apply('Again', base).windowing.allowedLateness).toBe(0);
    // retracting mode
    expect(windowed.apply('Retract', Window.configure<number>().accumulatingAndRetractingFiredPanes()).windowing.accumulationMode).toBe('retracting');
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Window on $label', ({ options }) => {
  it('Window.into(FixedWindows) assigns each element to the window of its timestamp (half-open, negative times too)', async () => {
    const { out, result } = await runWith(options, (p) =>
      p.apply(at([['a', 0], ['b', 999], ['c', 1000], ['d', -1], ['e', 2500]])).apply(Window.into(FixedWindows(1000))).apply(Capture.records<string>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp, r.window])).toEqual([
      ['a', 0, intervalWindow(0, 1000)],
      ['b', 999, intervalWindow(0, 1000)],
      ['c', 1000, intervalWindow(1000, 2000)],
      ['d', -1, intervalWindow(-1000, 0)],
      ['e', 2500, intervalWindow(2000, 3000)],
    ]);
    expect(result.metrics['Window.into(FixedWindows(1000ms))']).toMatchObject({ elementsIn: 5, elementsOut: 5 });
  });

  it('Window.into(SlidingWindows) emits one copy per window', async () => {
    const { out, result } = await runWith(options, (p) => p.apply(at([['x', 1500]])).apply('Slide', Window.into(SlidingWindows(2000, 1000))).apply(Capture.records<string>()));
    expect(out.records.map((r) => [r.value, r.timestamp, r.window])).toEqual([
      ['x', 1500, intervalWindow(1000, 3000)],
      ['x', 1500, intervalWindow(0, 2000)],
    ]);
    expect(result.metrics['Slide']).toMatchObject({ elementsIn: 1, elementsOut: 2 });
  });

  it('re-windowing replaces the windows; Window.into(GlobalWindows) goes back to the global window', async () => {
    const { out } = await runWith(options, (p) => {
      const fine = p.apply(at([['a', 500], ['b', 4500]])).apply('Fine', Window.into(FixedWindows(1000)));
      return {
        coarse: fine.apply('Coarse', Window.into(FixedWindows(5000))).apply('C', Capture.records<string>()),
        global: fine.apply('Global', Window.into(GlobalWindows())).apply('G', Capture.records<string>()),
      };
    });
    expect(out.coarse.records.map((r) => r.window)).toEqual([intervalWindow(0, 5000), intervalWindow(0, 5000)]);
    expect(out.global.records.map((r) => [r.window, r.timestamp])).toEqual([
      [GLOBAL_WINDOW, 500],
      [GLOBAL_WINDOW, 4500],
    ]);
  });

  it('Sessions windows merge per key in the aggregation downstream', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(at([['a', 0], ['a', 500], ['b', 700], ['a', 3000]]))
        .apply(Window.into(Sessions(1000)))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1500) ON_TIME #0 last {"key":"a","value":2}',
      '[3000,4000) ON_TIME #0 last {"key":"a","value":1}',
      '[700,1700) ON_TIME #0 last {"key":"b","value":1}',
    ]);
  });

  it('Window.configure keeps the windows and changes lateness: late data within it makes a LATE pane, beyond it is dropped', async () => {
    const script = TestStream.create<string>()
      .addElements(['a', 100], ['a', 200])
      .advanceWatermarkTo(3000) // [0,3000) fires ON_TIME
      .addElements(['a', 300]) // late, but within 5s of lateness
      .advanceWatermarkTo(9000) // now [0,3000) is past its lateness
      .addElements(['a', 400]) // dropped
      .advanceWatermarkToInfinity();
    const { out, result } = await runWith(options, (p) => {
      const counts = p
        .apply(script)
        .apply(Window.into(FixedWindows(3000)))
        .apply(Window.configure<string>().withAllowedLateness(5000))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey());
      return { counts: counts.apply('Counts', Capture.records()), late: counts.lateData().apply('Late', Capture.records()) };
    });
    expect(out.counts.lines()).toEqual(['[0,3000) ON_TIME #0 {"key":"a","value":2}', '[0,3000) LATE #1 {"key":"a","value":1}']);
    expect(out.late.values()).toMatchObject([{ value: { key: 'a', value: 'a' }, timestamp: 400, reason: 'past-allowed-lateness' }]);
    expect(result.metrics['Count.perKey']!.lateDropped).toBe(1);
  });

  it('Window.configure().accumulatingFiredPanes() makes later panes include earlier elements', async () => {
    const script = TestStream.create<string>().addElements(['a', 100], ['a', 200]).advanceWatermarkTo(3000).addElements(['a', 300]).advanceWatermarkToInfinity();
    const { out } = await runWith(options, (p) =>
      p
        .apply(script)
        .apply(Window.into(FixedWindows(3000)))
        .apply(Window.configure<string>().withAllowedLateness(10_000).accumulatingFiredPanes())
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines()).toEqual(['[0,3000) ON_TIME #0 {"key":"a","value":2}', '[0,3000) LATE #1 {"key":"a","value":3}']);
  });

  it('Window.configure with no lateness drops the same late element', async () => {
    const script = TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(3000).addElements(['a', 300]).advanceWatermarkToInfinity();
    const { out, result } = await runWith(options, (p) =>
      p.apply(script).apply(Window.into(FixedWindows(3000))).apply(WithKeys((s: string) => s)).apply(Count.perKey()).apply(Capture.records()),
    );
    expect(out.lines()).toEqual(['[0,3000) ON_TIME #0 last {"key":"a","value":1}']);
    expect(result.metrics['Count.perKey']!.lateDropped).toBe(1);
  });

  it('WithTimestamps re-timestamps elements; windows follow the new timestamps', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([{ id: 'a', t: 1.5 }, { id: 'b', t: 4 }]))
        .apply(WithTimestamps((e: { id: string; t: number }) => e.t * 1000))
        .apply(Window.into(FixedWindows(3000)))
        .apply(Capture.records<{ id: string; t: number }>()),
    );
    expect(out.records.map((r) => [r.value.id, r.timestamp, r.window])).toEqual([
      ['a', 1500, intervalWindow(0, 3000)],
      ['b', 4000, intervalWindow(3000, 6000)],
    ]);
  });

  it('a throwing timestamp function fails the run naming the step and element', async () => {
    const err = await runWith(options, (p) =>
      p.apply(Create([{ ts: 'nope' }])).apply(
        'Stamp',
        WithTimestamps((e: { ts: string }) => {
          const t = Date.parse(e.ts);
          if (Number.isNaN(t)) throw new Error(`bad time '${e.ts}'`);
          return t;
        }),
      ),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Stamp');
    expect((err as UserCodeError).element).toBe('{"ts":"nope"}');
    expect((err as Error).message).toContain("bad time 'nope'");
  });

  it('a custom WindowFn assigns the windows it returns', async () => {
    const evenOdd = {
      name: 'EvenOdd',
      isMerging: false,
      assignWindows: ({ timestamp }: { timestamp: number }) => [timestamp % 2 === 0 ? intervalWindow(0, 10) : intervalWindow(10, 20)],
    };
    const { out } = await runWith(options, (p) =>
      p.apply(at([['x', 2], ['y', 3], ['z', 4]])).apply(Window.into(evenOdd)).apply(WithKeys(() => 'k')).apply(Count.perKey()).apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual(['[0,10) ON_TIME #0 last {"key":"k","value":2}', '[10,20) ON_TIME #0 last {"key":"k","value":1}']);
  });
});
