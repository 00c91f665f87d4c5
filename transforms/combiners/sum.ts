import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';
import { sumAdd, sumMerge, sumRetract, sumValue, type SumAccumulator } from './exact-sum.js';

/**
 * Sums numbers exactly, rounding once at the end, so the result does not depend on the order of
 * the inputs or on how partial sums are merged (the runners and window drivers group differently),
 * and retractions subtract exactly. NaN if a NaN is summed or both +Infinity and -Infinity are;
 * ±Infinity if one of them is; otherwise the exact sum of the finite inputs rounded to the nearest
 * double, which is ±Infinity only when that sum itself is beyond the largest double. See
 * {@link SumAccumulator} (safe-integer sums stay a plain number; checkpoints holding a plain
 * number restore as that sum).
 * @example Combine.perKey(sumFn()) // of 1e308, 1e308, -1e308 in any order: 1e308 (not Infinity)
 */
export function sumFn(): CombineFn<number, SumAccumulator, number> {
  return {
    createAccumulator: () => 0,
    addInput: (a, x) => sumAdd(a, x),
    retractInput: (a, x) => sumRetract(a, x),
    mergeAccumulators: (as) => sumMerge(as),
    extractOutput: (a) => sumValue(a),
  };
}

/** Sum of numbers per key or per window (exact, see {@link sumFn}). @example bytes.apply(Sum.perKey()) */
export const Sum = combinerTransforms('Sum', sumFn);
