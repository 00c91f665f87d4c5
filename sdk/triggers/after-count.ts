import { FINISHED } from '../internal/trigger-state.js';
import { defineTrigger } from './define-trigger.js';
import type { Trigger, TriggerState } from './trigger.js';

/**
 * Fires once the pane holds at least `n` elements, then finishes.
 * On the micro-batch runner, element counts are checked at batch boundaries, so a pane may hold more.
 * @throws RangeError when n < 1.
 * @example Repeatedly(AfterCount(100))  // a pane every 100 elements
 */
export function AfterCount(n: number): Trigger {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`AfterCount needs a whole number >= 1, got ${n}`);
  const count = (s: TriggerState) => (s.data as number | undefined) ?? 0;
  return defineTrigger({
    name: `AfterCount(${n})`,
    subTriggers: [],
    domain: 'count',
    init: () => ({ finished: false, data: 0 }),
    onElement: (s) => (s.finished ? s : { finished: false, data: count(s) + 1 }),
    onMerge: (states) => (states.some((x) => x.finished) ? FINISHED : { finished: false, data: states.reduce((a, x) => a + count(x), 0) }),
    shouldFire: (s) => !s.finished && count(s) >= n,
    onFire: () => FINISHED,
    continuation: () => AfterCount(1),
  });
}
