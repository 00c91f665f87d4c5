import { UserCodeError, WatershedError } from '../../../sdk/errors.js';
import type { BoundedWindow } from '../../../sdk/window.js';

/**
 * What a CombineFn (`extractOutput`, `mergeAccumulators`, ...) threw while a pane of `key` and
 * `window` was made: a UserCodeError naming the step, the key (as the element `{ key }`), the window
 * and the pane's timestamp, so that the failing group can be found. A WatershedError is returned as it is.
 * @example throw paneError('Sum', 'k', w, w.maxTimestamp, new Error('boom'))
 *   // step 'Sum' failed in firing a pane on element {"key":"k"} in window [...] at ...: boom
 */
export function paneError(step: string, key: unknown, window: BoundedWindow, timestamp: number, cause: unknown): WatershedError {
  return cause instanceof WatershedError ? cause : new UserCodeError(step, 'firing a pane', cause, { key }, window, timestamp);
}
