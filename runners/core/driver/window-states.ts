import type { StateKey } from '../../../sdk/kv.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { KeyedStateTable } from '../state/keyed-state-table.js';

/**
 * The states of an aggregation per key and window: its keyed state table (key → window id → state,
 * what is snapshotted) plus an index by window (window id → key → state), so that an element whose
 * window is the same object as the previous element's finds its state with one lookup. Every change
 * goes through `set` and `delete`, which keep both in step; the index is rebuilt from the table when
 * made (after a restore). Merging windows are rarely shared by keys: their states are not indexed
 * (`indexed` false), and `inWindow` is not used for them.
 */
export class WindowStates<V> {
  private readonly byWindow = new Map<string, Map<StateKey, V>>();
  /** The window last asked for by `inWindow`, and its states. */
  private lastWindow: BoundedWindow | undefined;
  private lastStates: Map<StateKey, V> | undefined;

  constructor(
    private readonly table: KeyedStateTable<V>,
    private readonly indexed = true,
  ) {
    if (indexed) for (const [key, ns, v] of table.entries()) this.index(key, ns, v);
  }

  get(key: StateKey, ns: string): V | undefined {
    return this.table.get(key, ns);
  }

  /** The state of `key` in window `w` (the same as `get(key, w.id)`). */
  inWindow(key: StateKey, w: BoundedWindow): V | undefined {
    if (!this.indexed) return this.table.get(key, w.id);
    if (w !== this.lastWindow) {
      this.lastWindow = w;
      this.lastStates = this.byWindow.get(w.id);
    }
    return this.lastStates?.get(key);
  }

  /** Puts `v` under `key` and `ns`; returns the value it replaced there (undefined when none). */
  set(key: StateKey, ns: string, v: V): V | undefined {
    const prior = this.table.set(key, ns, v);
    if (this.indexed) this.index(key, ns, v);
    return prior;
  }

  delete(key: StateKey, ns: string): void {
    this.table.delete(key, ns);
    if (!this.indexed) return;
    const m = this.byWindow.get(ns);
    if (m === undefined) return;
    m.delete(key);
    if (m.size === 0) {
      this.byWindow.delete(ns);
      this.lastWindow = undefined;
    }
  }

  /**
   * Moves `key`'s state from namespace `from` to `to` (a merged window that grew); returns the state `to` held
   * that it replaced (undefined when none).
   */
  rename(key: StateKey, from: string, to: string): V | undefined {
    if (!this.indexed) return this.table.rename(key, from, to);
    if (from === to) return undefined;
    const v = this.table.get(key, from);
    if (v === undefined) return undefined;
    const prior = this.set(key, to, v);
    this.delete(key, from);
    return prior;
  }

  /** How many windows `key` has. */
  countOf(key: StateKey): number {
    return this.table.countOf(key);
  }

  /** The state of `key`'s only window; undefined when it has none or several. */
  soleValue(key: StateKey): V | undefined {
    return this.table.soleValue(key);
  }

  /** Writes the states of `key`'s windows to `out[0]`, `out[1]`, …; returns how many. */
  valuesInto(key: StateKey, out: V[]): number {
    return this.table.valuesInto(key, out);
  }

  entries(): IterableIterator<[StateKey, string, V]> {
    return this.table.entries();
  }

  size(): number {
    return this.table.size();
  }

  private index(key: StateKey, ns: string, v: V): void {
    let m = this.byWindow.get(ns);
    if (m === undefined) {
      m = new Map();
      this.byWindow.set(ns, m);
      this.lastWindow = undefined;
    }
    m.set(key, v);
  }
}
