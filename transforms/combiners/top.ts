import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

/** Keeps the `n` greatest elements by `compare` (negative: a before b), greatest first. */
export function topFn<T>(n: number, compare: (a: T, b: T) => number): CombineFn<T, T[], T[]> {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`Top needs n >= 1, got ${n}`);
  const insert = (acc: T[], x: T): T[] => {
    if (acc.length === n && compare(x, acc[n - 1]!) <= 0) return acc;
    let i = acc.length;
    while (i > 0 && compare(x, acc[i - 1]!) > 0) i--;
    acc.splice(i, 0, x);
    if (acc.length > n) acc.pop();
    return acc;
  };
  return {
    createAccumulator: () => [],
    addInput: insert,
    mergeAccumulators: (as) => as.reduce((a, b) => b.reduce(insert, a), [] as T[]),
    extractOutput: (a) => a.slice(),
  };
}

/**
 * The n largest or smallest elements per key or window.
 * @example distances.apply(Top.largest(10).globally())
 */
export const Top = {
  of: <T>(n: number, compare: (a: T, b: T) => number) => combinerTransforms(`Top(${n})`, () => topFn(n, compare)),
  largest: (n: number) => combinerTransforms(`Top.largest(${n})`, () => topFn<number>(n, (a, b) => a - b)),
  smallest: (n: number) => combinerTransforms(`Top.smallest(${n})`, () => topFn<number>(n, (a, b) => b - a)),
};
