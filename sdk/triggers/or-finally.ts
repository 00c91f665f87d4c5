import type { Trigger } from './trigger.js';

/**
 * Fires like `main` until `until` fires; then fires one last time and finishes (closing the window).
 * @example orFinally(Repeatedly.forever(AfterCount(1)), AfterCount(5))  // a pane per element, closing after 5
 */
export function orFinally(main: Trigger, until: Trigger): Trigger {
  const M = 0;
  const U = 1;
  return {
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
    continuation: () => orFinally(main.continuation(), until.continuation()),
  };
}
