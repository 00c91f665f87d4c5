import { kv, type KV } from '../sdk/kv.js';
import { ElementWise } from './internal/element-wise.js';

/**
 * Keys each element: `KV(keyFn(element), element)`. Keys must be JSON-serialisable (see encodeKey).
 * @example flows.apply('BySource', WithKeys((f: Flow) => f.src_ip4))
 */
export function WithKeys<K, V>(keyFn: (element: V) => K): ElementWise<V, KV<K, V>> {
  return new ElementWise<V, KV<K, V>>('WithKeys', (e, ctx) => ctx.output(kv(keyFn(e), e)));
}

/** Alias of WithKeys (Flink/Kafka Streams naming). */
export const KeyBy = WithKeys;

/** The keys of a keyed PCollection. */
export function Keys<K, V>(): ElementWise<KV<K, V>, K> {
  return new ElementWise<KV<K, V>, K>('Keys', (e, ctx) => ctx.output(e.key));
}

/** The values of a keyed PCollection. */
export function Values<K, V>(): ElementWise<KV<K, V>, V> {
  return new ElementWise<KV<K, V>, V>('Values', (e, ctx) => ctx.output(e.value));
}

/** Applies `fn` to each value, keeping the key. */
export function MapValues<K, V, W>(fn: (value: V, key: K) => W): ElementWise<KV<K, V>, KV<K, W>> {
  return new ElementWise<KV<K, V>, KV<K, W>>('MapValues', (e, ctx) => ctx.output(kv(e.key, fn(e.value, e.key))));
}
