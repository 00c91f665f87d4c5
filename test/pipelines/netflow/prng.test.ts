import { describe, expect, it } from 'vitest';
import { mulberry32, uniformInt } from '../../../pipelines/netflow/prng.js';

describe('mulberry32', () => {
  it('repeats its sequence for a seed, and differs between seeds', () => {
    const take = (seed: number) => {
      const r = mulberry32(seed);
      return Array.from({ length: 5 }, () => r());
    };
    expect(take(42)).toEqual(take(42));
    expect(take(42)[0]).toBe(0.6011037519201636);
    expect(take(43)).not.toEqual(take(42));
  });

  it('stays in [0, 1) with a plausible mean', () => {
    const r = mulberry32(7);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = r();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });
});

describe('uniformInt', () => {
  it('covers [min, max] inclusively', () => {
    expect(uniformInt(0, 1, 10)).toBe(1);
    expect(uniformInt(0.999999, 1, 10)).toBe(10);
    expect(uniformInt(0.5, 1, 10)).toBe(6);
  });
});
