import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

/** Arithmetic mean; NaN for an empty pane. Retractions are subtracted. */
export function meanFn(): CombineFn<number, { sum: number; count: number }, number> {
  return {
    createAccumulator: () => ({ sum: 0, count: 0 }),
    addInput: (a, x) => ({ sum: a.sum + x, count: a.count + 1 }),
    retractInput: (a, x) => ({ sum: a.sum - x, count: a.count - 1 }),
    mergeAccumulators: (as) => as.reduce((x, y) => ({ sum: x.sum + y.sum, count: x.count + y.count }), { sum: 0, count: 0 }),
    extractOutput: (a) => (a.count === 0 ? Number.NaN : a.sum / a.count),
  };
}

/** Mean per key or per window, e.g. a rolling average with SlidingWindows. */
export const Mean = combinerTransforms('Mean', meanFn);
