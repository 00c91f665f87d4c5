/** A key-value pair: the element type of keyed PCollections (GroupByKey, Combine.perKey, stateful DoFns). */
export interface KV<K, V> {
  /** The key: GroupByKey, Combine.perKey and stateful DoFns group by it (by value; arrays and objects by their JSON). */
  readonly key: K;
  /** The value. */
  readonly value: V;
}

/** Builds a KV. @example kv('10.0.0.1', 3) */
export function kv<K, V>(key: K, value: V): KV<K, V> {
  return { key, value };
}

/**
 * A key as keyed state stores it: primitives stay as they are (a JavaScript Map keeps the string "1"
 * and the number 1 apart), everything else becomes a tagged JSON string.
 */
export type StateKey = string | number | boolean | null;

const OBJECT_TAG = '\u0000j';
const ESCAPE_TAG = '\u0000s';

/**
 * Encodes a key for keyed state. Strings, numbers, booleans and null map to themselves; other keys
 * must be JSON-serialisable (arrays and plain objects; objects must list their fields in the same
 * order to be equal) and map to a tagged JSON string.
 * @throws TypeError for keys JSON cannot encode (undefined, functions, bigint, symbols).
 */
export function encodeKey(key: unknown): StateKey {
  switch (typeof key) {
    case 'string':
      return key.charCodeAt(0) === 0 ? ESCAPE_TAG + key : key;
    case 'number':
      return Object.is(key, -0) ? 0 : key;
    case 'boolean':
      return key;
  }
  if (key === null) return null;
  const json = JSON.stringify(key);
  if (json === undefined || typeof key === 'bigint') throw new TypeError(`cannot use ${typeof key} as a key: keys must be JSON-serialisable`);
  return OBJECT_TAG + json;
}

/** Inverse of encodeKey. */
export function decodeKey(encoded: StateKey): unknown {
  if (typeof encoded !== 'string' || encoded.charCodeAt(0) !== 0) return encoded;
  if (encoded.startsWith(ESCAPE_TAG)) return encoded.slice(ESCAPE_TAG.length);
  return JSON.parse(encoded.slice(OBJECT_TAG.length));
}
