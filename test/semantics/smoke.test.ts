import { describe, expect, it } from 'vitest';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('smoke on $label', ({ options }) => {
  it('maps a bounded input', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create([1, 2, 3])).apply(MapElements((x: number) => x * 10)).apply(Capture.records()));
    expect(out.sortedValues()).toEqual([10, 20, 30]);
  });

  it('counts per key in fixed windows from a TestStream', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<string>()
            .addElements(['a', 100], ['b', 200], ['a', 2900])
            .advanceWatermarkTo(3000)
            .addElements(['a', 3100])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into(FixedWindows(3000)))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(Capture.records()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,3000) ON_TIME #0 last {"key":"a","value":2}',
      '[0,3000) ON_TIME #0 last {"key":"b","value":1}',
      '[3000,6000) ON_TIME #0 last {"key":"a","value":1}',
    ]);
    expect(result.metrics['Count.perKey']?.elementsIn).toBe(4);
  });
});
