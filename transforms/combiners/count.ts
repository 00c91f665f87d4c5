import type { CombineFn } from '../../sdk/combine-fn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { Combine } from '../combine.js';
import { MapElements } from '../map.js';
import { combinerTransforms } from './combiner-transforms.js';

/** Counts elements; retractions subtract. */
export function countFn<T>(): CombineFn<T, number, number> {
  return {
    createAccumulator: () => 0,
    addInput: (a) => a + 1,
    retractInput: (a) => a - 1,
    mergeAccumulators: (as) => as.reduce((x, y) => x + y, 0),
    extractOutput: (a) => a,
  };
}

/**
 * Counting: `Count.perKey()` (values per key), `Count.globally()` (elements per window),
 * `Count.perElement()` (occurrences of each distinct element).
 * @example words.apply(Count.perElement())  // KV(word, n)
 */
export const Count = {
  ...combinerTransforms('Count', countFn<unknown>),
  /** How often each distinct element occurs in each window: one `KV(element, n)` per element, window and pane. */
  perElement<T>(): PTransform<PCollection<T>, PCollection<KV<T, number>>> {
    return {
      name: 'Count.perElement',
      expand: (input) => input.apply('KeyByElement', MapElements((e: T) => kv(e, null))).apply('Count', Combine.perKey<T, null, number, number>(countFn())),
    };
  },
};
