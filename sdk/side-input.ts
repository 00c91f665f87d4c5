import type { KV } from './kv.js';
import type { PCollection } from './pcollection.js';

/**
 * A PCollection made available to a ParDo as a side input, read with `ctx.sideInput(view)`.
 *
 * Side inputs are windowed: a main-input element in window W sees the contents of the side input's
 * window that its WindowFn maps W to (for global side inputs, everything). The runner holds back a
 * main element until that side window is ready: either the side input's watermark passed its end, or
 * an aggregation upstream emitted a pane for it.
 */
export interface PCollectionView<T> {
  readonly kind: 'singleton' | 'list' | 'map' | 'multimap';
  readonly pcollection: PCollection<unknown>;
  /** Turns the side window's contents into what the DoFn sees. */
  readonly materialize: (values: readonly unknown[]) => T;
  readonly name: string;
}

/**
 * Factories for side-input views.
 * @example const rates = View.asMap(ratesPcoll); … ctx.sideInput(rates).get('EUR')
 */
export const View = {
  /**
   * Exactly one value per window. @throws at read time (naming the view) when the window holds
   * several values, or none and no default was given.
   */
  asSingleton<T>(pcoll: PCollection<T>, options: { defaultValue?: T } = {}): PCollectionView<T> {
    const hasDefault = 'defaultValue' in options;
    return {
      kind: 'singleton',
      pcollection: pcoll as PCollection<unknown>,
      name: `asSingleton(${pcoll.name})`,
      materialize(values) {
        if (values.length === 1) return values[0] as T;
        if (values.length === 0 && hasDefault) return options.defaultValue as T;
        throw new Error(
          values.length === 0
            ? `side input View.asSingleton(${pcoll.name}) is empty for this window and has no defaultValue`
            : `side input View.asSingleton(${pcoll.name}) holds ${values.length} values for this window; use View.asList or combine it first`,
        );
      },
    };
  },
  /**
   * All values of the window, in arrival order, duplicates kept. The list is shared by every element
   * that reads the window and is frozen: changing it throws a TypeError (so no element sees another's
   * changes); copy it (`[...list]`) to sort or edit it.
   */
  asList<T>(pcoll: PCollection<T>): PCollectionView<readonly T[]> {
    // A copy (the runner keeps appending to, and retracting from, the array it passes in), frozen.
    return { kind: 'list', pcollection: pcoll as PCollection<unknown>, name: `asList(${pcoll.name})`, materialize: (v) => Object.freeze(v.slice() as T[]) };
  },
  /** A map from key to value. @throws at read time when a key appears twice (use asMultimap). */
  asMap<K, V>(pcoll: PCollection<KV<K, V>>): PCollectionView<ReadonlyMap<K, V>> {
    return {
      kind: 'map',
      pcollection: pcoll as PCollection<unknown>,
      name: `asMap(${pcoll.name})`,
      materialize(values) {
        const m = new Map<K, V>();
        for (const e of values as KV<K, V>[]) {
          if (m.has(e.key)) throw new Error(`side input View.asMap(${pcoll.name}) has key ${JSON.stringify(e.key)} twice; use View.asMultimap`);
          m.set(e.key, e.value);
        }
        return m;
      },
    };
  },
  /** A map from key to all of its values. */
  asMultimap<K, V>(pcoll: PCollection<KV<K, V>>): PCollectionView<ReadonlyMap<K, readonly V[]>> {
    return {
      kind: 'multimap',
      pcollection: pcoll as PCollection<unknown>,
      name: `asMultimap(${pcoll.name})`,
      materialize(values) {
        const m = new Map<K, V[]>();
        for (const e of values as KV<K, V>[]) {
          const l = m.get(e.key);
          if (l) l.push(e.value);
          else m.set(e.key, [e.value]);
        }
        return m;
      },
    };
  },
};
