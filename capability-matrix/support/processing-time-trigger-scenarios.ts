import type { KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
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
