import { mod } from '../internal/mod.js';
import type { Duration } from '../time.js';
import { intervalWindow, type BoundedWindow } from '../window.js';
import type { WindowFn } from './window-fn.js';

/**
 * Overlapping windows of `size` ms starting every `period` ms; an element is in about size/period
 * windows (exactly that many when period divides size). With period > size the windows are samples
 * with gaps, and elements in a gap belong to no window and are dropped. A side input windowed this
 * way is read from the earliest-ending window that contains the main window's end.
 * @throws RangeError when size or period <= 0, or the offset is outside [0, period).
 * @example pcoll.apply(Window.into(SlidingWindows(minutes(10), minutes(1))))  // rolling 10-min average every minute
 */
export function SlidingWindows(size: Duration, period: Duration, offset: Duration = 0): WindowFn<unknown> {
  if (!(size > 0) || !(period > 0)) throw new RangeError(`SlidingWindows needs size and period > 0, got ${size}, ${period}`);
  if (offset < 0 || offset >= period) throw new RangeError(`SlidingWindows offset must be in [0, ${period}), got ${offset}`);
  return {
    name: `SlidingWindows(${size}ms every ${period}ms)`,
    isMerging: false,
    assignWindows({ timestamp }) {
      const lastStart = timestamp - mod(timestamp - offset, period);
      const out: BoundedWindow[] = [];
      for (let start = lastStart; start > timestamp - size; start -= period) out.push(intervalWindow(start, start + size));
      return out;
    },
    sideInputWindow(main) {
      // Of the windows containing the main window's end, the one that ends first.
      const t = main.maxTimestamp;
      const start = t - size - mod(t - size - offset, period) + period;
      return intervalWindow(start, start + size);
    },
  };
}
