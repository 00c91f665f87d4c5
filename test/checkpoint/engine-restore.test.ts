import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { statefulDoFn, type DoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { View } from '../../sdk/side-input.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Mean } from '../../transforms/combiners/mean.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { decoded, handRead, interrupted, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

type Ev = KV<string, number>;
const probe = <T>() => Capture.records<T>() as unknown as Probe<unknown>;
const MODES: EngineMode[] = ['native', 'microbatch'];

/** Fixed 10 s windows, early panes every 2 elements, on-time, late panes per element within 20 s of lateness. */
const windowedAggregation =
  (mode: 'accumulating' | 'discarding'): Build =>
  (p) => {
    let w = Window.into<Ev>(FixedWindows(10_000))
      .triggering(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)))
      .withAllowedLateness(20_000);
    w = mode === 'accumulating' ? w.accumulatingFiredPanes() : w.discardingFiredPanes();
    const windowed = handRead<Ev>(p, 'Events').apply('Window', w);
    const sums = windowed.apply('Sum', Sum.perKey<string>()).apply('SumProbe', probe<KV<string, number>>());
    const groups = windowed
      .apply('Group', GroupByKey<string, number>())
      .apply('Sorted', MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b))))
      .apply('GroupProbe', probe<KV<string, number[]>>());
    return { sums, groups };
  };

const el = (key: string, value: number, ts: number): readonly [Ev, number] => [kv(key, value), ts];

/** Early (2 elements), on-time, late and dropped-too-late data over three windows and two keys; one element per batch. */
const windowedScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)] },
  { add: [el('b', 2, 2000)] },
  { add: [el('a', 3, 3000)] },
  { watermark: 5000 },
  { add: [el('a', 4, 12_000)] },
  { add: [el('b', 5, 9000)] },
  { watermark: 15_000 },
  { add: [el('a', 6, 4000)] },
  { add: [el('b', 7, 14_000)] },
  { add: [el('b', 8, 18_000)] },
  { watermark: 25_000 },
  { add: [el('a', 9, 8000)] },
  { add: [el('a', 10, 21_000)] },
  { watermark: 33_000 },
  { add: [el('a', 11, 2000)] }, // past the allowed lateness of [0, 10 s): dropped
  { add: [el('b', 12, 16_000)] },
];

/** Sessions with a 5 s gap, early panes 1 s of processing time after a pane's first element, accumulating. */
const sessions: Build = (p) => {
  const out = handRead<Ev>(p, 'Events')
    .apply(
      'Window',
      Window.into<Ev>(Sessions(5000))
        .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000)))
        .accumulatingFiredPanes(),
    )
    .apply('Group', GroupByKey<string, number>())
    .apply('Sorted', MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b))))
    .apply('Probe', probe<KV<string, number[]>>());
  const counts = handRead<Ev>(p, 'More')
    .apply('Window2', Window.into<Ev>(Sessions(3000)))
    .apply('Count', Count.perKey<string>())
    .apply('CountProbe', probe<KV<string, number>>());
  return { sessions: out, counts };
};

const sessionScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)] },
  { add: [el('a', 2, 9000)] },
  { time: 1500 },
  { add: [el('b', 3, 2000), el('b', 4, 3000)] },
  { add: [el('x', 1, 1000)], read: 'More' },
  { add: [el('a', 5, 5000)] }, // bridges a's two sessions: they merge
  { time: 2000 },
  { add: [el('x', 1, 3500)], read: 'More' },
  { add: [el('x', 1, 9000)], read: 'More' },
  { time: 4000 },
  { watermark: 8500 },
  { watermark: 7000, read: 'More' },
  { add: [el('b', 6, 9000)] },
  { add: [el('x', 1, 6000)], read: 'More' }, // merges x's sessions
  { time: 6000 },
  { watermark: 20_000 },
];

