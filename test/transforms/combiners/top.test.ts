import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Top } from '../../../transforms/combiners/top.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Top construction', () => {
  it('rejects n < 1 or a fractional n', () => {
    expect(() => Top.largest(0).globally()).toThrow(RangeError);
    expect(() => Top.smallest(1.5).perKey()).toThrow(RangeError);
    expect(() => Top.of(-1, (a: number, b: number) => a - b).globally()).toThrow('Top needs n >= 1, got -1');
  });

  it('names steps after n', () => {
    const p = Pipeline.create();
    const src = p.apply(Create([kv('a', 1)]));
    src.apply(Top.largest(3).perKey());
    expect(p.stepNames()).toEqual(['Create', 'Top.largest(3).perKey']);
  });

  it('the CombineFn keeps n, greatest first, and merges', () => {
    const f = Top.largest(3).fn();
    let a = f.createAccumulator();
    for (const x of [5, 1, 9, 7, 3]) a = f.addInput(a, x, 0);
    expect(f.extractOutput(a)).toEqual([9, 7, 5]);
    let b = f.createAccumulator();
    for (const x of [8, 6]) b = f.addInput(b, x, 0);
    expect(f.extractOutput(f.mergeAccumulators([a, b]))).toEqual([9, 8, 7]);
    // extractOutput returns a copy: changing it does not change the accumulator
    f.extractOutput(a).push(100);
    expect(f.extractOutput(a)).toEqual([9, 7, 5]);
  });
});

describe.each(RUNNER_CONFIGS)('Top on $label', ({ options }) => {
  it('Top.largest(n).globally / Top.smallest(n).globally, fewer than n inputs, duplicates kept', async () => {
    const { out } = await runWith(options, (p) => {
      const nums = p.apply('Nums', Create([5, 1, 9, 7, 9, 3]));
      return {
        largest: nums.apply('L', Top.largest(3).globally()).apply('P1', Capture.records<number[]>()),
        smallest: nums.apply('S', Top.smallest(2).globally()).apply('P2', Capture.records<number[]>()),
        all: nums.apply('A', Top.largest(10).globally()).apply('P3', Capture.records<number[]>()),
        empty: p.apply('None', Create<number>([])).apply('E', Top.largest(2).globally()).apply('P4', Capture.records<number[]>()),
      };
    });
    expect(out.largest.values()).toEqual([[9, 9, 7]]);
    expect(out.smallest.values()).toEqual([[1, 3]]);
    expect(out.all.values()).toEqual([[9, 9, 7, 5, 3, 1]]);
    expect(out.empty.lines()).toEqual(['global ON_TIME #0 last []']);
  });

  it('Top.of(n, compare).perKey orders by the comparator, per key and window', async () => {
    interface Flow {
      readonly id: string;
      readonly bytes: number;
    }
    const f = (id: string, bytes: number): Flow => ({ id, bytes });
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          ts<KV<string, Flow>>([
            [kv('h1', f('a', 10)), 0],
            [kv('h1', f('b', 50)), 100],
            [kv('h2', f('c', 5)), 200],
            [kv('h1', f('d', 30)), 300],
            [kv('h1', f('e', 99)), 1000],
          ]),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply(Top.of(2, (x: Flow, y: Flow) => x.bytes - y.bytes).perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"h1","value":[{"id":"b","bytes":50},{"id":"d","bytes":30}]}',
      '[0,1000) ON_TIME #0 last {"key":"h2","value":[{"id":"c","bytes":5}]}',
      '[1000,2000) ON_TIME #0 last {"key":"h1","value":[{"id":"e","bytes":99}]}',
    ]);
  });
});
