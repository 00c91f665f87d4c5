import type { CombineFn } from './combine-fn.js';
import type { DoFn } from './dofn.js';
import type { Source } from './io/source.js';
import type { PCollection } from './pcollection.js';
import type { PCollectionView } from './side-input.js';
import type { Instant } from './time.js';
import type { WindowingStrategy } from './windowing-strategy.js';

/**
 * The primitive steps every runner executes. Everything else a user writes (Map, Count, CoGroupByKey,
 * …) is a composite that expands to these. Runners translate only these six.
 */
export type PrimitivePayload = ReadPayload | ParDoPayload | WindowIntoPayload | GroupByKeyPayload | CombinePerKeyPayload | FlattenPayload;

/** Reads a Source. Outputs: `main`, `deadLetter` (records the source could not decode). */
export interface ReadPayload {
  readonly kind: 'read';
  readonly source: Source<unknown>;
}

/** Element-wise processing. Outputs: `main`, one per declared tag, and `deadLetter` when enabled. */
export interface ParDoPayload {
  readonly kind: 'pardo';
  readonly fn: DoFn<any, any, any, any, any>;
  readonly tags: readonly string[];
  readonly sideInputs: readonly PCollectionView<unknown>[];
  readonly deadLetters: boolean;
  readonly stateful: boolean;
}

/** Assigns windows (and optionally timestamps) and sets the windowing strategy of its output. */
export interface WindowIntoPayload {
  readonly kind: 'window';
  /** Re-assign windows with the output strategy's WindowFn; false when only trigger/lateness changed. */
  readonly assign: boolean;
  readonly timestampFn?: (element: unknown, current: Instant) => Instant;
}

/** Groups values by key and window, firing panes by the input's trigger. Outputs: `main`, `late`. */
export interface GroupByKeyPayload {
  readonly kind: 'gbk';
}

/** Combines values by key and window incrementally. Outputs: `main`, `late`. */
export interface CombinePerKeyPayload {
  readonly kind: 'combine';
  readonly combineFn: CombineFn<any, any, any>;
  /** For Combine.globally over global windows: emit the empty result when the input had nothing. */
  readonly defaultWhenEmpty: boolean;
}

/** Merges several PCollections with the same windowing into one. */
export interface FlattenPayload {
  readonly kind: 'flatten';
  /**
   * CoGroupByKey's expansion: the inputs are keyed, and input `i`'s element `kv(key, value)` leaves as
   * `kv(key, { tag: tags[i], value })` (a {@link CoGroupTagged}), so the grouping after it knows which
   * input each value came from. Absent: elements pass unchanged.
   */
  readonly tags?: readonly string[];
}

/** A value on its way into CoGroupByKey's grouping: the name of the input it came from, and the value. */
export interface CoGroupTagged {
  /** The name the input has in `CoGroupByKey({ name: input, ... })`. */
  readonly tag: string;
  /** The value of the input's `kv(key, value)`. */
  readonly value: unknown;
}

/** One application of a transform: a composite (with children) or a primitive (with a payload). */
export interface TransformNode {
  readonly id: number;
  /** The stable, hierarchical, unique step name, e.g. `Netflow/Pairs/GroupByKey`. */
  readonly fullName: string;
  readonly parent: TransformNode | undefined;
  readonly children: TransformNode[];
  readonly inputs: PCollection<unknown>[];
  readonly sideInputs: PCollectionView<unknown>[];
  readonly outputs: Record<string, PCollection<unknown>>;
  payload: PrimitivePayload | undefined;
}

/**
 * A record the aggregation dropped as too late, available as a side output: never silently lost.
 * `value` is the element as it reached the aggregation (for GroupByKey and Combine.perKey a `KV` of
 * the key and the input value); `V` names its type (`unknown` unless `lateData<V>()` names it).
 */
export interface LateRecord<V = unknown> {
  /** The aggregation step that dropped it. */
  readonly step: string;
  readonly value: V;
  readonly timestamp: Instant;
  readonly window: string;
  readonly reason: 'past-allowed-lateness' | 'window-closed';
}

/** What a runner receives: the primitives in topological order and every PCollection. */
export interface PipelineGraph {
  readonly primitives: readonly TransformNode[];
  readonly all: readonly TransformNode[];
  readonly pcollections: readonly PCollection<unknown>[];
}

/** Output attributes a primitive declares for each of its outputs. */
export interface OutputSpec {
  readonly windowing: WindowingStrategy;
  readonly bounded: boolean;
}
