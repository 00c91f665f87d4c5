import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../runners/core/timers/min-heap.js';

interface Item {
  t: number;
  id: number;
}

/** The model: a list kept sorted by priority (ties in any order, so compared by priority and content). */
function sortedPriorities(items: readonly Item[]): number[] {
  return items.map((x) => x.t).sort((a, b) => a - b);
}

type Op = { kind: 'push'; t: number } | { kind: 'pop' } | { kind: 'replaceTop'; t: number } | { kind: 'peek' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), t: fc.integer({ min: -50, max: 50 }) }),
  fc.constant({ kind: 'pop' as const }),
  fc.record({ kind: fc.constant('replaceTop' as const), t: fc.integer({ min: -50, max: 50 }) }),
  fc.constant({ kind: 'peek' as const }),
);

describe('MinHeap', () => {
  it('pops in priority order after any mix of push, pop and replaceTop (a sorted list as model)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const heap = new MinHeap<Item>((x) => x.t);
        let model: Item[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            const x = { t: o.t, id: id++ };
            heap.push(x);
            model.push(x);
          } else if (o.kind === 'pop') {
            const got = heap.pop();
            if (model.length === 0) expect(got).toBeUndefined();
            else {
              const min = Math.min(...model.map((x) => x.t));
              expect(got!.t).toBe(min);
              expect(model).toContain(got);
              model = model.filter((x) => x !== got);
            }
          } else if (o.kind === 'replaceTop') {
            const top = heap.peek();
            if (top === undefined) {
              heap.replaceTop({ t: o.t, id: id++ });
              expect(heap.size).toBe(0);
              continue;
            }
            // The top item comes back with a new priority (as a timer entry moved on does).
            model = model.filter((x) => x !== top);
            top.t = o.t;
            heap.replaceTop(top);
            model.push(top);
          } else {
            const top = heap.peek();
            expect(top === undefined ? undefined : top.t).toBe(model.length === 0 ? undefined : Math.min(...model.map((x) => x.t)));
            expect(heap.peekPriority()).toBe(top?.t);
          }
          expect(heap.size).toBe(model.length);
        }
        const rest: number[] = [];
        for (let x = heap.pop(); x !== undefined; x = heap.pop()) rest.push(x.t);
        expect(rest).toEqual(sortedPriorities(model));
      }),
      { numRuns: 300 },
    );
  });

  it('replaceTop with a later priority moves the item down past the others', () => {
    const heap = new MinHeap<Item>((x) => x.t);
    for (const t of [5, 1, 3, 4, 2]) heap.push({ t, id: t });
    const top = heap.peek()!;
    top.t = 10;
    heap.replaceTop(top);
    expect([heap.pop()!.t, heap.pop()!.t, heap.pop()!.t, heap.pop()!.t, heap.pop()!.t]).toEqual([2, 3, 4, 5, 10]);
  });

  it('forEachWhere visits exactly the items whose priority passes, without changing the heap', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 100 }), fc.integer({ min: 0, max: 101 }), (ts, limit) => {
        const heap = new MinHeap<Item>((x) => x.t);
        ts.forEach((t, id) => heap.push({ t, id }));
        const seen: number[] = [];
        heap.forEachWhere((p) => p < limit, (x) => seen.push(x.id));
        expect(seen.sort((a, b) => a - b)).toEqual(ts.flatMap((t, id) => (t < limit ? [id] : [])));
        expect(heap.size).toBe(ts.length);
      }),
    );
  });
});
