/**
 * Types that infer through a chain (docs/design/public-api.md): `GroupByKey()`, `Distinct()`,
 * `Window.into(fn)` and `Window.configure()` need no type arguments, taking the element type of the
 * collection they are applied to, and a stateful DoFn names its element types once,
 * `statefulDoFn<I, O>()({ state, timers, ... })`, with its state and timers still typed, and the key an
 * `onTimer` callback sees typed from its input (`KV<K, V>` gives `ctx.key: K`). A DoFn that
 * returns or yields its outputs (DoFnOutput) needs no output type: `ParDo(fn)` and
 * `statefulDoFn<I>()(fn)` infer it.
 * The type assertions are checked by `npx tsc --noEmit -p .` (this file is in the project); the
 * pipelines also run, on both runners, so the untyped calls build what the typed ones did.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FixedWindows, Pipeline, StateSpec, TimerSpec, kv, statefulDoFn, type DoFn, type IntervalWindow, type KV, type LateRecord, type PCollection } from 'watershed/sdk';
import type { ParDoTransform } from '../../transforms/par-do.js';
import { Capture } from 'watershed/testing';
import { Create, Distinct, GroupByKey, ParDo, Window, sumFn } from 'watershed/transforms';
import { RUNNERS, runWith } from '../support/runners.js';

const at = (value: KV<string, number>, timestamp: number) => ({ value, timestamp });

describe('types that infer through a chain', () => {
  it('GroupByKey(), Window.into(fn) and Distinct() take their types from their input', () => {
    const p = Pipeline.create({ runner: 'native' });
    const input = p.apply(Create.timestamped([at(kv('a', 1), 0)]));
    const windowed = input.apply(Window.into(FixedWindows(1000)));
    expectTypeOf(windowed).toEqualTypeOf<PCollection<KV<string, number>>>();
    const grouped = windowed.apply('Group', GroupByKey());
    expectTypeOf(grouped).toEqualTypeOf<PCollection<KV<string, number[]>>>();
    expectTypeOf(input.apply('Distinct', Distinct())).toEqualTypeOf<PCollection<KV<string, number>>>();
    expectTypeOf(input.apply('Configure', Window.configure().withAllowedLateness(0))).toEqualTypeOf<PCollection<KV<string, number>>>();
    // Named types still work, and still check the input.
    expectTypeOf(input.apply('Named', GroupByKey<string, number>())).toEqualTypeOf<PCollection<KV<string, number[]>>>();
    expectTypeOf(input.apply('NamedWindow', Window.into<KV<string, number>>(FixedWindows(1000)))).toEqualTypeOf<PCollection<KV<string, number>>>();
    const numbers = p.apply('Numbers', Create([1, 2]));
    // @ts-expect-error GroupByKey takes KV elements only
    numbers.apply('NotKeyed', GroupByKey());
    // @ts-expect-error a window named for strings does not take numbers
    numbers.apply('WrongWindow', Window.into<string>(FixedWindows(1000)));
  });

  it('lateData<V>() names the type of the late values (the aggregation input); lateData() keeps unknown', () => {
    const p = Pipeline.create({ runner: 'native' });
    const counts = p.apply(Create.timestamped([at(kv('a', 1), 0)])).apply(Window.into(FixedWindows(1000))).apply('Group', GroupByKey());
    expectTypeOf(counts.lateData<KV<string, number>>()).toEqualTypeOf<PCollection<LateRecord<KV<string, number>>>>();
    expectTypeOf<LateRecord<KV<string, number>>['value']['value']>().toEqualTypeOf<number>();
    expectTypeOf(counts.lateData()).toEqualTypeOf<PCollection<LateRecord>>();
    expectTypeOf<LateRecord['value']>().toEqualTypeOf<unknown>();
  });

  it('a stateful DoFn names its element types once and keeps its state and timers typed', () => {
    const fn = statefulDoFn<KV<string, number>, string>()({
      state: { total: StateSpec.combining(sumFn()), seen: StateSpec.value<boolean>() },
      timers: { end: TimerSpec.eventTime() },
      process(e, ctx) {
        expectTypeOf(e).toEqualTypeOf<KV<string, number>>();
        ctx.state.total.add(e.value);
        expectTypeOf(ctx.state.total.read()).toEqualTypeOf<number>();
        expectTypeOf(ctx.state.seen.read()).toEqualTypeOf<boolean | undefined>();
        // @ts-expect-error no state of that name
        ctx.state.missing.read();
        // @ts-expect-error the output type is string
        ctx.output(1);
        ctx.timers.end.set(ctx.window.maxTimestamp);
      },
      onTimer: {
        end(ctx) {
          // the key is typed from the input, KV<string, number>
          expectTypeOf(ctx.key).toEqualTypeOf<string>();
          ctx.output(`${ctx.key.toUpperCase()}: ${ctx.state.total.read()}`);
        },
      },
    });
    expectTypeOf(fn).toMatchTypeOf<DoFn<KV<string, number>, string, {}, any, any>>();
    // a DoFn whose input is not KV (refused when applied as a stateful step) has an unknown timer key
    statefulDoFn<number, string>()({
      timers: { t: TimerSpec.eventTime() },
      process() {},
      onTimer: {
        t(ctx) {
          expectTypeOf(ctx.key).toEqualTypeOf<unknown>();
        },
      },
    });
    const p = Pipeline.create({ runner: 'native' });
    const out = p.apply(Create([kv('a', 1)])).apply(ParDo(fn));
    expectTypeOf(out).toEqualTypeOf<PCollection<string>>();
  });

  it('ParDo infers the output type from what process returns or yields', () => {
    const p = Pipeline.create({ runner: 'native' });
    const words = p.apply(Create(['a', 'bb']));
    // a generator: its yielded values
    expectTypeOf(words.apply('Gen', ParDo({ *process(w) { yield w.length; } }))).toEqualTypeOf<PCollection<number>>();
    // ... also when it uses its context (no ctx.output: it would stop the inference, see DoFn's C)
    expectTypeOf(words.apply('GenCtx', ParDo({ *process(w, ctx) { yield { w, at: ctx.timestamp }; } }))).toEqualTypeOf<PCollection<{ w: string; at: number }>>();
    expectTypeOf(words.apply('AsyncGen', ParDo({ async *process(w) { yield w.length > 1; } }))).toEqualTypeOf<PCollection<boolean>>();
    // a returned value is one output: an array or a string is one value, not iterated
    expectTypeOf(words.apply('Ret', ParDo({ process: (w) => w.length }))).toEqualTypeOf<PCollection<number>>();
    expectTypeOf(words.apply('RetArray', ParDo({ process: (w) => [w, w] }))).toEqualTypeOf<PCollection<string[]>>();
    expectTypeOf(words.apply('RetCtx', ParDo({ process: (w, ctx) => `${w}@${ctx.timestamp}` }))).toEqualTypeOf<PCollection<string>>();
    expectTypeOf(words.apply('Async', ParDo({ async process(w) { return w.length; } }))).toEqualTypeOf<PCollection<number>>();
    // standalone, with the element parameter annotated
    expectTypeOf(ParDo({ *process(w: string) { yield* w.split(''); } })).toEqualTypeOf<ParDoTransform<string, string, {}>>();
    // ctx.output without named types: unknown, as before
    expectTypeOf(words.apply('Untyped', ParDo({ process(w, ctx) { ctx.output(w); } }))).toEqualTypeOf<PCollection<unknown>>();
    expectTypeOf(words.apply('Nothing', ParDo({ process(w: string) { void w; } }))).toEqualTypeOf<PCollection<unknown>>();
    // named types still work, and check ctx.output and what is returned or yielded
    expectTypeOf(words.apply('Named', ParDo<string, number>({ process(w, ctx) { ctx.output(w.length); } }))).toEqualTypeOf<PCollection<number>>();
    expectTypeOf(words.apply('NamedGen', ParDo<string, number>({ *process(w) { yield w.length; } }))).toEqualTypeOf<PCollection<number>>();
    ParDo<string, number>({
      process(w, ctx) {
        // @ts-expect-error the output type is number
        ctx.output(w);
      },
    });
    // @ts-expect-error yields strings, named number
    ParDo<string, number>({ *process(w) { yield w; } });
    // @ts-expect-error returns a string, named number
    ParDo<string, number>({ process: (w) => w });
  });

  it('statefulDoFn<I>() infers the output type from process and onTimer yielding', () => {
    const fn = statefulDoFn<KV<string, number>>()({
      state: { total: StateSpec.combining(sumFn()) },
      timers: { end: TimerSpec.eventTime() },
      *process(e, ctx) {
        expectTypeOf(e).toEqualTypeOf<KV<string, number>>();
        ctx.state.total.add(e.value);
        expectTypeOf(ctx.state.total.read()).toEqualTypeOf<number>();
        // @ts-expect-error no state of that name
        ctx.state.missing.read();
        ctx.timers.end.set(ctx.window.maxTimestamp);
        if (e.value > 100) yield `${e.key} is big`;
      },
      onTimer: {
        *end(ctx) {
          yield `${String(ctx.key)}: ${ctx.state.total.read()}`;
        },
      },
    });
    expectTypeOf(fn).toMatchTypeOf<DoFn<KV<string, number>, string, {}, any, any>>();
    const p = Pipeline.create({ runner: 'native' });
    expectTypeOf(p.apply(Create([kv('a', 1)])).apply(ParDo(fn))).toEqualTypeOf<PCollection<string>>();
    // the one-call form infers it too, with the element parameter annotated
    const counter = statefulDoFn({
      state: { n: StateSpec.value<number>() },
      *process(e: KV<string, number>, ctx) {
        const n = (ctx.state.n.read() ?? 0) + 1;
        ctx.state.n.write(n);
        yield kv(e.key, n);
      },
    });
    expectTypeOf(p.apply('Counted', Create([kv('a', 1)])).apply('Counter', ParDo(counter))).toEqualTypeOf<PCollection<KV<string, number>>>();
    // @ts-expect-error the timer yields a number where process yields strings
    statefulDoFn<KV<string, number>>()({ timers: { t: TimerSpec.eventTime() }, *process(e) { yield e.key; }, onTimer: { *t() { yield 1; } } });
  });

  describe.each(RUNNERS)('on $label', ({ options }) => {
    it('runs the untyped chain: windows, groups and distinct values', async () => {
      const { out } = await runWith(options, (p) => {
        const input = p.apply(Create.timestamped([at(kv('a', 1), 0), at(kv('a', 1), 10), at(kv('b', 2), 20), at(kv('a', 3), 1500)]));
        const windowed = input.apply('PerSecond', Window.into(FixedWindows(1000)));
        return {
          grouped: windowed.apply('Group', GroupByKey()).apply('Capture', Capture.records<KV<string, number[]>>()),
          distinct: windowed.apply('Distinct', Distinct()).apply('CaptureDistinct', Capture.records<KV<string, number>>()),
        };
      });
      const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
      expect(sorted(out.grouped.records.map((r) => [r.value.key, [...r.value.value].sort(), (r.window as IntervalWindow).start]))).toEqual(
        sorted([
          ['a', [1, 1], 0],
          ['b', [2], 0],
          ['a', [3], 1000],
        ]),
      );
      expect(sorted(out.distinct.values())).toEqual(sorted([kv('a', 1), kv('b', 2), kv('a', 3)]));
    });
  });
});
