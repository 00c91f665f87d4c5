import type { BoundedWindow, IntervalWindow } from '../../../sdk/window.js';

/**
 * Whether `a` and `b` are the same window: the same object, or the same `id` (BoundedWindow's
 * contract: two windows with the same id are the same window). Two interval windows whose bounds
 * differ cannot share an id, so they are told apart by their numbers without reading the ids: a merging
 * WindowFn makes fresh window objects (and fresh id strings) for every element and every merge, and
 * comparing two such strings of the same length reads (and first flattens) both.
 *
 * @example sameWindow(intervalWindow(0, 10), intervalWindow(0, 10)) // true (ids '0:10')
 * @example sameWindow(intervalWindow(0, 10), intervalWindow(0, 20)) // false, without comparing ids
 */
export function sameWindow(a: BoundedWindow, b: BoundedWindow): boolean {
  if (a === b) return true;
  if (a.kind === 'interval' && b.kind === 'interval') {
    const x = a as IntervalWindow;
    const y = b as IntervalWindow;
    if (x.start !== y.start || x.end !== y.end) return false;
  }
  return a.id === b.id;
}
