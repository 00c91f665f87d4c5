import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { TimerSpec } from '../../sdk/state.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { RUNNERS, runWith } from '../support/runners.js';

/**
 * A million event-time timers due at once: one expiry timer per key, all due when the bounded input
 * ends. They fire one after another in a loop (not one call deeper per timer), earliest first.
 * The per-runner-configuration version with 10,000 timers is in state-and-timers.test.ts.
 */
const N = 1_000_000;
/** Expiry times in a scrambled order (a prime step), so arrival order is not firing order. */
const expiry = (i: number) => 1000 + ((i * 7919) % N);

describe.each(RUNNERS)('1,000,000 due timers on $label', ({ options }) => {
  it(
    'all fire, earliest first',
    async () => {
      let fired = 0;
      let outOfOrder = 0;
      let last = Number.NEGATIVE_INFINITY;
      const expire = statefulDoFn({
        timers: { expire: TimerSpec.eventTime() },
        process(e: KV<number, number>, ctx) {
          ctx.timers.expire.set(e.value);
        },
        onTimer: {
          expire(ctx) {
            fired++;
            if (ctx.timestamp < last || ctx.timestamp !== expiry(ctx.key as number)) outOfOrder++;
            last = ctx.timestamp;
          },
        },
      });
      const { result } = await runWith(options, (p) => p.apply(Create(Array.from({ length: N }, (_, i) => kv(i, expiry(i))))).apply('Expire', ParDo(expire)));
      expect(result.state).toBe('DONE');
      expect(fired).toBe(N);
      expect(outOfOrder).toBe(0);
      expect(result.metrics['Expire']?.elementsIn).toBe(N);
    },
    // not a speed assertion: a guard against a shared, loaded machine (a million keys of state)
    180_000,
  );
});
