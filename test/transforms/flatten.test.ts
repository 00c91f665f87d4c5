import { describe, expect, it } from 'vitest';
import { PipelineConstructionError } from '../../sdk/errors.js';
import type { Source } from '../../sdk/io/source.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

const catchError = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('Flatten construction', () => {
  it('rejects inputs with different windowing, naming both', () => {
    const p = Pipeline.create();
    const a = p.apply('A', Create([1])).apply('WA', Window.into(FixedWindows(1000)));
    const b = p.apply('B', Create([2])).apply('WB', Window.into(FixedWindows(2000)));
    const c = p.apply('C', Create([3]));
    let err: unknown;
    try {
      p.apply('Both', Flatten(a, b));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PipelineConstructionError);
    expect((err as Error).message).toContain("step 'Both'");
    expect((err as Error).message).toContain('FixedWindows(1000ms)');
    expect((err as Error).message).toContain('FixedWindows(2000ms)');
    expect(() => a.apply('With', Flatten.with(c))).toThrow(PipelineConstructionError);
    expect(() => c.apply('Sess', Flatten.with(p.apply('D', Create([4])).apply(Window.into(Sessions(10)))))).toThrow(PipelineConstructionError);
  });

  it('rejects inputs that differ in trigger, accumulation or allowed lateness (the output could honour only one)', () => {
    const p = Pipeline.create();
    const base = () => Window.into<number>(FixedWindows(1000));
    const a = p.apply('A', Create([1])).apply('WA', base());
    const late = p.apply('B', Create([2])).apply('WB', base().withAllowedLateness(60_000));
    const early = p.apply('C', Create([3])).apply('WC', base().triggering(AfterWatermark().withEarlyFirings(AfterCount(1))));
    const acc = p.apply('D', Create([4])).apply('WD', base().accumulatingFiredPanes());
    const same = p.apply('E', Create([5])).apply('WE', base());
    const lateErr = catchError(() => p.apply('F1', Flatten(a, late)));
    expect(lateErr).toBeInstanceOf(PipelineConstructionError);
    expect((lateErr as Error).message).toMatch(/allowed lateness 0ms.*allowed lateness 60000ms/);
    const trigErr = catchError(() => p.apply('F2', Flatten(a, early)));
    expect(trigErr).toBeInstanceOf(PipelineConstructionError);
    expect((trigErr as Error).message).toContain('DefaultTrigger');
    expect((trigErr as Error).message).toContain('AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount(1))');
    expect(() => p.apply('F3', Flatten(a, acc))).toThrow(/discarding.*accumulating/);
    // equal strategies built separately are fine
    expect(p.apply('F4', Flatten(a, same)).windowing.allowedLateness).toBe(0);
  });

  it('rejects an empty Flatten()', () => {
    const p = Pipeline.create();
    expect(() => p.apply(Flatten<number>())).toThrow(PipelineConstructionError);
  });

  it('is unbounded when any input is', () => {
    const p = Pipeline.create();
    const endless: Source<number> = {
      name: 'endless',
      bounded: false,
      open() {
        throw new Error('never opened');
      },
    };
    const u = p.apply('U', Read(endless));
    const b = p.apply('B', Create([1]));
    expect(p.apply(Flatten(u, b)).bounded).toBe(false);
    expect(b.apply('F2', Flatten.with(b)).bounded).toBe(true);
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Flatten on $label', ({ options }) => {
  it('Flatten(...) merges every element of every input, keeping timestamps and windows', async () => {
    const { out, result } = await runWith(options, (p) => {
      const a = p.apply('A', ts([['a1', 100], ['a2', 1500]])).apply('WA', Window.into(FixedWindows(1000)));
      const b = p.apply('B', ts([['b1', 200]])).apply('WB', Window.into(FixedWindows(1000)));
      const c = p.apply('C', ts<string>([])).apply('WC', Window.into(FixedWindows(1000)));
      return p.apply('All', Flatten(a, b, c)).apply(Capture.records<string>());
    });
    expect(out.lines({ sorted: true })).toEqual(['[0,1000) UNKNOWN #0 last "a1"', '[0,1000) UNKNOWN #0 last "b1"', '[1000,2000) UNKNOWN #0 last "a2"']);
    expect(out.records.map((r) => [r.value, r.timestamp]).sort()).toEqual([
      ['a1', 100],
      ['a2', 1500],
      ['b1', 200],
    ]);
    expect(result.metrics['All']).toMatchObject({ elementsIn: 3, elementsOut: 3 });
  });

  it('Flatten.with in a chain; an aggregation after it sees both inputs (watermark is the minimum)', async () => {
    const { out } = await runWith(options, (p) => {
      const a = p.apply('A', ts([['x', 100], ['y', 200]])).apply('WA', Window.into(FixedWindows(1000)));
      const b = p.apply('B', ts([['x', 900], ['x', 1100]])).apply('WB', Window.into(FixedWindows(1000)));
      return a.apply(Flatten.with(b)).apply(WithKeys((s: string) => s)).apply(Count.perKey()).apply(Capture.records());
    });
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"x","value":2}',
      '[0,1000) ON_TIME #0 last {"key":"y","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"x","value":1}',
    ]);
  });

  it('flattening a PCollection with itself yields each element twice', async () => {
    const { out } = await runWith(options, (p) => {
      const a = p.apply(Create([1, 2]));
      return p.apply(Flatten(a, a)).apply(Capture.records<number>());
    });
    expect(out.sortedValues()).toEqual([1, 1, 2, 2]);
  });

  it('a TestStream flattened with a bounded Create: the aggregation waits for the streaming side', async () => {
    const { out } = await runWith(options, (p) => {
      const stream = p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1), 100]).advanceWatermarkTo(500).addElements([kv('k', 1), 600]).advanceWatermarkToInfinity())
        .apply('WS', Window.into(FixedWindows(1000)));
      const fixed = p.apply('Fixed', ts([[kv('k', 1), 50]])).apply('WF', Window.into(FixedWindows(1000)));
      return p.apply(Flatten(stream, fixed)).apply(Count.perKey()).apply(Capture.records());
    });
    expect(out.lines()).toEqual(['[0,1000) ON_TIME #0 last {"key":"k","value":3}']);
  });
});
