import { TIMESTAMP_MAX, type Instant } from '../time.js';
import type { BoundedWindow } from '../window.js';

/** The time a WindowFn's windows slice: when things happened, or when the pipeline sees them. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** What a WindowFn sees when assigning windows to one element. */
export interface AssignContext<T> {
  readonly element: T;
  readonly timestamp: Instant;
  /** The window the element was in before (the global window for source elements). */
  readonly window: BoundedWindow;
}

/**
 * Decides which windows an element belongs to (the "where in event time" question).
 *
 * Implement this for custom windows. Windows must be plain data (see BoundedWindow). A merging
 * WindowFn (like Sessions) also implements `mergeWindows`: the runner calls it with every active
 * window of one key and applies the merges it reports, combining their state.
 *
 * @example
 * // every element in a window of its own calendar day
 * const daily: WindowFn<unknown> = {
 *   name: 'Daily', isMerging: false,
 *   assignWindows: ({ timestamp }) => { const s = timestamp - (timestamp % 86_400_000); return [intervalWindow(s, s + 86_400_000)]; },
 * };
 */
export interface WindowFn<T = unknown> {
  /** A short description used in reports and capability checks, e.g. `FixedWindows(3s)`. */
  readonly name: string;
  readonly isMerging: boolean;
  /**
   * Which time the windows slice. `EVENT_TIME` (the default): `assignWindows` gets the element's
   * timestamp. `PROCESSING_TIME` (ProcessingTimeWindows): the Window.into step first sets the
   * element's timestamp to the processing time at which it sees the element (the runner's clock) and
   * assigns windows by that; its output watermark then follows processing time. Not for merging WindowFns.
   */
  readonly timeDomain?: TimeDomain;
  /**
   * Returns the windows the element belongs to, as a set (none drops it, e.g. sampling sliding windows;
   * a window listed twice, the same `id`, holds the element once). Called
   * once per element; must be pure and must not keep `ctx` (the runner reuses it). Each window needs a
   * string `id` and a numeric `maxTimestamp` (an interval window also `start < end`): the runner fails
   * the Window.into step with a UserCodeError on any other.
   */
  assignWindows(ctx: AssignContext<T>): readonly BoundedWindow[];
  /**
   * For merging WindowFns: given the active windows of one key, reports each group to merge.
   * Each result lists the windows to merge (two or more) and the window they become.
   */
  mergeWindows?(active: readonly BoundedWindow[]): readonly MergeResult[];
  /**
   * The window of this WindowFn whose contents a main-input element in `mainWindow` sees when this
   * WindowFn windows a side input. Defaults to the window containing `mainWindow.maxTimestamp`.
   */
  sideInputWindow?(mainWindow: BoundedWindow): BoundedWindow;
}

export interface MergeResult {
  readonly toMerge: readonly BoundedWindow[];
  readonly result: BoundedWindow;
}

/**
 * The side-input window for a main window: the given hook, else the window containing its end (its
 * last instant that can hold an element: at most TIMESTAMP_MAX, as past 2^53 ms a window's end - 1
 * is not exact and would name the next window).
 */
export function sideInputWindowFor(fn: WindowFn<unknown>, mainWindow: BoundedWindow): BoundedWindow {
  if (fn.sideInputWindow) return fn.sideInputWindow(mainWindow);
  const end = mainWindow.maxTimestamp > TIMESTAMP_MAX ? TIMESTAMP_MAX : mainWindow.maxTimestamp;
  const ws = fn.assignWindows({ element: undefined, timestamp: end, window: mainWindow });
  if (ws.length !== 1) {
    throw new Error(`${fn.name} assigns ${ws.length} windows to one instant; give it a sideInputWindow() to use it for side inputs`);
  }
  return ws[0]!;
}
