import { describe, expect, it } from 'vitest';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * User counters and distributions named like Object.prototype members, or `__proto__`. Before, a
 * counter `constructor` started from the inherited function Object and became the string
 * "function Object() { [native code] }1", a distribution `toString` updated the function's fields
 * (never reported), and a counter `__proto__` was dropped (assigning a number to `__proto__` does nothing).
 */
const NAMES = ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'plain'] as const;

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('metric names on $label', ({ options }) => {
  it('counters and distributions of any name count from zero and are reported', async () => {
    const { result } = await runWith(options, (p) =>
      p.apply(Create([1, 2, 3])).apply(
        'Measure',
        ParDo<number, never>({
          process(x, ctx) {
            for (const name of NAMES) {
              ctx.metrics.counter(name).inc();
              ctx.metrics.distribution(name).update(x);
            }
          },
        }),
      ),
    );
    const m = result.metrics['Measure']!;
    for (const name of NAMES) {
      expect(Object.hasOwn(m.counters, name) ? m.counters[name] : undefined, `counter ${name}`).toBe(3);
      expect(Object.hasOwn(m.distributions, name) ? m.distributions[name] : undefined, `distribution ${name}`).toEqual({ count: 3, sum: 6, min: 1, max: 3 });
    }
    expect(Object.keys(m.counters).sort()).toEqual([...NAMES].sort());
  });
});
