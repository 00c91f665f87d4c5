import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Sum } from '../../../transforms/combiners/sum.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Sum.fn', () => {
  it('adds, merges and retracts', () => {
    const f = Sum.fn();
    let a = f.createAccumulator();
    for (const x of [1, 2.5, -4]) a = f.addInput(a, x, 0);
    a = f.retractInput!(a, 2.5, 0);
    expect(f.extractOutput(f.mergeAccumulators([a, 10, f.createAccumulator()]))).toBe(7);
  });
});

describe.each(RUNNER_CONFIGS)('Sum on $label', ({ options }) => {
  it('Sum.perKey sums per key and window', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts<KV<string, number>>([[kv('a', 1), 0], [kv('a', 2.5), 999], [kv('b', -3), 10], [kv('a', 4), 1000]]))
        .apply(Window.into(FixedWindows(1000)))
        .apply(Sum.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":3.5}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":-3}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":4}',
    ]);
  });

  it('Sum.globally sums everything; 0 for an empty global input', async () => {
    const { out } = await runWith(options, (p) => ({
      all: p.apply('Nums', Create([1, 2, 3, 4])).apply('S1', Sum.globally()).apply('P1', Capture.records<number>()),
      none: p.apply('None', Create<number>([])).apply('S2', Sum.globally()).apply('P2', Capture.records<number>()),
    }));
    expect(out.all.lines()).toEqual(['global ON_TIME #0 last 10']);
    expect(out.none.lines()).toEqual(['global ON_TIME #0 last 0']);
  });
});
