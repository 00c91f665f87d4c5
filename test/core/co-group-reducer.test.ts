import { describe, expect, it } from 'vitest';
import { combineReducer } from '../../runners/core/driver/pane-reducer.js';
import { coGroupFn } from '../../transforms/internal/co-group-fn.js';

describe("CoGroupByKey's pane reducer", () => {
  const fill = () => {
    const r = combineReducer(coGroupFn(['orders', 'users']), false);
    let acc = r.empty();
    acc = r.addTagged!(acc, 'orders', 5);
    acc = r.add(acc, { tag: 'users', value: 'ann' }, 0);
    acc = r.addTagged!(acc, 'orders', 3);
    return { r, acc };
  };

  it('a pane whose accumulator goes on (not consumed) gets copies: later values do not reach it', () => {
    const { r, acc } = fill();
    const out = r.extract(acc, false) as Record<string, unknown[]>;
    expect(out).toEqual({ orders: [5, 3], users: ['ann'] });
    r.addTagged!(acc, 'orders', 9);
    expect(out).toEqual({ orders: [5, 3], users: ['ann'] });
  });

  it('a pane whose accumulator is discarded right after gets its lists as they are (no copy)', () => {
    const { r, acc } = fill();
    const out = r.extract(acc, true);
    expect(out).toBe(acc);
    expect(out).toEqual({ orders: [5, 3], users: ['ann'] });
  });
});
