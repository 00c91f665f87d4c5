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

/**
 * A transform whose output type follows from the element type of the collection it is applied to, so
 * that nothing has to be spelt out: `GroupByKey()` makes `KV<K, V[]>` of `KV<K, V>`, `Window.into(fn)` and
 * `Distinct()` keep the type. `pcoll.apply(t)` reads the output type from `output` with `input` set to
 * the collection's element type ({@link OutputFor}); `never` there means the transform does not take
 * those elements, a type error at `apply`. `input` and `output` exist for the type checker only: a class
 * declares them (`declare readonly input: unknown`) and never sets them.
 * @example
 * class Twice implements PolymorphicTransform {
 *   readonly name = 'Twice';
 *   declare readonly input: unknown;
 *   declare readonly output: PCollection<this['input']>;
 *   expand<T>(input: PCollection<T>): PCollection<T> { return input.apply(Flatten.with(input)); }
 * }
 */
export interface PolymorphicTransform {
  readonly name: string;
  /** Type-level only: the element type of the input, set by {@link OutputFor}. */
  readonly input: unknown;
  /** Type-level only: the output, in terms of `this['input']`. */
  readonly output: unknown;
  expand(input: PCollection<any>, ctx: ExpandContext): unknown;
}

/**
 * Keeps a {@link PolymorphicTransform} out of `apply`'s plain overloads (which would see its output with
 * the input's type unknown), so it reaches the overloads that compute it.
 */
export interface NotPolymorphic {
  readonly input?: never;
}

/** What a {@link PolymorphicTransform} outputs when applied to a `PCollection<T>`. */
export type OutputFor<P extends PolymorphicTransform, T> = (P & { readonly input: T })['output'];

/** `P` when it takes elements of type `T`, else a type naming the mismatch (for `apply`'s error message). */
export type ApplicableTo<P extends PolymorphicTransform, T> = [OutputFor<P, T>] extends [never]
  ? { readonly 'this transform does not take elements of the type it is applied to': never }
  : unknown;
