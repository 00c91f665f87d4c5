import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { PTransform } from '../../sdk/ptransform.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { runWith } from './runners.js';

/**
 * Runs `combine` per key over 1e308@100, 1e308@1100, -1e308@150 in SlidingWindows(2000, 1000),
 * through the sliced (pane-sharing) driver or, with `perWindow`, the per-window one (a MapElements
 * before the combine rules out slicing), and returns the captured panes' lines, sorted.
 * @example await extremeSlidingLines(options, Mean.perKey(), false)
 */
export async function extremeSlidingLines(
  options: Partial<PipelineOptions>,
  combine: PTransform<PCollection<KV<string, number>>, PCollection<KV<string, number>>>,
  perWindow: boolean,
): Promise<string[]> {
  const { out } = await runWith(options, (p) => {
    let w = p
      .apply(TestStream.create<KV<string, number>>().addElements([kv('k', 1e308), 100], [kv('k', 1e308), 1100], [kv('k', -1e308), 150]).advanceWatermarkToInfinity())
      .apply(Window.into<KV<string, number>>(SlidingWindows(2000, 1000)));
    if (perWindow) w = w.apply(MapElements((x: KV<string, number>) => x));
    return w.apply(combine).apply(Capture.records());
  });
  return out.lines({ sorted: true });
}
