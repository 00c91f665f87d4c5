import { isDeepStrictEqual } from 'node:util';

/**
 * Whether a retraction record withdraws `added`: the two are deep-strictly equal (`node:util`
 * isDeepStrictEqual). A retraction carries the withdrawn pane's value again, recomputed by the same
 * steps, so this is the equality it needs:
 * - same type and prototype all the way down; Dates equal by their time, Maps and Sets by their
 *   entries (a Map never equals a Set or a plain object), typed arrays by content;
 * - `{ a: undefined }` differs from `{}` and from `{ a: null }`; `NaN` equals `NaN`; `0` and `-0` differ.
 *
 * @example sameElement(new Date(1), new Date(1)) // true
 * @example sameElement(new Date(1), new Date(2)) // false
 * @example sameElement(new Map([['k', 1]]), new Set([['k', 1]])) // false
 */
export function sameElement(added: unknown, retraction: unknown): boolean {
  return Object.is(added, retraction) || isDeepStrictEqual(added, retraction);
}
