import { describe, expect, it } from 'vitest';
import { sameWindow } from '../../runners/core/util/same-window.js';
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow, type IntervalWindow } from '../../sdk/window.js';

/**
 * Issue #16: the window driver tells windows apart with sameWindow (interval bounds first, ids only
 * when the bounds agree), not by comparing id strings; it must agree with "same object or same id".
 */
describe('sameWindow', () => {
  it('is true for the same object and for copies with the same id', () => {
    const w = intervalWindow(0, 10);
    expect(sameWindow(w, w)).toBe(true);
    expect(sameWindow(w, intervalWindow(0, 10))).toBe(true);
    expect(sameWindow(w, { ...w })).toBe(true);
    expect(sameWindow(GLOBAL_WINDOW, { ...GLOBAL_WINDOW })).toBe(true);
  });

  it('is false for interval windows with other bounds', () => {
    expect(sameWindow(intervalWindow(0, 10), intervalWindow(0, 20))).toBe(false);
    expect(sameWindow(intervalWindow(0, 10), intervalWindow(5, 10))).toBe(false);
  });

  it('compares ids when the bounds agree or the windows are not intervals', () => {
    // A user-made interval window with an id of its own: same bounds, another window.
    const custom: IntervalWindow = { kind: 'interval', id: 'session-7', start: 0, end: 10, maxTimestamp: 9 };
    expect(sameWindow(intervalWindow(0, 10), custom)).toBe(false);
    expect(sameWindow(custom, { ...custom })).toBe(true);
    const a: BoundedWindow = { kind: 'custom', id: 'a', maxTimestamp: 5 };
    expect(sameWindow(a, { kind: 'custom', id: 'a', maxTimestamp: 5 })).toBe(true);
    expect(sameWindow(a, { kind: 'custom', id: 'b', maxTimestamp: 5 })).toBe(false);
    expect(sameWindow(a, intervalWindow(0, 6))).toBe(false);
  });
});
