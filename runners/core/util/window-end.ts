import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, type Duration, type Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';

/**
 * The instant the watermark must pass for window `w` to be complete: its maxTimestamp, but at most
 * TIMESTAMP_MAX − 1, so the watermark of a finished input (TIMESTAMP_MAX) passes every window, also one
 * ending past TIMESTAMP_MAX or at +Infinity. A window ending in the last day before TIMESTAMP_MAX (past
 * END_OF_GLOBAL_WINDOW) is complete at its own end, like any other (before, at END_OF_GLOBAL_WINDOW:
 * its on-time elements after that were dropped as late).
 * @example windowDoneAt(intervalWindow(0, 3000)) // 2999
 * @example windowDoneAt(intervalWindow(TIMESTAMP_MAX - 991, TIMESTAMP_MAX + 9)) // TIMESTAMP_MAX - 1
 */
export function windowDoneAt(w: BoundedWindow): Instant {
  return w.maxTimestamp < TIMESTAMP_MAX - 1 ? w.maxTimestamp : TIMESTAMP_MAX - 1;
}

/**
 * When the state of window `w` is garbage-collected with `allowedLateness`: once the watermark passes
 * `windowDoneAt(w) + allowedLateness`, where the lateness reaches at most END_OF_GLOBAL_WINDOW (as in
 * Beam), or the window's own end when that is later. Never NaN or past TIMESTAMP_MAX − 1, whatever the
 * lateness (Infinity included).
 * @example garbageCollectionTime(intervalWindow(0, 3000), 1000) // 3999
 * @example garbageCollectionTime(GLOBAL_WINDOW, Infinity) // END_OF_GLOBAL_WINDOW
 */
export function garbageCollectionTime(w: BoundedWindow, allowedLateness: Duration): Instant {
  const end = windowDoneAt(w);
  const cap = end > END_OF_GLOBAL_WINDOW ? end : END_OF_GLOBAL_WINDOW;
  const t = end + allowedLateness;
  return t < cap ? t : cap;
}

/**
 * The timestamp a pane of window `w` gets at most (END_OF_WINDOW, or EARLIEST/LATEST capped at the
 * window's end): its maxTimestamp, but at most TIMESTAMP_MAX, so every output is a valid instant that a
 * later windowing step can take (a window ending past TIMESTAMP_MAX, e.g. `Sessions(Infinity)` or a
 * FixedWindows window of an element near TIMESTAMP_MAX, used to stamp its pane past it, even +Infinity).
 * @example windowOutputTime(intervalWindow(100, Infinity)) // TIMESTAMP_MAX
 */
export function windowOutputTime(w: BoundedWindow): Instant {
  return w.maxTimestamp < TIMESTAMP_MAX ? w.maxTimestamp : TIMESTAMP_MAX;
}
