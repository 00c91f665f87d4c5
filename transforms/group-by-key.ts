import type { KV } from '../sdk/kv.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { ExpandContext, PolymorphicTransform, PTransform } from '../sdk/ptransform.js';
import { aggregatePrimitive } from './internal/aggregate-primitive.js';

/**
 * Groups values by key and window: one output `KV(key, values[])` per pane, as the input's trigger
 * fires. Records too late for their window are dropped, counted, and on `out.lateData()`.
 * @throws PipelineConstructionError for an unbounded input in the global window with the default
 * trigger (it would never fire): window it or set a trigger.
 * Its types follow from the input: `GroupByKey()` applied to `KV<K, V>` gives `KV<K, V[]>`.
 * @example const perIp = flows.apply(WithKeys((f: Flow) => f.src_ip4)).apply(GroupByKey())
 */
export const GroupByKey: GroupByKeyFactory = Object.assign(groupByKey, {
  /** @deprecated Use `GroupByKey()`. This alias goes in the next release. */
  create: groupByKey,
});

/** {@link GroupByKey}: a call, plus its deprecated alias. */
export interface GroupByKeyFactory {
  /** Keys and values typed by the input it is applied to. */
  (): GroupByKeyTransform;
  /** Keys and values named. */
  <K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>>;
  /** @deprecated Use `GroupByKey()`. This alias goes in the next release. */
  create<K, V>(): PTransform<PCollection<KV<K, V>>, PCollection<KV<K, V[]>>>;
}

/** What `GroupByKey()` returns: `KV<K, V>` in, `KV<K, V[]>` out, with K and V those of the input. */
export class GroupByKeyTransform implements PolymorphicTransform {
  readonly name = 'GroupByKey';
  declare readonly input: unknown;
  declare readonly output: this['input'] extends KV<infer K, infer V> ? PCollection<KV<K, V[]>> : never;
  expand<K, V>(input: PCollection<KV<K, V>>, ctx: ExpandContext): PCollection<KV<K, V[]>> {
    return aggregatePrimitive(input, ctx, { kind: 'gbk' }) as PCollection<KV<K, V[]>>;
  }
}

function groupByKey(): GroupByKeyTransform {
  return new GroupByKeyTransform();
}
