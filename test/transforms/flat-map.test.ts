import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { UserCodeError } from '../../sdk/errors.js';
import { Capture } from '../../sdk/testing/capture.js';
import { intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { FlatMap } from '../../transforms/flat-map.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('FlatMap on $label', ({ options }) => {
  it('emits everything fn yields (zero or more per element), in order, with the input timestamp and window', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(
          Create.timestamped([
            { value: 'a b', timestamp: 10 },
            { value: '', timestamp: 20 },
            { value: 'c d e', timestamp: 1500 },
          ]),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply('Words', FlatMap((l: string) => l.split(' ').filter((w) => w !== '')))
        .apply(Capture.records<string>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp, r.window])).toEqual([
      ['a', 10, intervalWindow(0, 1000)],
      ['b', 10, intervalWindow(0, 1000)],
      ['c', 1500, intervalWindow(1000, 2000)],
      ['d', 1500, intervalWindow(1000, 2000)],
      ['e', 1500, intervalWindow(1000, 2000)],
    ]);
    expect(result.metrics['Words']).toMatchObject({ elementsIn: 3, elementsOut: 5 });
  });

  it('a fan-out larger than a column chunk reaches an async step complete and in order', async () => {
    const n = 10_000;
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([n, 3]))
        .apply('Explode', FlatMap((k: number) => Array.from({ length: k }, (_, i) => k * 100_000 + i)))
        .apply(
          'Slow',
          MapElements(async (x: number) => {
            if (x % 1000 === 0) await new Promise((r) => setImmediate(r));
            return x;
          }),
        )
        .apply(Capture.records<number>()),
    );
    expect(out.values()).toEqual([...Array.from({ length: n }, (_, i) => n * 100_000 + i), 300_000, 300_001, 300_002]);
  });

  it('accepts any iterable, including generators', async () => {
    function* upTo(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    const { out } = await runWith(options, (p) => p.apply(Create([3, 0, 2])).apply(FlatMap(upTo)).apply(Capture.records<number>()));
    expect(out.values()).toEqual([0, 1, 2, 0, 1]);
  });

  it('awaits an async fn and keeps the order', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([3, 1, 2]))
        .apply(FlatMap(async (n: number) => new Promise<string[]>((r) => setTimeout(() => r(Array.from({ length: n }, (_, i) => `${n}.${i}`)), 4 - n))))
        .apply(Capture.records<string>()),
    );
    expect(out.values()).toEqual(['3.0', '3.1', '3.2', '1.0', '2.0', '2.1']);
  });

  it('a throwing fn fails the run naming the step; withDeadLetters routes it instead', async () => {
    const explode = (s: string): string[] => {
      if (s === 'bad') throw new Error('cannot split');
      return [s, s];
    };
    const err = await runWith(options, (p) => p.apply(Create(['ok', 'bad'])).apply('Split', FlatMap(explode))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Split');
    expect((err as UserCodeError).element).toBe('"bad"');

    const { out } = await runWith(options, (p) => {
      const r = p.apply(Create(['ok', 'bad', 'ok2'])).apply('Split', FlatMap(explode).withDeadLetters());
      return { main: r.apply('Main', Capture.records<string>()), dead: r.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    });
    expect(out.main.values()).toEqual(['ok', 'ok', 'ok2', 'ok2']);
    expect(out.dead.values().map((d) => [d.step, d.reason, d.element, d.message])).toEqual([['Split', 'user-code', 'bad', 'cannot split']]);
  });
});
