import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { TimestampCombiner } from '../../sdk/windowing-strategy.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * EARLIEST and LATEST output timestamps when some inputs arrive behind the aggregation's output
 * watermark (Beam's transcripts `known_late_data_watermark` and
 * `known_late_data_no_watermark_hold_possible`): such inputs hold nothing and have no say in the
 * pane's timestamp; a pane with only such inputs is stamped with the end of its window. The pane
 * is never stamped with a time none of its inputs has (the output watermark, as before).
 */

type Line = string;

async function panes(options: Parameters<typeof runWith>[0], combiner: TimestampCombiner, watermark: number, inputs: number[], early = false): Promise<Line[]> {
  const { out } = await runWith(options, (p) => {
    const stream = TestStream.create<KV<string, number>>()
      .advanceWatermarkTo(watermark)
      .addElements(...inputs.map((t): [KV<string, number>, number] => [kv('k', t), t]))
      .advanceWatermarkTo(watermark)
      .advanceWatermarkTo(20_000)
      .advanceWatermarkToInfinity();
    let w = Window.into<KV<string, number>>(FixedWindows(10_000)).withTimestampCombiner(combiner);
    if (early) w = w.triggering(AfterWatermark().withEarlyFirings(AfterCount(inputs.length)));
    return p
      .apply(stream)
      .apply(w)
      .apply(GroupByKey<string, number>())
      .apply(Capture.records());
  });
  return out.records.map((r) => `${r.pane.timing} [${[...r.value.value].sort((a, b) => a - b).join(',')}] @${r.timestamp}`);
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('output timestamps of inputs behind the output watermark ($label)', ({ options }) => {
  it('EARLIEST: the earliest input that was not behind the output watermark (transcript known_late_data_watermark)', async () => {
    expect(await panes(options, 'EARLIEST', 5000, [2000, 3000, 7000, 8000])).toEqual(['ON_TIME [2000,3000,7000,8000] @7000']);
  });

  it('EARLIEST: every input behind it stamps the pane with the end of the window (known_late_data_no_watermark_hold_possible)', async () => {
    expect(await panes(options, 'EARLIEST', 8000, [2000, 3000, 7000])).toEqual(['ON_TIME [2000,3000,7000] @9999']);
  });

  it('LATEST: inputs behind it are left out too', async () => {
    expect(await panes(options, 'LATEST', 5000, [2000, 3000, 6000])).toEqual(['ON_TIME [2000,3000,6000] @6000']);
    expect(await panes(options, 'LATEST', 8000, [2000, 3000])).toEqual(['ON_TIME [2000,3000] @9999']);
  });

  it('an early pane of inputs behind the output watermark is stamped with the end of the window, then the on-time pane fires', async () => {
    expect(await panes(options, 'EARLIEST', 8000, [2000, 3000], true)).toEqual(['EARLY [2000,3000] @9999', 'ON_TIME [] @9999']);
  });
});
