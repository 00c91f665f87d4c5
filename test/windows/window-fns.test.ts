import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow, type IntervalWindow } from '../../sdk/window.js';
import { mod } from '../../sdk/internal/mod.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { mergeOverlappingIntervals, Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { sideInputWindowFor, type WindowFn } from '../../sdk/windows/window-fn.js';

const assign = (fn: WindowFn<unknown>, timestamp: number): BoundedWindow[] => [...fn.assignWindows({ element: null, timestamp, window: GLOBAL_WINDOW })];
const ids = (ws: readonly BoundedWindow[]) => ws.map((w) => w.id);

describe('mod', () => {
  it('is non-negative for negative dividends', () => {
    expect(mod(7, 5)).toBe(2);
    expect(mod(-1, 5)).toBe(4);
    expect(mod(-5, 5) === 0).toBe(true); // may be -0, which is harmless: t - (-0) === t
    expect(mod(-6, 5)).toBe(4);
  });
});

describe('intervalWindow', () => {
  it('makes frozen windows, the same object for the same bounds twice in a row', () => {
    const a = intervalWindow(0, 1000);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { end: number }).end = 5;
    }).toThrow(TypeError);
    expect(intervalWindow(0, 1000)).toBe(a);
    const b = intervalWindow(0, 2000);
    expect(b).toEqual({ kind: 'interval', id: '0:2000', start: 0, end: 2000, maxTimestamp: 1999 });
    expect(intervalWindow(0, 1000)).toEqual(a);
    expect(() => intervalWindow(5, 5)).toThrow(RangeError);
    expect(() => intervalWindow(NaN, NaN)).toThrow(RangeError);
  });

  it('gives windows of the same bounds made with others in between the same object (a join\'s two inputs share it)', () => {
    const first = Array.from({ length: 100 }, (_, i) => intervalWindow(i * 5, i * 5 + 10_000));
    const again = Array.from({ length: 100 }, (_, i) => intervalWindow(i * 5, i * 5 + 10_000));
    expect(again.filter((w, i) => w === first[i]).length).toBeGreaterThanOrEqual(95);
    // Still a value: equal bounds give an equal window, whatever was made in between, fractions, -0 and extremes included.
    for (const [s, e] of [
      [0.25, 1.5],
      [-0, 10],
      [-8.64e15, 8.64e15],
      [1e300, Number.POSITIVE_INFINITY],
    ] as const) {
      const w = intervalWindow(s, e);
      for (let i = 0; i < 3000; i++) intervalWindow(i, i + 7);
      expect(intervalWindow(s, e)).toEqual(w);
      expect(intervalWindow(s, e).id).toBe(w.id);
    }
    expect(intervalWindow(-0, 10)).toBe(intervalWindow(0, 10));
    expect(intervalWindow(0, 10).id).toBe('0:10');
  });
});

