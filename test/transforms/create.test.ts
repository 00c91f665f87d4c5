import { describe, expect, it } from 'vitest';
import { Capture } from '../../sdk/testing/capture.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Create on $label', ({ options }) => {
  it('Create(values) emits every value, in order, at the minimum timestamp in the global window', async () => {
    const { out, result } = await runWith(options, (p) => p.apply(Create(['a', 'b', 'c', 'b'])).apply(Capture.records<string>()));
    expect(out.values()).toEqual(['a', 'b', 'c', 'b']);
    for (const r of out.records) {
      expect(r.timestamp).toBe(TIMESTAMP_MIN);
      expect(r.window).toEqual(GLOBAL_WINDOW);
      expect(r.pane.timing).toBe('UNKNOWN');
      expect(r.retraction).toBe(false);
    }
    expect(result.state).toBe('DONE');
    expect(result.metrics['Create']).toMatchObject({ elementsIn: 4, elementsOut: 4, lateDropped: 0, deadLettered: 0 });
  });

  it('Create(values) accepts any iterable and keeps the order of a large input across polls', async () => {
    const n = 2500; // more than one poll / bundle / batch
    const { out } = await runWith(options, (p) =>
      p.apply(Create(new Set(Array.from({ length: n }, (_, i) => i)))).apply(Capture.records<number>()),
    );
    expect(out.values()).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('Create.timestamped keeps the explicit event times (windows follow them)', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          'Events',
          Create.timestamped([
            { value: 'x', timestamp: 1500 },
            { value: 'y', timestamp: 0 },
            { value: 'z', timestamp: 2999 },
            { value: 'w', timestamp: 3000 },
          ]),
        )
        .apply(Window.into(FixedWindows(3000)))
        .apply(Capture.records<string>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp])).toEqual([
      ['x', 1500],
      ['y', 0],
      ['z', 2999],
      ['w', 3000],
    ]);
    expect(out.lines()).toEqual(['[0,3000) UNKNOWN #0 last "x"', '[0,3000) UNKNOWN #0 last "y"', '[0,3000) UNKNOWN #0 last "z"', '[3000,6000) UNKNOWN #0 last "w"']);
  });

  it('an empty Create produces nothing, runs downstream steps on nothing, and ends', async () => {
    let calls = 0;
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(Create<number>([]))
        .apply(
          MapElements((x: number) => {
            calls++;
            return x;
          }),
        )
        .apply(Capture.records<number>()),
    );
    expect(out.records).toEqual([]);
    expect(calls).toBe(0);
    expect(result.state).toBe('DONE');
    expect(result.metrics['Create']).toMatchObject({ elementsIn: 0, elementsOut: 0 });
    expect(result.metrics['Map']).toMatchObject({ elementsIn: 0, elementsOut: 0 });
  });

  it('an empty Create.timestamped still closes the input: an aggregation downstream emits its default', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create.timestamped<string>([])).apply(Count.globally()).apply(Capture.records<number>()));
    expect(out.lines()).toEqual(['global ON_TIME #0 last 0']);
  });

  it('Create snapshots its input: later changes to the array do not leak into the pipeline', async () => {
    const data = [1, 2];
    const { out } = await runWith(options, (p) => {
      const probe = p.apply(Create(data)).apply(Capture.records<number>());
      data.push(3);
      return probe;
    });
    expect(out.values()).toEqual([1, 2]);
  });
});
