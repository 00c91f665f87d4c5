import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { ExpandContext, PTransform } from '../sdk/ptransform.js';
import { flattenPrimitive } from './internal/flatten-primitive.js';

/**
 * Merges PCollections of the same type and windowing into one. `Flatten(a, b)` applies to the
 * pipeline; `a.apply(Flatten.with(b))` reads better in a chain.
 * @throws PipelineConstructionError when the inputs are windowed differently, or none are given.
 * @example pipeline.apply('AllFlows', Flatten(suricata, zeek))
 */
export const Flatten: FlattenFactory = Object.assign(flattenOf, {
  /** @deprecated Use `Flatten(...inputs)`. This alias goes in the next release. */
  of: flattenOf,
  with<T>(...others: PCollection<T>[]): PTransform<PCollection<T>, PCollection<T>> {
    return { name: 'Flatten', expand: (first: PCollection<T>, ctx: ExpandContext) => flatten([first, ...others], ctx) };
  },
});

/** {@link Flatten}: a call applied to the pipeline, `with` applied to the first input. */
export interface FlattenFactory {
  <T>(...inputs: PCollection<T>[]): PTransform<Pipeline, PCollection<T>>;
  /** The input it is applied to, then `others`: `a.apply(Flatten.with(b, c))`. */
  with<T>(...others: PCollection<T>[]): PTransform<PCollection<T>, PCollection<T>>;
  /** @deprecated Use `Flatten(...inputs)`. This alias goes in the next release. */
  of<T>(...inputs: PCollection<T>[]): PTransform<Pipeline, PCollection<T>>;
}

function flattenOf<T>(...inputs: PCollection<T>[]): PTransform<Pipeline, PCollection<T>> {
  return { name: 'Flatten', expand: (_p, ctx) => flatten(inputs, ctx) };
}

function flatten<T>(inputs: PCollection<T>[], ctx: ExpandContext): PCollection<T> {
  return flattenPrimitive(inputs as PCollection<unknown>[], ctx) as PCollection<T>;
}