describe('FixedWindows', () => {
  it('assigns each timestamp to exactly one [k*size, (k+1)*size) window', () => {
    const fn = FixedWindows(1000);
    expect(fn.isMerging).toBe(false);
    expect(assign(fn, 0)).toEqual([intervalWindow(0, 1000)]);
    expect(assign(fn, 999)).toEqual([intervalWindow(0, 1000)]);
    expect(assign(fn, 1000)).toEqual([intervalWindow(1000, 2000)]);
    expect(assign(fn, 123_456)).toEqual([intervalWindow(123_000, 124_000)]);
  });

  it('windows are half-open with maxTimestamp = end - 1', () => {
    const [w] = assign(FixedWindows(1000), 1500);
    expect(w).toMatchObject({ kind: 'interval', start: 1000, end: 2000, maxTimestamp: 1999, id: '1000:2000' });
  });

  it('shifts window boundaries by the offset', () => {
    const fn = FixedWindows(1000, 250);
    expect(assign(fn, 0)).toEqual([intervalWindow(-750, 250)]);
    expect(assign(fn, 249)).toEqual([intervalWindow(-750, 250)]);
    expect(assign(fn, 250)).toEqual([intervalWindow(250, 1250)]);
    expect(assign(fn, 1249)).toEqual([intervalWindow(250, 1250)]);
    expect(assign(fn, 1250)).toEqual([intervalWindow(1250, 2250)]);
    expect(fn.name).toBe('FixedWindows(1000ms, offset 250ms)');
  });

  it('handles negative timestamps (windows before the epoch)', () => {
    const fn = FixedWindows(1000);
    expect(assign(fn, -1)).toEqual([intervalWindow(-1000, 0)]);
    expect(assign(fn, -1000)).toEqual([intervalWindow(-1000, 0)]);
    expect(assign(fn, -1001)).toEqual([intervalWindow(-2000, -1000)]);
    const off = FixedWindows(1000, 300);
    expect(assign(off, -1)).toEqual([intervalWindow(-700, 300)]);
    expect(assign(off, -700)).toEqual([intervalWindow(-700, 300)]);
    expect(assign(off, -701)).toEqual([intervalWindow(-1700, -700)]);
  });

  it('stays correct when consecutive elements alternate between windows (window reuse cache)', () => {
    const fn = FixedWindows(1000, 100);
    const seq = [100, 5000, 150, 5000, 99, 100, 1099, 1100];
    const got = seq.map((t) => assign(fn, t)[0]!.id);
    expect(got).toEqual(['100:1100', '4100:5100', '100:1100', '4100:5100', '-900:100', '100:1100', '100:1100', '1100:2100']);
  });

  it('rejects a non-positive size and an offset outside [0, size)', () => {
    expect(() => FixedWindows(0)).toThrow(RangeError);
    expect(() => FixedWindows(-5)).toThrow(RangeError);
    expect(() => FixedWindows(1000, -1)).toThrow(RangeError);
    expect(() => FixedWindows(1000, 1000)).toThrow(RangeError);
    // NaN passed `offset < 0 || offset >= size`: every element then failed the run in window assignment
    expect(() => FixedWindows(1000, Number.NaN)).toThrow('FixedWindows offset must be in [0, 1000), got NaN');
  });

  it('a side input in FixedWindows is read from the window containing the main window end', () => {
    // main window [0, 10000) → side FixedWindows(3000): the window containing 9999 is [9000, 12000)
    expect(sideInputWindowFor(FixedWindows(3000), intervalWindow(0, 10_000))).toEqual(intervalWindow(9000, 12_000));
    expect(sideInputWindowFor(FixedWindows(1000), intervalWindow(2000, 3000))).toEqual(intervalWindow(2000, 3000));
    // a global main window maps to the fixed window holding the end of the global window
    expect(sideInputWindowFor(FixedWindows(1000), GLOBAL_WINDOW)).toEqual(intervalWindow(9_007_199_168_340_000, 9_007_199_168_341_000));
  });
});

