import type { Instant } from './time.js';

/**
 * An incremental aggregation: the "what" of Combine. Runners call `addInput` as elements arrive and
 * keep only the accumulator, never the inputs; accumulators from different bundles, batches or merged
 * windows are joined with `mergeAccumulators`. Accumulators must be structured-cloneable data (they are
 * snapshotted) and must not be shared between calls: `createAccumulator` returns a fresh one.
 *
 * `retractInput` (optional) undoes one `addInput`; with it, Combine consumes retraction records from
 * a retracting upstream incrementally. Without it, Combine keeps the inputs of each window to
 * recompute (correct, but memory grows with the window).
 *
 * @example
 * const sum: CombineFn<number, number, number> = {
 *   createAccumulator: () => 0, addInput: (a, x) => a + x, mergeAccumulators: (as) => as.reduce((a, b) => a + b, 0),
 *   extractOutput: (a) => a, retractInput: (a, x) => a - x,
 * };
 */
export interface CombineFn<I, A, O> {
  createAccumulator(): A;
  /** Adds one input; may mutate and return the accumulator. `timestamp` is the input's event time. */
  addInput(acc: A, input: I, timestamp: Instant): A;
  mergeAccumulators(accs: A[]): A;
  extractOutput(acc: A): O;
  retractInput?(acc: A, input: I, timestamp: Instant): A;
}
