import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { SlidingWindows } from '../../../sdk/windows/sliding-windows.js';
import { Mean } from '../../../transforms/combiners/mean.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Mean.fn', () => {
  it('averages, merges, retracts; NaN when empty', () => {
    const f = Mean.fn();
    let a = f.createAccumulator();
    expect(f.extractOutput(a)).toBeNaN();
    for (const x of [1, 2, 6]) a = f.addInput(a, x, 0);
    a = f.retractInput!(a, 6, 0);
    expect(f.extractOutput(a)).toBe(1.5);
    expect(f.extractOutput(f.mergeAccumulators([a, { sum: 9, count: 1 }]))).toBe(4);
  });
});

describe.each(RUNNER_CONFIGS)('Mean on $label', ({ options }) => {
  it('Mean.perKey averages per key over sliding windows (a rolling mean)', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts<KV<string, number>>([[kv('t', 10), 500], [kv('t', 20), 1500], [kv('u', 7), 1200]]))
        .apply(Window.into(SlidingWindows(2000, 1000)))
        .apply(Mean.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[-1000,1000) ON_TIME #0 last {"key":"t","value":10}',
      '[0,2000) ON_TIME #0 last {"key":"t","value":15}',
      '[0,2000) ON_TIME #0 last {"key":"u","value":7}',
      '[1000,3000) ON_TIME #0 last {"key":"t","value":20}',
      '[1000,3000) ON_TIME #0 last {"key":"u","value":7}',
    ]);
  });

  it('Mean.globally averages everything; an empty global input yields NaN', async () => {
    const { out } = await runWith(options, (p) => ({
      all: p.apply('Nums', Create([1, 2, 3, 4])).apply('M1', Mean.globally()).apply('P1', Capture.records<number>()),
      none: p.apply('None', Create<number>([])).apply('M2', Mean.globally()).apply('P2', Capture.records<number>()),
    }));
    expect(out.all.values()).toEqual([2.5]);
    expect(out.none.values()).toEqual([Number.NaN]);
    expect(out.none.records[0]!.pane).toMatchObject({ timing: 'ON_TIME', isLast: true });
  });
});
