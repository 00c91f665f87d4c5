import { describe, expect, it } from 'vitest';
import { expectedSameKeyPairs, zipfProbabilities, zipfSampler } from '../../../pipelines/netflow/key-skew.js';
import { mulberry32 } from '../../../pipelines/netflow/prng.js';

describe('zipfProbabilities', () => {
  it('is uniform at exponent 0 and 1/rank at exponent 1', () => {
    expect([...zipfProbabilities(4, 0)]).toEqual([0.25, 0.25, 0.25, 0.25]);
    const p = zipfProbabilities(3, 1); // weights 1, 1/2, 1/3 → total 11/6
    expect(p[0]).toBeCloseTo(6 / 11, 15);
    expect(p[2]).toBeCloseTo(2 / 11, 15);
  });

  it('refuses bad arguments', () => {
    expect(() => zipfProbabilities(0, 1)).toThrow(RangeError);
    expect(() => zipfProbabilities(3, -1)).toThrow(RangeError);
  });
});

describe('zipfSampler', () => {
  it('maps draws through the cumulative probabilities', () => {
    const keyOf = zipfSampler(3, 1); // cumulative 6/11, 9/11, 1
    expect([keyOf(0), keyOf(0.54), keyOf(0.55), keyOf(0.8), keyOf(0.82), keyOf(0.999999)]).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('samples close to the probabilities', () => {
    const keyOf = zipfSampler(10, 1);
    const p = zipfProbabilities(10, 1);
    const r = mulberry32(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 200_000; i++) counts[keyOf(r())]++;
    counts.forEach((n, i) => expect(n / 200_000).toBeCloseTo(p[i], 2));
  });
});

describe('expectedSameKeyPairs', () => {
  it('is C(N,2) · Σp²', () => {
    expect(expectedSameKeyPairs(10_000, 25, 0)).toBeCloseTo(1_999_800, 6);
    expect(expectedSameKeyPairs(10_000, 1, 0)).toBe(49_995_000);
    expect(Math.round(expectedSameKeyPairs(10_000, 340, 1))).toBe(1_999_420);
  });
});
