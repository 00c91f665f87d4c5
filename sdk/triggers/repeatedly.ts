import { withSub } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger } from './trigger.js';

/**
 * Fires whenever the sub-trigger fires, and starts it again each time it finishes; never finishes
 * itself (use `.orFinally(until)` to stop it).
 * @example Repeatedly(AfterCount(10))
 */
export const Repeatedly: RepeatedlyFactory = Object.assign(repeatedly, {
  /** @deprecated Use `Repeatedly(sub)`. This alias goes in the next release. */
  forever: (sub: Trigger): Trigger => repeatedly(sub),
});

/** {@link Repeatedly}: a call, plus its deprecated alias. */
export interface RepeatedlyFactory {
  (sub: Trigger): Trigger;
  /** @deprecated Use `Repeatedly(sub)`. This alias goes in the next release. */
  forever(sub: Trigger): Trigger;
}

function repeatedly(sub: Trigger): Trigger {
    return defineTrigger({
      name: `Repeatedly(${sub.name})`,
      subTriggers: [sub],
      init: () => ({ finished: false, subs: [sub.init()] }),
      onElement: (s, ctx) => withSub(s, 0, sub.onElement(s.subs![0]!, ctx)),
      onMerge: (states, ctx) => {
        const merged = sub.onMerge(states.map((x) => x.subs![0]!), ctx);
        const next = merged.finished ? sub.init() : merged;
        // One window grew (a session taking an element): its state, when nothing changed (states are immutable).
        if (states.length === 1 && !states[0]!.finished && states[0]!.subs![0] === next) return states[0]!;
        return { finished: false, subs: [next] };
      },
      shouldFire: (s, ctx) => sub.shouldFire(s.subs![0]!, ctx),
      onFire: (s, ctx) => {
        const next = sub.onFire(s.subs![0]!, ctx);
        return withSub(s, 0, next.finished ? sub.init() : next);
      },
      continuation: () => repeatedly(sub.continuation()),
    });
}
