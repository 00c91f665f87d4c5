import type { KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import type { AccumulationMode } from '../../sdk/windowing-strategy.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { Values } from '../../transforms/with-keys.js';
import { eq, expectAll, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability, type ConformanceCase } from '../model.js';
import { ACCUMULATING_SCENARIOS, DISCARDING_SCENARIOS } from '../support/accumulation-scenarios.js';
import { countPerKey, type Counted } from '../support/count-per-key.js';
import { scenarioCase } from './common.js';

/** How refinements relate: discarding, accumulating, accumulating and retracting panes. */

const SOURCE = 'cases/how.ts';

function windowing(mode: AccumulationMode, lateness = 0, late = false): WindowTransform<string> {
  const trigger = late ? AfterWatermark().withLateFirings(AfterCount(1)) : AfterWatermark().withEarlyFirings(AfterCount(2));
  const w = Window.into<string>(FixedWindows(10_000)).triggering(trigger).withAllowedLateness(lateness);
  return mode === 'discarding' ? w.discardingFiredPanes() : mode === 'accumulating' ? w.accumulatingFiredPanes() : w.accumulatingAndRetractingFiredPanes();
}

/**
 * Early panes every 2 elements of a key; each group ends with a watermark step that keeps the
 * watermark, so a micro-batch ends there too and every runner fires the same panes. Totals: a = 4, b = 3.
 */
const earlyStream = () =>
  TestStream.create<string>()
    .addElements(['a', 1000], ['a', 2000])
    .advanceWatermarkTo(0)
    .addElements(['b', 1500], ['b', 2500], ['a', 3000])
    .advanceWatermarkTo(0)
    .addElements(['a', 4000], ['b', 5000])
    .advanceWatermarkTo(0)
    .advanceWatermarkToInfinity();

/** An on-time pane of 2, then two late elements, each in its own step. */
const lateStream = () =>
  TestStream.create<string>()
    .addElements(['a', 100], ['a', 200])
    .advanceWatermarkTo(10_000)
    .addElements(['a', 300])
    .advanceWatermarkTo(10_000)
    .addElements(['a', 400])
    .advanceWatermarkToInfinity();

const linesOf = (probe: Probe<KV<string, number>>, key: string) => probe.lines().filter((l) => l.includes(`"key":"${key}"`));

function earlyCase(mode: AccumulationMode, a: string[], b: string[]): ConformanceCase<Counted> {
  return defineCase({
    name: 'early panes every 2 elements, then the on-time pane',
    build: (p: Pipeline) => countPerKey(p, earlyStream(), windowing(mode)),
    check: ({ out }) => expectAll(sameLines('panes of a', linesOf(out.out, 'a'), a), sameLines('panes of b', linesOf(out.out, 'b'), b)),
  });
}

function lateCase(mode: AccumulationMode, expected: string[]): ConformanceCase<Counted> {
  return defineCase({
    name: 'an on-time pane, then a LATE pane per late element',
    build: (p: Pipeline) => countPerKey(p, lateStream(), windowing(mode, 5000, true)),
    check: ({ out }) => expectAll(sameLines('panes', out.out.lines(), expected)),
  });
}

const discarding: Capability = {
  id: 'how.discarding',
  group: 'How',
  name: 'Discarding',
  beamRow: 'Discarding',
  source: 'support/accumulation-scenarios.ts',
  description: 'Each pane holds only what arrived since the previous pane.',
  cases: DISCARDING_SCENARIOS.map((x) => scenarioCase(x)),
};

const accumulating: Capability = {
  id: 'how.accumulating',
  group: 'How',
  name: 'Accumulating',
  beamRow: 'Accumulating',
  source: 'support/accumulation-scenarios.ts',
  description: 'Each pane holds everything the window received so far.',
  cases: ACCUMULATING_SCENARIOS.map((x) => scenarioCase(x)),
};

const retracting: Capability = {
  id: 'how.retracting',
  group: 'How',
  name: 'Accumulating & Retracting',
  beamRow: 'Accumulating & Retracting',
  source: SOURCE,
  description: 'Accumulating, and each new pane is preceded by a retraction of the previous one, which downstream aggregations subtract.',
  cases: [
    earlyCase(
      'retracting',
      [
        '[0,10000) EARLY #0 {"key":"a","value":2}',
        '-[0,10000) EARLY #1 {"key":"a","value":2}',
        '[0,10000) EARLY #1 {"key":"a","value":4}',
        '-[0,10000) ON_TIME #2 last {"key":"a","value":4}',
        '[0,10000) ON_TIME #2 last {"key":"a","value":4}',
      ],
      ['[0,10000) EARLY #0 {"key":"b","value":2}', '-[0,10000) ON_TIME #1 last {"key":"b","value":2}', '[0,10000) ON_TIME #1 last {"key":"b","value":3}'],
    ),
    lateCase('retracting', [
      '[0,10000) ON_TIME #0 {"key":"a","value":2}',
      '-[0,10000) LATE #1 {"key":"a","value":2}',
      '[0,10000) LATE #1 {"key":"a","value":3}',
      '-[0,10000) LATE #2 {"key":"a","value":3}',
      '[0,10000) LATE #2 {"key":"a","value":4}',
    ]),
    defineCase({
      name: 'a downstream Sum subtracts the retractions and ends with the true total',
      build(p) {
        const { counts } = countPerKey(p, earlyStream(), windowing('retracting'));
        return counts.apply('Counts', Values<string, number>()).apply('Total', Sum.globally()).apply('TotalOut', Capture.records());
      },
      check({ out }) {
        const last = out.records.filter((r) => !r.retraction && r.pane.isLast).map((r) => r.value);
        const net = out.records.reduce((s, r) => s + (r.retraction ? -r.value : r.value), 0);
        return expectAll(eq('final total', last, [7]), eq('net of panes minus retractions', net, 7));
      },
    }),
    defineCase({
      name: 'a late element merging two emitted sessions retracts both',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>().addElements(['a', 0], ['a', 1500]).advanceWatermarkTo(3000).addElements(['a', 800]).advanceWatermarkToInfinity(),
          Window.into<string>(Sessions(1000))
            .triggering(AfterWatermark().withLateFirings(AfterCount(1)))
            .withAllowedLateness(10_000)
            .accumulatingAndRetractingFiredPanes(),
        );
      },
      check({ out }) {
        return expectAll(
          sameLines('panes', sortedLines(out.out), [
            '-[0,1000) LATE #1 {"key":"a","value":1}',
            '-[1500,2500) LATE #1 {"key":"a","value":1}',
            '[0,1000) ON_TIME #0 {"key":"a","value":1}',
            '[0,2500) LATE #1 {"key":"a","value":3}',
            '[1500,2500) ON_TIME #0 {"key":"a","value":1}',
          ]),
        );
      },
    }),
  ],
};

export const HOW: readonly Capability[] = [discarding, accumulating, retracting];
