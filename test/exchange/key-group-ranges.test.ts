import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupsOfInstance, instanceOfGroup, KeyGroupRangeError, type KeyGroupRange } from '../../runners/core/exchange/key-group-ranges.js';
import { keyGroupOf } from '../../runners/core/state/key-groups.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { encodeKey } from '../../sdk/kv.js';

/** The owner of a group by the rule's definition, floor(g·n/G), in exact integer arithmetic. */
const ownerByDefinition = (g: number, n: number, G: number) => Number((BigInt(g) * BigInt(n)) / BigInt(G));

/**
 * What is wrong with the `n` ranges over `G` groups: they must partition 0..G-1 in order, be non-empty
 * and as even as integers allow, and agree with instanceOfGroup and floor(g·n/G) on `groupsToCheck`.
 * Plain comparisons gathered into a list (one `expect` per call keeps the 32768-group case fast).
 */
function partitionProblems(n: number, G: number, groupsToCheck: Iterable<number>): string[] {
  const problems: string[] = [];
  const ranges: KeyGroupRange[] = Array.from({ length: n }, (_, i) => groupsOfInstance(i, n, G));
  if (ranges[0]!.start !== 0) problems.push(`n=${n}: first range starts at ${ranges[0]!.start}`);
  if (ranges[n - 1]!.end !== G) problems.push(`n=${n}: last range ends at ${ranges[n - 1]!.end}`);
  for (let i = 0; i < n; i++) {
    const r = ranges[i]!;
    if (i > 0 && r.start !== ranges[i - 1]!.end) problems.push(`n=${n}: range ${i} starts at ${r.start}, not where ${i - 1} ends`);
    if (r.size !== r.end - r.start) problems.push(`n=${n}: range ${i} has size ${r.size}`);
    if (r.size !== Math.floor(G / n) && r.size !== Math.ceil(G / n)) problems.push(`n=${n}: range ${i} holds ${r.size} groups`);
    // The range's bounds are where the owner changes.
    if (instanceOfGroup(r.start, n, G) !== i || instanceOfGroup(r.end - 1, n, G) !== i) problems.push(`n=${n}: the bounds of range ${i} belong to another instance`);
  }
  for (const g of groupsToCheck) {
    const i = instanceOfGroup(g, n, G);
    if (i !== ownerByDefinition(g, n, G)) problems.push(`n=${n}: group ${g} goes to ${i}, not floor(g·n/G)`);
    else if (!ranges[i]!.has(g) || (i > 0 && ranges[i - 1]!.has(g)) || (i < n - 1 && ranges[i + 1]!.has(g))) problems.push(`n=${n}: group ${g} is not in range ${i} alone`);
  }
  return problems;
}

const allGroups = (G: number) => Array.from({ length: G }, (_, g) => g);

