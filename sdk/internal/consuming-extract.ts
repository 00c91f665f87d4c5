/**
 * Internal: the key under which a CombineFn may offer `fn[EXTRACT_CONSUMING](acc)`, the same output as
 * `fn.extractOutput(acc)` for an accumulator that is discarded right after (a discarding pane, or a window's
 * last one), so it may hand out the accumulator's own parts instead of copies. CoGroupByKey's
 * (transforms/internal/co-group-fn.ts) returns its lists as they are; the aggregation
 * (runners/core/driver/pane-reducer.ts) calls it only when it consumes the accumulator. Not part of the
 * public API (no barrel re-exports this folder).
 * @example fn[EXTRACT_CONSUMING]?.(acc) ?? fn.extractOutput(acc) // the output; `acc` must not be used again
 */
export const EXTRACT_CONSUMING: unique symbol = Symbol('watershed.extractConsuming');

/** What a CombineFn offers under EXTRACT_CONSUMING. */
export type ExtractConsuming<A, O> = (acc: A) => O;