/** A stateful DoFn with value, bag, combining and map state, an event-time timer at the window end and a processing-time timer. */
const statefulFn = statefulDoFn({
  state: { n: StateSpec.value<number>(), buf: StateSpec.bag<number>(), total: StateSpec.combining(Sum.fn()), seen: StateSpec.map<number, number>() },
  timers: { flush: TimerSpec.eventTime(), tick: TimerSpec.processingTime() },
  process(e: Ev, ctx) {
    const n = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(n);
    ctx.state.buf.add(e.value);
    ctx.state.total.add(e.value);
    ctx.state.seen.put(e.value % 3, (ctx.state.seen.get(e.value % 3) ?? 0) + 1);
    ctx.timers.flush.set(ctx.window.maxTimestamp);
    if (n === 1) ctx.timers.tick.offset(1000);
    ctx.output(`${e.key} n=${n} wm=${ctx.watermark}`);
  },
  onTimer: {
    flush(ctx) {
      const seen = [...ctx.state.seen.entries()].sort((a, b) => (a[0] as number) - (b[0] as number));
      ctx.output(`${String(ctx.key)} flush buf=${JSON.stringify([...ctx.state.buf.read()].sort((a, b) => a - b))} total=${ctx.state.total.read()} seen=${JSON.stringify(seen)}`);
      ctx.state.buf.clear();
    },
    tick(ctx) {
      ctx.output(`${String(ctx.key)} tick n=${ctx.state.n.read()} at=${ctx.processingTime}`);
    },
  },
});
const stateful: Build = (p) => ({
  out: handRead<Ev>(p, 'Events').apply('Window', Window.into<Ev>(FixedWindows(10_000))).apply('Stateful', ParDo(statefulFn)).apply('Probe', probe<string>()),
});

const statefulScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)] },
  { add: [el('b', 2, 2000)] },
  { time: 500 },
  { add: [el('a', 4, 3000)] },
  { time: 1200 },
  { add: [el('a', 5, 11_000)] },
  { watermark: 9000 },
  { add: [el('b', 7, 9500)] },
  { time: 2500 },
  { watermark: 10_500 },
  { add: [el('b', 8, 12_000)] },
  { time: 4000 },
  { watermark: 25_000 },
];

/**
 * A main input joined with a windowed side input (per-window sums as singletons): main elements
 * arrive before their side window is ready and are held back; a pane or the side watermark releases them.
 */
const withSide: Build = (p) => {
  const side = handRead<number>(p, 'Side').apply('SideWindow', Window.into<number>(FixedWindows(10_000))).apply('SideSum', Sum.globally().withoutDefaults());
  const view = View.asSingleton(side, { defaultValue: -1 });
  const join: DoFn<string, string> = {
    process(e, ctx) {
      ctx.output(`${e} sees ${JSON.stringify(ctx.sideInput(view))} wm=${ctx.watermark}`);
    },
  };
  const out = handRead<string>(p, 'Main')
    .apply('MainWindow', Window.into<string>(FixedWindows(10_000)))
    .apply('Join', ParDo(join).withSideInputs(view))
    .apply('Probe', probe<string>());
  return { out };
};

const sideScript: ScriptStep[] = [
  { add: [['m1', 1000]], read: 'Main' },
  { time: 1000 },
  { add: [[5, 2000]], read: 'Side' },
  { add: [['m2', 12_000]], read: 'Main' },
  { add: [['m3', 3000]], read: 'Main' },
  { watermark: 4000, read: 'Main' },
  { time: 2000 },
  { add: [[7, 4000]], read: 'Side' },
  { watermark: 11_000, read: 'Side' }, // the pane of [0, 10 s) releases m1 and m3
  { add: [['m4', 15_000]], read: 'Main' },
  { time: 3000 },
  { add: [['m5', 25_000]], read: 'Main' },
  { watermark: 21_000, read: 'Side' }, // [10 s, 20 s) had no side data: its watermark releases m2 and m4 (default)
  { add: [['m6', 6000]], read: 'Main' }, // its side window is ready (values kept): not held
  { time: 4000 },
  { add: [['m7', 16_000]], read: 'Main' }, // ready by the side watermark: not held
  { watermark: 30_000, read: 'Main' },
  { time: 5000 },
  { add: [[9, 26_000]], read: 'Side' },
  { time: 6000 },
];

/** Two inputs flattened into one keyed count: the count waits for the slower input's watermark. */
const flattened: Build = (p) => {
  const a = handRead<Ev>(p, 'A');
  const b = handRead<Ev>(p, 'B');
  const counts = p
    .apply('Both', Flatten(a, b))
    .apply('Window', Window.into<Ev>(FixedWindows(5000)))
    .apply('Count', Count.perKey<string>())
    .apply('Probe', probe<KV<string, number>>());
  return { counts };
};

