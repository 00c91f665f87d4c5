import type { Duration } from '../time.js';
import { intervalSpan, intervalWindow, isIntervalWindow, type BoundedWindow, type IntervalWindow } from '../window.js';
import type { MergeResult, WindowFn } from './window-fn.js';

/**
 * Session windows: each element starts a window `[t, t + gap)`; windows of one key that overlap merge,
 * so a session ends after `gap` ms without data. Merging happens per key, so Sessions needs a keyed
 * aggregation (GroupByKey, Combine.perKey) downstream. Late data may merge sessions already emitted.
 * @throws RangeError when gap <= 0.
 * @example clicks.apply(Window.into(Sessions(minutes(30))))
 */
export function Sessions(gap: Duration): WindowFn<unknown> {
  if (!(gap > 0)) throw new RangeError(`Sessions gap must be > 0 ms, got ${gap}`);
  return {
    name: `Sessions(${gap}ms gap)`,
    isMerging: true,
    assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + gap)],
    mergeWindows: mergeOverlappingIntervals,
  };
}

/**
 * Merges overlapping interval windows: the standard merge for session-like WindowFns, exported for
 * custom merging WindowFns.
 */
export function mergeOverlappingIntervals(active: readonly BoundedWindow[]): MergeResult[] {
  const intervals = active.filter(isIntervalWindow).slice().sort((a, b) => a.start - b.start || a.end - b.end);
  const results: MergeResult[] = [];
  let group: IntervalWindow[] = [];
  let span: IntervalWindow | undefined;
  const flush = () => {
    if (group.length > 1 && span) results.push({ toMerge: group, result: span });
  };
  for (const w of intervals) {
    if (span && w.start < span.end) {
      group.push(w);
      span = intervalSpan(span, w);
    } else {
      flush();
      group = [w];
      span = w;
    }
  }
  flush();
  return results;
}
