import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeldElements } from '../../runners/core/operators/held-elements.js';
import { NO_FIRING } from '../../sdk/pane.js';
import { GLOBAL_WINDOW, intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import type { WindowedValue } from '../../sdk/windowed-value.js';

/** Windows of a side input: [0,10), [10,20), [20,30), [30,40). */
const WINDOWS = [0, 1, 2, 3].map((i) => intervalWindow(i * 10, i * 10 + 10));

type Op =
  | { kind: 'hold'; ts: number; windows: [number, number] }
  | { kind: 'pane'; side: number; window: number }
  | { kind: 'watermark'; side: number; to: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hold' as const), ts: fc.integer({ min: 0, max: 100 }), windows: fc.tuple(fc.nat(3), fc.nat(3)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pane' as const), side: fc.nat(1), window: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('watermark' as const), side: fc.nat(1), to: fc.integer({ min: 0, max: 45 }) }) },
);

/** Side readiness as the ParDo keeps it: a pane arrived for the window, or the side watermark passed its end. */
class Sides {
  readonly panes = [new Set<string>(), new Set<string>()];
  readonly wm = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  ready = (side: number, w: BoundedWindow): boolean => this.wm[side]! > w.maxTimestamp || this.panes[side]!.has(w.id);
}

describe('HeldElements', () => {
  it('releases exactly what re-checking every held element after each side event would, in arrival order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const sides = new Sides();
        const held = new HeldElements(2, sides.ready);
        // the naive model: one list, every element re-checked on every event
        let naive: { wv: WindowedValue<unknown>; windows: BoundedWindow[] }[] = [];
        const released: unknown[] = [];
        const naiveReleased: unknown[] = [];
        const naiveRelease = () => {
          const still: typeof naive = [];
          for (const h of naive) (h.windows.every((w, s) => sides.ready(s, w)) ? naiveReleased.push(h.wv.value) : still.push(h));
          naive = still;
        };
        ops.forEach((o, i) => {
          switch (o.kind) {
            case 'hold': {
              const windows = o.windows.map((w) => WINDOWS[w]!);
              const waiting = windows.findIndex((w, s) => !sides.ready(s, w));
              if (waiting < 0) return; // ready: the ParDo processes it at once
              const wv = { value: i, timestamp: o.ts, window: GLOBAL_WINDOW, pane: NO_FIRING };
              held.hold(wv, windows, waiting);
              naive.push({ wv, windows });
              break;
            }
            case 'pane': {
              const w = WINDOWS[o.window]!;
              if (sides.ready(o.side, w)) return;
              sides.panes[o.side]!.add(w.id);
              released.push(...held.releaseWindow(o.side, w.id).map((wv) => wv.value));
              naiveRelease();
              break;
            }
            case 'watermark':
              if (o.to <= sides.wm[o.side]!) return;
              sides.wm[o.side] = o.to;
              released.push(...held.releaseBefore(o.side, o.to).map((wv) => wv.value));
              naiveRelease();
              break;
          }
          expect(released).toEqual(naiveReleased);
          expect(held.size).toBe(naive.length);
          const earliest = naive.length === 0 ? undefined : Math.min(...naive.map((h) => h.wv.timestamp));
          expect(held.earliestTimestamp()).toBe(earliest);
        });
      }),
      { numRuns: 300 },
    );
  });
});
