import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { Instant } from '../../sdk/time.js';
import type { KV } from '../../sdk/kv.js';
import type { LateRecord } from '../../sdk/graph.js';
import { Count } from '../../transforms/combiners/count.js';
import type { WindowTransform } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { sameLines, expectAll } from '../check.js';
import { defineCase, type CaseRun, type ConformanceCase } from '../model.js';
import { scenarioLines, type Scenario } from '../support/scenario.js';

/** Building blocks shared by the cases. */

export interface Counted {
  readonly counts: PCollection<KV<string, number>>;
  readonly out: Probe<KV<string, number>>;
  readonly late: Probe<LateRecord>;
}

/**
 * Windows a stream (with one or more Window transforms, in order), keys strings by themselves and
 * counts them per key and window; captures the panes and the late records.
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

/**
 * When a processing-time firing due at `target` happens, as the model allows per execution model
 * (the inputs were processed when they arrived, i.e. a watermark step followed them):
 * - element at a time: when the TestStream moves the clock to or past `target` (`clockSteps`);
 * - micro-batch with an interval: at the first batch boundary (a multiple of the interval) at or
 *   after `target`; with `asap` batches, at the clock step, like element at a time.
 */
export function firingAt(run: CaseRun<unknown>, target: Instant, clockSteps: readonly Instant[]): Instant {
  const interval = run.options.batchInterval;
  if (run.microBatch && typeof interval === 'number') return Math.ceil(target / interval) * interval;
  const t = clockSteps.find((s) => s >= target);
  if (t === undefined) throw new Error(`the TestStream never moves the clock to ${target}`);
  return t;
}

/** A LateRecord as Count.perKey (step 'Count.perKey') reports it. */
export function lateRecord(value: string, timestamp: Instant, window: string, reason: LateRecord['reason']): LateRecord {
  return { step: 'Count.perKey', value: { key: value, value }, timestamp, window, reason };
}

/**
 * A scenario shared with the semantic tests (support/scenario.ts; e.g. support/state-scenarios.ts,
 * support/windowing-scenarios.ts) as a case: its lines (by default `<window id> <output>`, sorted)
 * must be the scenario's expected ones.
 */
export function scenarioCase<O>(s: Scenario<O>, notes?: string): ConformanceCase<O> {
  return defineCase({
    name: s.name,
    ...(notes === undefined ? {} : { notes }),
    build: (p) => s.build(p),
    check: ({ out, result }) => expectAll(sameLines(s.lines ? 'outputs' : 'outputs (<window> <output>, sorted)', scenarioLines(s, out, result), s.expected)),
  });
}
