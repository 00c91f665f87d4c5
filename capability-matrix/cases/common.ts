import type { LateRecord } from '../../sdk/graph.js';
import type { Instant } from '../../sdk/time.js';
import { sameLines, expectAll } from '../check.js';
import { defineCase, type CaseRun, type ConformanceCase } from '../model.js';
import { scenarioLines, type Scenario } from '../support/scenario.js';

/** Building blocks shared by the cases (the count-per-key pipeline and its grouped inputs: support/count-per-key.ts). */

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
