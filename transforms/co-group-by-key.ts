import { kv, type KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PTransform } from '../sdk/ptransform.js';
import { Flatten } from './flatten.js';
import { GroupByKey } from './group-by-key.js';
import { Map } from './map.js';

type Tagged = { readonly tag: string; readonly value: unknown };

/** For inputs `{ a: PCollection<KV<K, A>>, b: … }`: per key, `{ a: A[], b: B[] }`. */
export type CoGbkResult<T extends Record<string, PCollection<KV<any, any>>>> = {
  readonly [K in keyof T]: T[K] extends PCollection<KV<any, infer V>> ? V[] : never;
};

/**
 * Joins several keyed PCollections by key and window: one output per key with the values from each
 * input, by input name (a relational join is a FlatMap over the result).
 * @example pipeline.apply('Join', CoGroupByKey.of({ orders, payments }))
 */
export const CoGroupByKey = {
  of<K, T extends Record<string, PCollection<KV<K, any>>>>(inputs: T): PTransform<Pipeline, PCollection<KV<K, CoGbkResult<T>>>> {
    const tags = Object.keys(inputs);
    return {
      name: 'CoGroupByKey',
      expand: (p) => {
        const tagged = tags.map((tag) => inputs[tag]!.apply(`Tag.${tag}`, Map((e: KV<K, unknown>) => kv(e.key, { tag, value: e.value } as Tagged))));
        const grouped = p.apply('Flatten', Flatten.of(...tagged)).apply('GroupByKey', GroupByKey.create<K, Tagged>());
        return grouped.apply(
          'Split',
          Map((g: KV<K, Tagged[]>) => {
            const out: Record<string, unknown[]> = {};
            for (const t of tags) out[t] = [];
            for (const x of g.value) out[x.tag]!.push(x.value);
            return kv(g.key, out as CoGbkResult<T>);
          }),
        );
      },
    };
  },
};
