import { mod } from '../internal/mod.js';
import type { Duration } from '../time.js';
import { intervalWindow, type BoundedWindow } from '../window.js';
import type { WindowFn } from './window-fn.js';

/**
 * Tumbling windows of `size` ms: `[offset + k*size, offset + (k+1)*size)`; each element is in exactly one.
 * @throws RangeError when size <= 0 or offset is outside [0, size).
 * @example pcoll.apply(Window.into(FixedWindows(seconds(3))))
 */
export function FixedWindows(size: Duration, offset: Duration = 0): WindowFn<unknown> {
  if (!(size > 0)) throw new RangeError(`FixedWindows size must be > 0 ms, got ${size}`);
  if (!(offset >= 0 && offset < size)) throw new RangeError(`FixedWindows offset must be in [0, ${size}), got ${offset}`);
  // The last assigned window is reused: consecutive elements usually share a window.
  let last: readonly BoundedWindow[] = [intervalWindow(offset, offset + size)];
  let lastStart = offset;
  return {
    name: offset ? `FixedWindows(${size}ms, offset ${offset}ms)` : `FixedWindows(${size}ms)`,
    isMerging: false,
    assignWindows({ timestamp }) {
      // Inside the last window: no need for the (floating-point, slow) modulo.
      if (timestamp >= lastStart && timestamp < lastStart + size) return last;
      const start = timestamp - mod(timestamp - offset, size);
      if (start !== lastStart) {
        lastStart = start;
        last = [intervalWindow(start, start + size)];
      }
      return last;
    },
  };
}
