import { describe, expect, it } from 'vitest';
import { PipelineConstructionError, UserCodeError } from '../../sdk/errors.js';
import type { Source } from '../../sdk/io/source.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { END_OF_GLOBAL_WINDOW } from '../../sdk/time.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/** An unbounded source, only for building pipelines (never opened here). */
const unbounded: Source<KV<string, number>> = {
  name: 'endless',
  bounded: false,
  open() {
    throw new Error('not opened in construction tests');
  },
};

describe('GroupByKey construction', () => {
  it('rejects an unbounded input in the global window with the default trigger, at construction', () => {
    const p = Pipeline.create();
    const src = p.apply('Endless', Read(unbounded));
    expect(src.bounded).toBe(false);
    let err: unknown;
    try {
      src.apply('Group', GroupByKey<string, number>());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PipelineConstructionError);
    expect((err as Error).message).toContain("step 'Group'");
    expect((err as Error).message).toContain('Window.into');
  });

  it('accepts an unbounded input once it is windowed or has a trigger', () => {
    const p = Pipeline.create();
    const src = p.apply('Endless', Read(unbounded));
    const fixed = src.apply(Window.into(FixedWindows(1000))).apply('G1', GroupByKey<string, number>());
    expect(fixed.bounded).toBe(false);
    const triggered = src
      .apply(Window.configure<KV<string, number>>().triggering(Repeatedly(AfterCount(10))))
      .apply('G2', GroupByKey<string, number>());
    expect(triggered.windowing.triggerIsDefault).toBe(false);
  });

  it('its output keeps the windows, and only GBK/Combine outputs have lateData()', () => {
    const p = Pipeline.create();
    const windowed = p.apply(Create([kv('a', 1)])).apply(Window.into(FixedWindows(1000)));
    const grouped = windowed.apply(GroupByKey<string, number>());
    expect(grouped.windowing.windowFn).toBe(windowed.windowing.windowFn);
    expect(() => grouped.lateData()).not.toThrow();
    expect(() => windowed.lateData()).toThrow(PipelineConstructionError);
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('GroupByKey on $label', ({ options }) => {
  it('groups values per key and window, values in arrival order, stamped at the end of the window', async () => {
    const input: [KV<string, number>, number][] = [
      [kv('a', 1), 100],
      [kv('b', 2), 200],
      [kv('a', 3), 2900],
      [kv('a', 4), 3000],
      [kv('b', 5), 5999],
      [kv('a', 6), 1000],
    ];
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(Create.timestamped(input.map(([value, timestamp]) => ({ value, timestamp }))))
        .apply(Window.into(FixedWindows(3000)))
        .apply(GroupByKey<string, number>())
        .apply(Capture.records<KV<string, number[]>>()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,3000) ON_TIME #0 last {"key":"a","value":[1,3,6]}',
      '[0,3000) ON_TIME #0 last {"key":"b","value":[2]}',
      '[3000,6000) ON_TIME #0 last {"key":"a","value":[4]}',
      '[3000,6000) ON_TIME #0 last {"key":"b","value":[5]}',
    ]);
    for (const r of out.records) expect(r.timestamp).toBe(r.window.maxTimestamp);
    expect(result.metrics['GroupByKey']).toMatchObject({ elementsIn: 6, elementsOut: 4, lateDropped: 0 });
  });

  it('in the global window of a bounded input: one final pane per key when the input ends', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([kv('x', 'p'), kv('y', 'q'), kv('x', 'r')]))
        .apply(GroupByKey<string, string>())
        .apply(Capture.records<KV<string, string[]>>()),
    );
    expect(out.lines({ sorted: true })).toEqual(['global ON_TIME #0 last {"key":"x","value":["p","r"]}', 'global ON_TIME #0 last {"key":"y","value":["q"]}']);
    expect(out.records.map((r) => r.timestamp)).toEqual([END_OF_GLOBAL_WINDOW, END_OF_GLOBAL_WINDOW]);
  });

  it('keeps keys of different types apart (1 vs "1") and groups equal object keys', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create<KV<unknown, string>>([kv(1, 'n'), kv('1', 's'), kv({ ip: 'a', port: 1 }, 'o1'), kv(1, 'n2'), kv({ ip: 'a', port: 1 }, 'o2'), kv(null, 'z')]))
        .apply(GroupByKey<unknown, string>())
        .apply(Capture.records<KV<unknown, string[]>>()),
    );
    expect(out.sortedValues()).toEqual([
      { key: '1', value: ['s'] },
      { key: 1, value: ['n', 'n2'] },
      { key: null, value: ['z'] },
      { key: { ip: 'a', port: 1 }, value: ['o1', 'o2'] },
    ]);
  });

  it('produces nothing for an empty input', async () => {
    const { out, result } = await runWith(options, (p) => p.apply(Create<KV<string, number>>([])).apply(GroupByKey<string, number>()).apply(Capture.records()));
    expect(out.records).toEqual([]);
    expect(result.metrics['GroupByKey']).toMatchObject({ elementsIn: 0, elementsOut: 0 });
  });

  it('non-KV input fails the run with a UserCodeError naming the step and the element', async () => {
    const err = await runWith(options, (p) =>
      p
        .apply(Create<unknown>([kv('a', 1), 'not a kv']))
        .apply('Group', GroupByKey<string, number>() as unknown as PTransform<PCollection<unknown>, PCollection<unknown>>)
        .apply(Capture.records()),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Group');
    expect((err as UserCodeError).element).toBe('"not a kv"');
    expect((err as Error).message).toContain('need KV elements');
    expect((err as Error).message).toContain('WithKeys');
  });

  it('drops data behind the watermark onto lateData() with the step, value, window and reason', async () => {
    const { out, result } = await runWith(options, (p) => {
      const g = p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100]).advanceWatermarkTo(2000).addElements([kv('a', 2), 500], [kv('a', 3), 2500]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply('Group', GroupByKey<string, number>());
      return { main: g.apply('Main', Capture.records()), late: g.lateData().apply('Late', Capture.records()) };
    });
    expect(out.main.lines({ sorted: true })).toEqual(['[0,1000) ON_TIME #0 last {"key":"a","value":[1]}', '[2000,3000) ON_TIME #0 last {"key":"a","value":[3]}']);
    expect(out.late.values()).toEqual([
      { step: 'Group', value: kv('a', 2), timestamp: 500, window: '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:01.000Z)', reason: 'past-allowed-lateness' },
    ]);
    expect(result.metrics['Group']).toMatchObject({ elementsIn: 3, elementsOut: 2, lateDropped: 1 });
  });
});
