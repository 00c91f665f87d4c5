import { withSub } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger, TriggerState } from './trigger.js';

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
    // The state made from the sub-trigger's fresh state, kept (frozen, as shared states are) while that is the same
    // object: every window starting at the same sub-state shares one, as a merge that changes nothing does.
    let fresh: TriggerState | undefined;
    let freshSub: TriggerState | undefined;
    const init = (): TriggerState => {
      const s0 = sub.init();
      if (s0 !== freshSub || fresh === undefined) {
        freshSub = s0;
        fresh = Object.freeze({ finished: false, subs: Object.freeze([s0]) as TriggerState[] });
      }
      return fresh;
    };
    return defineTrigger({
      name: `Repeatedly(${sub.name})`,
      subTriggers: [sub],
      init,
      onElement: (s, ctx) => withSub(s, 0, sub.onElement(s.subs![0]!, ctx)),
      onMerge: (states, ctx) => {
        const subs: TriggerState[] = new Array(states.length);
        for (let i = 0; i < states.length; i++) subs[i] = states[i]!.subs![0]!;
        const merged = sub.onMerge(subs, ctx);
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
