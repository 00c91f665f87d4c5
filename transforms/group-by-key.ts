import type { KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { PTransform } from '../sdk/ptransform.js';
import { aggregatePrimitive } from './internal/aggregate-primitive.js';

/**
 * Groups values by key and window: one output `KV(key, values[])` per pane, as the input's trigger
 * fires. Records too late for their window are dropped, counted, and on `out.lateData()`.
 * @throws PipelineConstructionError for an unbounded input in the global window with the default
 * trigger (it would never fire): window it or set a trigger.
 * @example const perIp = flows.apply(WithKeys((f: Flow) => f.src_ip4)).apply(GroupByKey<number, Flow>())
 */
export const GroupByKey: GroupByKeyFactory = Object.assign(groupByKey, {
  /** @deprecated Use `GroupByKey()`. This alias goes in the next release. */
  create: groupByKey,
});

/** {@link GroupByKey}: a call, plus its deprecated alias. */
export interface GroupByKeyFactory {
  <K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>>;
  /** @deprecated Use `GroupByKey()`. This alias goes in the next release. */
  create<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>>;
}

function groupByKey<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>> {
  return {
    name: 'GroupByKey',
    expand: (input, ctx) => aggregatePrimitive(input, ctx, { kind: 'gbk' }) as PCollection<KV<K, V[]>>,
  };
}
