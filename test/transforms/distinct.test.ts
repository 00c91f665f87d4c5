import { describe, expect, it } from 'vitest';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { Distinct } from '../../transforms/distinct.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Distinct construction', () => {
  it('expands to KeyByElement / GroupByKey / Keys', () => {
    const p = Pipeline.create();
    p.apply(Create([1])).apply(Distinct<number>());
    expect(p.stepNames()).toEqual(['Create', 'Distinct', 'Distinct/KeyByElement', 'Distinct/GroupByKey', 'Distinct/Keys']);
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Distinct on $label', ({ options }) => {
  it('emits each distinct element once per window', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts([['a', 0], ['b', 100], ['a', 200], ['a', 1100], ['c', 1200], ['b', 999]]))
        .apply(Window.into(FixedWindows(1000)))
        .apply(Distinct<string>())
        .apply(Capture.records<string>()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last "a"',
      '[0,1000) ON_TIME #0 last "b"',
      '[1000,2000) ON_TIME #0 last "a"',
      '[1000,2000) ON_TIME #0 last "c"',
    ]);
    for (const r of out.records) expect(r.timestamp).toBe(r.window.maxTimestamp);
  });

  it('compares by value: equal objects collapse, 1 and "1" stay apart', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create<unknown>([{ ip: '10.0.0.1', port: 80 }, 1, '1', { ip: '10.0.0.1', port: 80 }, 1, null, null, [1, 2], [1, 2]]))
        .apply(Distinct())
        .apply(Capture.records()),
    );
    expect(out.sortedValues()).toEqual(['1', 1, [1, 2], null, { ip: '10.0.0.1', port: 80 }]);
  });

  it('emits nothing for an empty input', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create<string>([])).apply(Distinct<string>()).apply(Capture.records()));
    expect(out.records).toEqual([]);
  });

  it('a late duplicate within the allowed lateness makes a LATE pane (discarding: distinct per pane)', async () => {
    const script = TestStream.create<string>().addElements(['a', 100], ['a', 200], ['b', 300]).advanceWatermarkTo(1000).addElements(['a', 400]).advanceWatermarkToInfinity();
    const { out } = await runWith(options, (p) =>
      p
        .apply(script)
        .apply(Window.into(FixedWindows(1000)))
        .apply(Window.configure<string>().withAllowedLateness(5000))
        .apply(Distinct<string>())
        .apply(Capture.records<string>()),
    );
    expect(out.lines({ sorted: true })).toEqual(['[0,1000) LATE #1 "a"', '[0,1000) ON_TIME #0 "a"', '[0,1000) ON_TIME #0 "b"']);
  });
});
