import type { CombineFn } from '../../sdk/combine-fn.js';
import { combinerTransforms } from './combiner-transforms.js';

/**
 * Keeps the `n` greatest elements by `compare`, greatest first. `compare(a, b)` is an ascending sort's
 * comparator: negative when `a` is smaller than `b`, positive when larger, 0 when equal.
 */
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
 * A total order of numbers, the one Top.largest and Top.smallest use: -Infinity < ... < -0 < 0 < ...
 * < Infinity < NaN (as Java's Double.compare). With `a - b` instead, NaN compares as neither below
 * nor above anything, so which elements a Top kept depended on the order the inputs arrived in and
 * how partial results were merged: runners and window drivers could disagree.
 * @example [NaN, 1, -0, 0].sort(compareNumbers) // [-0, 0, 1, NaN]
 */
function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return Object.is(a, b) ? 0 : Object.is(a, -0) ? -1 : 1;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

/**
 * The n largest or smallest elements per key or window, greatest (or smallest) first:
 * - `Top.largest(n)` / `Top.smallest(n)`: numbers, in a total order (-0 < 0, NaN the largest);
 * - `Top.of(n, compare)`: any elements, the n greatest by `compare`, an ascending sort's comparator
 *   (negative when `a` is smaller), e.g. the 10 hosts with the most bytes of `KV<host, bytes>`s:
 *   `Top.of(10, (a, b) => a.value - b.value)`.
 *
 * Each gives `.globally()` (one list per window: `.globally().withoutDefaults()` for none where a window had
 * no input), `.perKey()` (one list per key and window) and `.fn()` (the CombineFn).
 * @example distances.apply(Top.largest(10).globally())
 * @example bytesPerHost.apply(Top.of(10, (a: KV<string, number>, b: KV<string, number>) => a.value - b.value).globally())
 */
export const Top = {
  of: <T>(n: number, compare: (a: T, b: T) => number) => combinerTransforms(`Top(${n})`, () => topFn(n, compare)),
  largest: (n: number) => combinerTransforms(`Top.largest(${n})`, () => topFn<number>(n, compareNumbers)),
  smallest: (n: number) => combinerTransforms(`Top.smallest(${n})`, () => topFn<number>(n, (a, b) => compareNumbers(b, a))),
};
