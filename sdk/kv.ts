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
 * order to be equal) and map to a tagged JSON string (NaN and ±Infinity inside one stay themselves,
 * not null as in JSON: `{ a: NaN }` and `{ a: null }` are different keys).
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
  let json = JSON.stringify(key);
  if (json === undefined || typeof key === 'bigint') throw new TypeError(`cannot use ${typeof key} as a key: keys must be JSON-serialisable`);
  // JSON writes NaN and ±Infinity as null: {a: NaN} and {a: null} would be one key (their values grouped together).
  if (json.includes('null')) json = JSON.stringify(key, tagNonFinite);
  return OBJECT_TAG + json;
}

/** Where a non-finite number sat in a composite key: `{ [NON_FINITE]: 'NaN' | 'Infinity' | '-Infinity' }`. */
const NON_FINITE = '\u0000n';

function tagNonFinite(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v;
}

function untagNonFinite(_k: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const tag = (v as Record<string, unknown>)[NON_FINITE];
  return typeof tag === 'string' && Object.keys(v).length === 1 ? Number(tag) : v;
}

/** Inverse of encodeKey. */
export function decodeKey(encoded: StateKey): unknown {
  if (typeof encoded !== 'string' || encoded.charCodeAt(0) !== 0) return encoded;
  if (encoded.startsWith(ESCAPE_TAG)) return encoded.slice(ESCAPE_TAG.length);
  const json = encoded.slice(OBJECT_TAG.length);
  return json.includes('\\u0000n') ? JSON.parse(json, untagNonFinite) : JSON.parse(json);
}
