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
