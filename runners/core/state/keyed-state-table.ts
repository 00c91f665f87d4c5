import type { StateKey } from '../../../sdk/kv.js';

/**
 * State of one step, partitioned by key: key → namespace (usually a window id) → value.
 *
 * Keys are encoded strings (see encodeKey), so a table can be split by key group when the pipeline is
 * scaled out, and snapshotted as plain data. Values must be structured-cloneable.
 */
export class KeyedStateTable<V> {
  private readonly byKey = new Map<StateKey, Map<string, V>>();

  get(key: StateKey, ns: string): V | undefined {
    return this.byKey.get(key)?.get(ns);
  }

  /** The namespaces of one key (e.g. its active windows). Do not mutate while iterating. */
  namespaces(key: StateKey): Map<string, V> | undefined {
    return this.byKey.get(key);
  }

  set(key: StateKey, ns: string, value: V): void {
    let m = this.byKey.get(key);
    if (!m) {
      m = new Map();
      this.byKey.set(key, m);
    }
    m.set(ns, value);
  }

  delete(key: StateKey, ns: string): void {
    const m = this.byKey.get(key);
    if (!m) return;
    m.delete(ns);
    if (m.size === 0) this.byKey.delete(key);
  }

  /**
   * Moves the value of `key` from namespace `from` to `to` (replacing what `to` held); nothing when
   * `from` holds nothing.
   */
  rename(key: StateKey, from: string, to: string): void {
    const m = this.byKey.get(key);
    if (!m) return;
    const v = m.get(from);
    if (v === undefined && !m.has(from)) return;
    m.set(to, v as V);
    m.delete(from);
  }

  /** Number of (key, namespace) entries: state returns to zero when every window has closed. */
  size(): number {
    let n = 0;
    for (const m of this.byKey.values()) n += m.size;
    return n;
  }

  keyCount(): number {
    return this.byKey.size;
  }

  *entries(): IterableIterator<[StateKey, string, V]> {
    for (const [k, m] of this.byKey) for (const [ns, v] of m) yield [k, ns, v];
  }

  snapshot(): [StateKey, string, V][] {
    return structuredClone([...this.entries()]);
  }

  restore(entries: readonly [StateKey, string, V][]): void {
    this.adopt(structuredClone(entries));
  }

  /**
   * Replaces the contents with `entries` without copying them: the table owns the values from now on
   * (for freshly decoded checkpoint segments, which nobody else holds).
   */
  adopt(entries: Iterable<readonly [StateKey, string, V]>): void {
    this.byKey.clear();
    for (const [k, ns, v] of entries) this.set(k, ns, v);
  }
}
