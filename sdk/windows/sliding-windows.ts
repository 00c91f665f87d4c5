import { mod } from '../internal/mod.js';
import { invalidInstantMessage, isValidInstant } from '../internal/valid-instant.js';
import { TIMESTAMP_MAX, type Duration } from '../time.js';
import { nextDown, windowAround } from '../internal/window-around.js';
import { intervalWindow, type BoundedWindow } from '../window.js';
import type { WindowFn } from './window-fn.js';

/** The most windows SlidingWindows puts one element in (see SlidingWindows). */
const MAX_WINDOWS_PER_ELEMENT = 100_000;

/**
 * Overlapping windows of `size` ms starting every `period` ms; an element is in about size/period
 * windows (exactly that many when period divides size). With period > size the windows are samples
 * with gaps, and elements in a gap belong to no window and are dropped. Where doubles are too coarse
 * for size or period (fractional ones near TIMESTAMP_MAX or TIMESTAMP_MIN), bounds are rounded as in
 * FixedWindows: every window an element gets is valid and holds it (rounded-together windows are one). A side input windowed this
 * way is read from the earliest-ending window that contains the main window's end.
 * An element is in at most 100,000 windows (size/period <= 100,000, e.g. 1-second steps over a
 * day are 86,400): each window is an object per element and a pane per key, so 10^5 already costs
 * megabytes per element, and beyond that a ratio is almost surely a unit mistake (seconds for ms)
 * that would hang the run building windows (SlidingWindows(1e15, 1) asked for 10^15 per element).
 * @throws RangeError when size or period <= 0, when size/period exceeds 100,000 (naming both),
 * or the offset is outside [0, period); `assignWindows`
 * throws one for a timestamp that is not a valid instant (NaN, ±Infinity, beyond TIMESTAMP_MIN..MAX).
 * @example pcoll.apply(Window.into(SlidingWindows(minutes(10), minutes(1))))  // rolling 10-min average every minute
 */
export function SlidingWindows(size: Duration, period: Duration, offset: Duration = 0): WindowFn<unknown> {
  if (!(size > 0) || !(period > 0)) throw new RangeError(`SlidingWindows needs size and period > 0, got ${size}, ${period}`);
  if (!(size / period <= MAX_WINDOWS_PER_ELEMENT)) {
    throw new RangeError(`SlidingWindows(${size}, ${period}) would put each element in ${Math.ceil(size / period)} windows; at most ${MAX_WINDOWS_PER_ELEMENT} are allowed (size / period <= ${MAX_WINDOWS_PER_ELEMENT}; are size and period both in ms?)`);
  }
  if (!(offset >= 0 && offset < period)) throw new RangeError(`SlidingWindows offset must be in [0, ${period}), got ${offset}`);
  // The last assignment is reused for later elements of the same period when period divides size
  // (every instant of a period is then in the same windows), else for the same timestamp.
  const perPeriod = size % period === 0;
  let lastStart = Number.NaN;
  let lastTs = Number.NaN;
  let last: readonly BoundedWindow[] = [];
  const fn: WindowFn<unknown> = {
    name: `SlidingWindows(${size}ms every ${period}ms)`,
    isMerging: false,
    assignWindows({ timestamp }) {
      if (perPeriod ? timestamp >= lastStart && timestamp < lastStart + period : timestamp === lastTs) return last;
      if (!isValidInstant(timestamp)) throw new RangeError(`SlidingWindows cannot assign windows: ${invalidInstantMessage(timestamp)}`);
      const start = timestamp - mod(timestamp - offset, period);
      const out: BoundedWindow[] = [];
      // Counted by how far each start is from the timestamp (small, exact), not by comparing with
      // timestamp - size, which below -2^53 + size is rounded and could skip the earliest window.
      // The distance to start is below period; for a timestamp a hair below a window start (-5e-324) the
      // remainder rounds up to period, and counting from it would miss the window at start, which holds it.
      const d = timestamp - start;
      // Where doubles are coarser than period, neighbouring starts round together (s - period === s) or a
      // window is moved to hold the element (windowAround): the same window may come twice, and is kept once.
      let rounded = false;
      for (let s = start, left = size - (d < period ? d : nextDown(period)); left > 0; s -= period, left -= period) {
        const w = windowAround(timestamp, s, size);
        if (w.start !== s || w.end !== s + size || !(s - period < s)) rounded = true;
        out.push(w);
      }
      lastStart = start;
      lastTs = timestamp;
      last = rounded ? [...new Map(out.map((w) => [w.id, w])).values()] : out;
      return last;
    },
    sideInputWindow(main) {
      // Of the windows containing the main window's end, the one that ends first.
      // The last instant that can hold an element (see sideInputWindowFor); every step stays within
      // the safe integers (t - size would not be exact below -2^53 + size, one window too late).
      const t = main.maxTimestamp > TIMESTAMP_MAX ? TIMESTAMP_MAX : main.maxTimestamp;
      const latestStart = t - mod(t - offset, period);
      const start = latestStart - (Math.ceil((size - (t - latestStart)) / period) - 1) * period;
      return intervalWindow(start, start + size);
    },
  };
  SHAPES.set(fn, { size, period, offset });
  return fn;
}

/** The windows of a SlidingWindows WindowFn: `[offset + k * period, + size)` for every whole k. */
export interface SlidingShape {
  readonly size: Duration;
  readonly period: Duration;
  readonly offset: Duration;
}

const SHAPES = new WeakMap<WindowFn<unknown>, SlidingShape>();

/**
 * The shape of `fn` when SlidingWindows made it (runners share work between overlapping windows
 * with it), else undefined.
 * @example slidingShape(SlidingWindows(10_000, 2_000)) // { size: 10000, period: 2000, offset: 0 }
 */
export function slidingShape(fn: WindowFn<unknown>): SlidingShape | undefined {
  return SHAPES.get(fn);
}
