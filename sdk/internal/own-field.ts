/**
 * Internal: reading and writing a record's field by a name that comes from user code (a metric, a
 * state cell), as its own data only. `record[name]` would find Object.prototype's members for
 * `constructor` or `toString`, and `record[name] = v` for `__proto__` would set the prototype instead
 * (a number: nothing at all).
 * @example ownField({}, 'constructor') // undefined (not the function Object)
 * @example const r = {}; setOwnField(r, '__proto__', 3); Object.keys(r) // ['__proto__']
 */
export function ownField<V>(record: Readonly<Record<string, V>>, name: string): V | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** Sets `record[name] = value` as an own, enumerable data field, `__proto__` included. See {@link ownField}. */
export function setOwnField<V>(record: Record<string, V>, name: string, value: V): void {
  if (name === '__proto__') Object.defineProperty(record, name, { value, writable: true, enumerable: true, configurable: true });
  else record[name] = value;
}
