import type { LateRecord } from '../../sdk/graph.js';
import type { KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Scenario } from './scenario.js';

/**
 * Processing-time windows where every runner configuration must agree (elements arrive on window
 * and batch boundaries, or where a batch's stamp cannot move them to other windows), shared by
 * test/semantics/processing-time-window-scenarios.test.ts and the
 * capability matrix's Processing-time windows row (cases/processing-time-windows.ts); the cases whose
 * stamps or firing times depend on the execution model stay there.
 */

interface Counted {
  readonly out: Probe<KV<string, number>>;
  readonly late: Probe<LateRecord>;
}

export const PROCESSING_TIME_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'no element is late: event time far behind the input watermark is counted in the current window',
    build(p): Counted {
      const counts = p
        .apply(TestStream.create<string>().addElements(['a', 0]).advanceWatermarkTo(1_000_000_000).addElements(['a', 3]).advanceProcessingTimeBy(10_000).advanceWatermarkToInfinity())
        .apply(Window.into<string>(ProcessingTimeWindows.sliding(10_000, 5_000)))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>());
      return { out: counts.apply('Out', Capture.records()), late: counts.lateData().apply('Late', Capture.records()) };
    },
    lines: (c: Counted) => [...c.out.lines({ sorted: true }), `late records: ${c.late.records.length}`],
    expected: ['[-5000,5000) ON_TIME #0 last {"key":"a","value":2}', '[0,10000) ON_TIME #0 last {"key":"a","value":2}', 'late records: 0'],
  },
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
