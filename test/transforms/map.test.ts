import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { UserCodeError } from '../../sdk/errors.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Map on $label', ({ options }) => {
  it('emits fn(element) for every element, in order, keeping timestamp and window', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(
          Create.timestamped([
            { value: 'ab', timestamp: 100 },
            { value: 'c', timestamp: 2500 },
            { value: '', timestamp: 900 },
          ]),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply('Length', MapElements((s: string) => s.length))
        .apply(Capture.records<number>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp, r.window])).toEqual([
      [2, 100, intervalWindow(0, 1000)],
      [1, 2500, intervalWindow(2000, 3000)],
      [0, 900, intervalWindow(0, 1000)],
    ]);
    expect(result.metrics['Length']).toMatchObject({ elementsIn: 3, elementsOut: 3 });
  });

  it('passes falsy results (0, null, false) through', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create([0, 1, 2])).apply(MapElements((x: number) => [0, null, false][x])).apply(Capture.records()));
    expect(out.values()).toEqual([0, null, false]);
  });

  it('awaits an async fn and keeps the input order', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([5, 1, 4, 2, 3]))
        .apply(MapElements(async (x: number) => new Promise<number>((r) => setTimeout(() => r(x * 10), x))))
        .apply(Capture.records<number>()),
    );
    expect(out.values()).toEqual([50, 10, 40, 20, 30]);
  });

  it('a throwing fn fails the run with a UserCodeError naming the step and element', async () => {
    const err = await runWith(options, (p) =>
      p.apply(Create(['1', 'x', '3'])).apply(
        'ToNumber',
        MapElements((s: string) => {
          if (Number.isNaN(Number(s))) throw new Error(`not a number: ${s}`);
          return Number(s);
        }),
      ),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('ToNumber');
    expect((err as UserCodeError).element).toBe('"x"');
    expect((err as Error).message).toContain('not a number: x');
    expect((err as Error).message).toContain('GlobalWindow');
  });

  it('withDeadLetters routes failing elements to deadLetters() and keeps the others', async () => {
    const { out, result } = await runWith(options, (p) => {
      const m = p.apply(Create(['1', 'x', '3'])).apply(
        'ToNumber',
        MapElements(async (s: string) => {
          if (Number.isNaN(Number(s))) throw new Error(`not a number: ${s}`);
          return Number(s);
        }).withDeadLetters(),
      );
      return { main: m.apply('Main', Capture.records<number>()), dead: m.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    });
    expect(out.main.values()).toEqual([1, 3]);
    expect(out.dead.values()).toEqual([{ step: 'ToNumber', reason: 'user-code', message: 'not a number: x', element: 'x', timestamp: -9_007_199_254_740_991, window: 'GlobalWindow' }]);
    expect(result.metrics['ToNumber']).toMatchObject({ elementsIn: 3, elementsOut: 2, deadLettered: 1 });
  });

  it('has the default step name Map', async () => {
    const p = Pipeline.create(options);
    p.apply(Create([1])).apply(MapElements((x: number) => x));
    expect(p.stepNames()).toEqual(['Create', 'Map']);
  });
});
