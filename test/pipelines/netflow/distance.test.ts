import { describe, expect, it } from 'vitest';
import { euclideanDistance, forEachPair, pairCount, pairResult } from '../../../pipelines/netflow/distance.js';
import { flow } from './test-records.js';

describe('euclideanDistance', () => {
  it('matches hand-computed values', () => {
    expect(euclideanDistance(Float64Array.of(0, 0), Float64Array.of(3, 4))).toBe(5);
    // (1,2,3,4,5) vs (2,4,6,8,10): differences 1,2,3,4,5 → sqrt(1+4+9+16+25) = sqrt(55)
    expect(euclideanDistance(Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(2, 4, 6, 8, 10))).toBe(Math.sqrt(55));
    expect(euclideanDistance(new Float64Array(0), new Float64Array(0))).toBe(0);
  });

  it('is symmetric and zero on equal vectors', () => {
    const a = Float64Array.of(157, 1, 0);
    const b = Float64Array.of(0, 3, 12);
    expect(euclideanDistance(a, b)).toBe(euclideanDistance(b, a));
    expect(euclideanDistance(a, a)).toBe(0);
  });

  it('refuses vectors of different lengths', () => {
    expect(() => euclideanDistance(Float64Array.of(1), Float64Array.of(1, 2))).toThrow(RangeError);
  });
});

describe('forEachPair', () => {
  it('visits i < j in order', () => {
    const seen: string[] = [];
    expect(forEachPair(['a', 'b', 'c', 'd'], (x, y, i, j) => seen.push(`${x}${y}${i}${j}`))).toBe(6);
    expect(seen).toEqual(['ab01', 'ac02', 'ad03', 'bc12', 'bd13', 'cd23']);
  });

  it.each([0, 1, 2, 3, 10, 3000])('visits n(n-1)/2 pairs for n = %i', (n) => {
    const items = Array.from({ length: n }, (_, i) => i);
    let calls = 0;
    let checksum = 0;
    const returned = forEachPair(items, (a, b) => {
      calls++;
      checksum += b - a;
    });
    expect(calls).toBe(n < 2 ? 0 : (n * (n - 1)) / 2);
    expect(returned).toBe(calls);
    expect(pairCount(n)).toBe(calls);
    // Σ_{i<j} (j - i) = C(n+1, 3): every pair visited exactly once, none twice
    expect(checksum).toBe(n < 2 ? 0 : ((n + 1) * n * (n - 1)) / 6);
  });

  it('works on typed arrays', () => {
    let sum = 0;
    forEachPair(Float64Array.of(1, 2, 4), (a, b) => (sum += a * b));
    expect(sum).toBe(2 + 4 + 8);
  });
});

describe('pairResult', () => {
  it('carries ids and event times in ms', () => {
    const a = flow({ eventid: 'a', eventtime: 1495466510.792 });
    const b = flow({ eventid: 'b', eventtime: 1495466511.125 });
    expect(pairResult(a, b, 12322.94)).toEqual({ eventid_1: 'a', ts_flow1: 1495466510792, eventid_2: 'b', ts_flow2: 1495466511125, distance: 12322.94 });
  });
});
