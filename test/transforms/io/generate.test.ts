import { describe, expect, it } from 'vitest';
import { kv } from '../../../sdk/kv.js';
import { Capture } from '../../../sdk/testing/capture.js';
import type { IntervalWindow } from '../../../sdk/window.js';
import { FixedWindows } from '../../../sdk/windows/fixed-windows.js';
import { Count } from '../../../transforms/combiners/count.js';
import { Generate } from '../../../transforms/io/generate.js';
import { MapElements } from '../../../transforms/map.js';
import { Window } from '../../../transforms/window.js';
import { RUNNER_CONFIGS, runWith } from '../../support/runners.js';

describe.each(RUNNER_CONFIGS)('Generate on $label', ({ options }) => {
  it('emits element(i) at timestamp(i) for every i, in order', async () => {
    const n = 9_000;
    const { out, result } = await runWith(options, (p) => p.apply('Gen', Generate.of({ count: n, element: (i) => `e${i}`, timestamp: (i) => i * 10 })).apply(Capture.records<string>()));
    expect(out.records.length).toBe(n);
    expect(out.records.every((r, i) => r.value === `e${i}` && r.timestamp === i * 10)).toBe(true);
    expect(result.metrics['Gen']).toMatchObject({ elementsIn: n, elementsOut: n });
  });

  it('an element whose timestamp or element function throws is a dead letter (timestamp-error / mapper-error, its index as origin); the run goes on', async () => {
    const { out } = await runWith(options, (p) => {
      const gen = p.apply(
        'Gen',
        Generate.of({
          count: 1000,
          element: (i) => {
            if (i === 500) throw new Error('no element 500');
            return i;
          },
          timestamp: (i) => {
            if (i === 7) throw new RangeError('no time for 7');
            return i;
          },
        }),
      );
      return { values: gen.apply('V', Capture.records<number>()), dead: gen.deadLetters().apply('D', Capture.records()) };
    });
    expect(out.values.values()).toEqual(Array.from({ length: 1000 }, (_, i) => i).filter((i) => i !== 7 && i !== 500));
    expect(out.dead.values().map((d) => [d.step, d.reason, d.element, d.origin, d.message])).toEqual([
      ['Gen', 'timestamp-error', 7, { source: 'Generate', index: 7 }, 'timestamp(7) threw: RangeError: no time for 7'],
      ['Gen', 'mapper-error', 500, { source: 'Generate', index: 500 }, 'element(500) threw: Error: no element 500'],
    ]);
  });

  it('feeds windowed counts that equal a plain computation', async () => {
    const n = 20_000;
    const { out } = await runWith(options, (p) =>
      p
        .apply(Generate.of({ count: n, element: (i) => i % 7, timestamp: (i) => i }))
        .apply(MapElements((k: number) => kv(k, 1)))
        .apply(Window.into(FixedWindows(3000)))
        .apply(Count.perKey())
        .apply(Capture.records()),
    );
    const expected = new globalThis.Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = `${Math.floor(i / 3000) * 3000}|${i % 7}`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    const got = out.records.map((r) => {
      const v = r.value as { key: number; value: number };
      return [`${(r.window as IntervalWindow).start}|${v.key}`, v.value, r.pane.timing] as const;
    });
    expect(got.every(([, , timing]) => timing === 'ON_TIME')).toBe(true);
    expect(new globalThis.Map(got.map(([id, count]) => [id, count]))).toEqual(expected);
    expect(got.length).toBe(expected.size);
  });
});
