import type { Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Window } from '../../transforms/window.js';
import { eq, expectAll, measure, observe, sameLines } from '../check.js';
import { defineCase, type Capability } from '../model.js';
import { DEAD_LETTER_SCENARIOS } from '../support/dead-letter-scenarios.js';
import { KEY_ORDER_SCENARIOS } from '../support/key-order-scenarios.js';
import { PT_LATENCY_SCENARIOS } from '../support/pt-latency-scenarios.js';
import { LATE_DATA_SCENARIOS } from '../support/late-data-scenarios.js';
import { REPLAY_SCENARIOS, replayTranscript } from '../support/replay-scenarios.js';
import { scenarioLines, type Scenario } from '../support/scenario.js';
import { countPerKey } from '../support/count-per-key.js';
import { firingAt, scenarioCase } from './common.js';
import { CHECKPOINT } from './checkpoint.js';
import { DRAIN } from './drain.js';
import { EXACTLY_ONCE } from './exactly-once.js';
import { KAFKA } from './kafka.js';
import { PROCESSING_TIME_WINDOWS } from './processing-time-windows.js';

/** Rows that are not in Beam's matrix: late data, dead letters, replay, latency, and what is not covered yet. */

const SOURCE = 'cases/ours.ts';

const lateData: Capability = {
  id: 'ours.late-data',
  group: 'Ours',
  name: 'Late-data side output',
  source: SOURCE,
  description: 'Records an aggregation drops as late are counted and available on pcoll.lateData(), with the reason.',
  cases: [
    ...LATE_DATA_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

const deadLetters: Capability = {
  id: 'ours.dead-letters',
  group: 'Ours',
  name: 'Dead-letter output',
  source: SOURCE,
  description: 'Elements user code fails on (ParDo.withDeadLetters) and records a source cannot decode go to a dead-letter output instead of failing the run.',
  cases: [
    ...DEAD_LETTER_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

/** A replay scenario (support/replay-scenarios.ts) as a case: run twice, its lines as expected, both transcripts equal. */
function replayScenarioCase(s: Scenario<Probe<unknown>>) {
  return defineCase({
    name: s.name,
    runs: 2,
    build: (p) => s.build(p),
    check(run, all) {
      const [first, second] = all.map((r) => replayTranscript(r.out, r.result));
      return expectAll(
        all.length === 2 ? undefined : `expected 2 runs, got ${all.length}`,
        sameLines('outputs', scenarioLines(s, run.out, run.result), s.expected),
        first === second ? undefined : 'the two runs differ (records, emission times, metrics or batches)',
      );
    },
  });
}

const replay: Capability = {
  id: 'ours.replay',
  group: 'Ours',
  name: 'Bounded replay',
  source: SOURCE,
  description: 'Running the same pipeline on the same bounded input twice gives identical output, emission times and metrics.',
  cases: [
    ...REPLAY_SCENARIOS.map(replayScenarioCase),
  ],
};

const latency: Capability = {
  id: 'ours.pt-latency',
  group: 'Ours',
  name: 'Processing-time trigger latency',
  source: SOURCE,
  description:
    'How long after its target processing time a processing-time trigger fires, measured on the virtual clock (emission time of the pane minus the target).',
  cases: [
    defineCase({
      name: 'an early firing due 500 ms after the first element (clock moves in 100 ms steps)',
      notes:
        'Expects the difference the model allows: an element-at-a-time runner fires as soon as the clock reaches the target (latency 0); ' +
        'a micro-batch runner fires at the first batch boundary at or after it (up to one batch interval later).',
      build(p) {
        let s = TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(0);
        for (let i = 0; i < 20; i++) s = s.advanceProcessingTime(100);
        return countPerKey(p, s.advanceWatermarkToInfinity(), Window.into<string>(FixedWindows(10_000)).triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(500))));
      },
      check(run) {
        const target = 500;
        const early = run.out.out.records.filter((r) => r.pane.timing === 'EARLY');
        if (early.length !== 1) return { ok: false, reason: `expected one EARLY pane, got ${early.length}` };
        const at = early[0]!.emittedAt;
        const expected = firingAt(run, target, Array.from({ length: 21 }, (_, i) => i * 100));
        return measure(`target pt=${target}, fired at pt=${at}: latency ${at - target} ms`, { aspect: 'latency', value: at - target, unit: 'ms' }, eq('emission time of the early pane', at, expected));
      },
    }),
    ...PT_LATENCY_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

const keyOrder: Capability = {
  id: 'ours.key-order',
  group: 'Ours',
  name: 'Key-ordered delivery',
  beamRow: 'Key-ordered delivery',
  source: SOURCE,
  description: 'Elements of one key reach the next step in the order the previous step emitted them.',
  cases: [
    ...KEY_ORDER_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

/** A row Watershed does not implement at all: No, with what is missing (not "not yet covered"). */
export const notImplemented = (id: string, group: Capability['group'], name: string, description: string, missing: string, beamRow?: string): Capability => ({
  id,
  group,
  name,
  source: SOURCE,
  description,
  ...(beamRow ? { beamRow } : {}),
  cases: [],
  notImplemented: missing,
});

export const OURS: readonly Capability[] = [
  lateData,
  deadLetters,
  replay,
  latency,
  PROCESSING_TIME_WINDOWS,
  KAFKA,
  CHECKPOINT,
  DRAIN,
  keyOrder,
  EXACTLY_ONCE,
];