describe('key-group ranges', () => {
  it('partition 0..G-1 into n contiguous non-empty ranges, for every n in 1..G (G = 1, 2, 127, 128), each group in the range of its instance', () => {
    const problems: string[] = [];
    for (const G of [1, 2, 127, 128]) {
      for (let n = 1; n <= G; n++) {
        const ranges = Array.from({ length: n }, (_, i) => [...groupsOfInstance(i, n, G)]);
        // Concatenated in instance order, the ranges are exactly 0..G-1 (each group once).
        if (ranges.flat().join() !== allGroups(G).join()) problems.push(`G=${G} n=${n}: ranges ${JSON.stringify(ranges)}`);
        for (let i = 0; i < n; i++) for (const g of ranges[i]!) if (instanceOfGroup(g, n, G) !== i) problems.push(`G=${G} n=${n}: group ${g} of range ${i}`);
        problems.push(...partitionProblems(n, G, allGroups(G)).map((p) => `G=${G} ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('partition 0..32767 for sampled n in 1..32768, and agree with floor(g·n/G) on every group', () => {
    const G = 32_768;
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: G }), fc.constantFrom(1, 2, 3, 127, 128, 129, 1000, G - 1, G)), (n) => {
        expect(partitionProblems(n, G, allGroups(G))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('groupsOfInstance holds exactly the groups whose instanceOfGroup is the instance (random G, n, i)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }).chain((G) => fc.integer({ min: 1, max: G }).chain((n) => fc.tuple(fc.constant(G), fc.constant(n), fc.integer({ min: 0, max: n - 1 })))),
        ([G, n, i]) => {
          const r = groupsOfInstance(i, n, G);
          expect([...r]).toEqual(allGroups(G).filter((g) => ownerByDefinition(g, n, G) === i));
          expect(allGroups(G).filter((g) => r.has(g) !== (instanceOfGroup(g, n, G) === i))).toEqual([]);
        },
      ),
    );
  });

  it('gives the documented ranges, with 128 groups by default', () => {
    const of = (i: number, n: number) => {
      const r = groupsOfInstance(i, n);
      return [r.start, r.end];
    };
    expect(of(0, 1)).toEqual([0, 128]);
    expect([of(0, 3), of(1, 3), of(2, 3)]).toEqual([[0, 43], [43, 86], [86, 128]]);
    expect(instanceOfGroup(64, 2)).toBe(1);
    expect(instanceOfGroup(63, 2)).toBe(0);
    expect(instanceOfGroup(127, 128)).toBe(127);
  });

  it('refuses instance counts outside 1..G, non-integers, bad group counts, groups and instances, with a typed error', () => {
    const problem = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(KeyGroupRangeError);
        expect(e).toBeInstanceOf(RangeError);
        return (e as KeyGroupRangeError).problem;
      }
      return 'no error';
    };
    expect(problem(() => instanceOfGroup(0, 0))).toBe('instances');
    expect(problem(() => instanceOfGroup(0, 129))).toBe('instances');
    expect(problem(() => groupsOfInstance(0, 3, 2))).toBe('instances');
    expect(problem(() => instanceOfGroup(0, 1.5))).toBe('instances');
    expect(problem(() => instanceOfGroup(0, Number.NaN))).toBe('instances');
    expect(problem(() => groupsOfInstance(0, 1, 0))).toBe('groups');
    expect(problem(() => groupsOfInstance(0, 1, 32_769))).toBe('groups');
    expect(problem(() => instanceOfGroup(0, 1, 2.5))).toBe('groups');
    expect(problem(() => instanceOfGroup(-1, 2))).toBe('group');
    expect(problem(() => instanceOfGroup(128, 2))).toBe('group');
    expect(problem(() => instanceOfGroup(0.5, 2))).toBe('group');
    expect(problem(() => groupsOfInstance(2, 2))).toBe('instance');
    expect(problem(() => groupsOfInstance(-1, 2))).toBe('instance');
    expect(problem(() => groupsOfInstance(1.5, 2))).toBe('instance');
    expect(() => instanceOfGroup(0, 129)).toThrow(/instance count must be an integer in 1\.\.128.*got 129/);
  });

  it('serves as the restore filter: n instances restoring their ranges split the state by key group, and n = 1 restores everything', () => {
    const source = new InMemoryStateBackend();
    const t = source.table<number>('Count', 'user');
    for (let i = 0; i < 500; i++) t.set(encodeKey(`10.0.${i >> 8}.${i & 255}`), 'w', i);
    const segments = source.snapshotSegments();
    const entries = (b: InMemoryStateBackend) => [...b.table<number>('Count', 'user').entries()].map(([k, w, v]) => `${String(k)}|${w}|${v}`).sort();
    const all = entries(source);
    const unfiltered = new InMemoryStateBackend();
    unfiltered.restoreSegments(segments);
    const one = new InMemoryStateBackend();
    one.restoreSegments(segments, groupsOfInstance(0, 1));
    expect(entries(one)).toEqual(entries(unfiltered));
    expect(entries(one)).toEqual(all);
    for (const n of [2, 3, 7]) {
      const parts = Array.from({ length: n }, (_, i) => {
        const b = new InMemoryStateBackend();
        b.restoreSegments(segments, groupsOfInstance(i, n));
        for (const [k] of b.table('Count', 'user').entries()) expect(instanceOfGroup(keyGroupOf(k), n)).toBe(i);
        return entries(b);
      });
      expect(parts.every((p) => p.length > 0)).toBe(true);
      expect(parts.flat().sort()).toEqual(all);
    }
  });
});