const flattenScript: ScriptStep[] = [
  { add: [el('k', 0, 1000)], read: 'A' },
  { add: [el('k', 0, 2000)], read: 'B' },
  { time: 1000 },
  { watermark: 6000, read: 'A' },
  { add: [el('k', 0, 4000)], read: 'B' },
  { add: [el('j', 0, 7000)], read: 'A' },
  { time: 2000 },
  { watermark: 5500, read: 'B' },
  { add: [el('k', 0, 6000), el('j', 0, 8000)], read: 'B' },
  { watermark: 12_000, read: 'A' },
  { time: 3000 },
  { watermark: 12_000, read: 'B' },
  { end: 'B' },
  { add: [el('k', 0, 13_000)], read: 'A' },
  { time: 4000 },
];

/**
 * EARLIEST output timestamps (data behind the aggregation's output watermark has no say in them), a
 * pane per element, and Combine.globally in the global window (its default value only when it never fired).
 */
const timestamps: Build = (p) => {
  const events = handRead<Ev>(p, 'Events');
  const earliest = events
    .apply(
      'Window',
      Window.into<Ev>(FixedWindows(10_000))
        .triggering(Repeatedly(AfterCount(1)))
        .withAllowedLateness(20_000)
        .withTimestampCombiner('EARLIEST')
        .accumulatingFiredPanes(),
    )
    .apply('Sum', Sum.perKey<string>())
    .apply('Probe', probe<KV<string, number>>());
  const total = events
    .apply('Values', MapElements((e: Ev) => e.value))
    .apply('EveryElement', Window.configure<number>().triggering(Repeatedly(AfterCount(1))).discardingFiredPanes())
    .apply('Total', Sum.globally())
    .apply('TotalProbe', probe<number>());
  return { earliest, total };
};

const timestampScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)] },
  { watermark: 5000 },
  { add: [el('a', 2, 2000)] }, // behind the output watermark: its pane is stamped with the window end
  { add: [el('a', 3, 7000)] },
  { watermark: 12_000 },
  { add: [el('a', 4, 4000)] },
  { add: [el('b', 5, 11_000)] },
  { watermark: 15_000 },
];

/** Sessions whose panes are retracted before each new one (merged sessions withdraw the panes of their parts). */
const retracting: Build = (p) => ({
  sums: handRead<Ev>(p, 'Events')
    .apply('Window', Window.into<Ev>(Sessions(3000)).triggering(Repeatedly(AfterCount(1))).accumulatingAndRetractingFiredPanes())
    .apply('Sum', Sum.perKey<string>())
    .apply('Probe', probe<KV<string, number>>()),
});

const retractingScript: ScriptStep[] = [
  { add: [el('a', 1, 1000)] },
  { add: [el('a', 2, 6000)] },
  { add: [el('b', 3, 1000)] },
  { add: [el('a', 4, 3500)] }, // joins a's two sessions
  { watermark: 4000 },
  { add: [el('a', 5, 7000)] },
  { add: [el('b', 6, 2500)] },
  { watermark: 20_000 },
];

/**
 * Issue #16's new state: a Count and a Mean right after Window.into(SlidingWindows) keep their state
 * per key and slice (SlicedWindowDriver, table `slices`); sessions of the Count grow element by element
 * (merged in place). Late data is dropped per window.
 */
const slicedAndSessions: Build = (p) => {
  const events = handRead<Ev>(p, 'Events');
  const sliding = events.apply('Sliding', Window.into<Ev>(SlidingWindows(6000, 2000)));
  const counts = sliding.apply('Count', Count.perKey<string>()).apply('CountProbe', probe<KV<string, number>>());
  const means = sliding.apply('Mean', Mean.perKey<string>()).apply('MeanProbe', probe<KV<string, number>>());
  const sessions = events
    .apply('Sessions', Window.into<Ev>(Sessions(2500)))
    .apply('SessionCount', Count.perKey<string>())
    .apply('SessionProbe', probe<KV<string, number>>());
  return { counts, means, sessions };
};

const slicedScript: ScriptStep[] = [
  { add: [el('a', 1, 1000), el('b', 2, 1500)] },
  { add: [el('a', 3, 2500)] },
  { add: [el('a', 4, 4500), el('b', 5, 3900)] },
  { watermark: 2000 }, // [-4 s, 2 s) fires
  { add: [el('b', 6, 1999)] }, // late for [-4 s, 2 s), on time for [-2 s, 4 s) and [0, 6 s)
  { add: [el('a', 7, 6500)] },
  { watermark: 4500 },
  { add: [el('a', 8, 8000), el('b', 9, 7000)] },
  { add: [el('a', 10, 3000)] }, // late for [-2 s, 4 s) only
  { watermark: 9000 },
  { add: [el('b', 11, 12_000)] },
  { add: [el('a', 12, 100)] }, // late everywhere: dropped
  { watermark: 30_000 },
];

