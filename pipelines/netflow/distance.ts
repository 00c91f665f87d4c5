import { eventTimeMillis, type FlowRecord } from './flow-record.js';

/**
 * One result of the job: the distance between two events of the same key and window.
 * `ts_flow1` / `ts_flow2` are the events' event times in epoch milliseconds.
 */
export interface PairResult {
  readonly eventid_1: string;
  readonly ts_flow1: number;
  readonly eventid_2: string;
  readonly ts_flow2: number;
  readonly distance: number;
}

/**
 * The Euclidean distance `sqrt(sum((a[i] - b[i])^2))` between two feature vectors.
 * @throws RangeError when the vectors differ in length.
 * @example euclideanDistance(Float64Array.of(0, 0), Float64Array.of(3, 4)) // 5
 */
export function euclideanDistance(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** The number of unordered pairs of `n` items, `n(n-1)/2`. @example pairCount(3000) // 4498500 */
export function pairCount(n: number): number {
  return n < 2 ? 0 : (n * (n - 1)) / 2;
}

/**
 * Calls `fn(items[i], items[j], i, j)` for every unordered pair `i < j`, in order (i ascending,
 * then j ascending), without building a list of pairs: memory stays O(1) however many pairs a hot
 * key has (3,000 events → 4,498,500 calls). Returns the number of calls. Exceptions from `fn`
 * propagate and stop the visit.
 * @example forEachPair(['a', 'b', 'c'], (x, y) => out.push(x + y)) // 3; out = ['ab', 'ac', 'bc']
 */
export function forEachPair<T>(items: ArrayLike<T>, fn: (a: T, b: T, i: number, j: number) => void): number {
  const n = items.length;
  for (let i = 0; i < n - 1; i++) {
    const a = items[i];
    for (let j = i + 1; j < n; j++) fn(a, items[j], i, j);
  }
  return pairCount(n);
}

/**
 * Builds the {@link PairResult} of two records and their distance.
 * @example pairResult(r1, r2, 12.5) // { eventid_1: r1.eventid, ts_flow1: eventTimeMillis(r1), ... }
 */
export function pairResult(first: FlowRecord, second: FlowRecord, distance: number): PairResult {
  return {
    eventid_1: first.eventid,
    ts_flow1: eventTimeMillis(first),
    eventid_2: second.eventid,
    ts_flow2: eventTimeMillis(second),
    distance,
  };
}
