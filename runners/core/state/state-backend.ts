import type { StateKey } from '../../../sdk/kv.js';
import type { SegmentPayload } from '../checkpoint/checkpoint-file.js';
import { codecForTable, codecNamed } from '../checkpoint/codecs/codecs.js';
import type { StateEntry } from '../checkpoint/codecs/state-codec.js';
import { DEFAULT_KEY_GROUPS, keyGroupOf } from './key-groups.js';
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
  /**
   * Every non-empty table encoded by key group: one segment per (step, table, key group), with the
   * table's codec (`window-state/v1` for `windows` tables, `v8/v1` otherwise).
   */
  snapshotSegments(groups?: number): SegmentPayload[];
  /**
   * Replaces all state with what `segments` hold (segments of `snapshotSegments`), keeping only the
   * key groups in `ownedGroups` (default: all): a set of groups, or the range one instance of several
   * owns (`groupsOfInstance` in `runners/core/exchange/key-group-ranges.ts`). Tables created later pick
   * their entries up.
   * @throws StateCodecError for a segment its codec cannot decode; Error for an unknown codec.
   * @example backend.restoreSegments(segments, groupsOfInstance(1, 3)) // the state of instance 1 of 3
   */
  restoreSegments(segments: readonly SegmentPayload[], ownedGroups?: OwnedKeyGroups): void;
  /** Total entries over all tables (tests check it returns to zero after windows close). */
  size(): number;
}

/** The key groups a restore keeps: a `ReadonlySet<number>` or a `KeyGroupRange` both qualify. */
export interface OwnedKeyGroups {
  has(group: number): boolean;
}

/** The id of a table: `<step>#<name>` (table names never hold `#`, step names may). */
const tableId = (step: string, name: string) => `${step}#${name}`;
const splitTableId = (id: string): [step: string, name: string] => {
  const i = id.lastIndexOf('#');
  return [id.slice(0, i), id.slice(i + 1)];
};

export class InMemoryStateBackend implements StateBackend {
  private readonly tables = new Map<string, KeyedStateTable<unknown>>();
  /** Restored entries of tables no operator asked for yet; `owned` when nobody else holds them (decoded segments). */
  private pending = new Map<string, { entries: [StateKey, string, unknown][]; owned: boolean }>();

  table<V>(step: string, name: string): KeyedStateTable<V> {
    const id = tableId(step, name);
    let t = this.tables.get(id);
    if (!t) {
      t = new KeyedStateTable<unknown>();
      const saved = this.pending.get(id);
      if (saved) {
        if (saved.owned) {
          t.adopt(saved.entries);
          this.pending.delete(id);
        } else t.restore(saved.entries);
      }
      this.tables.set(id, t);
    }
    return t as KeyedStateTable<V>;
  }

  snapshot(): StateSnapshot {
    const tables: Record<string, [StateKey, string, unknown][]> = {};
    // Restored tables that no operator asked for yet are still part of the state.
    for (const [id, p] of this.pending) if (!this.tables.has(id)) tables[id] = structuredClone(p.entries);
    for (const [id, t] of this.tables) tables[id] = t.snapshot();
    return { version: 1, tables };
  }

  /**
   * Walks each table once, buckets its entries by key group and encodes each bucket: the state part
   * of a checkpoint. Empty tables give no segment, so state that is gone costs nothing.
   * @example backend.snapshotSegments() // [{ step: 'Count', table: 'windows', keyGroup: 62, codec: 'window-state/v1', bytes }, …]
   */
  snapshotSegments(groups: number = DEFAULT_KEY_GROUPS): SegmentPayload[] {
    const out: SegmentPayload[] = [];
    const encode = (id: string, entries: Iterable<[StateKey, string, unknown]>) => {
      const [step, table] = splitTableId(id);
      const buckets = new Map<number, StateEntry[]>();
      for (const e of entries) {
        const g = keyGroupOf(e[0], groups);
        const b = buckets.get(g);
        if (b) b.push(e);
        else buckets.set(g, [e]);
      }
      const codec = codecForTable(table);
      for (const g of [...buckets.keys()].sort((a, b) => a - b)) out.push({ step, table, keyGroup: g, codec: codec.name, bytes: codec.encode(buckets.get(g)!) });
    };
    for (const [id, p] of this.pending) if (!this.tables.has(id)) encode(id, p.entries);
    for (const [id, t] of this.tables) encode(id, t.entries());
    return out;
  }

  restoreSegments(segments: readonly SegmentPayload[], ownedGroups?: OwnedKeyGroups): void {
    const byTable = new Map<string, [StateKey, string, unknown][]>();
    for (const s of segments) {
      if (s.keyGroup === null || (ownedGroups && !ownedGroups.has(s.keyGroup))) continue;
      const codec = codecNamed(s.codec);
      if (!codec) throw new Error(`state segment ${s.step}#${s.table} (key group ${s.keyGroup}) has codec '${s.codec}', which this Watershed does not know`);
      const id = tableId(s.step, s.table);
      let list = byTable.get(id);
      if (!list) byTable.set(id, (list = []));
      for (const e of codec.decode(s.bytes)) list.push(e);
    }
    this.pending = new Map([...byTable].map(([id, entries]) => [id, { entries, owned: true }]));
    for (const [id, t] of this.tables) {
      t.adopt(byTable.get(id) ?? []);
      this.pending.delete(id);
    }
  }

  /**
   * Loads a snapshot. Tables already created are restored now; tables created later (operators are
   * built after restore) pick their entries up when first asked for.
   * @throws Error for an unknown snapshot version.
   */
  restore(snapshot: StateSnapshot): void {
    if (snapshot.version !== 1) throw new Error(`unsupported state snapshot version ${String((snapshot as { version: unknown }).version)}`);
    this.pending = new Map(Object.entries(snapshot.tables).map(([id, entries]) => [id, { entries, owned: false }]));
    for (const [id, t] of this.tables) t.restore(snapshot.tables[id] ?? []);
  }

  size(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.size();
    for (const [id, p] of this.pending) if (!this.tables.has(id)) n += p.entries.length;
    return n;
  }
}
