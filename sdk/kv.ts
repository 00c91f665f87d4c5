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
 * not null as in JSON: `{ a: NaN }` and `{ a: null }` are different keys; an undefined field is left out,
 * as in JSON).
 * @throws TypeError for keys JSON cannot encode (undefined, functions, bigint, symbols), or cannot tell
 *   apart: holding a Map, Set, RegExp, typed array or ArrayBuffer (JSON writes `{}` or index fields, so
 *   every Map would be one key with `{}`), or a function, symbol or bigint field.
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
  if (typeof key !== 'object') throw new TypeError(`cannot use ${typeof key} as a key: keys must be JSON-serialisable`);
  const opaque = opaquePart(key, 0);
  if (opaque !== undefined) throw new TypeError(`cannot use a key holding ${opaque}: JSON cannot tell two such keys apart (use strings, numbers, booleans, null, arrays and plain objects)`);
  let json = JSON.stringify(key);
  if (json === undefined) throw new TypeError(`cannot use ${typeof key} as a key: keys must be JSON-serialisable`);
  // JSON writes NaN and ±Infinity as null: {a: NaN} and {a: null} would be one key (their values grouped together).
  if (json.includes('null')) json = JSON.stringify(key, tagNonFinite);
  return OBJECT_TAG + json;
}

/**
 * What in composite key `v` JSON would write as something another key also writes (so GroupByKey would
 * merge them): a Map, Set, RegExp, typed array or ArrayBuffer (all `{}` or index fields), a function or
 * symbol field (left out); undefined when there is none. Objects with `toJSON` (a Date) stay allowed.
 */
function opaquePart(v: object, depth: number): string | undefined {
  if (depth > 64) return undefined; // JSON.stringify reports cycles itself
  if (v instanceof Map || v instanceof Set || v instanceof WeakMap || v instanceof WeakSet) return `a ${v.constructor.name}`;
  if (v instanceof RegExp || v instanceof Promise) return `a ${v.constructor.name}`;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return `a ${v.constructor.name}`;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return undefined;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') return `a ${typeof x} field '${k}'`;
    if (typeof x === 'object' && x !== null) {
      const inner = opaquePart(x, depth + 1);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
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
