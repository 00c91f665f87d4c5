import { describe, expect, it } from 'vitest';
import { UserCodeError } from '../../sdk/errors.js';
import { decodeKey, encodeKey, kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { oneInstance, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Composite keys holding NaN or ±Infinity. JSON writes those as null, so before, the keys
 * `{ id: NaN }`, `{ id: Infinity }` and `{ id: null }` were one key: their values were grouped
 * together, silently, under whichever key came first. Now each is its own key.
 */
const KEYS: readonly unknown[] = [{ id: Number.NaN }, { id: null }, { id: Number.POSITIVE_INFINITY }, { id: Number.NEGATIVE_INFINITY }, [null, 1], [Number.NaN, 1], { id: 0 }];

describe('encodeKey', () => {
  it('keeps composite keys with NaN or ±Infinity apart from null, and decodes them back', () => {
    const encoded = KEYS.map(encodeKey);
    expect(new Set(encoded).size).toBe(KEYS.length);
    expect(encoded.map(decodeKey)).toEqual(KEYS);
    // keys without non-finite numbers encode as before (checkpoints stay readable)
    expect(encodeKey({ id: null, n: 1 })).toBe('\u0000j{"id":null,"n":1}');
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('composite keys on $label', ({ options }) => {
  it('GroupByKey gives each key its own group', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create(KEYS.map((k, i) => kv(k, i))))
        .apply(GroupByKey<unknown, number>())
        .apply(Capture.records<KV<unknown, number[]>>()),
    );
    const groups = out.values().map((g) => [String(JSON.stringify(g.key, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))), g.value]);
    expect(groups.sort()).toEqual(
      [
        ['{"id":"NaN"}', [0]],
        ['{"id":null}', [1]],
        ['{"id":"Infinity"}', [2]],
        ['{"id":"-Infinity"}', [3]],
        ['[null,1]', [4]],
        ['["NaN",1]', [5]],
        ['{"id":0}', [6]],
      ].sort(),
    );
  });

  it('GroupByKey keeps undefined fields and elements apart from missing fields and null (before: {a: undefined} was grouped with {}, [undefined] with [null])', async () => {
    // eslint-disable-next-line no-sparse-arrays
    const keys: unknown[] = [{ a: undefined }, {}, [undefined], [null], [, 1], [undefined, 1], { a: [undefined] }, { a: [] }];
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create(keys.map((k, i) => kv(k, i))))
        .apply(GroupByKey<unknown, number>())
        .apply(Capture.records<KV<unknown, number[]>>()),
    );
    // a hole is an undefined element: [, 1] and [undefined, 1] are one key
    const groups = out.values().map((g) => g.value.join(','));
    expect(groups.sort()).toEqual(['0', '1', '2', '3', '4,5', '6', '7']);
    const group0 = out.values().find((g) => g.value[0] === 0)!;
    expect(Object.hasOwn(group0.key as object, 'a')).toBe(true);
  });

  it.each([
    ['a Map', new Map([['a', 1]])],
    ['a Set', new Set([1])],
    ['a RegExp', /x/],
    ['a Uint8Array', new Uint8Array([1])],
    ['an object with a function field', { id: 1, f: () => 1 }],
    ['an object holding a Map', { id: 1, m: new Map() }],
    ['a bigint', 1n],
  ] as const)('a key JSON cannot tell apart (%s) fails the run naming the step and the element, on every instance count (before: all such keys were one group with {} or its look-alike; a bigint failed a parallel run untyped)', async (_name, key) => {
    const err = await runWith(options, (p) =>
      p
        .apply(Create([kv<unknown, number>(key, 1), kv<unknown, number>({}, 2), kv<unknown, number>({ 0: 1, id: 1 }, 3)]))
        .apply('Group', GroupByKey<unknown, number>())
        .apply(Capture.records()),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    // A parallel run clones elements between stages: a function cannot be cloned, so the step that emitted it is named
    // (before: V8's bare DataCloneError).
    const cloned = !oneInstance(options) && _name === 'an object with a function field';
    expect((err as UserCodeError).step).toBe(cloned ? 'Create' : 'Group');
    expect((err as Error).message).toMatch(cloned ? /could not be cloned/ : /key/);
  });
});
