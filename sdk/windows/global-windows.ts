import { GLOBAL_WINDOW, type BoundedWindow } from '../window.js';
import type { WindowFn } from './window-fn.js';

const ONLY: readonly BoundedWindow[] = Object.freeze([GLOBAL_WINDOW]);

/**
 * Puts every element into the single global window. The default windowing of every source.
 * With the default trigger, an aggregation over it fires only when the input ends.
 * @example pcoll.apply(Window.into(GlobalWindows()))
 */
export function GlobalWindows(): WindowFn<unknown> {
  return { name: 'GlobalWindows', isMerging: false, assignWindows: () => ONLY, sideInputWindow: () => GLOBAL_WINDOW };
}
