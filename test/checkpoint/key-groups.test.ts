import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeKey } from '../../sdk/kv.js';
import { canonicalKeyString, DEFAULT_KEY_GROUPS, keyGroupOf, murmur3x86_32 } from '../../runners/core/state/key-groups.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('murmur3x86_32', () => {
  it('gives the published MurmurHash3_x86_32 test vectors', () => {
    const cases: [Uint8Array, number, number][] = [
      [utf8(''), 0, 0x00000000],
      [utf8(''), 1, 0x514e28b7],
      [utf8(''), 0xffffffff, 0x81f16f39],
      [new Uint8Array(4), 0, 0x2362f9de],
      [utf8('aaaa'), 0x9747b28c, 0x5a97808a],
      [utf8('abc'), 0, 0xb3dd93fa],
      [utf8('Hello, world!'), 1234, 0xfaf6cdb3],
      [utf8('The quick brown fox jumps over the lazy dog'), 0x9747b28c, 0x2fa826cd],
      [utf8('The quick brown fox jumps over the lazy dog'), 0, 0x2e4ff723],
    ];
    for (const [bytes, seed, expected] of cases) expect(murmur3x86_32(bytes, bytes.length, seed)).toBe(expected);
  });

  it('hashes only the first `length` bytes (tails of 1, 2 and 3 bytes)', () => {
    const b = utf8('abcdefgh');
    for (let n = 0; n <= 8; n++) expect(murmur3x86_32(b, n)).toBe(murmur3x86_32(b.slice(0, n)));
  });
});

describe('keyGroupOf', () => {
  it('is stable: golden values that are part of checkpoint format version 1', () => {
    // If this test fails, key groups moved: checkpoints written before can no longer be split by group.
    const golden: [unknown, number][] = [
      ['a', 62],
      [42, 98],
      [0, 79],
      [-0, 79],
      [true, 77],
      [false, 59],
      [null, 23],
      ['10.0.0.1', 45],
      [167772161, 23],
      [{ a: 1 }, 51],
      ['é日本', 109],
      [1.5, 109],
    ];
    expect(golden.map(([k]) => keyGroupOf(encodeKey(k)))).toEqual(golden.map(([, g]) => g));
  });

  it('hashes a canonical string per key type, so "1" and 1 differ and -0 is 0', () => {
    expect(canonicalKeyString('1')).toBe('s1');
    expect(canonicalKeyString(1)).toBe('n1');
    expect(canonicalKeyString(-0)).toBe('n0');
    expect(canonicalKeyString(true)).toBe('t');
    expect(canonicalKeyString(false)).toBe('f');
    expect(canonicalKeyString(null)).toBe('z');
    expect(keyGroupOf(-0)).toBe(keyGroupOf(0));
  });

  it('is a group in range, the same on every call, for any key and group count', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.double(), fc.boolean(), fc.constant(null)), fc.integer({ min: 1, max: 32_768 }), (k, groups) => {
        const g = keyGroupOf(k, groups);
        expect(Number.isInteger(g) && g >= 0 && g < groups).toBe(true);
        expect(keyGroupOf(k, groups)).toBe(g);
      }),
      { numRuns: 500 },
    );
  });

  it('spreads keys evenly over the 128 groups (strings, sequential numbers, IPv4 addresses)', () => {
    const n = 128_000;
    const families: ((i: number) => unknown)[] = [(i) => `user-${i}`, (i) => i, (i) => 0x0a000000 + i * 7, (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`];
    for (const key of families) {
      const counts = new Array<number>(DEFAULT_KEY_GROUPS).fill(0);
      for (let i = 0; i < n; i++) counts[keyGroupOf(encodeKey(key(i)))]!++;
      const mean = n / DEFAULT_KEY_GROUPS;
      // ±15 % is about ±5 standard deviations of a uniform hash at 1,000 keys per group.
      expect(Math.min(...counts)).toBeGreaterThan(mean * 0.85);
      expect(Math.max(...counts)).toBeLessThan(mean * 1.15);
    }
  });

  it('rejects a group count outside 1..32768', () => {
    for (const g of [0, -1, 1.5, 32_769, NaN]) expect(() => keyGroupOf('a', g)).toThrow(RangeError);
  });
});
