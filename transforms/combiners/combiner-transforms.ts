import type { CombineFn } from '../../sdk/combine-fn.js';
import type { KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { Combine, type GloballyTransform } from '../combine.js';

/** The `perKey` / `globally` pair every combiner offers, named after it (e.g. `Sum.perKey`). */
export function combinerTransforms<I, A, O>(name: string, fn: () => CombineFn<I, A, O>) {
  return {
    /** The CombineFn itself, for Combine.perKey/globally or combining state. */
    fn,
    /**
     * Combines the values of each key in each window into one: `KV<K, I>` in, one `KV<K, O>` per key, window
     * and pane out. Keys are equal as GroupByKey's are (by value; arrays and objects by their JSON).
     */
    perKey<K>(): PTransform<PCollection<KV<K, I>>, PCollection<KV<K, O>>> {
      const t = Combine.perKey<K, I, A, O>(fn());
      return { name: `${name}.perKey`, expand: (input, ctx) => t.expand(input, ctx) };
    },
    /**
     * Combines all elements of each window into one output per window and pane; over the global window
     * also when there is no input (e.g. a count of 0), unless `.withoutDefaults()`.
     */
    globally(): GloballyTransform<I, O> {
      return Combine.globally<I, A, O>(fn(), `${name}.globally`);
    },
  };
}
