import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from '../../sdk/kv.js';

/**
 * The key equality README.md documents under "Keys": two keys are grouped together (GroupByKey,
 * Combine.perKey, keyed state all group by encodeKey) exactly when `sameKey` says they are equal.
 * Before, JSON semantics merged `{ a: undefined }` with `{}` and `[undefined]` (or a hole) with `[null]`.
 */
function sameKey(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b)); // -0 is 0, NaN is NaN
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameKey(a[i], b[i])) return false; // a hole is undefined
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  // fields in the same order, each the same key (an undefined field is a field)
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameKey((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Whether keyed state (a Map, SameValueZero) keeps two state keys as one. */
const oneStateKey = (x: unknown, y: unknown) => new Map([[x, 1]]).has(y);

const leaf = fc.constantFrom<unknown>(undefined, null, Number.NaN, -0, 0, 1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '', 'a', 'null', '0', true, false);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('sparse'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 3 }),
  sparse: fc.sparseArray(tie('tree'), { maxLength: 3 }),
  object: fc.dictionary(fc.constantFrom('a', 'b', '0', '1'), tie('tree'), { maxKeys: 3 }),
}));
/** A key: anything but undefined at the top (not a key). */
const key = tree.filter((k) => k !== undefined);

describe('property: key equality', () => {
  it('two keys encode to the same state key iff they are the same key, and a key decodes to the same key', () => {
    fc.assert(
      fc.property(key, key, (a, b) => {
        expect(oneStateKey(encodeKey(a), encodeKey(b)), `${String(encodeKey(a))} vs ${String(encodeKey(b))}`).toBe(sameKey(a, b));
        expect(sameKey(decodeKey(encodeKey(a)), a)).toBe(true);
      }),
      { numRuns: 5000, seed: 20261204 },
    );
  });

  it('a key and a copy of it with one leaf changed to a look-alike (null, -0, undefined, a hole) are told apart exactly when the model does', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<unknown>(undefined, null, 0, -0, Number.NaN), { minLength: 1, maxLength: 3 }), fc.nat(2), (xs, i) => {
        const a: unknown[] = [...xs];
        const b: unknown[] = [...xs];
        if (i < b.length) delete b[i]; // a hole
        expect(oneStateKey(encodeKey(a), encodeKey(b))).toBe(sameKey(a, b));
        const o = Object.fromEntries(xs.map((x, j) => [`f${j}`, x]));
        const p = { ...o };
        delete p[`f${Math.min(i, xs.length - 1)}`];
        expect(oneStateKey(encodeKey(o), encodeKey(p))).toBe(sameKey(o, p));
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
