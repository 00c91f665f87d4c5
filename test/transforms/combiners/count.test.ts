import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Count } from '../../../transforms/combiners/count.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Count construction', () => {
  it('names its steps Count.perKey / Count.globally / Count.perElement', () => {
    const p = Pipeline.create();
    const src = p.apply(Create(['a']));
    src.apply(Count.globally());
    src.apply(Count.perElement());
    expect(p.stepNames()).toEqual([
      'Create',
      'Count.globally',
      'Count.globally/WithNullKey',
      'Count.globally/Combine',
      'Count.globally/Values',
      'Count.perElement',
      'Count.perElement/KeyByElement',
      'Count.perElement/Count',
    ]);
  });

  it('Count.fn counts, merges and retracts', () => {
    const f = Count.fn();
    let a = f.createAccumulator();
    for (const x of ['p', 'q', 'r']) a = f.addInput(a, x, 0);
    a = f.retractInput!(a, 'q', 0);
    expect(f.extractOutput(f.mergeAccumulators([a, 5, f.createAccumulator()]))).toBe(7);
  });
});

describe.each(RUNNER_CONFIGS)('Count on $label', ({ options }) => {
  it('Count.perKey counts the values of each key per window', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(ts<KV<string, string>>([[kv('a', 'x'), 100], [kv('b', 'y'), 200], [kv('a', 'x'), 1500], [kv('a', 'z'), 2100]]))
        .apply(Window.into(FixedWindows(2000)))
        .apply(Count.perKey())
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,2000) ON_TIME #0 last {"key":"a","value":2}',
      '[0,2000) ON_TIME #0 last {"key":"b","value":1}',
      '[2000,4000) ON_TIME #0 last {"key":"a","value":1}',
    ]);
    expect(result.metrics['Count.perKey']).toMatchObject({ elementsIn: 4, elementsOut: 3 });
  });

  it('Count.globally counts elements per window, and yields 0 for an empty global input', async () => {
    const { out } = await runWith(options, (p) => ({
      windowed: p
        .apply('Some', ts([['a', 0], ['b', 10], ['c', 1000]]))
        .apply(Window.into(FixedWindows(1000)))
        .apply('C1', Count.globally())
        .apply('P1', Capture.records<number>()),
      empty: p.apply('None', Create<string>([])).apply('C2', Count.globally()).apply('P2', Capture.records<number>()),
      emptyNoDefault: p.apply('None2', Create<string>([])).apply('C3', Count.globally().withoutDefaults()).apply('P3', Capture.records<number>()),
    }));
    expect(out.windowed.lines({ sorted: true })).toEqual(['[0,1000) ON_TIME #0 last 2', '[1000,2000) ON_TIME #0 last 1']);
    expect(out.empty.lines()).toEqual(['global ON_TIME #0 last 0']);
    expect(out.emptyNoDefault.records).toEqual([]);
  });

  it('Count.perElement counts occurrences of each distinct element (objects by value)', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create<unknown>(['a', 'b', 'a', 1, '1', { ip: 'x' }, { ip: 'x' }, 'a']))
        .apply(Count.perElement())
        .apply(Capture.records<KV<unknown, number>>()),
    );
    expect(out.sortedValues()).toEqual([kv('1', 1), kv('a', 3), kv('b', 1), kv(1, 1), kv({ ip: 'x' }, 2)]);
    for (const r of out.records) expect(r.pane).toMatchObject({ timing: 'ON_TIME', isLast: true });
  });
});
