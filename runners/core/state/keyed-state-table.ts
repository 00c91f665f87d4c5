import type { StateKey } from '../../../sdk/kv.js';

/** The one namespace of a key that has just one (most keys: one window at a time). */
class Sole<V> {
  constructor(
    public ns: string,
    public value: V,
  ) {}
}

/**
 * A key's namespaces once it had a second one, while it has at most FEW_MAX: two short lists, in insertion
 * order, instead of a map (kept when it is down to one again, so a key whose windows come and go keeps them).
 */
class Few<V> {
  constructor(
    readonly ns: string[],
    readonly values: V[],
  ) {}

  indexOf(ns: string): number {
    const a = this.ns;
    for (let i = 0; i < a.length; i++) if (a[i] === ns) return i;
    return -1;
  }
}

/** Most namespaces a key keeps in lists (Few); more go into a map. */
const FEW_MAX = 8;

/**
 * State of one step, partitioned by key: key → namespace (usually a window id) → value.
 *
 * Keys are encoded strings (see encodeKey), so a table can be split by key group when the pipeline is
 * scaled out, and snapshotted as plain data. Values must be structured-cloneable.
 *
 * A key with one namespace keeps it without a map of its own, a key with a few (up to FEW_MAX, such as
 * a window and the next one that started before it closed) keeps them in two short lists (kept while it
 * has any), and only a key with more gets a map of its own (dropped when one is left), so the usual key
 * costs one lookup, renaming its namespace (a session that grows) none, and a key's second window no map.
 */
export class KeyedStateTable<V> {
  private readonly byKey = new Map<StateKey, Map<string, V> | Few<V> | Sole<V>>();

  get(key: StateKey, ns: string): V | undefined {
    const e = this.byKey.get(key);
    if (e === undefined) return undefined;
    if (e instanceof Sole) return e.ns === ns ? e.value : undefined;
    if (e instanceof Few) {
      const i = e.indexOf(ns);
      return i < 0 ? undefined : e.values[i];
    }
    return e.get(ns);
  }

  /** The namespaces of one key (e.g. its active windows), as a new map. */
  namespaces(key: StateKey): Map<string, V> | undefined {
    const e = this.byKey.get(key);
    if (e === undefined) return undefined;
    if (e instanceof Sole) return new Map([[e.ns, e.value]]);
    if (e instanceof Few) return new Map(e.ns.map((ns, i) => [ns, e.values[i]!]));
    return new Map(e);
  }

  /** How many namespaces `key` has. */
  countOf(key: StateKey): number {
    const e = this.byKey.get(key);
    return e === undefined ? 0 : e instanceof Sole ? 1 : e instanceof Few ? e.ns.length : e.size;
  }

  /** The value of `key`'s only namespace; undefined when it has none or several. */
  soleValue(key: StateKey): V | undefined {
    const e = this.byKey.get(key);
    return e instanceof Sole ? e.value : e instanceof Few && e.ns.length === 1 ? e.values[0] : undefined;
  }

  /**
   * Writes the values of `key`'s namespaces to `out[0]`, `out[1]`, … and returns how many (entries
   * after those are left as they are, so a list kept for this never shrinks and grows again).
   */
  valuesInto(key: StateKey, out: V[]): number {
    const e = this.byKey.get(key);
    if (e === undefined) return 0;
    if (e instanceof Sole) {
      out[0] = e.value;
      return 1;
    }
    if (e instanceof Few) {
      const vs = e.values;
      for (let i = 0; i < vs.length; i++) out[i] = vs[i]!;
      return vs.length;
    }
    let i = 0;
    for (const v of e.values()) out[i++] = v;
    return i;
  }

  /** Puts `value` under `key` and `ns`; returns the value it replaced there (undefined when none). */
  set(key: StateKey, ns: string, value: V): V | undefined {
    const e = this.byKey.get(key);
    if (e === undefined) this.byKey.set(key, new Sole(ns, value));
    else if (e instanceof Sole) {
      if (e.ns === ns) {
        const prior = e.value;
        e.value = value;
        return prior;
      }
      this.byKey.set(key, new Few([e.ns, ns], [e.value, value]));
    } else if (e instanceof Few) {
      const i = e.indexOf(ns);
      if (i >= 0) {
        const prior = e.values[i];
        e.values[i] = value;
        return prior;
      }
      if (e.ns.length < FEW_MAX) {
        e.ns.push(ns);
        e.values.push(value);
      } else {
        const m = new Map<string, V>();
        for (let j = 0; j < e.ns.length; j++) m.set(e.ns[j]!, e.values[j]!);
        m.set(ns, value);
        this.byKey.set(key, m);
      }
    } else {
      const prior = e.get(ns);
      e.set(ns, value);
      return prior;
    }
    return undefined;
  }

  delete(key: StateKey, ns: string): void {
    const e = this.byKey.get(key);
    if (e === undefined) return;
    if (e instanceof Sole) {
      if (e.ns === ns) this.byKey.delete(key);
      return;
    }
    if (e instanceof Few) {
      const i = e.indexOf(ns);
      if (i < 0) return;
      // Shifted down in place (a key whose windows come and go keeps its lists).
      const n = e.ns.length - 1;
      for (let j = i; j < n; j++) {
        e.ns[j] = e.ns[j + 1]!;
        e.values[j] = e.values[j + 1]!;
      }
      e.ns.pop();
      e.values.pop();
      if (n === 0) this.byKey.delete(key);
      return;
    }
    if (!e.delete(ns)) return;
    if (e.size === 1) {
      const [only] = e;
      this.byKey.set(key, new Sole(only![0], only![1]));
    } else if (e.size === 0) this.byKey.delete(key);
  }

  /**
   * Moves the value of `key` from namespace `from` to `to` (replacing what `to` held); nothing when
   * `from` holds nothing. Returns the value `to` held that was replaced (undefined when none, or nothing moved).
   */
  rename(key: StateKey, from: string, to: string): V | undefined {
    const e = this.byKey.get(key);
    if (e === undefined || from === to) return undefined;
    if (e instanceof Sole) {
      if (e.ns === from) e.ns = to;
      return undefined;
    }
    if (e instanceof Few) {
      const i = e.indexOf(from);
      if (i < 0) return undefined;
      const j = e.indexOf(to);
      if (j < 0) {
        e.ns[i] = to;
        return undefined;
      }
      // `to` holds a value already: it is replaced (where it is), and `from` leaves.
      const prior = e.values[j];
      e.values[j] = e.values[i]!;
      this.delete(key, from);
      return prior;
    }
    if (!e.has(from)) return undefined;
    const v = e.get(from) as V;
    e.delete(from);
    const prior = this.set(key, to, v);
    if (e.size === 1 && this.byKey.get(key) === e) {
      const [only] = e;
      this.byKey.set(key, new Sole(only![0], only![1]));
    }
    return prior;
  }

  /** Number of (key, namespace) entries: state returns to zero when every window has closed. */
  size(): number {
    let n = 0;
    for (const e of this.byKey.values()) n += e instanceof Sole ? 1 : e instanceof Few ? e.ns.length : e.size;
    return n;
  }

  keyCount(): number {
    return this.byKey.size;
  }

  *entries(): IterableIterator<[StateKey, string, V]> {
    for (const [k, e] of this.byKey) {
      if (e instanceof Sole) yield [k, e.ns, e.value];
      else if (e instanceof Few) for (let i = 0; i < e.ns.length; i++) yield [k, e.ns[i]!, e.values[i]!];
      else for (const [ns, v] of e) yield [k, ns, v];
    }
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
