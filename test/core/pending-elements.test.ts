import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kv } from '../../sdk/kv.js';
import { NO_FIRING, type PaneInfo } from '../../sdk/pane.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import { PendingElements, type KeyPending } from '../../runners/core/driver/pending-elements.js';
import { TaggedValue } from '../../runners/core/util/tagged-value.js';

/** What a test pushed: one element as it came. */
interface Pushed {
  value: unknown;
  timestamp: number;
  window: BoundedWindow;
  pane: PaneInfo;
  retraction: boolean;
}

const OTHER_PANE: PaneInfo = { ...NO_FIRING, index: 1 };

/** A key's chain of slots read back as the elements it holds, in order. */
function readBack(p: PendingElements, k: KeyPending): Pushed[] {
  const out: Pushed[] = [];
  for (let s = k.first; s !== -1; s = p.next(s)) out.push({ value: p.value(s), timestamp: p.timestamp(s), window: p.window(s), pane: p.pane(s), retraction: p.retraction(s) });
  return out;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), key: fc.integer({ min: 0, max: 5 }), n: fc.integer({ min: 1, max: 700 }), tag: fc.constantFrom(undefined, 'left', 'right'), retraction: fc.boolean(), otherPane: fc.boolean(), start: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('take' as const) }),
  fc.record({ kind: fc.constant('takeKeys' as const), keys: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 4 }) }),
);

