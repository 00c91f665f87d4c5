import { describe, expect, it } from 'vitest';
import { PipelineConstructionError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { Create } from '../../transforms/create.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('CoGroupByKey construction', () => {
  it('expands to a Tag step per input, Flatten, GroupByKey and Split', () => {
    const p = Pipeline.create();
    const orders = p.apply('Orders', Create([kv('u1', 5)]));
    const users = p.apply('Users', Create([kv('u1', 'ann')]));
    p.apply('Join', CoGroupByKey({ orders, users }));
    expect(p.stepNames()).toEqual(['Orders', 'Users', 'Join', 'Join/Tag.orders', 'Join/Tag.users', 'Join/Flatten', 'Join/GroupByKey', 'Join/Split']);
  });

  it('rejects inputs windowed differently', () => {
    const p = Pipeline.create();
    const a = p.apply('A', Create([kv('k', 1)])).apply('WA', Window.into(FixedWindows(1000)));
    const b = p.apply('B', Create([kv('k', 2)]));
    expect(() => p.apply('Join', CoGroupByKey({ a, b }))).toThrow(PipelineConstructionError);
  });
});

describe.each(RUNNER_CONFIGS)('CoGroupByKey on $label', ({ options }) => {
  it('joins per key: every key of any input, with the values of each input by name', async () => {
    const { out, result } = await runWith(options, (p) => {
      const orders = p.apply('Orders', Create([kv('u1', 5), kv('u2', 7), kv('u1', 3)]));
      const users = p.apply('Users', Create([kv('u1', 'ann'), kv('u3', 'cid')]));
      return p.apply('Join', CoGroupByKey({ orders, users })).apply(Capture.records<KV<string, { orders: number[]; users: string[] }>>());
    });
    expect(out.sortedValues()).toEqual([
      { key: 'u1', value: { orders: [5, 3], users: ['ann'] } },
      { key: 'u2', value: { orders: [7], users: [] } },
      { key: 'u3', value: { orders: [], users: ['cid'] } },
    ]);
    for (const r of out.records) expect(r.pane).toMatchObject({ timing: 'ON_TIME', isLast: true });
    expect(result.metrics['Join/GroupByKey']).toMatchObject({ elementsIn: 5, elementsOut: 3 });
  });

  it('joins per window', async () => {
    const { out } = await runWith(options, (p) => {
      const clicks = p.apply('Clicks', ts([[kv('u', 'c1'), 100], [kv('u', 'c2'), 1100]])).apply('WC', Window.into(FixedWindows(1000)));
      const views = p.apply('Views', ts([[kv('u', 'v1'), 900], [kv('v', 'v2'), 1900]])).apply('WV', Window.into(FixedWindows(1000)));
      return p.apply(CoGroupByKey({ clicks, views })).apply(Capture.records());
    });
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"u","value":{"clicks":["c1"],"views":["v1"]}}',
      '[1000,2000) ON_TIME #0 last {"key":"u","value":{"clicks":["c2"],"views":[]}}',
      '[1000,2000) ON_TIME #0 last {"key":"v","value":{"clicks":[],"views":["v2"]}}',
    ]);
  });

  it('works with one input, and with inputs that are empty', async () => {
    const { out } = await runWith(options, (p) => {
      const only = p.apply('Only', Create([kv(1, 'a'), kv(1, 'b')]));
      const none = p.apply('None', Create<KV<number, string>>([]));
      return {
        one: p.apply('J1', CoGroupByKey({ only })).apply('P1', Capture.records()),
        withEmpty: p.apply('J2', CoGroupByKey({ only, none })).apply('P2', Capture.records()),
      };
    });
    expect(out.one.values()).toEqual([{ key: 1, value: { only: ['a', 'b'] } }]);
    expect(out.withEmpty.values()).toEqual([{ key: 1, value: { only: ['a', 'b'], none: [] } }]);
  });
});