describe('SlidingWindows', () => {
  it('assigns size/period windows to each element when period divides size', () => {
    const fn = SlidingWindows(3000, 1000);
    expect(fn.isMerging).toBe(false);
    for (const t of [0, 1, 999, 1000, 2500, -1, -2999, 123_456]) {
      const ws = assign(fn, t) as IntervalWindow[];
      expect(ws).toHaveLength(3);
      for (const w of ws) {
        expect(w.start).toBeLessThanOrEqual(t);
        expect(w.end).toBeGreaterThan(t);
        expect(w.end - w.start).toBe(3000);
        expect(mod(w.start, 1000) === 0).toBe(true);
      }
      expect(new Set(ids(ws)).size).toBe(3);
    }
    expect(assign(fn, 2500)).toEqual([intervalWindow(2000, 5000), intervalWindow(1000, 4000), intervalWindow(0, 3000)]);
  });

  it('assigns floor or ceil of size/period windows when period does not divide size', () => {
    const fn = SlidingWindows(10, 3);
    // windows start on multiples of 3 and contain t: start in (t-10, t]
    expect(assign(fn, 0)).toEqual([intervalWindow(0, 10), intervalWindow(-3, 7), intervalWindow(-6, 4), intervalWindow(-9, 1)]);
    expect(assign(fn, 1)).toEqual([intervalWindow(0, 10), intervalWindow(-3, 7), intervalWindow(-6, 4)]);
  });

  it('honours the offset', () => {
    const fn = SlidingWindows(2000, 1000, 500);
    expect(assign(fn, 600)).toEqual([intervalWindow(500, 2500), intervalWindow(-500, 1500)]);
    expect(assign(fn, 499)).toEqual([intervalWindow(-500, 1500), intervalWindow(-1500, 500)]);
  });

  it('with period == size behaves like FixedWindows', () => {
    const s = SlidingWindows(1000, 1000);
    const f = FixedWindows(1000);
    for (const t of [-1500, -1, 0, 1, 999, 1000, 77_777]) expect(assign(s, t)).toEqual(assign(f, t));
  });

  it('with period > size leaves gaps (elements in no window)', () => {
    const fn = SlidingWindows(1000, 5000);
    expect(assign(fn, 500)).toEqual([intervalWindow(0, 1000)]);
    expect(assign(fn, 1500)).toEqual([]);
  });

  it('sideInputWindow: of the sliding windows containing the main window end, the one that ends first', () => {
    const fn = SlidingWindows(10_000, 5000);
    // main [0,10000): end 9999 is in [0,10000) and [5000,15000) → [0,10000)
    expect(fn.sideInputWindow!(intervalWindow(0, 10_000))).toEqual(intervalWindow(0, 10_000));
    // main [5000,6000): 5999 is in [0,10000) and [5000,15000) → [0,10000)
    expect(fn.sideInputWindow!(intervalWindow(5000, 6000))).toEqual(intervalWindow(0, 10_000));
    // main [0,5000): 4999 is in [-5000,5000) and [0,10000) → [-5000,5000)
    expect(fn.sideInputWindow!(intervalWindow(0, 5000))).toEqual(intervalWindow(-5000, 5000));
    // every sliding window maps to itself
    for (const w of assign(fn, 12_345)) expect(fn.sideInputWindow!(w)).toEqual(w);
    // the chosen window always contains the main window's maxTimestamp
    for (const main of [intervalWindow(-7, 3), intervalWindow(123, 4567), intervalWindow(-20_000, -19_999)]) {
      const sw = sideInputWindowFor(fn, main) as IntervalWindow;
      expect(sw.start).toBeLessThanOrEqual(main.maxTimestamp);
      expect(sw.end).toBeGreaterThan(main.maxTimestamp);
      expect(sw.end - main.maxTimestamp).toBeLessThanOrEqual(5000);
    }
  });

  it('refuses more than 100,000 windows per element, naming size and period (before: SlidingWindows(1e15, 1) hung building windows)', () => {
    expect(() => SlidingWindows(1e15, 1)).toThrow(RangeError);
    expect(() => SlidingWindows(1e15, 1)).toThrow('SlidingWindows(1000000000000000, 1) would put each element in 1000000000000000 windows; at most 100000');
    expect(() => SlidingWindows(100_001, 1)).toThrow(RangeError);
    expect(() => SlidingWindows(Number.POSITIVE_INFINITY, 1000)).toThrow(RangeError);
    expect(() => ProcessingTimeWindows.sliding(1e15, 1)).toThrow(RangeError);
    // the limit itself is allowed: one day in 1-second steps, and exactly 100,000 windows
    expect(SlidingWindows(86_400_000, 1000).name).toBe('SlidingWindows(86400000ms every 1000ms)');
    expect(assign(SlidingWindows(100_000, 1), 0)).toHaveLength(100_000);
  });

  it('rejects bad sizes, periods and offsets', () => {
    expect(() => SlidingWindows(0, 1)).toThrow(RangeError);
    expect(() => SlidingWindows(10, 0)).toThrow(RangeError);
    expect(() => SlidingWindows(10, 5, 5)).toThrow(RangeError);
    expect(() => SlidingWindows(10, 5, -1)).toThrow(RangeError);
    // NaN passed `offset < 0 || offset >= period`: every element then got no window, silently
    expect(() => SlidingWindows(10, 5, Number.NaN)).toThrow('SlidingWindows offset must be in [0, 5), got NaN');
  });
});

