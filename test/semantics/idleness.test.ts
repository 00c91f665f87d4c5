import { describe, expect, it } from 'vitest';
import type { SourceBatch } from '../../sdk/io/source.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Flatten } from '../../transforms/flatten.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/** An unbounded source that never produces anything (a quiet topic). */
const silent = Read<number>({
  name: 'silent',
  bounded: false,
  async open() {
    return {
      async poll(): Promise<SourceBatch<number>> {
        return { elements: [], watermark: TIMESTAMP_MIN, done: false };
      },
      async close() {},
    };
  },
});


describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('idle inputs on $label', ({ options }) => {
  async function run(idleTimeout: number) {
    const controller = new AbortController();
    const script = TestStream.create<number>()
      .addElements([1, 100], [2, 200])
      .advanceWatermarkTo(5000)
      .advanceProcessingTime(3000)
      .advanceWatermarkTo(6000)
      .advanceProcessingTime(1000);
    const { out } = await runWith({ ...options, idleTimeout, signal: controller.signal }, (p) => {
      const active = p.apply('Active', script);
      const quiet = p.apply('Quiet', silent);
      const probe = p
        .apply('Both', Flatten(active, quiet))
        .apply(Window.into<number>(FixedWindows(1000)))
        .apply(Sum.globally().withoutDefaults())
        .apply(Capture.records<number>());
      // the silent source never ends: stop once the script is over
      setTimeout(() => controller.abort(), 300);
      return probe;
    });
    return out;
  }

  it('with --idleTimeout, a silent input stops holding the watermark back and the window fires', async () => {
    const out = await run(2000);
    expect(out.lines()).toEqual(['[0,1000) ON_TIME #0 last 3']);
  });

  it('without it, the silent input holds the watermark and nothing fires', async () => {
    const out = await run(Number.POSITIVE_INFINITY);
    expect(out.lines()).toEqual([]);
  });
});
