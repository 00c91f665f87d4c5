import { describe, expect, it } from 'vitest';
import { keyGroupOf } from '../../runners/core/state/key-groups.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { encodeKey } from '../../sdk/kv.js';
import { UNFINISHED } from '../../sdk/internal/trigger-state.js';
import { intervalWindow } from '../../sdk/window.js';

const w = intervalWindow(0, 3000);
const windowState = (n: number) => ({ w, k: n, acc: n, n: 1, trig: UNFINISHED, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: undefined, hold: undefined, et: [w.maxTimestamp], pt: [], et0: w.maxTimestamp });

/** A backend with a `windows` table (columnar codec) and a `user` table with Map cells and ±Infinity (v8 codec). */
function filled(keys = 300): InMemoryStateBackend {
  const b = new InMemoryStateBackend();
  const windows = b.table<unknown>('Count', 'windows');
  const user = b.table<unknown>('Stateful#1', 'user');
  for (let i = 0; i < keys; i++) {
    windows.set(encodeKey(i), w.id, windowState(i));
    user.set(encodeKey(`k${i}`), w.id, { k: `k${i}`, w, cells: { m: new Map([[1, [1, Infinity]]]), v: -Infinity, u: undefined }, timers: {} });
  }
  return b;
}

/** Every table's entries sorted by key (order within a table is not part of the state). */
const byKey = (b: InMemoryStateBackend) =>
  Object.fromEntries(Object.entries(b.snapshot().tables).map(([id, entries]) => [id, [...entries].sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1))]));

describe('InMemoryStateBackend segments by key group', () => {
  it('one segment per (step, table, key group), each holding exactly the keys of its group, with the table codec', () => {
    const b = filled();
    const segs = b.snapshotSegments(16);
    expect(new Set(segs.map((s) => `${s.step}#${s.table} ${s.codec}`))).toEqual(new Set(['Count#windows window-state/v1', 'Stateful#1#user v8/v1']));
    const restored = new InMemoryStateBackend();
    restored.restoreSegments(segs);
    // The same entries, grouped by key group instead of in insertion order.
    expect(byKey(restored)).toEqual(byKey(b));
    for (const s of segs) {
      const only = new InMemoryStateBackend();
      only.restoreSegments([s]);
      const keys = [...only.table(s.step, s.table).entries()].map(([k]) => k);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => keyGroupOf(k, 16) === s.keyGroup)).toBe(true);
    }
    expect(new InMemoryStateBackend().snapshotSegments()).toEqual([]);
  });

  it('restores only the owned key groups, into tables made before or after the restore', () => {
    const segs = filled().snapshotSegments(8);
    const owned = new Set([1, 2, 5]);
    const b = new InMemoryStateBackend();
    const early = b.table('Count', 'windows');
    early.set(encodeKey('stale'), 'x', 1);
    b.restoreSegments(segs, owned);
    expect(early.get(encodeKey('stale'), 'x')).toBeUndefined();
    const late = b.table('Stateful#1', 'user');
    for (const t of [early, late]) {
      const groups = new Set([...t.entries()].map(([k]) => keyGroupOf(k, 8)));
      expect([...groups].sort()).toEqual([1, 2, 5]);
    }
    expect(early.size()).toBeGreaterThan(0);
    expect(b.size()).toBe(early.size() + late.size());
    // The existing plain-data snapshot still sees everything restored.
    expect(Object.keys(b.snapshot().tables).sort()).toEqual(['Count#windows', 'Stateful#1#user']);
  });

  it('a segment whose codec is unknown is refused, naming it', () => {
    const [s] = filled(1).snapshotSegments();
    expect(() => new InMemoryStateBackend().restoreSegments([{ ...s!, codec: 'zstd/v9' }])).toThrow(/codec 'zstd\/v9', which this Watershed does not know/);
  });
});
