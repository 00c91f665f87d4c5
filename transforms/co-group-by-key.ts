import { PipelineConstructionError } from '../sdk/errors.js';
import type { KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PTransform } from '../sdk/ptransform.js';
import { Combine } from './combine.js';
import { coGroupFn } from './internal/co-group-fn.js';
import { flattenPrimitive } from './internal/flatten-primitive.js';

/** For inputs `{ a: PCollection<KV<K, A>>, b: … }`: per key, `{ a: A[], b: B[] }`. */
export type CoGbkResult<T extends Record<string, PCollection<KV<any, any>>>> = {
  readonly [K in keyof T]: T[K] extends PCollection<KV<any, infer V>> ? V[] : never;
};

/**
 * Joins several keyed PCollections by key and window: one output per key with the values from each
 * input, by input name (a relational join is a FlatMap over the result).
 * It expands to two steps: `Flatten`, which tags each value with the name of its input, and
 * `GroupByKey`, which fills the lists of each key and window as values arrive (a Combine.perKey:
 * `out.lateData()` of a step is where its too-late values go, as `kv(key, { tag, value })`).
 * @throws PipelineConstructionError when the inputs are windowed differently, or one is named `__proto__`.
 * @example pipeline.apply('Join', CoGroupByKey({ orders, payments }))
 */
export const CoGroupByKey: CoGroupByKeyFactory = Object.assign(coGroupByKey, {
  /** @deprecated Use `CoGroupByKey(inputs)`. This alias goes in the next release. */
  of: coGroupByKey,
});

/** {@link CoGroupByKey}: a call, plus its deprecated alias. */
export interface CoGroupByKeyFactory {
  <K, T extends Record<string, PCollection<KV<K, any>>>>(inputs: T): PTransform<Pipeline, PCollection<KV<K, CoGbkResult<T>>>>;
  /** @deprecated Use `CoGroupByKey(inputs)`. This alias goes in the next release. */
  of<K, T extends Record<string, PCollection<KV<K, any>>>>(inputs: T): PTransform<Pipeline, PCollection<KV<K, CoGbkResult<T>>>>;
}

function coGroupByKey<K, T extends Record<string, PCollection<KV<K, any>>>>(inputs: T): PTransform<Pipeline, PCollection<KV<K, CoGbkResult<T>>>> {
  const tags = Object.keys(inputs);
  // As a field of the result it would set the result's prototype instead: that input's values would be lost.
  if (tags.includes('__proto__')) throw new PipelineConstructionError("'__proto__' cannot name a CoGroupByKey input; choose another name");
  return {
    name: 'CoGroupByKey',
    expand: (p) => {
      const tagged = p.apply('Flatten', { name: 'Flatten', expand: (_p: Pipeline, ctx) => flattenPrimitive(tags.map((t) => inputs[t]!), ctx, tags) });
      return tagged.apply('GroupByKey', Combine.perKey(coGroupFn(tags))) as unknown as PCollection<KV<K, CoGbkResult<T>>>;
    },
  };
}
