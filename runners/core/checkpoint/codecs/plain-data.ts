/**
 * A string key for plain data: values with equal keys are `util.isDeepStrictEqual`, and the key is
 * undefined for anything outside plain data (which is then told apart by identity). Equal values whose
 * object fields come in another order get different keys: they are stored twice, never merged wrongly.
 * Plain data here: booleans, numbers (-0, NaN and ±Infinity each keep their own key), strings,
 * bigint, null, undefined, dense arrays without extra fields, and objects whose prototype is
 * Object.prototype, nested up to 32 levels. Codecs use it to store equal immutable values (trigger
 * states) once.
 *
 * @example plainDataKey({ finished: false, subs: [{ finished: true }] }) // '{"finished":f,"subs":[{"finished":t}]}'
 * @example plainDataKey(new Map()) // undefined
 */
export function plainDataKey(v: unknown, depth = 0): string | undefined {
  switch (typeof v) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return `${v}n`;
    case 'undefined':
      return 'u';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return 'z';
  if (depth > 32) return undefined;
  if (Array.isArray(v)) {
    let fields = 0;
    for (const _ in v) fields++;
    if (fields !== v.length || Object.getPrototypeOf(v) !== Array.prototype) return undefined; // holes or extra fields
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      const k = plainDataKey(v[i], depth + 1);
      if (k === undefined) return undefined;
      s += i === 0 ? k : ',' + k;
    }
    return s + ']';
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  let s = '{';
  for (const name in v) {
    const k = plainDataKey((v as Record<string, unknown>)[name], depth + 1);
    if (k === undefined) return undefined;
    s += (s.length === 1 ? '' : ',') + JSON.stringify(name) + ':' + k;
  }
  return s + '}';
}

/**
 * `util.isDeepStrictEqual` for plain data (as `plainDataKey` defines it), without allocating: true
 * only when both values are plain data and equal. Field order does not matter.
 * @example plainDataEqual({ a: [1, -0] }, { a: [1, -0] }) // true; with [1, 0] on one side: false
 */
export function plainDataEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (typeof a !== 'object' || a === null) {
    return Object.is(a, b) && typeof a !== 'function' && typeof a !== 'symbol';
  }
  if (typeof b !== 'object' || b === null || depth > 32) return false;
  const proto = Object.getPrototypeOf(a);
  if (proto !== Object.getPrototypeOf(b)) return false;
  if (proto === Array.prototype) {
    const x = a as unknown[];
    const y = b as unknown[];
    const n = x.length;
    if (y.length !== n) return false;
    for (let i = 0; i < n; i++) if (!(i in x) || !(i in y) || !plainDataEqual(x[i], y[i], depth + 1)) return false;
    // No named fields besides the indices (Object.keys is cheaper than for-in on arrays).
    return Object.keys(x).length === n && Object.keys(y).length === n;
  }
  if (proto !== Object.prototype) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let fields = 0;
  for (const name in x) {
    if (!Object.prototype.hasOwnProperty.call(y, name) || !plainDataEqual(x[name], y[name], depth + 1)) return false;
    fields++;
  }
  for (const _ in y) fields--;
  return fields === 0;
}
