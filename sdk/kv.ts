/** A key-value pair: the element type of keyed PCollections (GroupByKey, Combine.perKey, stateful DoFns). */
export interface KV<K, V> {
  /** The key: GroupByKey, Combine.perKey and stateful DoFns group by it (by value; arrays and objects by their JSON, with NaN, ±Infinity and undefined inside kept apart from null and absence: see encodeKey). */
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
 * Encodes a key for keyed state: two keys are one key (grouped together, one state) exactly when their
 * encodings are equal, and that is the key equality README.md documents under "Keys". Strings, numbers,
 * booleans and null map to themselves (-0 to 0; NaN is one key); other keys must be JSON-serialisable
 * (arrays and plain objects; objects must list their fields in the same order to be equal) and map to a
 * tagged JSON string, except that NaN and ±Infinity inside one stay themselves, not null as in JSON
 * (`{ a: NaN }` and `{ a: null }` are different keys), and an undefined field or element stays undefined:
 * `{ a: undefined }` is not `{}` and `[undefined]` is not `[null]` (before, JSON left them out or wrote
 * null, and grouped them together); an array hole is an undefined element. -0 inside one is 0, and an
 * object with `toJSON` (a Date) is what toJSON returns, as in JSON.
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
  sawUndefined = false;
  const opaque = opaquePart(key, 0);
  if (opaque !== undefined) throw new TypeError(`cannot use a key holding ${opaque}: JSON cannot tell two such keys apart (use strings, numbers, booleans, null, arrays and plain objects)`);
  // JSON leaves undefined fields out and writes undefined elements (and holes) as null: {a: undefined}
  // and {} would be one key, as would [undefined] and [null]; they are tagged instead.
  let json = JSON.stringify(key, sawUndefined ? tagSpecial : undefined);
  if (json === undefined) throw new TypeError(`cannot use ${typeof key} as a key: keys must be JSON-serialisable`);
  // JSON writes NaN and ±Infinity as null: {a: NaN} and {a: null} would be one key (their values grouped together).
  if (!sawUndefined && json.includes('null')) json = JSON.stringify(key, tagSpecial);
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
  if (Array.isArray(v)) {
    // by index: `for in` skips holes, which JSON writes as null
    for (let i = 0; i < v.length; i++) {
      const inner = opaqueField(v[i], String(i), depth);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  for (const k in v) {
    const inner = opaqueField((v as Record<string, unknown>)[k], k, depth);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** opaquePart for field `k` of a composite key, noting an undefined one in `sawUndefined`. */
function opaqueField(x: unknown, k: string, depth: number): string | undefined {
  if (x === undefined) sawUndefined = true;
  else if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') return `a ${typeof x} field '${k}'`;
  else if (typeof x === 'object' && x !== null) return opaquePart(x, depth + 1);
  return undefined;
}

/** Whether the last opaquePart walk met an undefined field, element or hole (encodeKey then tags them). */
let sawUndefined = false;

/** Where a non-finite number sat in a composite key: `{ [NON_FINITE]: 'NaN' | 'Infinity' | '-Infinity' }`. */
const NON_FINITE = '\u0000n';
/** Where an undefined field, element or hole sat in a composite key: `{ [UNDEFINED]: 1 }`. */
const UNDEFINED = '\u0000u';

function tagSpecial(_k: string, v: unknown): unknown {
  if (v === undefined) return { [UNDEFINED]: 1 };
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
  const key: unknown = json.includes('\\u0000n') ? JSON.parse(json, untagNonFinite) : JSON.parse(json);
  return json.includes('\\u0000u') ? untagUndefined(key) : key;
}

/** Puts back the undefined fields and elements encodeKey tagged, in place (a reviver returning undefined would delete them). */
function untagUndefined(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const r = v as Record<string, unknown>;
  const keys = Object.keys(r);
  if (keys.length === 1 && keys[0] === UNDEFINED && r[UNDEFINED] === 1) return undefined;
  for (const k of keys) r[k] = untagUndefined(r[k]);
  return v;
}
