import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import { TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterAll } from '../../sdk/triggers/after-all.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterEach } from '../../sdk/triggers/after-each.js';
import { AfterFirst } from '../../sdk/triggers/after-first.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { eq, expectAll, measure, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability } from '../model.js';
import { PROCESSING_TIME_TRIGGER_SCENARIOS } from '../support/processing-time-trigger-scenarios.js';
import { countPerKey, groups } from '../support/count-per-key.js';
import { firingAt, lateRecord, scenarioCase } from './common.js';
import { MERGING_TIMER_SCENARIOS } from '../support/state-scenarios.js';
import { TIMER_SCENARIOS } from '../support/timer-scenarios.js';
import { ALLOWED_LATENESS_SCENARIOS, CONFIGURABLE_TRIGGER_SCENARIOS, COUNT_TRIGGER_SCENARIOS, EVENT_TIME_TRIGGER_SCENARIOS } from '../support/trigger-scenarios.js';

/**
 * When in processing time: triggers, allowed lateness, timers. Element groups that a count trigger
 * must see exactly end with a watermark step (see `groups`), so micro-batches end there too; where
 * the model lets execution models differ, the case says so and checks each model's result.
 */

const SOURCE = 'cases/when.ts';
/** formatWindow of [0,3000), as late records name it. */
const W0_3S = '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:03.000Z)';
const in3s = (t: Trigger) => Window.into<string>(FixedWindows(3000)).triggering(t);

const configurable: Capability = {
  id: 'when.configurable',
  group: 'When',
  name: 'Configurable triggering',
  beamRow: 'Configurable triggering',
  source: 'support/trigger-scenarios.ts',
  description: 'The user sets the trigger and the on-time behaviour instead of the defaults.',
  cases: CONFIGURABLE_TRIGGER_SCENARIOS.map((x) => scenarioCase(x)),
};

const eventTime: Capability = {
  id: 'when.event-time',
  group: 'When',
  name: 'Event-time triggers',
  beamRow: 'Event-time triggers',
  source: 'support/trigger-scenarios.ts',
  description: 'Firing on watermark progress (AfterWatermark, the default trigger).',
  cases: EVENT_TIME_TRIGGER_SCENARIOS.map((x) => scenarioCase(x)),
};

const processingTime: Capability = {
  id: 'when.processing-time',
  group: 'When',
  name: 'Processing-time triggers',
  beamRow: 'Processing-time triggers',
  source: SOURCE,
  description: 'Firing on processing time (AfterProcessingTime: delay, alignment), on the virtual clock.',
  cases: [
    defineCase({
      name: 'an early pane 500 ms after the first element',
      notes:
        'Expects the difference the model allows: an element-at-a-time runner fires when the clock reaches the target (pt=500); ' +
        'a micro-batch runner fires at the first batch boundary at or after it (pt=1000 with the default 1 s interval).',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(0).advanceProcessingTime(500).advanceProcessingTime(500).advanceWatermarkToInfinity(),
          in3s(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(500))),
        );
      },
      check(run) {
        const at = firingAt(run, 500, [0, 500, 1000]);
        const early = run.out.out.records.find((r) => r.pane.timing === 'EARLY');
        return measure(
          `early pane due at pt=500, emitted at pt=${early?.emittedAt ?? 'never'}`,
          early && { aspect: 'latency', value: early.emittedAt - 500, unit: 'ms' },
          sameLines('panes with emission time', run.out.out.lines({ withTime: true }), [
            `[0,3000) EARLY #0 {"key":"a","value":1} @pt=${at}`,
            '[0,3000) ON_TIME #1 last {"key":"a","value":0} @pt=1000',
          ]),
        );
      },
    }),
    ...PROCESSING_TIME_TRIGGER_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

