import type { StateKey } from '../../../sdk/kv.js';
import { KeyedStateTable } from './keyed-state-table.js';

/** The versioned, plain-data form of all state of a run. */
export interface StateSnapshot {
  readonly version: 1;
  readonly tables: Record<string, [StateKey, string, unknown][]>;
}

/**
 * Holds every keyed state table of a run, addressed by step name and table name. Step names are
 * stable identities, so a snapshot taken from one run restores into the same pipeline in another.
 * This in-memory backend is the one both runners use; a durable one implements the same interface.
 */
export interface StateBackend {
  table<V>(step: string, name: string): KeyedStateTable<V>;
  snapshot(): StateSnapshot;
  restore(snapshot: StateSnapshot): void;
  /** Total entries over all tables (tests check it returns to zero after windows close). */
  size(): number;
}

export class InMemoryStateBackend implements StateBackend {
  private readonly tables = new Map<string, KeyedStateTable<unknown>>();
  private pending: StateSnapshot | undefined;

  table<V>(step: string, name: string): KeyedStateTable<V> {
    const id = `${step}#${name}`;
    let t = this.tables.get(id);
    if (!t) {
      t = new KeyedStateTable<unknown>();
      const saved = this.pending?.tables[id];
      if (saved) t.restore(saved);
      this.tables.set(id, t);
    }
    return t as KeyedStateTable<V>;
  }

  snapshot(): StateSnapshot {
    const tables: Record<string, [StateKey, string, unknown][]> = {};
    // Restored tables that no operator asked for yet are still part of the state.
    for (const [id, entries] of Object.entries(this.pending?.tables ?? {})) if (!this.tables.has(id)) tables[id] = structuredClone(entries);
    for (const [id, t] of this.tables) tables[id] = t.snapshot();
    return { version: 1, tables };
  }

  /**
   * Loads a snapshot. Tables already created are restored now; tables created later (operators are
   * built after restore) pick their entries up when first asked for.
   * @throws Error for an unknown snapshot version.
   */
  restore(snapshot: StateSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`unsupported state snapshot version ${String((snapshot as { version: unknown }).version)}`);
    this.pending = snapshot;
    for (const [id, t] of this.tables) t.restore(snapshot.tables[id] ?? []);
  }

  size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size();
    for (const [id, entries] of Object.entries(this.pending?.tables ?? {})) if (!this.tables.has(id)) n += entries.length;
    return n;
  }
}
