import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { TestStream } from '../../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Latest } from '../../../transforms/combiners/latest.js';
import { Create } from '../../../transforms/create.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

const ts = <T>(pairs: [T, number][]) => Create.timestamped(pairs.map(([value, timestamp]) => ({ value, timestamp })));

describe('Latest.fn', () => {
  it('keeps the value with the latest timestamp; ties go to the later input; merge picks the latest', () => {
    const f = Latest.fn();
    let a = f.createAccumulator();
    a = f.addInput(a, 'late-arrival-old', 100);
    a = f.addInput(a, 'newest', 300);
    a = f.addInput(a, 'older', 200);
    expect(f.extractOutput(a)).toBe('newest');
    a = f.addInput(a, 'tie', 300);
    expect(f.extractOutput(a)).toBe('tie');
    expect(f.extractOutput(f.mergeAccumulators([{ v: 'x', t: 5 }, { v: 'y', t: 9 }, { v: 'z', t: 1 }]))).toBe('y');
    expect(f.extractOutput(f.createAccumulator())).toBeUndefined();
  });
});

describe.each(RUNNER_CONFIGS)('Latest on $label', ({ options }) => {
  it('Latest.globally picks the latest event time, not the last arrival', async () => {
    const { out } = await runWith(options, (p) => p.apply(ts([['third', 3000], ['first', 1000], ['second', 2000]])).apply(Latest.globally()).apply(Capture.records<string>()));
    expect(out.values()).toEqual(['third']);
  });

  it('Latest.perKey per key and window, by event time', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(ts<KV<string, string>>([[kv('s', 'b'), 900], [kv('s', 'a'), 100], [kv('t', 'x'), 50], [kv('s', 'd'), 1200], [kv('s', 'c'), 1900], [kv('s', 'e'), 1100]]))
        .apply(Window.into(FixedWindows(1000)))
        .apply(Latest.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"s","value":"b"}',
      '[0,1000) ON_TIME #0 last {"key":"t","value":"x"}',
      '[1000,2000) ON_TIME #0 last {"key":"s","value":"c"}',
    ]);
  });

  it('a late element with an older timestamp does not replace the latest in an accumulating LATE pane', async () => {
    const script = TestStream.create<KV<string, string>>()
      .addElements([kv('k', 'newest'), 2500], [kv('k', 'old'), 1000])
      .advanceWatermarkTo(3000)
      .addElements([kv('k', 'late-but-older'), 2000])
      .advanceWatermarkToInfinity();
    const { out } = await runWith(options, (p) =>
      p
        .apply(script)
        .apply(Window.into(FixedWindows(3000)))
        .apply(Window.configure<KV<string, string>>().withAllowedLateness(10_000).accumulatingFiredPanes())
        .apply(Latest.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines()).toEqual(['[0,3000) ON_TIME #0 {"key":"k","value":"newest"}', '[0,3000) LATE #1 {"key":"k","value":"newest"}']);
  });

  it('Latest.globally over an empty global input yields undefined', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create<string>([])).apply(Latest.globally()).apply(Capture.records<string | undefined>()));
    expect(out.records).toHaveLength(1);
    expect(out.records[0]!.value).toBeUndefined();
  });
});
