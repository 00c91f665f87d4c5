import { kv, type KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PTransform } from '../sdk/ptransform.js';
import { Flatten } from './flatten.js';
import { GroupByKey } from './group-by-key.js';
import { MapElements } from './map.js';

type Tagged = { readonly tag: string; readonly value: unknown };

/** For inputs `{ a: PCollection<KV<K, A>>, b: … }`: per key, `{ a: A[], b: B[] }`. */
export type CoGbkResult<T extends Record<string, PCollection<KV<any, any>>>> = {
  readonly [K in keyof T]: T[K] extends PCollection<KV<any, infer V>> ? V[] : never;
};

/**
 * Joins several keyed PCollections by key and window: one output per key with the values from each
 * input, by input name (a relational join is a FlatMap over the result).
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
    return {
      name: 'CoGroupByKey',
      expand: (p) => {
        const tagged = tags.map((tag) => inputs[tag]!.apply(`Tag.${tag}`, MapElements((e: KV<K, unknown>) => kv(e.key, { tag, value: e.value } as Tagged))));
        const grouped = p.apply('Flatten', Flatten(...tagged)).apply('GroupByKey', GroupByKey<K, Tagged>());
        return grouped.apply(
          'Split',
          MapElements((g: KV<K, Tagged[]>) => {
            const out: Record<string, unknown[]> = {};
            for (const t of tags) out[t] = [];
            for (const x of g.value) out[x.tag]!.push(x.value);
            return kv(g.key, out as CoGbkResult<T>);
          }),
        );
      },
    };
}
