import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';
import { sumAdd, sumMerge, sumRetract, sumValue, type SumAccumulator } from './exact-sum.js';

/** The accumulator of Mean: the exact sum (see {@link SumAccumulator}) and the count. */
export interface MeanAccumulator {
  /** The exact sum of the inputs. */
  sum: SumAccumulator;
  /** How many inputs (added minus retracted). */
  count: number;
}

/**
 * Arithmetic mean; NaN for an empty pane. The sum is exact as Sum's (same NaN and infinity rules),
 * so the mean does not depend on arrival order or merging, and retractions subtract exactly. A
 * mean of finite inputs is finite even when their sum is beyond the largest double (the sum is then
 * scaled down before dividing). Checkpoints holding `{ sum: number, count }` restore as that sum.
 * @example Mean.globally() of [1e308, 1e308] is 1e308
 */
export function meanFn(): CombineFn<number, MeanAccumulator, number> {
  return {
    createAccumulator: () => ({ sum: 0, count: 0 }),
    addInput: (a, x) => ({ sum: sumAdd(a.sum, x), count: a.count + 1 }),
    retractInput: (a, x) => ({ sum: sumRetract(a.sum, x), count: a.count - 1 }),
    mergeAccumulators: (as) => ({ sum: sumMerge(as.map((a) => a.sum)), count: as.reduce((n, a) => n + a.count, 0) }),
    extractOutput: (a) => {
      if (a.count === 0) return Number.NaN;
      const s = sumValue(a.sum);
      if (Number.isFinite(s) || typeof a.sum === 'number' || a.sum.posInf + a.sum.negInf + a.sum.nan !== 0) return s / a.count;
      const k = Math.ceil(Math.log2(a.count)) + 1; // |sum| < count * 2^1024
      return (sumValue(a.sum, -k) / a.count) * 2 ** k;
    },
  };
}

/** Mean per key or per window, e.g. a rolling average with SlidingWindows. */
export const Mean = combinerTransforms('Mean', meanFn);
