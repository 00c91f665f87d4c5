import { describe, expect, it } from 'vitest';
import { statefulDoFn, type DoFn } from '../../sdk/dofn.js';
import { MixedOutputError, UserCodeError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { formatWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { inRunOrder, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * A DoFn's outputs given by return or yield (the DoFnOutput rule, sdk/dofn.ts) are exactly what the
 * same DoFn gives with ctx.output: values, timestamps, windows and panes, in process and in onTimer,
 * on every runner configuration.
 */
type Ev = KV<string, number>;

/** Every output as one line: value, timestamp, window, pane timing and index. */
const lines = (probe: Probe<unknown>) => probe.records.map((r) => `${JSON.stringify(r.value)} ts=${r.timestamp} ${formatWindow(r.window)} ${r.pane.timing}#${r.pane.index}`);

/** Counts per key in 10 ms windows, fired early per element and late: outputs with windows and panes. */
function counts(p: Pipeline) {
  return p
    .apply(
      TestStream.create<string>()
        .addElements(['a', 1], ['b', 2], ['a', 13])
        .advanceWatermarkTo(30)
        .addElements(['a', 5])
        .advanceWatermarkToInfinity(),
    )
    .apply(
      'Windows',
      Window.into<string>(FixedWindows(10))
        .triggering(AfterWatermark().withEarlyFirings(AfterCount(1)).withLateFirings(AfterCount(1)))
        .withAllowedLateness(100)
        .accumulatingFiredPanes(),
    )
    .apply('Count', Count.perElement<string>());
}

const forms: Record<string, DoFn<KV<string, number>, string, {}, {}, {}, any>> = {
  'ctx.output': {
    process(c, ctx) {
      ctx.output(`${c.key}:${c.value}`);
      if (c.value > 1) ctx.output(`${c.key} again`);
    },
  },
  'a generator': {
    *process(c) {
      yield `${c.key}:${c.value}`;
      if (c.value > 1) yield `${c.key} again`;
    },
  },
  'an async generator': {
    async *process(c) {
      yield `${c.key}:${c.value}`;
      await Promise.resolve();
      if (c.value > 1) yield `${c.key} again`;
    },
  },
};

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('returned and yielded outputs on $label', ({ options }) => {
  const run = async <T>(build: (p: Pipeline) => T, opts: Partial<PipelineOptions> = options) => (await runWith(opts, build)).out;

  it.each(Object.keys(forms))('%s gives the same outputs, timestamps, windows and panes as ctx.output', async (form) => {
    const expected = await run((p) => counts(p).apply('Format', ParDo(forms['ctx.output']!)).apply(Capture.records()));
    const got = await run((p) => counts(p).apply('Format', ParDo(forms[form]!)).apply(Capture.records()));
    expect(inRunOrder(options, lines(got))).toEqual(inRunOrder(options, lines(expected)));
    expect(inRunOrder(options, lines(expected))).toEqual(inRunOrder(options, [
      '"a:1" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) EARLY#0',
      '"b:1" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) EARLY#0',
      '"a:1" ts=19 [1970-01-01T00:00:00.010Z, 1970-01-01T00:00:00.020Z) EARLY#0',
      '"a:1" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) ON_TIME#1',
      '"b:1" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) ON_TIME#1',
      '"a:1" ts=19 [1970-01-01T00:00:00.010Z, 1970-01-01T00:00:00.020Z) ON_TIME#1',
      '"a:2" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) LATE#2',
      '"a again" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) LATE#2',
    ]));
  });

  it('a returned value is one output (also an array, a string, null); undefined is none; a promise counts as its value', async () => {
    const out = await run((p) =>
      p
        .apply(TestStream.create<number>().addElements([1, 5], [2, 6], [3, 7], [4, 8], [5, 9]).advanceWatermarkToInfinity())
        .apply(
          'Returns',
          ParDo<number, unknown>({
            process(n) {
              if (n === 1) return [n, n];
              if (n === 2) return 'ab';
              if (n === 3) return null;
              if (n === 4) return undefined;
              return Promise.resolve(new Set([n]));
            },
          }),
        )
        .apply(Capture.records()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp])).toEqual([
      [[1, 1], 5],
      ['ab', 6],
      [null, 7],
      [new Set([5]), 9],
    ]);
  });

  it('an async process returning a value emits it with the element timestamp and window', async () => {
    const sync = await run((p) => counts(p).apply('F', ParDo({ process: (c: Ev) => `${c.key}=${c.value}` })).apply(Capture.records()));
    const async_ = await run((p) =>
      counts(p)
        .apply('F', ParDo({ async process(c: Ev) { await Promise.resolve(); return `${c.key}=${c.value}`; } }))
        .apply(Capture.records()),
    );
    expect(lines(async_)).toEqual(lines(sync));
    expect(sync.records.length).toBeGreaterThan(0);
  });

  it('a generator of many outputs per element gives them all, in order', async () => {
    const N = 10_000;
    const out = await run((p) =>
      p
        .apply(TestStream.create<number>().addElements([0, 1], [1, 2]).advanceWatermarkToInfinity())
        .apply('Many', ParDo({ *process(base: number) { for (let i = 0; i < N; i++) yield base * N + i; } }))
        // An async step downstream: the generator is paused while it catches up, then pulled on.
        .apply('Slow', ParDo({ async process(n: number) { await Promise.resolve(); return n; } }))
        .apply(Capture.records()),
    );
    expect(out.values()).toEqual(Array.from({ length: 2 * N }, (_, i) => i));
  });

  it('a stateful DoFn and its event-time timer yielding give what ctx.output gives', async () => {
    const withCtx = statefulDoFn<Ev, string>()({
      state: { total: StateSpec.combining(sumFn()) },
      timers: { end: TimerSpec.eventTime() },
      process(e, ctx) {
        ctx.state.total.add(e.value);
        if (e.value > 2) ctx.output(`${e.key} big ${e.value}`);
        ctx.timers.end.set(ctx.window.maxTimestamp);
      },
      onTimer: {
        end(ctx) {
          ctx.output(`${String(ctx.key)} total ${ctx.state.total.read()}`);
        },
      },
    });
    const yielding = statefulDoFn<Ev>()({
      state: { total: StateSpec.combining(sumFn()) },
      timers: { end: TimerSpec.eventTime() },
      *process(e, ctx) {
        ctx.state.total.add(e.value);
        if (e.value > 2) yield `${e.key} big ${e.value}`;
        ctx.timers.end.set(ctx.window.maxTimestamp);
      },
      onTimer: {
        *end(ctx) {
          yield `${String(ctx.key)} total ${ctx.state.total.read()}`;
        },
      },
    });
    const build = (fn: DoFn<Ev, string, {}, any, any>) => (p: Pipeline) =>
      p
        .apply(
          TestStream.create<Ev>()
            .addElements([kv('a', 1), 1], [kv('b', 5), 2], [kv('a', 3), 12])
            .advanceWatermarkTo(15)
            .addElements([kv('a', 4), 16])
            .advanceWatermarkToInfinity(),
        )
        .apply('Windows', Window.into<Ev>(FixedWindows(10)))
        .apply('Totals', ParDo(fn))
        .apply(Capture.records());
    const expected = await run(build(withCtx));
    const got = await run(build(yielding));
    expect(lines(got)).toEqual(lines(expected));
    expect(lines(expected)).toEqual(
      expect.arrayContaining([
        '"b big 5" ts=2 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) UNKNOWN#0',
        '"a total 1" ts=9 [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:00.010Z) UNKNOWN#0',
        '"a total 7" ts=19 [1970-01-01T00:00:00.010Z, 1970-01-01T00:00:00.020Z) UNKNOWN#0',
      ]),
    );
  });

  it('tagged outputs combine with yielded main outputs', async () => {
    const out = await run((p) => {
      const r = p
        .apply(TestStream.create<number>().addElements([1, 1], [-2, 2]).advanceWatermarkToInfinity())
        .apply(
          'Split',
          ParDo<number, number, { negative: number }>({
            *process(n, ctx) {
              if (n < 0) ctx.outputTo('negative', n);
              else yield n;
            },
          }).withOutputs('negative'),
        );
      return { main: r.main.apply('Main', Capture.records()), negative: r.negative.apply('Neg', Capture.records()) };
    });
    expect(out.main.values()).toEqual([1]);
    expect(out.negative.values()).toEqual([-2]);
  });

  it('a process that both yields and calls ctx.output fails the run naming the step, also with dead letters', async () => {
    for (const deadLetters of [false, true]) {
      const run_ = runWith(options, (p) => {
        let t = ParDo<number, number>({
          *process(n, ctx) {
            yield n;
            if (n === 2) ctx.output(n);
          },
        });
        if (deadLetters) t = t.withDeadLetters();
        return p.apply(TestStream.create<number>().addElements([1, 1], [2, 2]).advanceWatermarkToInfinity()).apply('Mixed', t);
      });
      await expect(run_).rejects.toBeInstanceOf(UserCodeError);
      await expect(run_).rejects.toMatchObject({ step: 'Mixed', element: '2', timestamp: 2, cause: expect.any(MixedOutputError) });
      await expect(run_).rejects.toThrow(/step 'Mixed' failed in process on element 2 in window GlobalWindow.*process both returned or yielded outputs and called ctx.output/);
    }
  });

  it('a returned value after ctx.output fails the run too', async () => {
    const run_ = runWith(options, (p) =>
      p
        .apply(TestStream.create<number>().addElements([7, 1]).advanceWatermarkToInfinity())
        .apply('Both', ParDo<number, number>({ process(n, ctx) { ctx.output(n); return n; } })),
    );
    await expect(run_).rejects.toThrow(/step 'Both' failed in process on element 7.*both returned or yielded/);
  });

  it('an onTimer that both yields and calls ctx.output fails the run naming the step and the timer', async () => {
    const fn = statefulDoFn<Ev, string>()({
      timers: { end: TimerSpec.eventTime() },
      process(_e, ctx) {
        ctx.timers.end.set(ctx.window.maxTimestamp);
      },
      onTimer: {
        *end(ctx) {
          ctx.output('first');
          yield 'second';
        },
      },
    });
    const run_ = runWith(options, (p) =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('k', 1), 1]).advanceWatermarkToInfinity())
        .apply('W', Window.into<Ev>(FixedWindows(10)))
        .apply('Timer', ParDo(fn)),
    );
    await expect(run_).rejects.toThrow(/step 'Timer' failed in onTimer\.end on element "k".*onTimer\.end both returned or yielded/);
  });

  it('a generator that throws after yielding sends its element to dead letters, its earlier outputs kept (as with ctx.output)', async () => {
    const out = await run((p) => {
      const r = p
        .apply(TestStream.create<number>().addElements([1, 1], [0, 2], [3, 3]).advanceWatermarkToInfinity())
        .apply(
          'Invert',
          ParDo({
            *process(n: number) {
              yield `${n} in`;
              if (n === 0) throw new Error('cannot invert 0');
              yield 1 / n;
            },
          }).withDeadLetters(),
        );
      return { out: r.apply('Out', Capture.records()), dead: r.deadLetters().apply('Dead', Capture.records()) };
    });
    expect(out.out.values()).toEqual(['1 in', 1, '0 in', '3 in', 1 / 3]);
    expect(out.dead.values().map((d) => [d.element, d.step, d.message])).toEqual([[0, 'Invert', 'cannot invert 0']]);
  });
});
