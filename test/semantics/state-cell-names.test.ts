import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * State cells named like Object.prototype members. A key's cells are fields of one record, and
 * before, a cell not written yet read the inherited member: a value state `constructor` read the
 * function Object (not undefined) once another cell of the key was written, a bag, set or map state
 * `toString`/`constructor` failed the element ("push is not a function"), a combining state
 * `hasOwnProperty` added its first input to Object.prototype.hasOwnProperty (a wrong total).
 */
const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('state cells named like Object.prototype members on $label', ({ options }) => {
  it.each(NAMES)('value, bag, set, map and combining cells named %s start empty and keep what is written', async (name) => {
    const fn = statefulDoFn<KV<string, number>, string>()({
      state: {
        first: StateSpec.value<number>(),
        [`${name}`]: StateSpec.value<number>(),
      },
      process(e, ctx) {
        ctx.state.first.write(e.value); // the key's record exists before the named cell is read
        const v = (ctx.state as unknown as Record<string, { read(): unknown; write(x: number): void }>)[name]!;
        const before = v.read();
        v.write(e.value);
        ctx.output(`value ${typeof before === 'function' ? 'function' : String(before)}`);
      },
    });
    const named = (kind: 'bag' | 'set' | 'map' | 'combining') =>
      statefulDoFn<KV<string, number>, string>()({
        state: {
          first: StateSpec.value<number>(),
          [`${name}`]: kind === 'bag' ? StateSpec.bag<number>() : kind === 'set' ? StateSpec.set<number>() : kind === 'map' ? StateSpec.map<string, number>() : StateSpec.combining(sumFn()),
        },
        process(e, ctx) {
          ctx.state.first.write(e.value);
          const c = (ctx.state as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[name]!;
          if (kind === 'bag' || kind === 'set' || kind === 'combining') c['add']!(e.value);
          else c['put']!(`k${e.value}`, e.value);
          const read = kind === 'map' ? (c['entries']!() as [string, number][]).map(([, v]) => v) : c['read']!();
          ctx.output(`${kind} ${JSON.stringify(read)}`);
        },
      });
    const { out } = await runWith(options, (p) => {
      const input = p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1), 10], [kv('k', 2), 20]).advanceWatermarkToInfinity())
        .apply(Window.into<KV<string, number>>(FixedWindows(1000)));
      return {
        value: input.apply('Value', ParDo(fn)).apply('V', Capture.records()),
        bag: input.apply('Bag', ParDo(named('bag'))).apply('B', Capture.records()),
        set: input.apply('Set', ParDo(named('set'))).apply('S', Capture.records()),
        map: input.apply('Map', ParDo(named('map'))).apply('M', Capture.records()),
        combining: input.apply('Combining', ParDo(named('combining'))).apply('C', Capture.records()),
      };
    });
    expect(out.value.values()).toEqual(['value undefined', 'value 1']);
    expect(out.bag.values()).toEqual(['bag [1]', 'bag [1,2]']);
    expect(out.set.values()).toEqual(['set [1]', 'set [1,2]']);
    expect(out.map.values()).toEqual(['map [1]', 'map [1,2]']);
    expect(out.combining.values()).toEqual(['combining 1', 'combining 3']);
  });

  it('after sessions merge, a combining cell named toString holds both sessions\' inputs and a timer named constructor still fires (before: the merge took the inherited members)', async () => {
    const fn = statefulDoFn<KV<string, number>, string>()({
      state: { toString: StateSpec.combining(sumFn()) },
      timers: { constructor: TimerSpec.eventTime() },
      process(e, ctx) {
        ctx.state.toString.add(e.value);
        // Only the sessions' own first elements set it: the bridging element (4) leaves it to the merge.
        if (e.value !== 4) ctx.timers.constructor.set(ctx.window.maxTimestamp);
      },
      onTimer: { constructor: (ctx) => ctx.output(`sum ${ctx.state.toString.read()}`) },
    });
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1), 10], [kv('k', 2), 200], [kv('k', 4), 100]).advanceWatermarkToInfinity())
        .apply(Window.into<KV<string, number>>(Sessions(150)))
        .apply('Merging', ParDo(fn))
        .apply(Capture.records<string>()),
    );
    expect(out.values()).toEqual(['sum 7']);
  });
});