describe('PendingElements', () => {
  it('hands every key its own elements in arrival order, and counts and bounds what waits (against a model)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const p = new PendingElements();
        const model = new Map<number, Pushed[]>();
        let next = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            for (let i = 0; i < o.n; i++) {
              const raw = next++;
              const value = o.tag === undefined ? raw : new TaggedValue(o.tag, raw);
              const window = intervalWindow(o.start + (i % 3), o.start + 10);
              const pushed: Pushed = { value, timestamp: raw, window, pane: o.otherPane ? OTHER_PANE : NO_FIRING, retraction: o.retraction };
              p.push(o.key, kv(o.key, value), pushed.timestamp, window, pushed.pane, pushed.retraction);
              model.set(o.key, [...(model.get(o.key) ?? []), pushed]);
            }
          } else {
            const taken = o.kind === 'take' ? p.take() : p.takeKeys(o.keys);
            const expectedKeys = o.kind === 'take' ? [...model.keys()] : o.keys.filter((k) => model.has(k));
            expect(taken.map((k) => k.ks).sort()).toEqual([...expectedKeys].sort());
            for (const k of taken) {
              const want = model.get(k.ks as number)!;
              expect(k.key).toBe(k.ks);
              expect(k.count).toBe(want.length);
              expect(k.minMax).toBe(Math.min(...want.map((x) => x.window.maxTimestamp)));
              expect(readBack(p, k)).toEqual(want);
              model.delete(k.ks as number);
            }
            p.release(taken);
          }
          const waiting = [...model.values()].flat();
          expect(p.length).toBe(waiting.length);
          expect(p.tightenMinMax()).toBe(waiting.length === 0 ? Infinity : Math.min(...waiting.map((x) => x.window.maxTimestamp)));
        }
        // What is left is handed over whole, in the order the keys first came.
        const rest = p.take();
        for (const k of rest) expect(readBack(p, k)).toEqual(model.get(k.ks as number));
        expect(rest.length).toBe(model.size);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a key that keeps coming in the same KeyPending, and forgets keys gone for 8 to 16 releases', () => {
    const p = new PendingElements();
    const w = intervalWindow(0, 10);
    for (let k = 0; k < 5000; k++) p.push(k, kv(k, k), k, w, NO_FIRING, false);
    p.release(p.take());
    expect(p.keysHeld).toBe(5000);
    let firstSeen: KeyPending | undefined;
    for (let round = 0; round < 16; round++) {
      p.push('steady', kv('steady', round), round, w, NO_FIRING, false);
      p.push(`once-${round}`, kv(`once-${round}`, round), round, w, NO_FIRING, false);
      const taken = p.take();
      const steady = taken.find((k) => k.ks === 'steady')!;
      firstSeen ??= steady;
      // The same object each round, its fields those of this round.
      expect(steady).toBe(firstSeen);
      expect(steady.key).toBe('steady');
      expect(steady.count).toBe(1);
      expect(p.value(steady.first)).toBe(round);
      p.release(taken);
    }
    // The 5000 keys (more than 1,024 idle ones) and the keys that came once are gone; those of the last 8 to 16 releases are held.
    expect(p.keysHeld).toBeLessThanOrEqual(1 + 16);
    expect(p.keysHeld).toBeGreaterThanOrEqual(1 + 8);
  });

  it('keeps elements pushed while their key is handed over for the next take, in order, apart from those handed over', () => {
    // push only appends; elements are linked into their key's chain when keys are asked for (take, takeKeys, release).
    const p = new PendingElements();
    const w = intervalWindow(0, 10);
    p.push('a', kv('a', 1), 1, w, NO_FIRING, false);
    p.push('b', kv('b', 2), 2, w, NO_FIRING, false);
    const [a] = p.takeKeys(['a']);
    // While 'a' is being added: more of 'a' (and of 'b') come, and a tightenMinMax links them.
    p.push('a', kv('a', 3), 3, intervalWindow(0, 5), NO_FIRING, false);
    expect(p.tightenMinMax()).toBe(4);
    p.push('a', kv('a', 4), 4, w, NO_FIRING, false);
    p.push('b', kv('b', 5), 5, w, NO_FIRING, false);
    expect(readBack(p, a!).map((x) => x.value)).toEqual([1]);
    expect(p.length).toBe(4);
    p.release([a!]);
    const taken = p.take();
    expect(taken.map((k) => [k.ks, k.count, k.minMax])).toEqual([
      ['a', 2, 4],
      ['b', 2, 9],
    ]);
    expect(taken.map((k) => readBack(p, k).map((x) => x.value))).toEqual([
      [3, 4],
      [2, 5],
    ]);
    expect(taken[0]).not.toBe(a);
  });

  it('takes a key listed more than once once, and only the first n keys listed', () => {
    const p = new PendingElements();
    const w = intervalWindow(0, 10);
    for (const k of ['a', 'b', 'c']) p.push(k, kv(k, k), 1, w, NO_FIRING, false);
    const taken = p.takeKeys(['a', 'b', 'a', 'b', 'c'], 4);
    expect(taken.map((k) => k.ks)).toEqual(['a', 'b']);
    expect(p.length).toBe(1);
    p.release(taken);
    expect(p.take().map((k) => k.ks)).toEqual(['c']);
  });

  it('moves what waits to the front once most slots are free, each key in order', () => {
    const p = new PendingElements();
    const w = intervalWindow(0, 10);
    for (let i = 0; i < 3000; i++) p.push(i % 300 === 7 ? 1 : 0, kv(0, i), i, w, NO_FIRING, false);
    const [zero] = p.takeKeys([0]);
    expect(zero!.count).toBe(2990);
    p.release([zero!]);
    // Key 0's slots are free and only key 1's 10 elements wait: they now start at slot 0, and more join them.
    p.push(1, kv(1, -1), 5000, w, NO_FIRING, false);
    p.push(0, kv(0, -2), 5001, w, NO_FIRING, false);
    const taken = p.take();
    const one = taken.find((k) => k.ks === 1);
    const zeroAgain = taken.find((k) => k.ks === 0);
    expect(taken.length).toBe(2);
    expect(one!.first).toBe(0);
    expect(readBack(p, one!).map((x) => x.value)).toEqual([...Array.from({ length: 10 }, (_, i) => 300 * i + 7), -1]);
    expect(readBack(p, zeroAgain!).map((x) => x.value)).toEqual([-2]);
    p.release([one!, zeroAgain!]);
    expect(p.length).toBe(0);
    p.push('k', kv('k', 7), 1, w, NO_FIRING, true);
    const [k] = p.take();
    expect(k!.first).toBe(0);
    expect(readBack(p, k!)).toEqual([{ value: 7, timestamp: 1, window: w, pane: NO_FIRING, retraction: true }]);
  });
});
