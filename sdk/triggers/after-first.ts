import { defineTrigger } from './define-trigger.js';
import type { Trigger, TriggerState } from './trigger.js';

/**
 * Fires as soon as any sub-trigger would fire, then finishes.
 * @throws RangeError with no sub-triggers.
 * @example AfterFirst(AfterCount(100), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(seconds(1)))
 */
export const AfterFirst: AfterFirstFactory = Object.assign(afterFirst, {
  /** @deprecated Use `AfterFirst(...subs)`. This alias goes in the next release. */
  of: (...subs: Trigger[]): Trigger => afterFirst(...subs),
});

/** {@link AfterFirst}: a call, plus its deprecated alias. */
export interface AfterFirstFactory {
  (...subs: Trigger[]): Trigger;
  /** @deprecated Use `AfterFirst(...subs)`. This alias goes in the next release. */
  of(...subs: Trigger[]): Trigger;
}

function afterFirst(...subs: Trigger[]): Trigger {
    if (subs.length === 0) throw new RangeError('AfterFirst needs at least one trigger');
    const each = (s: TriggerState, f: (t: Trigger, x: TriggerState) => TriggerState): TriggerState => ({
      finished: s.finished,
      subs: subs.map((t, i) => f(t, s.subs![i]!)),
    });
    return defineTrigger({
      name: `AfterFirst(${subs.map((t) => t.name).join(', ')})`,
      subTriggers: subs,
      init: () => ({ finished: false, subs: subs.map((t) => t.init()) }),
      onElement: (s, ctx) => (s.finished ? s : each(s, (t, x) => t.onElement(x, ctx))),
      onMerge: (states, ctx) => ({
        finished: states.some((x) => x.finished),
        subs: subs.map((t, i) => t.onMerge(states.map((x) => x.subs![i]!), ctx)),
      }),
      shouldFire: (s, ctx) => !s.finished && subs.some((t, i) => t.shouldFire(s.subs![i]!, ctx)),
      onFire: (s, ctx) => ({ ...each(s, (t, x) => (t.shouldFire(x, ctx) ? t.onFire(x, ctx) : x)), finished: true }),
      continuation: () => afterFirst(...subs.map((t) => t.continuation())),
    });
}
