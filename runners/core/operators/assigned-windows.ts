import type { BoundedWindow } from '../../../sdk/window.js';
import type { MergeResult, WindowFn } from '../../../sdk/windows/window-fn.js';
import { mergeOverlappingIntervals } from '../../../sdk/windows/sessions.js';
import { sameWindow } from '../util/same-window.js';

/**
 * Checks what a WindowFn's `assignWindows` returned: an array of windows, each an object with a
 * string `id` and a numeric `maxTimestamp` (not NaN; a window whose end cannot be compared would
 * never fire, and its elements would vanish), and for an interval window numeric `start < end`.
 * @throws TypeError naming the first bad window and what is wrong with it.
 * @example checkAssignedWindows([{ kind: 'x', id: 'x', maxTimestamp: NaN }]) // throws: maxTimestamp NaN is not a number
 */
export function checkAssignedWindows(windows: readonly BoundedWindow[]): void {
  if (!Array.isArray(windows)) throw new TypeError(`assignWindows must return an array of windows, got ${describe(windows)}`);
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i] as Partial<BoundedWindow & { start: unknown; end: unknown }> | null | undefined;
    const problem = problemOf(w);
    if (problem !== undefined) throw new TypeError(`assignWindows returned an invalid window ${describe(w)}: ${problem}`);
  }
}

/**
 * The windows of a checked `assignWindows` result as a set: `windows` itself when no id repeats (no
 * copy), else a new list of each id's first window in order. A window listed twice is one window
 * (see BoundedWindow: the same id is the same window), so the element is in it once, not counted twice.
 * @example distinctWindows([day('a'), day('b'), day('a')]) // [day('a'), day('b')]
 */
export function distinctWindows(windows: readonly BoundedWindow[]): readonly BoundedWindow[] {
  const n = windows.length;
  if (n < 2) return windows;
  if (n <= 16) {
    // Few windows (sliding windows, most custom ones): pairwise, no allocation when all differ.
    for (let i = 1; i < n; i++) {
      const id = windows[i]!.id;
      for (let j = 0; j < i; j++) if (windows[j]!.id === id) return firstOfEachId(windows);
    }
    return windows;
  }
  return new Set(windows.map((w) => w.id)).size === n ? windows : firstOfEachId(windows);
}

function firstOfEachId(windows: readonly BoundedWindow[]): BoundedWindow[] {
  const seen = new Set<string>();
  const out: BoundedWindow[] = [];
  for (const w of windows) {
    if (seen.has(w.id)) continue;
    seen.add(w.id);
    out.push(w);
  }
  return out;
}

/**
 * `fn.mergeWindows(active)`, checked: a list of merges, each with a list `toMerge` and a valid
 * `result` window (as for assignWindows), no window in two merges (the runners would otherwise count
 * its elements twice, or disagree). Sessions' own merge is trusted.
 * @throws TypeError naming the bad merge and what is wrong with it.
 * @example mergeWindowsChecked(Sessions(1000), [intervalWindow(0, 1000), intervalWindow(500, 1500)])
 */
export function mergeWindowsChecked(fn: WindowFn<unknown>, active: readonly BoundedWindow[]): readonly MergeResult[] {
  const merges = fn.mergeWindows!(active);
  if (fn.mergeWindows === mergeOverlappingIntervals) return merges;
  if (!Array.isArray(merges)) throw new TypeError(`mergeWindows must return an array of merges, got ${describe(merges)}`);
  // The windows seen so far: a few (the usual case) are compared one by one (interval windows by their
  // bounds, without reading their id strings), more go into a set of ids.
  const seenWs = seenWindows;
  let nSeen = 0;
  let seen: Set<string> | undefined;
  try {
    for (const m of merges as readonly (MergeResult | null | undefined)[]) {
      if (typeof m !== 'object' || m === null || !Array.isArray(m.toMerge)) throw new TypeError(`mergeWindows returned an invalid merge ${describe(m)}: it needs a list toMerge and a result window`);
      const problem = problemOf(m.result as Partial<BoundedWindow & { start: unknown; end: unknown }> | null | undefined);
      if (problem !== undefined) throw new TypeError(`mergeWindows returned an invalid result window ${describe(m.result)}: ${problem}`);
      for (const w of m.toMerge) {
        const id = (w as BoundedWindow | null | undefined)?.id;
        if (typeof id !== 'string') throw new TypeError(`mergeWindows returned an invalid window to merge ${describe(w)}: its id must be a string`);
        if (seen === undefined && nSeen === FEW_IDS) seen = new Set(seenWs.slice(0, nSeen).map((x) => x.id));
        if (seen !== undefined ? seen.has(id) : seenBefore(seenWs, nSeen, w)) throw new TypeError(`mergeWindows put window ${id} into two merges; each window merges into one result`);
        if (seen !== undefined) seen.add(id);
        else seenWs[nSeen++] = w;
      }
    }
  } finally {
    // Let go of the windows, keeping the list's room (setting its length to 0 would drop it, and every call make it again).
    for (let i = 0; i < nSeen; i++) seenWs[i] = undefined as never;
  }
  return merges;
}

/** mergeWindowsChecked's list of the windows seen (it is not re-entered: it calls nothing that merges), up to FEW_IDS. */
const seenWindows: BoundedWindow[] = [];

/** Whether `w` (its id a string) is one of the first `n` of `seen` (by sameWindow). */
function seenBefore(seen: readonly BoundedWindow[], n: number, w: BoundedWindow): boolean {
  for (let i = 0; i < n; i++) if (sameWindow(seen[i]!, w)) return true;
  return false;
}
const FEW_IDS = 16;

function problemOf(w: Partial<BoundedWindow & { start: unknown; end: unknown }> | null | undefined): string | undefined {
  if (typeof w !== 'object' || w === null) return 'a window must be an object';
  if (typeof w.id !== 'string') return 'its id must be a string';
  if (typeof w.maxTimestamp !== 'number' || Number.isNaN(w.maxTimestamp)) return `its maxTimestamp ${describe(w.maxTimestamp)} is not a number`;
  if (w.kind === 'interval') {
    const { start, end } = w;
    if (typeof start !== 'number' || typeof end !== 'number' || !(end > start)) return `an interval window needs numbers start < end, got [${describe(start)}, ${describe(end)})`;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