const CASES: { name: string; build: Build; script: ScriptStep[] }[] = [
  { name: 'windowed aggregation, early/on-time/late panes, accumulating', build: windowedAggregation('accumulating'), script: windowedScript },
  { name: 'windowed aggregation, early/on-time/late panes, discarding', build: windowedAggregation('discarding'), script: windowedScript },
  { name: 'merging sessions with processing-time early panes', build: sessions, script: sessionScript },
  { name: 'stateful DoFn: value, bag, combining and map state, event- and processing-time timers', build: stateful, script: statefulScript },
  { name: 'side inputs with held-back main elements', build: withSide, script: sideScript },
  { name: 'Flatten of two inputs with their own watermarks', build: flattened, script: flattenScript },
  { name: 'merging sessions with retractions', build: retracting, script: retractingScript },
  { name: "EARLIEST timestamps behind the output watermark, Combine.globally's default", build: timestamps, script: timestampScript },
  { name: 'sliced sliding windows (Count, Mean) and growing sessions', build: slicedAndSessions, script: slicedScript },
];

const allCuts = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);

describe.each(MODES)('capture and restore on the %s engine', (mode) => {
  it.each(CASES)('$name: a restore at every step gives the outputs of an uninterrupted run', async ({ build, script }) => {
    const expected = await uninterrupted(build, script, mode);
    expect(Object.values(expected).some((l) => l.length > 0)).toBe(true);
    for (const cut of allCuts(script.length)) {
      const { lines, snapshots, recaptured } = await interrupted(build, script, [cut], [mode]);
      expect(lines, `cut after step ${cut}`).toEqual(expected);
      // Every watermark, operator state and keyed state came back: a capture right after the restore is the same snapshot.
      expect(decoded(recaptured[0]!), `recapture after step ${cut}`).toEqual(decoded(snapshots[0]!));
    }
  });
});

describe('snapshots are runner-neutral', () => {
  it.each(CASES)('$name: native → micro-batch and micro-batch → native', async ({ build, script }) => {
    const native = await uninterrupted(build, script, 'native');
    // With one element per batch (most steps), both engines give the same outputs; the rest is checked against each.
    const micro = await uninterrupted(build, script, 'microbatch');
    for (const cut of allCuts(script.length)) {
      const toMicro = await interrupted(build, script, [cut], ['native', 'microbatch']);
      const toNative = await interrupted(build, script, [cut], ['microbatch', 'native']);
      if (JSON.stringify(native) === JSON.stringify(micro)) {
        expect(toMicro.lines, `native → micro-batch, cut after step ${cut}`).toEqual(native);
        expect(toNative.lines, `micro-batch → native, cut after step ${cut}`).toEqual(native);
      } else {
        // Engines that disagree on batches of several elements must agree once the cut is past them.
        expect([native, micro], `native → micro-batch, cut after step ${cut}`).toContainEqual(toMicro.lines);
        expect([native, micro], `micro-batch → native, cut after step ${cut}`).toContainEqual(toNative.lines);
      }
    }
  });

  it('the two engines agree on these scripts (so the cross-runner checks above compare against one truth)', async () => {
    for (const { name, build, script } of CASES) expect(await uninterrupted(build, script, 'microbatch'), name).toEqual(await uninterrupted(build, script, 'native'));
  });
});

describe('capture at random cut points (fast-check)', () => {
  it('any cuts, any runner per part: windowed aggregation and stateful DoFn give the uninterrupted outputs', async () => {
    const cases = [CASES[0]!, CASES[1]!, CASES[3]!];
    const expected = await Promise.all(cases.map((c) => uninterrupted(c.build, c.script, 'native')));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: cases.length - 1 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 16 }), { maxLength: 4 }),
        fc.array(fc.constantFrom<EngineMode>('native', 'microbatch'), { minLength: 1, maxLength: 5 }),
        async (which, rawCuts, modes) => {
          const c = cases[which]!;
          const cuts = rawCuts.map((x) => Math.min(x, c.script.length)).sort((a, b) => a - b);
          const { lines } = await interrupted(c.build, c.script, cuts, modes);
          expect(lines).toEqual(expected[which]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
