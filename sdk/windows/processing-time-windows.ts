import type { Duration } from '../time.js';
import type { WindowFn } from './window-fn.js';
import { FixedWindows } from './fixed-windows.js';
import { SlidingWindows } from './sliding-windows.js';

/**
 * Windows of processing time (Flink's tumbling and sliding processing-time windows), in the Beam
 * model as ingestion time: the `Window.into` step stamps each element with the processing time at
 * which it sees it (the runner's clock: per element on the native runner; on the micro-batch runner
 * the processing time of the batch, the same for every element of it) and assigns windows by that
 * stamp. The step's output watermark follows processing time, so a window fires, with the default
 * trigger, once processing time passes its end; no element is ever behind it, so nothing downstream is
 * late and allowed lateness has nothing to do. Downstream steps see ordinary interval windows and
 * timestamps: an aggregation's output gets `end - 1 ms` (END_OF_WINDOW) as usual. When the input
 * ends, the watermark goes to the end of time and the last windows fire.
 *
 * The element's original (event) timestamp is replaced: keep it in the value if it is still needed.
 * Retraction records cannot be re-windowed by processing time (`Window.into` refuses input from an
 * accumulating-and-retracting aggregation).
 *
 * @example
 * // requests per user per 10 s of processing time, whatever their event times
 * requests.apply(Window.into<Request>(ProcessingTimeWindows.tumbling(seconds(10))))
 *   .apply(WithKeys((r: Request) => r.user)).apply(Count.perKey<string>())
 */
export const ProcessingTimeWindows = {
  /**
   * Tumbling windows of `size` ms of processing time, `[offset + k*size, offset + (k+1)*size)`.
   * @throws RangeError when size <= 0 or offset is outside [0, size).
   * @example Window.into(ProcessingTimeWindows.tumbling(seconds(10)))
   */
  tumbling(size: Duration, offset: Duration = 0): WindowFn<unknown> {
    if (!(size > 0)) throw new RangeError(`ProcessingTimeWindows.tumbling size must be > 0 ms, got ${size}`);
    if (!(offset >= 0 && offset < size)) throw new RangeError(`ProcessingTimeWindows.tumbling offset must be in [0, ${size}), got ${offset}`);
    const fixed = FixedWindows(size, offset);
    return {
      name: offset ? `ProcessingTimeWindows.tumbling(${size}ms, offset ${offset}ms)` : `ProcessingTimeWindows.tumbling(${size}ms)`,
      isMerging: false,
      timeDomain: 'PROCESSING_TIME',
      assignWindows: (ctx) => fixed.assignWindows(ctx),
    };
  },
  /**
   * Overlapping windows of `size` ms of processing time starting every `period` ms (as SlidingWindows,
   * by processing time). An element is stamped once, with its processing time, which lies in each of its windows.
   * @throws RangeError when size or period <= 0, size/period exceeds 100,000 (as SlidingWindows), or the
   * offset is outside [0, period).
   * @example Window.into(ProcessingTimeWindows.sliding(minutes(1), seconds(10)))
   */
  sliding(size: Duration, period: Duration, offset: Duration = 0): WindowFn<unknown> {
    if (!(size > 0) || !(period > 0)) throw new RangeError(`ProcessingTimeWindows.sliding needs size and period > 0 ms, got ${size}, ${period}`);
    if (!(offset >= 0 && offset < period)) throw new RangeError(`ProcessingTimeWindows.sliding offset must be in [0, ${period}), got ${offset}`);
    const sliding = SlidingWindows(size, period, offset);
    return {
      name: `ProcessingTimeWindows.sliding(${size}ms every ${period}ms)`,
      isMerging: false,
      timeDomain: 'PROCESSING_TIME',
      assignWindows: (ctx) => sliding.assignWindows(ctx),
      sideInputWindow: (main) => sliding.sideInputWindow!(main),
    };
  },
};

