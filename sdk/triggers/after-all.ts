import { defineTrigger } from './define-trigger.js';
import type { Trigger } from './trigger.js';

/**
 * Fires once every sub-trigger has fired or would fire, then finishes.
 * @throws RangeError with no sub-triggers.
 * @example AfterAll(AfterCount(10), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(seconds(1)))
 */
export const AfterAll: AfterAllFactory = Object.assign(afterAll, {
  /** @deprecated Use `AfterAll(...subs)`. This alias goes in the next release. */
  of: (...subs: Trigger[]): Trigger => afterAll(...subs),
});

/** {@link AfterAll}: a call, plus its deprecated alias. */
export interface AfterAllFactory {
  (...subs: Trigger[]): Trigger;
  /** @deprecated Use `AfterAll(...subs)`. This alias goes in the next release. */
  of(...subs: Trigger[]): Trigger;
}

function afterAll(...subs: Trigger[]): Trigger {
    if (subs.length === 0) throw new RangeError('AfterAll needs at least one trigger');
    return defineTrigger({
      name: `AfterAll(${subs.map((t) => t.name).join(', ')})`,
      subTriggers: subs,
      init: () => ({ finished: false, subs: subs.map((t) => t.init()) }),
      onElement: (s, ctx) =>
        s.finished ? s : { finished: false, subs: subs.map((t, i) => (s.subs![i]!.finished ? s.subs![i]! : t.onElement(s.subs![i]!, ctx))) },
      onMerge: (states, ctx) => ({
        finished: states.some((x) => x.finished),
        subs: subs.map((t, i) => t.onMerge(states.map((x) => x.subs![i]!), ctx)),
      }),
      shouldFire: (s, ctx) => !s.finished && subs.every((t, i) => s.subs![i]!.finished || t.shouldFire(s.subs![i]!, ctx)),
      onFire: (s, ctx) => ({
        finished: true,
        subs: subs.map((t, i) => (s.subs![i]!.finished ? s.subs![i]! : t.onFire(s.subs![i]!, ctx))),
      }),
      continuation: () => afterAll(...subs.map((t) => t.continuation())),
    });
}
