import type { KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import type { Scenario } from './scenario.js';

/**
 * Processing-time windows where every runner configuration must agree (elements arrive on window
 * and batch boundaries), shared by test/semantics/processing-time-window-scenarios.test.ts and the
 * capability matrix's Processing-time windows row (cases/processing-time-windows.ts); the cases whose
 * stamps or firing times depend on the execution model stay there.
 */

export const PROCESSING_TIME_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: "edge: an element arriving exactly at a window's end (pt=10 s) is counted in the next window",
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(TestStream.create<string>().addElements(['a', 5]).advanceProcessingTimeTo(10_000).addElements(['b', 5]).advanceProcessingTimeTo(15_000))
        .apply(Window.into<string>(ProcessingTimeWindows.tumbling(10_000)))
        .apply(Count.perElement<string>())
        .apply(Capture.records()),
    lines: (out: Probe<KV<string, number>>) => out.lines({ sorted: true }),
    expected: ['[0,10000) ON_TIME #0 last {"key":"a","value":1}', '[10000,20000) ON_TIME #0 last {"key":"b","value":1}'],
  },
];
