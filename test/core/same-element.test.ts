import { describe, expect, it } from 'vitest';
import { sameElement } from '../../runners/core/util/same-element.js';

/** The equality a retraction record is matched with (GroupByKey, buffered Combine, side inputs). */
describe('sameElement', () => {
  it('compares Dates by their time', () => {
    expect(sameElement(new Date(1000), new Date(1000))).toBe(true);
    expect(sameElement(new Date(1000), new Date(2000))).toBe(false);
    expect(sameElement({ at: new Date(1) }, { at: new Date(2) })).toBe(false);
  });

  it('compares Maps and Sets by their entries, and never equates a Map with a Set or a plain object', () => {
    expect(sameElement(new Map([['k', new Map([['n', 1]])]]), new Map([['k', new Map([['n', 1]])]]))).toBe(true);
    expect(sameElement(new Map([['k', new Map([['n', 1]])]]), new Map([['k', new Map([['n', 2]])]]))).toBe(false);
    expect(sameElement(new Map([['k', 1]]), new Set([['k', 1]]))).toBe(false);
    expect(sameElement(new Map([['k', 1]]), { k: 1 })).toBe(false);
    expect(sameElement({ k: 1 }, new Map([['k', 1]]))).toBe(false);
  });

  it('keeps undefined, null and a missing property apart', () => {
    expect(sameElement({ a: undefined }, { a: null })).toBe(false);
    expect(sameElement({ a: undefined }, {})).toBe(false);
    expect(sameElement({ a: undefined }, { a: undefined })).toBe(true);
  });

  it('plain data: arrays, nested objects, NaN; 0 and -0 differ', () => {
    expect(sameElement({ k: 'a', v: [1, { x: 2 }] }, { k: 'a', v: [1, { x: 2 }] })).toBe(true);
    expect(sameElement([1, 2], [2, 1])).toBe(false);
    expect(sameElement(Number.NaN, Number.NaN)).toBe(true);
    expect(sameElement(0, -0)).toBe(false);
  });
});
