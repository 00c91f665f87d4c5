import type { PrimitivePayload, OutputSpec, TransformNode } from './graph.js';
import type { PCollection } from './pcollection.js';
import type { Pipeline } from './pipeline.js';
import type { PCollectionView } from './side-input.js';

/** What `expand` gets besides its input. */
export interface ExpandContext {
  readonly pipeline: Pipeline;
  /** The full step name of this application. */
  readonly stepName: string;
  readonly node: TransformNode;
  /**
   * Makes this application a primitive step with the given payload, inputs and outputs. Only the
   * SDK's own primitives call this; user transforms compose others.
   */
  primitive<O extends Record<string, unknown>>(
    payload: PrimitivePayload,
    inputs: readonly PCollection<unknown>[],
    outputs: { readonly [K in keyof O]: OutputSpec },
    sideInputs?: readonly PCollectionView<unknown>[],
  ): { readonly [K in keyof O]: PCollection<O[K]> };
}

/**
 * A transform from an input (a PCollection, or the Pipeline itself for sources) to an output.
 * A transform is an immutable, named value; applying it adds steps to the pipeline. `name` is the
 * default step name; `pcoll.apply('MyName', t)` overrides it.
 *
 * Composite transforms implement `expand` by applying other transforms: their steps are named
 * `Composite/Inner`.
 *
 * @example
 * const CountWords = (): PTransform<PCollection<string>, PCollection<KV<string, number>>> => ({
 *   name: 'CountWords',
 *   expand: (lines) => lines.apply('Split', FlatMap((l: string) => l.split(' '))).apply(Count.perElement()),
 * });
 */
export interface PTransform<In, Out> {
  readonly name: string;
  expand(input: In, ctx: ExpandContext): Out;
}
