import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import type { Scenario } from './scenario.js';
import { bufferUntilWindowEnd, sumAtWindowEnd } from './window-end-timers.js';

/**
 * Event-time timers of a stateful DoFn in non-merging windows, shared by
 * test/semantics/timer-scenarios.test.ts and the capability matrix's Timers row (cases/when.ts).
 * Timers after merging windows are in state-scenarios.ts; the processing-time timer, whose firing
 * time depends on the execution model, stays in cases/when.ts.
 */

type Ev = KV<string, number>;

export const TIMER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'an event-time timer flushes a bag at the end of each window',
    build: (p): Probe<KV<string, number[]>> =>
      p
        .apply(
          TestStream.create<Ev>()
            .addElements([kv('a', 3), 100], [kv('b', 1), 300], [kv('a', 1), 200], [kv('a', 7), 1500])
            .advanceWatermarkTo(999)
            .addElements([kv('a', 2), 900])
            .advanceWatermarkTo(1000)
            .addElements([kv('b', 5), 1999])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply('Buffer', ParDo(bufferUntilWindowEnd))
        .apply(Capture.records<KV<string, number[]>>()),
    lines: (out: Probe<KV<string, number[]>>) => [...out.lines({ sorted: true }), `timestamps (the timer time): ${out.records.map((r) => r.timestamp).sort((a, b) => a - b).join(',')}`],
    expected: [
      '[0,1000) UNKNOWN #0 last {"key":"a","value":[1,2,3]}',
      '[0,1000) UNKNOWN #0 last {"key":"b","value":[1]}',
      '[1000,2000) UNKNOWN #0 last {"key":"a","value":[7]}',
      '[1000,2000) UNKNOWN #0 last {"key":"b","value":[5]}',
      'timestamps (the timer time): 999,999,1999,1999',
    ],
  },
  {
    name: 'pending event-time timers hold the watermark: their outputs are not late downstream',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(TestStream.create<Ev>().addElements([kv('a', 1), 100], [kv('a', 2), 200], [kv('b', 4), 300]).advanceWatermarkTo(5000).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply('Sum', ParDo(sumAtWindowEnd))
        .apply(Sum.perKey<string>())
        .apply(Capture.records<KV<string, number>>()),
    lines: (out: Probe<KV<string, number>>, result: PipelineResult) => [...out.lines({ sorted: true }), `lateDropped downstream: ${result.metrics['Sum.perKey']?.lateDropped}`],
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":3}', '[0,1000) ON_TIME #0 last {"key":"b","value":4}', 'lateDropped downstream: 0'],
  },
];
