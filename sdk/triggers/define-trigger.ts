import type { Trigger } from './trigger.js';

/** A trigger's logic: everything a {@link Trigger} has except the combinators `defineTrigger` adds. */
export type TriggerLogic = Omit<Trigger, 'orFinally'>;

/**
 * Makes a {@link Trigger} from its logic by adding the combinator methods (`orFinally`). Every
 * built-in trigger is made with it; a trigger of your own is too. Returns a new object with the
 * logic's members (extra methods such as `withEarlyFirings` included).
 * @example
 * const once = defineTrigger({ name: 'Once', subTriggers: [], init: () => ({ finished: false }), ... });
 * const t = once.orFinally(AfterCount(5));
 */
export function defineTrigger<L extends TriggerLogic>(logic: L): L & Trigger {
  const self: L & Trigger = { ...logic, orFinally: (until: Trigger) => orFinallyTrigger(self, until) };
  return self;
}

/** `main.orFinally(until)`: fires like `main` until `until` fires; then fires one last time and finishes. */
function orFinallyTrigger(main: Trigger, until: Trigger): Trigger {
  const M = 0;
  const U = 1;
  return defineTrigger({
    name: `${main.name}.orFinally(${until.name})`,
    subTriggers: [main, until],
    init: () => ({ finished: false, subs: [main.init(), until.init()] }),
    onElement: (s, ctx) => (s.finished ? s : { finished: false, subs: [main.onElement(s.subs![M]!, ctx), until.onElement(s.subs![U]!, ctx)] }),
    onMerge: (states, ctx) => {
      const m = main.onMerge(states.map((x) => x.subs![M]!), ctx);
      const u = until.onMerge(states.map((x) => x.subs![U]!), ctx);
      return { finished: states.some((x) => x.finished) || m.finished, subs: [m, u] };
    },
    shouldFire: (s, ctx) => !s.finished && (until.shouldFire(s.subs![U]!, ctx) || main.shouldFire(s.subs![M]!, ctx)),
    onFire: (s, ctx) => {
      if (until.shouldFire(s.subs![U]!, ctx)) return { finished: true, subs: [s.subs![M]!, until.onFire(s.subs![U]!, ctx)] };
      const m = main.onFire(s.subs![M]!, ctx);
      return { finished: m.finished, subs: [m, s.subs![U]!] };
    },
    continuation: () => orFinallyTrigger(main.continuation(), until.continuation()),
  });
}
