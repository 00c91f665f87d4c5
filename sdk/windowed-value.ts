import { NO_FIRING, type PaneInfo } from './pane.js';
import type { Instant } from './time.js';
import { GLOBAL_WINDOW, type BoundedWindow } from './window.js';

/**
 * An element as it flows between steps: its value, event timestamp, the one window it belongs to,
 * and the pane it came from. An element assigned to several windows (sliding windows) travels as
 * several WindowedValues.
 *
 * `retraction` is true for a record that withdraws a value emitted earlier for the same window (the
 * accumulating-and-retracting mode). Downstream aggregations subtract it; ParDo passes the flag on to
 * everything emitted while processing it.
 */
export interface WindowedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly window: BoundedWindow;
  readonly pane: PaneInfo;
  readonly retraction?: boolean;
}

/** An element in the global window with no pane, as sources emit them. */
export function inGlobalWindow<T>(value: T, timestamp: Instant): WindowedValue<T> {
  return { value, timestamp, window: GLOBAL_WINDOW, pane: NO_FIRING };
}

/** A value with an event timestamp: what sources and TestStream produce. */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
}

export function timestamped<T>(value: T, timestamp: Instant): TimestampedValue<T> {
  return { value, timestamp };
}
