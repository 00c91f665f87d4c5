import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { UserCodeError } from '../../sdk/errors.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Filter on $label', ({ options }) => {
  it('keeps exactly the elements the predicate accepts, in order, unchanged', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(
          Create.timestamped([
            { value: 1, timestamp: 10 },
            { value: 2, timestamp: 20 },
            { value: 3, timestamp: 30 },
            { value: 4, timestamp: 40 },
          ]),
        )
        .apply('Even', Filter((x: number) => x % 2 === 0))
        .apply(Capture.records<number>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp])).toEqual([
      [2, 20],
      [4, 40],
    ]);
    expect(result.metrics['Even']).toMatchObject({ elementsIn: 4, elementsOut: 2 });
  });

  it('passes the same object (no copy) and can drop everything', async () => {
    const a = { id: 1 };
    const { out } = await runWith(options, (p) => {
      const src = p.apply(Create([a, { id: 2 }]));
      return { kept: src.apply('Kept', Filter((o: { id: number }) => o.id === 1)).apply('K', Capture.records()), none: src.apply('None', Filter(() => false)).apply('N', Capture.records()) };
    });
    expect(out.kept.values()).toEqual([{ id: 1 }]);
    expect(out.none.records).toEqual([]);
  });

  it('a throwing predicate fails the run naming the step; withDeadLetters routes the element instead', async () => {
    const pred = (s: string | null) => s!.length > 1;
    const err = await runWith(options, (p) => p.apply(Create<string | null>(['ab', null])).apply('Long', Filter(pred))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Long');
    expect((err as UserCodeError).element).toBe('null');

    const { out } = await runWith(options, (p) => {
      const r = p.apply(Create<string | null>(['ab', null, 'c', 'de'])).apply('Long', Filter(pred).withDeadLetters());
      return { main: r.apply('Main', Capture.records<string | null>()), dead: r.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    });
    expect(out.main.values()).toEqual(['ab', 'de']);
    expect(out.dead.values().map((d) => [d.step, d.reason, d.element])).toEqual([['Long', 'user-code', null]]);
  });
});
