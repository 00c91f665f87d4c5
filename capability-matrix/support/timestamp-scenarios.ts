import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { paneLines, type Scenario } from './scenario.js';

/**
 * Timestamp control (WithTimestamps, outputWithTimestamp), shared by
 * test/semantics/timestamp-scenarios.test.ts and the capability matrix's Timestamp control row
 * (cases/where.ts).
 */

export const TIMESTAMP_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: "edge: a timestamp on a window's last millisecond stays in it, one millisecond later starts the next window",
    build: (p): Probe<unknown> =>
      p
        .apply(TestStream.create<string>().addElements(['a', 0], ['b', 500]).advanceWatermarkToInfinity())
        .apply(
          'Move',
          ParDo<string, string>({
            process(s, ctx) {
              ctx.outputWithTimestamp(s, s === 'a' ? 999 : 1000);
            },
          }),
        )
        .apply(Window.into<string>(FixedWindows(1000)))
        .apply(Count.perElement<string>())
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[1000,2000) ON_TIME #0 last {"key":"b","value":1}'],
  },
  {
    name: 'edge: WithTimestamps with a negative event time (before the epoch) windows it before 0',
    build: (p): Probe<unknown> =>
      p
        .apply(Create([-1, -1000, 0]))
        .apply(WithTimestamps((n: number) => n))
        .apply(Window.into<number>(FixedWindows(1000)))
        .apply(Count.globally())
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['[-1000,0) ON_TIME #0 last 2', '[0,1000) ON_TIME #0 last 1'],
  },
];