const count: Capability = {
  id: 'when.count',
  group: 'When',
  name: 'Count triggers',
  beamRow: 'Count triggers',
  source: SOURCE,
  description: 'Firing after N elements (AfterCount, repeated).',
  cases: [
    ...COUNT_TRIGGER_SCENARIOS.map((x) => scenarioCase(x)),
    defineCase({
      name: 'Repeatedly(AfterCount(2)) over 5 elements arriving together',
      notes:
        'Expects the difference the model allows: an element-at-a-time runner fires after the 2nd and 4th element; ' +
        'a micro-batch runner evaluates the trigger at the end of the batch, so the 5 elements make one pane (and nothing is left for a final pane).',
      build(p) {
        return countPerKey(p, groups(5), in3s(Repeatedly(AfterCount(2))));
      },
      check({ out, microBatch }) {
        const early = out.out.records.filter((r) => r.pane.timing === 'EARLY').map((r) => r.value.value);
        return measure(
          `${early.length} early pane${early.length === 1 ? '' : 's'} (${early.join(' + ')} elements) for 5 elements arriving together`,
          { aspect: 'pane granularity', value: early.length, unit: 'panes' },
          sameLines(
            microBatch ? 'panes (micro-batch)' : 'panes (element at a time)',
            out.out.lines(),
            microBatch
              ? ['[0,3000) EARLY #0 {"key":"a","value":5}']
              : ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #1 {"key":"a","value":2}', '[0,3000) ON_TIME #2 last {"key":"a","value":1}'],
          ),
        );
      },
    }),
  ],
};

const composite: Capability = {
  id: 'when.composite',
  group: 'When',
  name: 'Composite triggers',
  beamRow: 'Composite triggers',
  source: SOURCE,
  description: 'Triggers built from triggers: AfterEach, AfterFirst, AfterAll, orFinally, early/on-time/late.',
  cases: [
    defineCase({
      name: 'AfterEach.inOrder(AfterCount(2), AfterCount(3))',
      build(p) {
        return countPerKey(p, groups(2, 3, 1), in3s(AfterEach(AfterCount(2), AfterCount(3))));
      },
      check({ out }) {
        return expectAll(
          sameLines('panes', out.out.lines(), ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #1 last {"key":"a","value":3}']),
          eq('late records', out.late.values(), [lateRecord('a', 160, W0_3S, 'window-closed')]),
        );
      },
    }),
    defineCase({
      name: 'AfterFirst.of(AfterCount(3), AfterProcessingTime(1 s)): whichever comes first',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .addElements(['b', 200], ['b', 300], ['b', 400])
            .advanceWatermarkTo(0)
            .advanceWatermarkToInfinity(),
          in3s(AfterFirst(AfterCount(3), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))),
        );
      },
      check({ out }) {
        return expectAll(
          sameLines('panes with emission time', sortedLines(out.out, true), [
            '[0,3000) EARLY #0 last {"key":"a","value":1} @pt=1000',
            '[0,3000) EARLY #0 last {"key":"b","value":3} @pt=1000',
          ]),
        );
      },
    }),
    defineCase({
      name: 'AfterAll.of(AfterCount(2), AfterProcessingTime(1 s)): waits for both',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .addElements(['a', 200])
            .advanceWatermarkTo(0)
            .advanceWatermarkToInfinity(),
          in3s(AfterAll(AfterCount(2), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))),
        );
      },
      check({ out }) {
        return expectAll(sameLines('panes with emission time', out.out.lines({ withTime: true }), ['[0,3000) EARLY #0 last {"key":"a","value":2} @pt=1000']));
      },
    }),
    defineCase({
      name: 'orFinally(Repeatedly(AfterCount(1)), AfterCount(3))',
      build(p) {
        return countPerKey(p, groups(1, 1, 1, 1), in3s(Repeatedly(AfterCount(1)).orFinally(AfterCount(3))));
      },
      check({ out }) {
        return expectAll(
          sameLines('panes', out.out.lines(), [
            '[0,3000) EARLY #0 {"key":"a","value":1}',
            '[0,3000) EARLY #1 {"key":"a","value":1}',
            '[0,3000) EARLY #2 last {"key":"a","value":1}',
          ]),
          eq('late records', out.late.values(), [lateRecord('a', 140, W0_3S, 'window-closed')]),
        );
      },
    }),
    defineCase({
      name: 'early, on-time and late firings (AfterWatermark with early and late AfterCount(2))',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100], ['a', 200])
            .advanceWatermarkTo(0)
            .addElements(['a', 300])
            .advanceWatermarkTo(3000)
            .addElements(['a', 600], ['a', 700])
            .advanceWatermarkTo(3000)
            .addElements(['a', 800])
            .advanceWatermarkTo(4000)
            .advanceWatermarkToInfinity(),
          in3s(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(2))).withAllowedLateness(1000),
        );
      },
      check({ out }) {
        return expectAll(
          sameLines('panes', out.out.lines(), [
            '[0,3000) EARLY #0 {"key":"a","value":2}',
            '[0,3000) ON_TIME #1 {"key":"a","value":1}',
            '[0,3000) LATE #2 {"key":"a","value":2}',
            '[0,3000) LATE #3 last {"key":"a","value":1}',
          ]),
        );
      },
    }),
  ],
};

