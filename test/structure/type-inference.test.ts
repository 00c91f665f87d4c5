/**
 * Types that infer through a chain (docs/design/public-api.md): `GroupByKey()`, `Distinct()`,
 * `Window.into(fn)` and `Window.configure()` need no type arguments, taking the element type of the
 * collection they are applied to, and a stateful DoFn names its element types once,
 * `statefulDoFn<I, O>()({ state, timers, ... })`, with its state and timers still typed, and the key an
 * `onTimer` callback sees typed from its input (`KV<K, V>` gives `ctx.key: K`).
 * The type assertions are checked by `npx tsc --noEmit -p .` (this file is in the project); the
 * pipelines also run, on both runners, so the untyped calls build what the typed ones did.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FixedWindows, Pipeline, StateSpec, TimerSpec, kv, statefulDoFn, type DoFn, type IntervalWindow, type KV, type PCollection } from 'watershed/sdk';
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
