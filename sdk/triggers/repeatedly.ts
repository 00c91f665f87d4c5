import { withSub } from '../internal/trigger-state.js';
import type { Trigger } from './trigger.js';

/**
 * Fires whenever the sub-trigger fires, and starts it again each time it finishes; never finishes
 * itself (use `orFinally` to stop it).
 * @example Repeatedly.forever(AfterCount(10))
 */
export const Repeatedly = {
  forever(sub: Trigger): Trigger {
    const self: Trigger = {
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
      continuation: () => Repeatedly.forever(sub.continuation()),
    };
    return self;
  },
};