describe('Sessions and mergeOverlappingIntervals', () => {
  it('assigns a proto-window [t, t+gap) and is merging', () => {
    const fn = Sessions(1000);
    expect(fn.isMerging).toBe(true);
    expect(assign(fn, 500)).toEqual([intervalWindow(500, 1500)]);
    expect(assign(fn, -500)).toEqual([intervalWindow(-500, 500)]);
    expect(fn.mergeWindows).toBe(mergeOverlappingIntervals);
    expect(() => Sessions(0)).toThrow(RangeError);
  });

  it('reports nothing when no windows overlap (touching half-open windows do not merge)', () => {
    expect(mergeOverlappingIntervals([])).toEqual([]);
    expect(mergeOverlappingIntervals([intervalWindow(0, 10)])).toEqual([]);
    expect(mergeOverlappingIntervals([intervalWindow(0, 10), intervalWindow(10, 20), intervalWindow(30, 40)])).toEqual([]);
  });

  it('merges overlapping windows into their span, whatever the input order', () => {
    const a = intervalWindow(0, 10);
    const b = intervalWindow(5, 15);
    const c = intervalWindow(40, 50);
    const r = mergeOverlappingIntervals([c, b, a]);
    expect(r).toEqual([{ toMerge: [a, b], result: intervalWindow(0, 15) }]);
  });

  it('merges transitively (a chain where the ends do not overlap each other)', () => {
    const a = intervalWindow(0, 10);
    const b = intervalWindow(9, 20);
    const c = intervalWindow(19, 30);
    const r = mergeOverlappingIntervals([a, c, b]);
    expect(r).toEqual([{ toMerge: [a, b, c], result: intervalWindow(0, 30) }]);
  });

  it('reports several independent groups and absorbs contained windows', () => {
    const g1 = [intervalWindow(0, 100), intervalWindow(10, 20), intervalWindow(50, 60)];
    const g2 = [intervalWindow(200, 210), intervalWindow(205, 230)];
    const lone = intervalWindow(150, 160);
    const r = mergeOverlappingIntervals([...g2, lone, ...g1]);
    expect(r).toHaveLength(2);
    expect(r[0]!.result).toEqual(intervalWindow(0, 100));
    expect(ids(r[0]!.toMerge)).toEqual(['0:100', '10:20', '50:60']);
    expect(r[1]!.result).toEqual(intervalWindow(200, 230));
    expect(ids(r[1]!.toMerge)).toEqual(['200:210', '205:230']);
  });

  it('ignores non-interval windows', () => {
    expect(mergeOverlappingIntervals([GLOBAL_WINDOW, intervalWindow(0, 10)])).toEqual([]);
  });
});

describe('GlobalWindows', () => {
  it('assigns every element to the one global window', () => {
    const fn = GlobalWindows();
    expect(fn.isMerging).toBe(false);
    for (const t of [-1e12, 0, 1e12]) expect(assign(fn, t)).toEqual([GLOBAL_WINDOW]);
    expect(GLOBAL_WINDOW.maxTimestamp).toBeGreaterThan(1e15);
  });

  it('a global side input is read from the global window for any main window', () => {
    const fn = GlobalWindows();
    expect(sideInputWindowFor(fn, intervalWindow(0, 1000))).toBe(GLOBAL_WINDOW);
    expect(sideInputWindowFor(fn, GLOBAL_WINDOW)).toBe(GLOBAL_WINDOW);
  });
});

describe('sideInputWindowFor', () => {
  it('refuses a WindowFn that assigns several windows to one instant and has no sideInputWindow', () => {
    const twice: WindowFn<unknown> = {
      name: 'Twice',
      isMerging: false,
      assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + 1), intervalWindow(timestamp - 1, timestamp + 1)],
    };
    expect(() => sideInputWindowFor(twice, intervalWindow(0, 10))).toThrow(/Twice assigns 2 windows/);
  });
});

