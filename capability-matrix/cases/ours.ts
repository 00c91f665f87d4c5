import type { Source, SourceBatch } from '../../sdk/io/source.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Count } from '../../transforms/combiners/count.js';
import { Filter } from '../../transforms/filter.js';
import { MapElements } from '../../transforms/map.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { eq, expectAll, measure, observe, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability, type CaseRun } from '../model.js';
import { DEAD_LETTER_SCENARIOS } from '../support/dead-letter-scenarios.js';
import { KEY_ORDER_SCENARIOS } from '../support/key-order-scenarios.js';
import { PT_LATENCY_SCENARIOS } from '../support/pt-latency-scenarios.js';
import { LATE_DATA_SCENARIOS } from '../support/late-data-scenarios.js';
import { REPLAY_SCENARIOS, replayTranscript } from '../support/replay-scenarios.js';
import { scenarioLines, type Scenario } from '../support/scenario.js';
import { countPerKey, firingAt, scenarioCase } from './common.js';
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

/** Everything a run shows: every record with window, pane and emission time, the metrics and the batches. */
function transcript(run: CaseRun<Probe<unknown>>): string {
  return JSON.stringify({ records: run.out.records, metrics: run.result.metrics, batches: run.result.batches ?? null });
}

/**
 * Both runs must be identical, and right: `finalPanes` are the final pane of each window (without
 * the pane index, which depends on how many early panes the execution model fired).
 */
function replayCheck(finalPanes: readonly string[]) {
  return (run: CaseRun<Probe<unknown>>, all: readonly CaseRun<Probe<unknown>>[]) => {
    const [first, second] = all.map(transcript);
    const finals = sortedLines(run.out)
      .filter((l) => l.includes(' last '))
      .map((l) => l.replace(/ #\d+ last /, ' last '));
    return expectAll(
      all.length === 2 ? undefined : `expected 2 runs, got ${all.length}`,
      sameLines('final panes', finals, finalPanes),
      first === second ? undefined : 'the two runs differ (records, emission times, metrics or batches)',
    );
  };
}

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

/** A bounded source replaying fixed records over several polls. */
function replaySource(): Source<string> {
  const records = ['a', 'b', 'a', 'c', 'a', 'b'].map((value, i) => ({ value, timestamp: i * 400 }));
  return {
    name: 'Replay',
    bounded: true,
    async open() {
      let pos = 0;
      return {
        async poll(): Promise<SourceBatch<string>> {
          const elements = records.slice(pos, pos + 2);
          pos += 2;
          return { elements, watermark: pos * 400 - 1, done: pos >= records.length };
        },
        async close() {},
      };
    },
  };
}

const replay: Capability = {
  id: 'ours.replay',
  group: 'Ours',
  name: 'Bounded replay',
  source: SOURCE,
  description: 'Running the same pipeline on the same bounded input twice gives identical output, emission times and metrics.',
  cases: [
    defineCase({
      name: 'a TestStream pipeline with sessions and processing-time early firings, run twice',
      runs: 2,
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 0], ['b', 100])
            .advanceProcessingTime(700)
            .addElements(['a', 500])
            .advanceWatermarkTo(400)
            .advanceProcessingTime(900)
            .addElements(['a', 3000], ['b', 350])
            .advanceWatermarkToInfinity(),
          Window.into<string>(Sessions(1000))
            .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(500)))
            .accumulatingFiredPanes(),
        ).out as Probe<unknown>;
      },
      check: replayCheck([
        '[0,1500) ON_TIME last {"key":"a","value":2}',
        '[100,1350) ON_TIME last {"key":"b","value":2}',
        '[3000,4000) ON_TIME last {"key":"a","value":1}',
      ]),
    }),
    defineCase({
      name: 'a custom bounded source, read twice',
      runs: 2,
      build(p) {
        return p
          .apply(Read(replaySource()))
          .apply(Window.into<string>(FixedWindows(1000)))
          .apply(Count.perElement<string>())
          .apply(Capture.records()) as Probe<unknown>;
      },
      check: replayCheck([
        '[0,1000) ON_TIME last {"key":"a","value":2}',
        '[0,1000) ON_TIME last {"key":"b","value":1}',
        '[1000,2000) ON_TIME last {"key":"a","value":1}',
        '[1000,2000) ON_TIME last {"key":"c","value":1}',
        '[2000,3000) ON_TIME last {"key":"b","value":1}',
      ]),
    }),
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
    defineCase({
      name: 'two keys interleaved over several bundles and watermark steps keep their order through two steps',
      build(p) {
        let s = TestStream.create<KV<string, number>>();
        for (let round = 0; round < 4; round++) {
          const els: [KV<string, number>, number][] = [];
          for (let i = 0; i < 5; i++) els.push([kv('a', round * 5 + i), 1000 - round * 10 - i], [kv('b', round * 5 + i), round * 10 + i]);
          s = s.addElements(...els).advanceWatermarkTo(round * 10);
        }
        return p
          .apply(s.advanceWatermarkToInfinity())
          .apply('Double', MapElements((e: KV<string, number>) => kv(e.key, e.value * 2)))
          .apply('Keep', Filter((e: KV<string, number>) => e.value >= 0))
          .apply(Capture.records<KV<string, number>>());
      },
      check({ out }) {
        const of = (k: string) => out.values().filter((v) => v.key === k).map((v) => v.value);
        const expected = Array.from({ length: 20 }, (_, i) => i * 2);
        // event time runs backwards for a: the order is arrival order, not timestamp order
        return expectAll(eq('order of a', of('a'), expected), eq('order of b', of('b'), expected));
      },
    }),
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

