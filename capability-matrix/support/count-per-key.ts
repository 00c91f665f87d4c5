import type { LateRecord } from '../../sdk/graph.js';
import type { KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { Instant } from '../../sdk/time.js';
import { Count } from '../../transforms/combiners/count.js';
import type { WindowTransform } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';

/**
 * The trigger scenarios' and cases' pipeline: strings counted per key and window (step
 * 'Count.perKey'), and their inputs in groups of elements. Shared by the When/How cases
 * (cases/*.ts), trigger-scenarios.ts and test/semantics/panes-and-triggers.test.ts.
 * @example const { out, late } = countPerKey(p, groups(2, 3, 1), Window.into<string>(FixedWindows(3000)).triggering(AfterCount(2)));
 */

export interface Counted {
  readonly counts: PCollection<KV<string, number>>;
  readonly out: Probe<KV<string, number>>;
  readonly late: Probe<LateRecord>;
}

/**
 * Windows a stream (with one or more Window transforms, in order; the first named by its own name,
 * the next `<name>.1`, …), keys strings by themselves and counts them per key and window; captures
 * the panes (step 'Out') and the late records (step 'Late').
 */
export function countPerKey(p: Pipeline, stream: TestStream<string>, ...windowing: WindowTransform<string>[]): Counted {
  let windowed = p.apply(stream);
  windowing.forEach((w, i) => (windowed = windowed.apply(i === 0 ? w.name : `${w.name}.${i}`, w)));
  const counts = windowed.apply(WithKeys((s: string) => s)).apply(Count.perKey<string>());
  return { counts, out: counts.apply('Out', Capture.records()), late: counts.lateData().apply('Late', Capture.records()) };
}

/**
 * A TestStream of 'a' elements (timestamps 110, 120, …) in groups of the given sizes. Each group
 * ends with a watermark step that keeps the watermark where it is: it ends a micro-batch, so every
 * runner evaluates element-count triggers after exactly the same elements.
 */
export function groups(...sizes: number[]): TestStream<string> {
  let s = TestStream.create<string>();
  let ts = 100;
  for (const n of sizes) {
    const els: [string, Instant][] = [];
    for (let i = 0; i < n; i++) els.push(['a', (ts += 10)]);
    s = s.addElements(...els).advanceWatermarkTo(0);
  }
  return s.advanceWatermarkToInfinity();
}
