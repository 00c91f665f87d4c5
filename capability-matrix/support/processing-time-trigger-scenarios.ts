import type { KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Scenario } from './scenario.js';

/**
 * Processing-time triggers whose result is the same on every runner configuration (targets on
 * batch boundaries, or never reached), shared by test/semantics/processing-time-trigger-scenarios.test.ts
 * and the capability matrix's Processing-time triggers row (cases/when.ts). The cases whose
 * expectation depends on the execution model stay in cases/when.ts.
 */

export const PROCESSING_TIME_TRIGGER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'Repeatedly(AfterProcessingTime) in the global window: a pane per second while data arrives',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(
          TestStream.create<string>()
            .addElements(['a', 1], ['a', 2])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .addElements(['a', 3])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .advanceProcessingTime(1000)
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<string>(GlobalWindows()).triggering(Repeatedly(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    // in emission order
    lines: (out: Probe<KV<string, number>>) => out.lines({ withTime: true }),
    expected: ['global EARLY #0 {"key":"a","value":2} @pt=1000', 'global EARLY #1 {"key":"a","value":1} @pt=2000'],
  },
  {
    name: 'alignedTo(1 s): keys whose panes started at different times fire together',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(
          TestStream.create<string>()
            .advanceProcessingTime(100)
            .addElements(['a', 100])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(200)
            .addElements(['b', 200], ['b', 300])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(700)
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<string>(FixedWindows(60_000)).triggering(Repeatedly(AfterProcessingTime.pastFirstElementInPane().alignedTo(1000))))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    lines: (out: Probe<KV<string, number>>) => out.lines({ sorted: true, withTime: true }),
    expected: ['[0,60000) EARLY #0 {"key":"a","value":1} @pt=1000', '[0,60000) EARLY #0 {"key":"b","value":2} @pt=1000'],
  },
  {
    name: 'edge: per key, an early firing only where the delay was reached before the watermark closed the window',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .addElements(['b', 200])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(500)
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<string>(FixedWindows(3000)).triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    lines: (out: Probe<KV<string, number>>) => out.lines({ withTime: true }).sort(),
    expected: [
      '[0,3000) EARLY #0 {"key":"a","value":1} @pt=1000',
      '[0,3000) ON_TIME #0 last {"key":"b","value":1} @pt=1500',
      '[0,3000) ON_TIME #1 last {"key":"a","value":0} @pt=1500',
    ],
  },
];
