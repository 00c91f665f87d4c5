import type { Duration } from '../time.js';
import { windowAround } from '../internal/window-around.js';
import { intervalWindow, isIntervalWindow, type BoundedWindow, type IntervalWindow } from '../window.js';
import type { MergeResult, WindowFn } from './window-fn.js';

/**
 * Session windows: each element starts a window `[t, t + gap)`; windows of one key that overlap merge,
 * so a session ends after `gap` ms without data. Merging happens per key, so Sessions needs a keyed
 * aggregation (GroupByKey, Combine.perKey) or a stateful DoFn downstream (which merges its state with
 * the sessions). Late data may merge sessions already emitted. Where `t + gap` rounds to `t` (a
 * fractional gap near TIMESTAMP_MAX or TIMESTAMP_MIN), the proto-window is `[t, next double after t)`.
 * @throws RangeError when gap <= 0.
 * @example clicks.apply(Window.into(Sessions(minutes(30))))
 */
export function Sessions(gap: Duration): WindowFn<unknown> {
  if (!(gap > 0)) throw new RangeError(`Sessions gap must be > 0 ms, got ${gap}`);
  // The last proto-window is reused: consecutive elements often share a timestamp.
  let lastTs = Number.NaN;
  let last: readonly BoundedWindow[] = [];
  return {
    name: `Sessions(${gap}ms gap)`,
    isMerging: true,
    assignWindows({ timestamp }) {
      if (timestamp !== lastTs) {
        lastTs = timestamp;
        last = [windowAround(timestamp, timestamp, gap)];
      }
      return last;
    },
    mergeWindows: mergeOverlappingIntervals,
  };
}

/**
 * Merges overlapping interval windows: the standard merge for session-like WindowFns, exported for
 * custom merging WindowFns. A group's result is the member that already spans it, if there is one.
 */
export function mergeOverlappingIntervals(active: readonly BoundedWindow[]): MergeResult[] {
  const intervals: IntervalWindow[] = [];
  for (let i = 0; i < active.length; i++) {
    const w = active[i]!;
    if (isIntervalWindow(w)) intervals.push(w);
  }
  const results: MergeResult[] = [];
  if (intervals.length < 2) return results;
  // A key has few windows: insertion sort (Array.prototype.sort allocates its work space on every call).
  if (intervals.length <= 16) insertionSort(intervals);
  else intervals.sort(byStartThenEnd);
  let group: IntervalWindow[] = [intervals[0]!];
  let end = intervals[0]!.end;
  for (let i = 1; i < intervals.length; i++) {
    const w = intervals[i]!;
    if (w.start < end) {
      group.push(w);
      if (w.end > end) end = w.end;
    } else {
      if (group.length > 1) results.push({ toMerge: group, result: spanOf(group, end) });
      group = [w];
      end = w.end;
    }
  }
  if (group.length > 1) results.push({ toMerge: group, result: spanOf(group, end) });
  return results;
}

function byStartThenEnd(a: IntervalWindow, b: IntervalWindow): number {
  return a.start - b.start || a.end - b.end;
}

/** Sorts by start, then end, in place (stable, like Array.prototype.sort). */
function insertionSort(ws: IntervalWindow[]): void {
  for (let i = 1; i < ws.length; i++) {
    const w = ws[i]!;
    let j = i - 1;
    while (j >= 0 && byStartThenEnd(ws[j]!, w) > 0) {
      ws[j + 1] = ws[j]!;
      j--;
    }
    ws[j + 1] = w;
  }
}

/** The window `[group[0].start, end)`: a member that is it, else a new one. */
function spanOf(group: readonly IntervalWindow[], end: number): IntervalWindow {
  const start = group[0]!.start;
  for (let i = 0; i < group.length; i++) if (group[i]!.start === start && group[i]!.end === end) return group[i]!;
  return intervalWindow(start, end);
}
