import { mod } from '../internal/mod.js';
import type { Duration } from '../time.js';
import { windowAround } from '../internal/window-around.js';
import { intervalWindow, type BoundedWindow } from '../window.js';
import type { WindowFn } from './window-fn.js';

/**
 * Tumbling windows of `size` ms: `[offset + k*size, offset + (k+1)*size)`; each element is in exactly one.
 * Where doubles are too coarse for `size` (a fractional size near TIMESTAMP_MAX or TIMESTAMP_MIN, where
 * instants are whole ms, or a size below the spacing of doubles at the timestamp), the bounds are rounded
 * and an element whose rounded window would be empty or not hold it is in `[t, t + size)`, at least
 * `[t, next double after t)`: every element gets a valid window that holds it.
 * @throws RangeError when size <= 0 or offset is outside [0, size).
 * @example pcoll.apply(Window.into(FixedWindows(seconds(3))))
 */
export function FixedWindows(size: Duration, offset: Duration = 0): WindowFn<unknown> {
  if (!(size > 0)) throw new RangeError(`FixedWindows size must be > 0 ms, got ${size}`);
  if (!(offset >= 0 && offset < size)) throw new RangeError(`FixedWindows offset must be in [0, ${size}), got ${offset}`);
  // The last assigned window is reused: consecutive elements usually share a window.
  let last: readonly BoundedWindow[] = [intervalWindow(offset, offset + size)];
  let lastStart = offset;
  let lastEnd = offset + size;
  return {
    name: offset ? `FixedWindows(${size}ms, offset ${offset}ms)` : `FixedWindows(${size}ms)`,
    isMerging: false,
    assignWindows({ timestamp }) {
      // Inside the last window: no need for the (floating-point, slow) modulo.
      if (timestamp >= lastStart && timestamp < lastEnd) return last;
      const w = windowAround(timestamp, timestamp - mod(timestamp - offset, size), size);
      lastStart = w.start;
      lastEnd = w.end;
      last = [w];
      return last;
    },
  };
}
