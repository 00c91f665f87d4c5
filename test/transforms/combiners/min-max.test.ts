import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Max, Min } from '../../../transforms/combiners/min-max.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe.each(RUNNER_CONFIGS)('Min / Max on $label', ({ options }) => {
  it('Min.perKey and Max.perKey per key and window, negatives included', async () => {
    const input = ts<KV<string, number>>([[kv('a', 3), 0], [kv('a', -7), 10], [kv('b', 0), 20], [kv('a', 12), 30], [kv('a', 5), 1000]]);
    const { out } = await runWith(options, (p) => {
      const w = p.apply(input).apply(Window.into(FixedWindows(1000)));
      return { min: w.apply(Min.perKey()).apply('PMin', Capture.records()), max: w.apply(Max.perKey()).apply('PMax', Capture.records()) };
    });
    expect(out.min.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":-7}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":0}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":5}',
    ]);
    expect(out.max.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":12}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":0}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":5}',
    ]);
  });

  it('Min.globally / Max.globally; an empty global input yields +Infinity / -Infinity', async () => {
    const { out } = await runWith(options, (p) => {
      const nums = p.apply('Nums', Create([4, -2, 9, 0]));
      const none = p.apply('None', Create<number>([]));
      return {
        min: nums.apply('Min', Min.globally()).apply('P1', Capture.records<number>()),
        max: nums.apply('Max', Max.globally()).apply('P2', Capture.records<number>()),
        minEmpty: none.apply('MinE', Min.globally()).apply('P3', Capture.records<number>()),
        maxEmpty: none.apply('MaxE', Max.globally()).apply('P4', Capture.records<number>()),
      };
    });
    expect(out.min.values()).toEqual([-2]);
    expect(out.max.values()).toEqual([9]);
    expect(out.minEmpty.values()).toEqual([Number.POSITIVE_INFINITY]);
    expect(out.maxEmpty.values()).toEqual([Number.NEGATIVE_INFINITY]);
  });
});
