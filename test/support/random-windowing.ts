import fc from 'fast-check';
import { AfterAll } from '../../sdk/triggers/after-all.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterEach } from '../../sdk/triggers/after-each.js';
import { AfterFirst } from '../../sdk/triggers/after-first.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Never } from '../../sdk/triggers/never.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';

/**
 * Random windowing for property tests: plain-data specs of triggers and window functions (printable
 * in a counterexample), their fast-check generators, and the trigger or WindowFn each spec builds.
 * @example fc.property(arbWindowSpec, arbTriggerSpec(), (w, t) => { Window.into(windowFnOf(w)).triggering(triggerOf(t)); })
 */
export type TriggerSpec =
  | { k: 'wm'; early?: number; late?: boolean }
  | { k: 'count'; n: number }
  | { k: 'rep'; n: number }
  | { k: 'each'; a: number; b: number }
  | { k: 'repFinally'; n: number }
  | { k: 'never' }
  | { k: 'pt'; d: number }
  | { k: 'first'; n: number }
  | { k: 'all'; n: number };

export type WindowSpec = { k: 'fixed'; size: number } | { k: 'sliding'; size: number; period: number } | { k: 'sessions'; gap: number } | { k: 'global' };

/** The trigger a spec names: watermark with early/late firings, counts, Repeatedly, AfterEach, orFinally, Never, processing time, AfterFirst, AfterAll. */
export function triggerOf(t: TriggerSpec): Trigger {
  switch (t.k) {
    case 'wm': {
      let x = AfterWatermark();
      if (t.early) x = x.withEarlyFirings(AfterCount(t.early));
      if (t.late) x = x.withLateFirings(AfterCount(1));
      return x;
    }
    case 'count': return AfterCount(t.n);
    case 'rep': return Repeatedly(AfterCount(t.n));
    case 'each': return AfterEach(AfterCount(t.a), AfterCount(t.b));
    case 'repFinally': return Repeatedly(AfterCount(t.n)).orFinally(AfterWatermark());
    case 'never': return Never();
    case 'pt': return Repeatedly(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(t.d));
    case 'first': return Repeatedly(AfterFirst(AfterCount(t.n), AfterWatermark()));
    case 'all': return AfterAll(AfterCount(t.n), AfterWatermark());
  }
}

/** The WindowFn a spec names. */
export function windowFnOf(w: WindowSpec): WindowFn<unknown> {
  return w.k === 'fixed' ? FixedWindows(w.size) : w.k === 'sliding' ? SlidingWindows(w.size, w.period) : w.k === 'sessions' ? Sessions(w.gap) : GlobalWindows();
}

/** Fixed (1 s, 3 s), sliding (size not always a multiple of the period), sessions, global. */
export const arbWindowSpec: fc.Arbitrary<WindowSpec> = fc.oneof(
  fc.record({ k: fc.constant('fixed' as const), size: fc.constantFrom(1000, 3000) }),
  fc.record({ k: fc.constant('sliding' as const), size: fc.constantFrom(3000, 5000), period: fc.constantFrom(1000, 2000, 4000) }),
  fc.record({ k: fc.constant('sessions' as const), gap: fc.constantFrom(500, 2000) }),
  fc.constant({ k: 'global' as const }),
);

/** Every trigger kind of {@link TriggerSpec}; `all: false` leaves AfterAll out. */
export function arbTriggerSpec({ all = true }: { all?: boolean } = {}): fc.Arbitrary<TriggerSpec> {
  const kinds: fc.Arbitrary<TriggerSpec>[] = [
    fc.record({ k: fc.constant('wm' as const), early: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), late: fc.boolean() }),
    fc.record({ k: fc.constant('count' as const), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ k: fc.constant('rep' as const), n: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ k: fc.constant('each' as const), a: fc.integer({ min: 1, max: 3 }), b: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ k: fc.constant('repFinally' as const), n: fc.integer({ min: 1, max: 3 }) }),
    fc.constant({ k: 'never' as const }),
    fc.record({ k: fc.constant('pt' as const), d: fc.constantFrom(100, 1000) }),
    fc.record({ k: fc.constant('first' as const), n: fc.integer({ min: 1, max: 3 }) }),
  ];
  if (all) kinds.push(fc.record({ k: fc.constant('all' as const), n: fc.integer({ min: 1, max: 3 }) }));
  return fc.oneof(...kinds);
}
