/**
 * One factory style (docs/design/public-api.md): every transform and trigger is a call of its name,
 * and the old spellings (`GroupByKey.create()`, `Create.of(xs)`, `AfterEach.inOrder(...)`, `orFinally(a, b)`,
 * `Map`, ...) stay one release as deprecated aliases that build the same thing.
 * (codemod: keep-deprecated — scripts/codemods/rename-factories.ts leaves this file alone.)
 */
import { describe, expect, it } from 'vitest';
import { AfterAll, AfterCount, AfterEach, AfterFirst, AfterProcessingTime, AfterWatermark, DefaultTrigger, Never, Repeatedly, orFinally, type Trigger } from 'watershed/sdk';
import { CoGroupByKey, Create, Distinct, Flatten, GroupByKey, Map as DeprecatedMap, MapElements, ParDo, Partition, Read, WithTimestamps } from 'watershed/transforms';

describe('one factory style', () => {
  it('builds each trigger by a call, with the same name as its deprecated spelling', () => {
    const pairs: [Trigger, Trigger][] = [
      [AfterAll(AfterCount(1), Never()), AfterAll.of(AfterCount(1), Never())],
      [AfterFirst(AfterCount(1), Never()), AfterFirst.of(AfterCount(1), Never())],
      [AfterEach(AfterCount(1), AfterCount(2)), AfterEach.inOrder(AfterCount(1), AfterCount(2))],
      [Repeatedly(AfterCount(3)), Repeatedly.forever(AfterCount(3))],
      [AfterWatermark(), AfterWatermark.pastEndOfWindow()],
      [AfterWatermark().withLateFirings(AfterCount(1)), AfterWatermark.pastEndOfWindow().withLateFirings(AfterCount(1))],
      [Repeatedly(AfterCount(1)).orFinally(AfterCount(5)), orFinally(Repeatedly.forever(AfterCount(1)), AfterCount(5))],
    ];
    for (const [now, old] of pairs) expect(now.name).toBe(old.name);
    expect(AfterEach(AfterCount(2)).name).toBe('AfterEach(AfterCount(2))');
  });

  it('gives every built-in trigger an orFinally method, continuing as an orFinally', () => {
    const triggers: Trigger[] = [
      AfterCount(2),
      Never(),
      DefaultTrigger(),
      AfterWatermark(),
      AfterWatermark().withEarlyFirings(AfterCount(1)),
      AfterProcessingTime.pastFirstElementInPane(),
      AfterAll(AfterCount(1)),
      AfterFirst(AfterCount(1)),
      AfterEach(AfterCount(1)),
      Repeatedly(AfterCount(1)),
    ];
    for (const t of triggers) {
      const f = t.orFinally(AfterCount(9));
      expect(f.name).toBe(`${t.name}.orFinally(AfterCount(9))`);
      expect(f.subTriggers).toEqual([t, expect.anything()]);
      expect(f.continuation().name).toBe(`${t.continuation().name}.orFinally(AfterCount(1))`);
      expect(f.orFinally(Never()).name).toBe(`${f.name}.orFinally(Never)`);
    }
    // DefaultTrigger's own name, not that of the Repeatedly it is made of.
    expect(DefaultTrigger().orFinally(Never()).name).toBe('DefaultTrigger.orFinally(Never)');
  });

  it('builds each transform by a call; the deprecated members are the same functions', () => {
    expect(GroupByKey().name).toBe('GroupByKey');
    expect(GroupByKey.create).toBeTypeOf('function');
    expect(Distinct().name).toBe('Distinct');
    expect(Create([1]).name).toBe('Create');
    expect(Create.of([1]).name).toBe('Create');
    expect(Create.timestamped([{ value: 1, timestamp: 0 }]).name).toBe('Create');
    expect(ParDo({ process() {} }).name).toBe('ParDo');
    expect(ParDo.of({ process() {} }).name).toBe('ParDo');
    const source = { name: 'S', bounded: true, open: async () => ({ poll: async () => ({ elements: [], watermark: 0, done: true }), close: async () => {} }) };
    expect(Read(source).name).toBe('Read(S)');
    expect(Read.from(source).name).toBe('Read(S)');
    expect(WithTimestamps((x: number) => x).name).toBe('WithTimestamps');
    expect(Flatten().name).toBe('Flatten');
    expect(Flatten.with().name).toBe('Flatten');
    expect(Partition(2, () => 0).name).toBe('Partition');
    expect(() => Partition(0, () => 0)).toThrow(RangeError);
    expect(CoGroupByKey({}).name).toBe('CoGroupByKey');
    expect(MapElements((x: number) => x).name).toBe('Map');
    expect(DeprecatedMap).toBe(MapElements);
  });
});
