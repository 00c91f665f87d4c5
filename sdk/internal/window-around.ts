import { intervalWindow, type IntervalWindow } from '../window.js';
import type { Duration, Instant } from '../time.js';

/**
 * Internal: the interval window `[start, start + size)` an element at `t` is assigned (callers pass
 * `start <= t`), or, where doubles are too coarse to hold it, the window `[t, t + size)`, at least
 * `[t, nextUp(t))`. Far from the epoch (near TIMESTAMP_MAX or TIMESTAMP_MIN, doubles are whole ms
 * there) or with a size below the spacing of doubles at `t` (FixedWindows(1e-6) at 1e12), `start + size`
 * rounds: to `start` (an empty window, which intervalWindow refuses: one such element used to fail the
 * run) or to `t` or below (a window that does not hold its element). The window is then the one that
 * starts at `t`, as for an element that rounding put at the next window's start, and it always holds `t`.
 * @throws RangeError only for a `t` that is not a number (NaN).
 * @example windowAround(9_007_199_254_740_990, 9_007_199_254_740_990, 0.5) // [2^53 - 2, 2^53 - 1): start + 0.5 rounds to start
 * @example windowAround(1500, 1000, 1000) // [1000, 2000)
 */
export function windowAround(t: Instant, start: Instant, size: Duration): IntervalWindow {
  const end = start + size;
  if (end > t) return intervalWindow(start, end);
  const next = t + size;
  return intervalWindow(t, next > t ? next : nextUp(t));
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/**
 * Internal: the least double greater than `x` (for finite `x`; NaN and +Infinity come back as they are).
 * @example nextUp(2 ** 53) // 2 ** 53 + 2
 * @example nextUp(0) // Number.MIN_VALUE
 */
export function nextUp(x: number): number {
  if (!(x < Number.POSITIVE_INFINITY)) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] += x > 0 ? 1n : -1n;
  return f64[0];
}

/**
 * Internal: the greatest double less than `x` (for finite `x`).
 * @example nextDown(0.5) // 0.49999999999999994
 */
export function nextDown(x: number): number {
  return -nextUp(-x);
}
