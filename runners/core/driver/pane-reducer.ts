import type { CombineFn } from '../../../sdk/combine-fn.js';
import type { Instant } from '../../../sdk/time.js';
import { EXTRACT_CONSUMING, type ExtractConsuming } from '../../../sdk/internal/consuming-extract.js';
import { ADD_TAGGED_INPUT, type AddTaggedInput } from '../../../sdk/internal/tagged-input.js';
import { sameElement } from '../util/same-element.js';

/**
 * How an aggregation folds the elements of a pane: GroupByKey keeps them in a list, Combine keeps a
 * CombineFn accumulator. The driver is the same for both.
 */
export interface PaneReducer {
  empty(): unknown;
  add(acc: unknown, value: unknown, timestamp: Instant): unknown;
  /** `add` of a tagged value `{ tag, value }` given apart, when the reducer can (a CoGroupByKey's: see ADD_TAGGED_INPUT). */
  readonly addTagged?: (acc: unknown, tag: string, value: unknown) => unknown;
  /** Withdraws one value added earlier that is the same element (see sameElement): a retraction record from a retracting upstream. */
  retract(acc: unknown, value: unknown, timestamp: Instant): unknown;
  /**
   * Merges accumulators of windows that merge. The driver drops `accs` afterwards, so the result may
   * be one of them, changed (a bag appends the others to the first instead of copying all).
   */
  merge(accs: unknown[]): unknown;
  /** The pane's output. `consume` is true when the accumulator is discarded right after. */
  extract(acc: unknown, consume: boolean): unknown;
}

/** GroupByKey: the pane's values, in arrival order. */
export const bagReducer: PaneReducer = {
  empty: () => [],
  add(acc, value) {
    (acc as unknown[]).push(value);
    return acc;
  },
  retract(acc, value) {
    const list = acc as unknown[];
    const i = list.findIndex((x) => sameElement(x, value));
    if (i >= 0) list.splice(i, 1);
    return list;
  },
  merge: (accs) => appendAll(accs as unknown[][]),
  extract: (acc, consume) => (consume ? acc : (acc as unknown[]).slice()),
};

/**
 * Combine: an accumulator per pane, never the inputs. When the upstream retracts and the CombineFn
 * has no `retractInput`, the inputs are kept so the result can be recomputed (`buffered`).
 */
export function combineReducer(fn: CombineFn<unknown, unknown, unknown>, buffered: boolean): PaneReducer {
  if (!buffered) {
    const addTagged = (fn as { [ADD_TAGGED_INPUT]?: AddTaggedInput<unknown> })[ADD_TAGGED_INPUT];
    const extractConsuming = (fn as { [EXTRACT_CONSUMING]?: ExtractConsuming<unknown, unknown> })[EXTRACT_CONSUMING];
    return {
      empty: () => fn.createAccumulator(),
      add: (acc, value, ts) => fn.addInput(acc, value, ts),
      ...(addTagged !== undefined && { addTagged }),
      retract(acc, value, ts) {
        if (!fn.retractInput) throw new Error('this CombineFn cannot take retractions (it has no retractInput)');
        return fn.retractInput(acc, value, ts);
      },
      merge: (accs) => fn.mergeAccumulators(accs),
      // An accumulator discarded right after may give its own parts as the output (see EXTRACT_CONSUMING).
      extract: extractConsuming !== undefined ? (acc, consume) => (consume ? extractConsuming(acc) : fn.extractOutput(acc)) : (acc) => fn.extractOutput(acc),
    };
  }
  type Entry = { v: unknown; t: Instant };
  return {
    empty: () => [],
    add(acc, value, t) {
      (acc as Entry[]).push({ v: value, t });
      return acc;
    },
    retract(acc, value) {
      const list = acc as Entry[];
      const i = list.findIndex((x) => sameElement(x.v, value));
      if (i >= 0) list.splice(i, 1);
      return list;
    },
    merge: (accs) => appendAll(accs as Entry[][]),
    extract(acc) {
      let a = fn.createAccumulator();
      for (const e of acc as Entry[]) a = fn.addInput(a, e.v, e.t);
      return fn.extractOutput(a);
    },
  };
}

/** The lists one after another, in the first list (changed; a new one when there is none). */
function appendAll<T>(lists: T[][]): T[] {
  const first = lists[0];
  if (first === undefined) return [];
  for (let i = 1; i < lists.length; i++) {
    const l = lists[i]!;
    for (let j = 0; j < l.length; j++) first.push(l[j]!);
  }
  return first;
}