const allowedLateness: Capability = {
  id: 'when.allowed-lateness',
  group: 'When',
  name: 'Allowed lateness',
  beamRow: 'Allowed lateness',
  source: 'support/trigger-scenarios.ts',
  description: 'Late data within the allowed lateness updates the window; beyond it, it is dropped and counted.',
  cases: ALLOWED_LATENESS_SCENARIOS.map((x) => scenarioCase(x)),
};

type Ev = KV<string, number>;

const timers: Capability = {
  id: 'when.timers',
  group: 'When',
  name: 'Timers',
  beamRow: 'Timers',
  source: SOURCE,
  description: 'Event-time and processing-time timers in a stateful DoFn, also after merging windows (Sessions): timers of merged windows move to the merged window.',
  cases: [
    ...TIMER_SCENARIOS.map((x) => scenarioCase(x)),
    defineCase({
      name: 'a processing-time timer 1.3 s after the element',
      notes:
        'Expects the difference the model allows: an element-at-a-time runner fires at pt=1300; ' +
        'a micro-batch runner fires at the first batch boundary at or after it (pt=2000 with the default 1 s interval).',
      build(p) {
        const fn = statefulDoFn({
          timers: { ping: TimerSpec.processingTime() },
          process(_e: Ev, ctx) {
            ctx.timers.ping.offset(1300);
          },
          onTimer: {
            ping(ctx) {
              ctx.output(kv(ctx.key as string, ctx.processingTime));
            },
          },
        });
        return p
          .apply(TestStream.create<Ev>().addElements([kv('a', 0), 0]).advanceWatermarkTo(0).advanceProcessingTime(1300).advanceProcessingTime(700).advanceWatermarkToInfinity())
          .apply('Ping', ParDo(fn))
          .apply(Capture.records<KV<string, number>>());
      },
      check(run) {
        const at = firingAt(run, 1300, [0, 1300, 2000]);
        const fired = run.out.values()[0]?.value;
        return measure(`timer due at pt=1300 fired at pt=${fired ?? 'never'}`, fired === undefined ? undefined : { aspect: 'latency', value: fired - 1300, unit: 'ms' }, eq('timer firings (key, processing time)', run.out.values(), [kv('a', at)]));
      },
    }),
    ...MERGING_TIMER_SCENARIOS.map((x, i) =>
      scenarioCase(
        x,
        i === 0
          ? 'Beam’s Dataflow and Flink runners publish Partially for this row: timers in non-merging windows only. Watershed moves the timers of merged windows to the merged window, ' +
              'each at the latest time it had; the scenarios are shared with test/semantics/merging-state.test.ts (support/state-scenarios.ts).'
          : undefined,
      ),
    ),
  ],
};

const metadataDriven: Capability = {
  id: 'when.metadata-driven',
  group: 'When',
  name: '[Meta]data driven triggers',
  source: SOURCE,
  description: 'Triggers that fire on something in the data or its metadata (e.g. an end-of-file marker), not on time or counts.',
  cases: [],
  notImplemented: 'no trigger reads element contents or metadata; Watershed’s triggers see counts, the watermark and processing time only',
};

export const WHEN: readonly Capability[] = [configurable, eventTime, processingTime, count, metadataDriven, composite, allowedLateness, timers];
