/**
 * Internal: the key under which a CombineFn made for CoGroupByKey (transforms/internal/co-group-fn.ts)
 * offers to add a tagged value given as its tag and value apart, `fn[ADD_TAGGED_INPUT](acc, tag, value)`,
 * the same as `fn.addInput(acc, { tag, value })`. An aggregation whose waiting elements keep the tag and
 * the value apart (runners/core/driver/pending-elements.ts) then adds them without making the
 * `{ tag, value }` object again. Not part of the public API (no barrel re-exports this folder).
 * @example fn[ADD_TAGGED_INPUT]?.(acc, 'orders', 5) // as fn.addInput(acc, { tag: 'orders', value: 5 })
 */
export const ADD_TAGGED_INPUT: unique symbol = Symbol('watershed.addTaggedInput');

/** What a CombineFn offers under ADD_TAGGED_INPUT. */
export type AddTaggedInput<A> = (acc: A, tag: string, value: unknown) => A;
