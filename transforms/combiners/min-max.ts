import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

function extremeFn(pick: (a: number, b: number) => number, empty: number): () => CombineFn<number, number, number> {
  return () => ({
    createAccumulator: () => empty,
    addInput: (a, x) => pick(a, x),
    mergeAccumulators: (as) => as.reduce((a, b) => pick(a, b), empty),
    extractOutput: (a) => a,
  });
}

/**
 * Smallest number per key or window: -0 is smaller than 0, and a NaN is never skipped: a group
 * holding a NaN has Min NaN (as Math.min), so a bad input shows instead of vanishing (use
 * Top.smallest(1) for the smallest number other than NaN). +Infinity when empty. The rule is
 * commutative and associative, so the result does not depend on arrival order or on how partial
 * results are merged. Not invertible: under retractions Combine keeps inputs.
 * @example Min.globally() of [3, NaN, -1] is NaN; of [0, -0] is -0
 */
export const Min = combinerTransforms('Min', extremeFn(Math.min, Number.POSITIVE_INFINITY));
/**
 * Largest number per key or window in the total order Top uses (-0 < 0, NaN the largest): a group
 * holding a NaN has Max NaN (as Math.max). -Infinity when empty. Independent of arrival order and
 * merging, as Min.
 * @example Max.globally() of [3, NaN, -1] is NaN; of [-0, 0] is 0
 */
export const Max = combinerTransforms('Max', extremeFn(Math.max, Number.NEGATIVE_INFINITY));
