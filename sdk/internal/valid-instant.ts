import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../time.js';

/**
 * Internal: true when `t` is an instant Watershed can order and window, a number in
 * [TIMESTAMP_MIN, TIMESTAMP_MAX] (so never NaN, ±Infinity, 1e20 or a string). Runners send a source
 * element with any other timestamp to its Read step's dead letters (`invalid-timestamp`), and refuse
 * one from a timestamp function, `outputWithTimestamp` or a timer with a RangeError naming the step.
 * @example isValidInstant(Date.parse('not a date')) // false (NaN)
 */
export function isValidInstant(t: unknown): t is Instant {
  return typeof t === 'number' && t >= TIMESTAMP_MIN && t <= TIMESTAMP_MAX;
}

/**
 * Why `t` is not a valid instant, for messages.
 * @example invalidInstantMessage(NaN) // 'timestamp NaN is not an instant in -9007199254740991..9007199254740991 ms'
 */
export function invalidInstantMessage(t: unknown, what = 'timestamp'): string {
  const shown = typeof t === 'number' ? String(t) : `${typeof t} ${String(JSON.stringify(t) ?? t)}`;
  return `${what} ${shown} is not an instant in ${TIMESTAMP_MIN}..${TIMESTAMP_MAX} ms`;
}
