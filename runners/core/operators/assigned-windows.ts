import type { BoundedWindow } from '../../../sdk/window.js';

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
