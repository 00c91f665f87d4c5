import { END_OF_GLOBAL_WINDOW, formatInstant, type Instant } from './time.js';

/**
 * A window is a finite slice of event time that elements are grouped into.
 *
 * Windows are plain, structured-cloneable data (no methods, no prototypes) so that they can be
 * stored in keyed state and snapshotted. `id` identifies the window within its WindowFn (two windows
 * with the same id are the same window); `maxTimestamp` is the last instant inside it.
 */
export interface BoundedWindow {
  readonly kind: string;
  readonly id: string;
  readonly maxTimestamp: Instant;
}

/** The half-open event-time interval `[start, end)`. */
export interface IntervalWindow extends BoundedWindow {
  readonly kind: 'interval';
  readonly start: Instant;
  readonly end: Instant;
}

/** The single window that covers all of event time. */
export interface GlobalWindow extends BoundedWindow {
  readonly kind: 'global';
}

/** The one global window. */
export const GLOBAL_WINDOW: GlobalWindow = Object.freeze({
  kind: 'global',
  id: 'global',
  maxTimestamp: END_OF_GLOBAL_WINDOW,
});

/** How many windows intervalWindow keeps: 2 ** (32 - RECENT_SHIFT). */
const RECENT_SHIFT = 20;
const RECENT_INTERVALS = 2 ** (32 - RECENT_SHIFT);
/** Windows intervalWindow made, by slot of their bounds (compared with ===: -0 and 0 give the same id, '0'). */
const recentIntervals: (IntervalWindow | undefined)[] = new Array<IntervalWindow | undefined>(RECENT_INTERVALS).fill(undefined);
/**
 * The bounds of the window in each slot, side by side (NaN: none), so that a lookup compares numbers in one
 * list instead of reading a window object that may be long out of cache (most lookups of a merging WindowFn's
 * result windows miss).
 */
const recentBounds = new Float64Array(2 * RECENT_INTERVALS).fill(Number.NaN);

/**
 * Creates the interval window `[start, end)`, frozen (windows are values: nothing may change one).
 * Calls with the same bounds mostly return the same object: the last 4,096 windows made are kept by their
 * bounds (one per slot of a table, a later one taking an earlier one's slot), so that elements a WindowFn
 * gives the same window (neighbours, or the same instant on two inputs of a join) share one object, which
 * the runners then keep once and compare by identity.
 * Its maxTimestamp is the last whole ms before `end` (`end - 1` for a whole `end`; `Math.ceil(end) - 1`
 * otherwise): runners act on watermarks in whole ms, so the window is complete once the watermark passes
 * it, and no element inside it, fractional times included, can still be on time then (before, `[0, 1.5)`
 * had maxTimestamp 0.5, and a watermark at 1 closed it while 1.2 was on time).
 * @throws RangeError when `end <= start`.
 * @example intervalWindow(0, 3000) // covers 0..2999 ms; intervalWindow(0, 3000) === intervalWindow(0, 3000) (mostly: see above)
 * @example intervalWindow(0, 1.5).maxTimestamp // 1
 */
export function intervalWindow(start: Instant, end: Instant): IntervalWindow {
  // The slot of these bounds: the top bits of their whole parts hashed together (Fibonacci hashing, so that windows
  // of one size, whose bounds move together, spread over the table; fractions and huge values only share slots more).
  const slot = Math.imul((start | 0) ^ Math.imul(end | 0, 0x85ebca77), 0x9e3779b1) >>> RECENT_SHIFT;
  if (recentBounds[2 * slot] === start && recentBounds[2 * slot + 1] === end) return recentIntervals[slot]!;
  if (!(end > start)) throw new RangeError(`interval window needs end > start, got [${start}, ${end})`);
  recentBounds[2 * slot] = start;
  recentBounds[2 * slot + 1] = end;
  return (recentIntervals[slot] = Object.freeze({ kind: 'interval', id: `${start}:${end}`, start, end, maxTimestamp: Math.ceil(end) - 1 }));
}

export function isIntervalWindow(w: BoundedWindow): w is IntervalWindow {
  return w.kind === 'interval';
}

/** True when two interval windows overlap or touch (share at least one instant). */
export function intervalsIntersect(a: IntervalWindow, b: IntervalWindow): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The smallest interval window covering both. */
export function intervalSpan(a: IntervalWindow, b: IntervalWindow): IntervalWindow {
  return intervalWindow(Math.min(a.start, b.start), Math.max(a.end, b.end));
}

/** A short human-readable form used in errors and reports, e.g. `[2024-01-01T00:00:00.000Z, +3000ms)`. */
export function formatWindow(w: BoundedWindow): string {
  if (isIntervalWindow(w)) return `[${formatInstant(w.start)}, ${formatInstant(w.end)})`;
  if (w.kind === 'global') return 'GlobalWindow';
  return `${w.kind}:${w.id}`;
}
