import { describe, expect, it } from 'vitest';
import { mergeUserWindows } from '../../runners/core/operators/merge-user-state.js';
import type { UserStateRecord } from '../../runners/core/operators/user-state.js';
import { KeyedStateTable } from '../../runners/core/state/keyed-state-table.js';
import type { CombineFn } from '../../sdk/combine-fn.js';
import { StateSpec } from '../../sdk/state.js';
import { intervalWindow } from '../../sdk/window.js';
import { Sessions } from '../../sdk/windows/sessions.js';

/** The merge of user state records when a stateful DoFn's sessions merge (runners/core/operators/merge-user-state.ts). */

const merges: number[][] = [];
const sum: CombineFn<number, number, number> = {
  createAccumulator: () => 0,
  addInput: (a, x) => a + x,
  mergeAccumulators: (as) => (merges.push([...as]), as.reduce((a, b) => a + b, 0)),
  extractOutput: (a) => a,
};
const specs = { bag: StateSpec.bag<number>(), n: StateSpec.combining(sum), s: StateSpec.set<number>(), m: StateSpec.map<string, number>(), v: StateSpec.value<number>() };

const rec = (start: number, end: number, cells: Record<string, unknown>, timers: Record<string, number> = {}): UserStateRecord => ({ k: 'a', w: intervalWindow(start, end), cells, timers });

describe('mergeUserWindows', () => {
  it('merges by the order windows end, whatever order the records were made in: bag in that order, accumulators merged, set and map unions, value and map conflicts from the latest-ending window, timers at their latest', () => {
    const table = new KeyedStateTable<UserStateRecord>();
    // the later session first (as when its element arrived first)
    table.set('a', '2000:3500', rec(2000, 3500, { bag: [2], n: 20, s: new Map([[2, 2], [1, 1]]), m: new Map([['red', ['red', 3]], ['green', ['green', 4]]]), v: 20 }, { flush: 3499, ping: 50 }));
    table.set('a', '100:1600', rec(100, 1600, { bag: [1], n: 10, s: new Map([[1, 1], [3, 3]]), m: new Map([['red', ['red', 1]], ['blue', ['blue', 2]]]), v: 10 }, { flush: 1599, ping: 70 }));
    merges.length = 0;
    const { window, changed } = mergeUserWindows(table, 'a', 'a', intervalWindow(1000, 2500), Sessions(1500), specs);
    expect(window.id).toBe('100:3500');
    expect(table.size()).toBe(1);
    const r = table.get('a', '100:3500')!;
    expect(changed).toEqual([r]);
    expect(r.w).toEqual(intervalWindow(100, 3500));
    expect(r.cells['bag']).toEqual([1, 2]);
    expect(r.cells['n']).toBe(30);
    expect(merges).toEqual([[10, 20]]);
    expect([...(r.cells['s'] as Map<number, number>).values()]).toEqual([1, 3, 2]);
    expect(Object.fromEntries([...(r.cells['m'] as Map<string, [string, number]>).values()])).toEqual({ red: 3, blue: 2, green: 4 });
    expect(r.cells['v']).toBe(20);
    expect(r.timers).toEqual({ flush: 3499, ping: 70 });
  });

  it('value state: a window without a value does not erase the value of another; a cell the DoFn no longer declares follows the value rule', () => {
    const table = new KeyedStateTable<UserStateRecord>();
    table.set('a', '100:1600', rec(100, 1600, { v: 10, old: 'x' }));
    table.set('a', '2000:3500', rec(2000, 3500, { old: 'y' }));
    mergeUserWindows(table, 'a', 'a', intervalWindow(1000, 2500), Sessions(1500), specs);
    expect(table.get('a', '100:3500')!.cells).toEqual({ v: 10, old: 'y' });
  });

  it('an element inside a session changes nothing: same window, no record to queue again', () => {
    const table = new KeyedStateTable<UserStateRecord>();
    const r = rec(0, 1500, { bag: [1, 2] }, { flush: 1499 });
    table.set('a', '0:1500', r);
    const { window, changed } = mergeUserWindows(table, 'a', 'a', intervalWindow(200, 1200), Sessions(1000), specs);
    expect(window.id).toBe('0:1500');
    expect(changed).toEqual([]);
    expect(table.get('a', '0:1500')!.cells).toEqual({ bag: [1, 2] });
    expect(table.get('a', '0:1500')!.timers).toEqual({ flush: 1499 });
  });

  it('a window that merges with nothing gets an empty record (so later elements merge with it); touching windows stay apart; other keys are untouched', () => {
    const table = new KeyedStateTable<UserStateRecord>();
    table.set('a', '0:1000', rec(0, 1000, { bag: [1] }));
    table.set('b', '500:1500', { ...rec(500, 1500, { bag: [9] }), k: 'b' });
    const { window, changed } = mergeUserWindows(table, 'a', 'a', intervalWindow(1000, 2000), Sessions(1000), specs);
    expect(window.id).toBe('1000:2000');
    expect(changed).toEqual([{ k: 'a', w: intervalWindow(1000, 2000), cells: {}, timers: {} }]);
    expect([...table.entries()].map(([k, ns]) => `${String(k)} ${ns}`).sort()).toEqual(['a 0:1000', 'a 1000:2000', 'b 500:1500']);
  });
});
