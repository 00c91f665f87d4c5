import { isDeepStrictEqual } from 'node:util';
import type { CombineFn } from '../../sdk/combine-fn.js';
import type { CoGroupTagged } from '../../sdk/graph.js';
import { EXTRACT_CONSUMING, type ExtractConsuming } from '../../sdk/internal/consuming-extract.js';
import { ADD_TAGGED_INPUT, type AddTaggedInput } from '../../sdk/internal/tagged-input.js';

/** Per input name, its values in arrival order: CoGroupByKey's accumulator, and (copied) its output. */
export type CoGroupLists = Record<string, unknown[]>;

/**
 * Internal, CoGroupByKey's grouping: a CombineFn over tagged values (see FlattenPayload.tags) that
 * fills the result `{ [tag]: values[] }` as values arrive, one list per input in arrival order,
 * instead of keeping each tagged value in a bag and sorting them out at every pane. A retraction
 * withdraws one value of its input that is the same element (deep-strictly equal, as a
 * GroupByKey's bag would). Not part of the public API (no barrel re-exports this folder).
 * @example coGroupFn(['orders', 'users']).extractOutput(acc) // { orders: [5, 3], users: ['ann'] }
 */
export function coGroupFn(tags: readonly string[]): CombineFn<CoGroupTagged, CoGroupLists, CoGroupLists> & { [ADD_TAGGED_INPUT]: AddTaggedInput<CoGroupLists>; [EXTRACT_CONSUMING]: ExtractConsuming<CoGroupLists, CoGroupLists> } {
  // Two inputs (the usual join) get code of their own: `acc[tag]` with the tag varying makes V8 look the
  // property up by name at every element (a megamorphic keyed access), where each of `acc[t0]` and `acc[t1]`
  // only ever sees one name, which V8 turns into a plain field read.
  const [t0, t1] = tags;
  const two = tags.length === 2 && t0 !== t1;
  const empty = two
    ? (): CoGroupLists => {
        const acc: CoGroupLists = {};
        acc[t0!] = [];
        acc[t1!] = [];
        return acc;
      }
    : (): CoGroupLists => {
        const acc: CoGroupLists = {};
        for (const t of tags) acc[t] = [];
        return acc;
      };
  const listOf = two ? (acc: CoGroupLists, tag: string) => (tag === t0 ? acc[t0] : tag === t1 ? acc[t1] : acc[tag])! : (acc: CoGroupLists, tag: string) => acc[tag]!;
  return {
    createAccumulator: empty,
    addInput(acc, x) {
      listOf(acc, x.tag).push(x.value);
      return acc;
    },
    // addInput with the tag and the value apart (see ADD_TAGGED_INPUT).
    [ADD_TAGGED_INPUT](acc, tag, value) {
      listOf(acc, tag).push(value);
      return acc;
    },
    retractInput(acc, x) {
      const list = acc[x.tag]!;
      const i = list.findIndex((v) => Object.is(v, x.value) || isDeepStrictEqual(v, x.value));
      if (i >= 0) list.splice(i, 1);
      return acc;
    },
    // The driver drops the accumulators merged: the first takes the others' values (as a bag's merge does).
    mergeAccumulators(accs) {
      const first = accs[0];
      if (first === undefined) return empty();
      for (let i = 1; i < accs.length; i++) {
        for (const t of tags) {
          const into = first[t]!;
          const from = accs[i]![t]!;
          for (let j = 0; j < from.length; j++) into.push(from[j]);
        }
      }
      return first;
    },
    // A copy: the accumulator goes on filling after an early pane, and a retracting pane keeps what it emitted.
    extractOutput(acc) {
      const out: CoGroupLists = {};
      for (const t of tags) out[t] = acc[t]!.slice();
      return out;
    },
    // The accumulator itself when it is discarded right after (see EXTRACT_CONSUMING): its lists are the output.
    [EXTRACT_CONSUMING]: (acc) => acc,
  };
}
