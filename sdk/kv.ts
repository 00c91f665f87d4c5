/** A key-value pair: the element type of keyed PCollections (GroupByKey, Combine.perKey, stateful DoFns). */
export interface KV<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Builds a KV. @example kv('10.0.0.1', 3) */
export function kv<K, V>(key: K, value: V): KV<K, V> {
  return { key, value };
}

/**
 * Encodes a key as a string for keyed state. Strings map to themselves; everything else maps to a
 * tagged JSON form, so the string "1" and the number 1 stay distinct keys. Keys must be
 * JSON-serialisable (strings, numbers, booleans, null, arrays and plain objects); key objects must
 * list their fields in the same order to be equal.
 * @throws TypeError for keys JSON cannot encode (undefined, functions, bigint, symbols).
 */
export function encodeKey(key: unknown): string {
  if (typeof key === 'string') return key.charCodeAt(0) === 0 ? '\u0000s' + key : key;
  if (typeof key === 'number') return '\u0000n' + key;
  const json = JSON.stringify(key);
  if (json === undefined) throw new TypeError(`cannot use ${typeof key} as a key: keys must be JSON-serialisable`);
  return '\u0000j' + json;
}

/** Inverse of encodeKey. */
export function decodeKey(encoded: string): unknown {
  if (encoded.charCodeAt(0) !== 0) return encoded;
  const tag = encoded[1];
  const body = encoded.slice(2);
  if (tag === 's') return body;
  if (tag === 'n') return Number(body);
  return JSON.parse(body);
}
