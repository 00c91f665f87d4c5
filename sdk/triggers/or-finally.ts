import type { Trigger } from './trigger.js';

/**
 * Fires like `main` until `until` fires; then fires one last time and finishes (closing the window).
 * @deprecated Use the method: `main.orFinally(until)`. This alias goes in the next release.
 * @example Repeatedly(AfterCount(1)).orFinally(AfterCount(5))  // a pane per element, closing after 5
 */
export function orFinally(main: Trigger, until: Trigger): Trigger {
  return main.orFinally(until);
}