describe('SlidingWindows.sideInputWindow at any instant', () => {
  it('assigns every window near TIMESTAMP_MIN (before: timestamp - size rounded below -2^53 and the earliest window was skipped)', () => {
    expect(ids(assign(SlidingWindows(3000, 1000), -9_007_199_254_740_001))).toEqual(['-9007199254741000:-9007199254738000', '-9007199254742000:-9007199254739000', '-9007199254743000:-9007199254740000']);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50_000 }), fc.constantFrom([3000, 1000], [5000, 2000], [4000, 4000], [2000, 4000]), (d, [size, period]) => {
        const t = TIMESTAMP_MIN + d;
        // the starts s (multiples of the period) with s <= t < s + size, counted exactly with bigint
        const T = BigInt(t);
        const P = BigInt(period!);
        const latest = T - (((T % P) + P) % P);
        const want: string[] = [];
        for (let s = latest; s > T - BigInt(size!); s -= P) want.push(`${s}:${s + BigInt(size!)}`);
        expect(ids(assign(SlidingWindows(size!, period!), t))).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('property: of the windows holding the main window\'s last instant (at most TIMESTAMP_MAX), the one ending first, also near TIMESTAMP_MIN and TIMESTAMP_MAX', () => {
    // Whole seconds: windows past ±2^53 ms are still exact (even numbers), as the runner's are.
    const arbShape = fc.constantFrom([3000, 1000, 0], [5000, 2000, 0], [6000, 2000, 1000], [2000, 2000, 0], [10_000, 4000, 2000]);
    const arbInstant = fc.oneof(
      fc.integer({ min: -100_000, max: 100_000 }),
      fc.integer({ min: 0, max: 20_000 }).map((d) => TIMESTAMP_MIN + d),
      fc.integer({ min: 0, max: 20_000 }).map((d) => TIMESTAMP_MAX - d),
    );
    fc.assert(
      fc.property(arbShape, arbShape, arbInstant, ([size, period, offset], [mainSize, mainPeriod, mainOffset], t) => {
        const side = SlidingWindows(size!, period!, offset);
        for (const main of assign(SlidingWindows(mainSize!, mainPeriod!, mainOffset), t) as IntervalWindow[]) {
          const last = Math.min(main.maxTimestamp, TIMESTAMP_MAX);
          const holding = (assign(side, last) as IntervalWindow[]).sort((a, b) => a.end - b.end);
          expect(sideInputWindowFor(side, main).id).toBe(holding[0]!.id);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('window bounds where doubles are coarse (fractional sizes near TIMESTAMP_MAX / TIMESTAMP_MIN)', () => {
  const near = fc.oneof(
    fc.integer({ min: 0, max: 100 }).map((d) => TIMESTAMP_MAX - d),
    fc.integer({ min: 0, max: 100 }).map((d) => TIMESTAMP_MIN + d),
    fc.integer({ min: 0, max: 100 }).map((d) => 2 ** 52 + d),
    fc.double({ min: TIMESTAMP_MIN, max: TIMESTAMP_MAX, noNaN: true }),
  );
  const size = fc.constantFrom(0.5, 0.75, 0.25, 1.5, 1e-6, 0.3);
  const fns = fc.oneof(
    fc.tuple(size, fc.nat(3)).map(([s, k]) => ({ name: `FixedWindows(${s}, ${(s * k) / 4})`, fn: FixedWindows(s, (s * k) / 4) })),
    fc.tuple(size, fc.constantFrom(1, 2, 3)).map(([p, k]) => ({ name: `SlidingWindows(${p * k}, ${p})`, fn: SlidingWindows(p * k, p) })),
    size.map((g) => ({ name: `Sessions(${g})`, fn: Sessions(g) })),
  );
  it('every window assigned is a valid interval window that holds the element (before: [t, t + 0.5) rounded to empty and assignWindows threw)', () => {
    fc.assert(
      fc.property(fns, near, ({ name, fn }, t) => {
        const ws = assign(fn, t) as IntervalWindow[];
        expect(ws.length, `${name} at ${t}`).toBeGreaterThan(0);
        for (const w of ws) expect(w.start <= t && t < w.end && w.start < w.end, `${name} at ${t}: [${w.start}, ${w.end})`).toBe(true);
        expect(new Set(ws.map((w) => w.id)).size, `${name} at ${t}: a window twice`).toBe(ws.length);
      }),
      { numRuns: 2000, seed: 4242 },
    );
  });
});
