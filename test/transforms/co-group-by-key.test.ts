import { describe, expect, it } from 'vitest';
import { PipelineConstructionError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { UserCodeError } from '../../sdk/errors.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Filter } from '../../transforms/filter.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { CappedSessions } from '../../capability-matrix/support/capped-sessions.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('CoGroupByKey construction', () => {
  it('expands to a Flatten that tags values with their input, and a GroupByKey that fills the lists (no step per input, no Split)', () => {
    const p = Pipeline.create();
    const orders = p.apply('Orders', Create([kv('u1', 5)]));
    const users = p.apply('Users', Create([kv('u1', 'ann')]));
    p.apply('Join', CoGroupByKey({ orders, users }));
    expect(p.stepNames()).toEqual(['Orders', 'Users', 'Join', 'Join/Flatten', 'Join/GroupByKey']);
  });

  it('rejects inputs windowed differently', () => {
    const p = Pipeline.create();
    const a = p.apply('A', Create([kv('k', 1)])).apply('WA', Window.into(FixedWindows(1000)));
    const b = p.apply('B', Create([kv('k', 2)]));
    expect(() => p.apply('Join', CoGroupByKey({ a, b }))).toThrow(PipelineConstructionError);
  });

  it("rejects an input named '__proto__' (as a field of the result it set the result's prototype: its values were lost)", () => {
    const p = Pipeline.create();
    const a = p.apply('A', Create([kv('k', 1)]));
    const b = p.apply('B', Create([kv('k', 2)]));
    expect(() => p.apply('Join', CoGroupByKey({ ['__proto__']: a, b }))).toThrow(/'__proto__' cannot name a CoGroupByKey input/);
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('CoGroupByKey on $label', ({ options }) => {
  it('inputs named like Object.prototype members (constructor, toString, hasOwnProperty) are fields of the result like any other', async () => {
    const { out } = await runWith(options, (p) => {
      const constructor = p.apply('C', Create([kv('k', 1), kv('k', 2)]));
      const toString = p.apply('T', Create([kv('k', 'x'), kv('j', 'y')]));
      const hasOwnProperty = p.apply('H', Create([kv('j', true)]));
      return p.apply('Join', CoGroupByKey({ constructor, toString, hasOwnProperty })).apply(Capture.records<KV<string, { constructor: number[]; toString: string[]; hasOwnProperty: boolean[] }>>());
    });
    const rows = out.values().map((r) => [r.key, Object.keys(r.value), [...r.value.constructor].sort(), r.value.toString, r.value.hasOwnProperty]);
    expect(rows.sort()).toEqual([
      ['j', ['constructor', 'toString', 'hasOwnProperty'], [], ['y'], [true]],
      ['k', ['constructor', 'toString', 'hasOwnProperty'], [1, 2], ['x'], []],
    ]);
  });

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

  it('accumulating early panes: each pane holds the values so far, later values do not change a pane emitted before', async () => {
    const { out } = await runWith(options, (p) => {
      const w = () => Window.into<KV<string, number>>(FixedWindows(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingFiredPanes();
      // one stream (micro-batch replays one TestStream): values under 10 go left, the others right
      const events = p.apply('Events', TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100]).addElements([kv('a', 10), 150]).addElements([kv('a', 2), 200]).advanceWatermarkToInfinity());
      const left = events.apply('L', Filter((e: KV<string, number>) => e.value < 10)).apply('WL', w());
      const right = events.apply('R', Filter((e: KV<string, number>) => e.value >= 10)).apply('WR', w());
      return p.apply('Join', CoGroupByKey({ left, right })).apply(Capture.records<KV<string, { left: number[]; right: number[] }>>());
    });
    const onTime = out.records.filter((r) => r.pane.timing === 'ON_TIME');
    expect(onTime.map((r) => r.value)).toEqual([{ key: 'a', value: { left: [1, 2], right: [10] } }]);
    // every pane's lists are prefixes of the final ones and grow pane by pane: nothing emitted was changed afterwards
    const sizes = out.records.map((r) => r.value.value.left.length + r.value.value.right.length);
    expect(out.records.some((r) => r.pane.timing === 'EARLY')).toBe(true);
    expect(sizes).toEqual([...sizes].sort((x, y) => x - y));
    for (const r of out.records) {
      expect(r.value.value.left).toEqual([1, 2].slice(0, r.value.value.left.length));
      expect(r.value.value.right).toEqual([10].slice(0, r.value.value.right.length));
    }
  });

  it('retractions from a retracting aggregation upstream withdraw the values they retract', async () => {
    const { out } = await runWith(options, (p) => {
      const counts = p
        .apply('Events', TestStream.create<KV<string, string>>().addElements([kv('a', 'x'), 100]).addElements([kv('a', 'y'), 200]).addElements([kv('b', 'z'), 300]).advanceWatermarkToInfinity())
        .apply('W', Window.into<KV<string, string>>(FixedWindows(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingAndRetractingFiredPanes())
        .apply('Counts', Count.perKey<string>());
      const w = Window.into<KV<string, string>>(FixedWindows(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingAndRetractingFiredPanes();
      const names = p.apply('Names', Create.timestamped([{ value: kv('a', 'ann'), timestamp: 500 }])).apply('WN', w);
      return p
        .apply('Join', CoGroupByKey({ counts: counts.apply('Keep', MapElements((c: KV<string, number>) => c)), names }))
        .apply(Window.configure<KV<unknown, { counts: number[]; names: string[] }>>().triggering(AfterWatermark()).discardingFiredPanes())
        .apply(Capture.records<KV<unknown, { counts: number[]; names: string[] }>>());
    });
    // the final pane holds what is left once every retraction withdrew the count it retracts: the last count per key
    const last = out.records.filter((r) => !r.retraction && r.pane.isLast).map((r) => r.value);
    expect(last.sort((x, y) => String(x.key).localeCompare(String(y.key)))).toEqual([
      { key: 'a', value: { counts: [2], names: ['ann'] } },
      { key: 'b', value: { counts: [1], names: [] } },
    ]);
  });

  it('an element that is not a KV fails the run with a UserCodeError naming the tagging step and the element', async () => {
    const err = await runWith(options, (p) => {
      const good = p.apply('Good', Create([kv('a', 1)]));
      const bad = p.apply('Bad', Create(['not keyed'])) as unknown as typeof good;
      return p.apply('Join', CoGroupByKey({ good, bad }));
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Join/Flatten');
    expect((err as UserCodeError).element).toBe('"not keyed"');
    expect((err as Error).message).toContain('KV');
  });

  it('joins three inputs in a custom merging WindowFn: each value in the list of its own input, per merged window', async () => {
    // Merged once per key (micro-batch: per batch; native: at the watermark), the values wait without their tag object.
    const { out } = await runWith(options, (p) => {
      const events = p.apply(
        'Events',
        TestStream.create<KV<string, number | string>>()
          .addElements([kv('a', 1), 0], [kv('a', 'x'), 5], [kv('b', 7), 3])
          .addElements([kv('a', 100), 12], [kv('a', 2), 40], [kv('b', 'y'), 4])
          .advanceWatermarkToInfinity(),
      );
      const into = () => Window.into<KV<string, number | string>>(CappedSessions(10, 30));
      const left = events.apply('L', Filter((e: KV<string, number | string>) => typeof e.value === 'number' && e.value < 10 && e.key === 'a')).apply('WL', into());
      const mid = events.apply('M', Filter((e: KV<string, number | string>) => typeof e.value === 'string')).apply('WM', into());
      const right = events.apply('R', Filter((e: KV<string, number | string>) => typeof e.value === 'number' && (e.value >= 10 || e.key === 'b'))).apply('WR', into());
      return p.apply('Join', CoGroupByKey({ left, mid, right })).apply(Capture.records());
    });
    const got = out.records.map((r) => ({ key: r.value.key, window: r.window.id, value: r.value.value })).sort((x, y) => `${x.key}${x.window}`.localeCompare(`${y.key}${y.window}`));
    expect(got).toEqual([
      { key: 'a', window: '0:22', value: { left: [1], mid: ['x'], right: [100] } },
      { key: 'a', window: '40:50', value: { left: [2], mid: [], right: [] } },
      { key: 'b', window: '3:14', value: { left: [], mid: ['y'], right: [7] } },
    ]);
  });

  it("values too late for their window are on the join's late data, tagged with their input", async () => {
    const { out } = await runWith(options, (p) => {
      const events = p.apply('Events', TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100], [kv('a', 10), 200]).advanceWatermarkTo(5000).addElements([kv('a', 2), 300]).advanceWatermarkToInfinity());
      const left = events.apply('L', Filter((e: KV<string, number>) => e.value < 10)).apply('WL', Window.into(FixedWindows(1000)));
      const right = events.apply('R', Filter((e: KV<string, number>) => e.value >= 10)).apply('WR', Window.into(FixedWindows(1000)));
      const joined = p.apply('Join', CoGroupByKey({ left, right }));
      return { joined: joined.apply('J', Capture.records()), late: joined.lateData<KV<string, { tag: string; value: number }>>().apply('Late', Capture.records()) };
    });
    expect(out.joined.values()).toEqual([{ key: 'a', value: { left: [1], right: [10] } }]);
    expect(out.late.values().map((r) => r.value)).toEqual([{ key: 'a', value: { tag: 'left', value: 2 } }]);
  });
});
