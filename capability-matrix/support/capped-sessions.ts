import { intervalWindow, isIntervalWindow, type IntervalWindow } from '../../sdk/window.js';
import type { MergeResult, WindowFn } from '../../sdk/windows/window-fn.js';

/**
 * A custom merging WindowFn written as a user would (not the SDK's Sessions): sessions of `gap` ms
 * that never grow longer than `maxLength` ms. Windows are considered in start order and greedily
 * grouped while they overlap and the group's span stays within the limit; the element that would
 * make a session longer starts a new one. Used by the capability matrix's Custom merging windows
 * row (custom-window-scenarios.ts) and the window-kinds benchmark (bench/window-kinds.ts).
 * @example Window.into(CappedSessions(1000, 3000)) // 1 s gap, sessions at most 3 s long
 */
export function CappedSessions(gap: number, maxLength: number): WindowFn<unknown> {
  return {
    name: `CappedSessions(${gap}ms gap, max ${maxLength}ms)`,
    isMerging: true,
    assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + gap)],
    mergeWindows(active) {
      const ws = active.filter(isIntervalWindow).sort((a, b) => a.start - b.start || a.end - b.end);
      const out: MergeResult[] = [];
      let group: IntervalWindow[] = [];
      let start = 0;
      let end = 0;
      const flush = () => {
        if (group.length > 1) out.push({ toMerge: group, result: intervalWindow(start, end) });
      };
      for (const w of ws) {
        if (group.length > 0 && w.start < end && Math.max(end, w.end) - start <= maxLength) {
          group.push(w);
          end = Math.max(end, w.end);
        } else {
          flush();
          group = [w];
          start = w.start;
          end = w.end;
        }
      }
      flush();
      return out;
    },
  };
}
