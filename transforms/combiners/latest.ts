import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

/** The value with the latest event timestamp (ties: the later arrival); undefined when empty. */
export function latestFn<T>(): CombineFn<T, { v: T | undefined; t: number }, T | undefined> {
  return {
    createAccumulator: () => ({ v: undefined, t: Number.NEGATIVE_INFINITY }),
    addInput: (a, v, t) => (t >= a.t ? { v, t } : a),
    mergeAccumulators: (as) => as.reduce((a, b) => (b.t >= a.t ? b : a), { v: undefined as T | undefined, t: Number.NEGATIVE_INFINITY }),
    extractOutput: (a) => a.v,
  };
}

/** Latest value per key or window by event time. @example readings.apply(Latest.perKey()) */
export const Latest = combinerTransforms('Latest', latestFn<unknown>);
