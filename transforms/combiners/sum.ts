import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

/** Sums numbers; retractions subtract. */
export function sumFn(): CombineFn<number, number, number> {
  return {
    createAccumulator: () => 0,
    addInput: (a, x) => a + x,
    retractInput: (a, x) => a - x,
    mergeAccumulators: (as) => as.reduce((x, y) => x + y, 0),
    extractOutput: (a) => a,
  };
}

/** Sum of numbers per key or per window. @example bytes.apply(Sum.perKey()) */
export const Sum = combinerTransforms('Sum', sumFn);
