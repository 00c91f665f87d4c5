import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

function extremeFn(better: (a: number, b: number) => boolean, empty: number): () => CombineFn<number, number, number> {
  return () => ({
    createAccumulator: () => empty,
    addInput: (a, x) => (better(x, a) ? x : a),
    mergeAccumulators: (as) => as.reduce((a, x) => (better(x, a) ? x : a), empty),
    extractOutput: (a) => a,
  });
}

/** Smallest number per key or window (+Infinity when empty). Not invertible: under retractions Combine keeps inputs. */
export const Min = combinerTransforms('Min', extremeFn((a, b) => a < b, Number.POSITIVE_INFINITY));
/** Largest number per key or window (-Infinity when empty). */
export const Max = combinerTransforms('Max', extremeFn((a, b) => a > b, Number.NEGATIVE_INFINITY));
