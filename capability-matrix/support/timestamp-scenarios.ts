import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { paneLines, type Scenario } from './scenario.js';

/**
 * Timestamp control (WithTimestamps, outputWithTimestamp, timestamp combiners), shared by
 * test/semantics/timestamp-scenarios.test.ts and the capability matrix's Timestamp control row
 * (cases/where.ts).
 */

interface Ev {
  readonly user: string;
  readonly at: number;
}

type Combiner = 'END_OF_WINDOW' | 'EARLIEST' | 'LATEST';

export const TIMESTAMP_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'WithTimestamps assigns event time from the element',
    build: (p): Probe<unknown> =>
      p
        .apply(Create<Ev>([{ user: 'u1', at: 100 }, { user: 'u1', at: 2100 }, { user: 'u2', at: 1999 }, { user: 'u1', at: 2999 }]))
        .apply(WithTimestamps((e: Ev) => e.at))
        .apply(Window.into(FixedWindows(2000)))
        .apply(WithKeys((e: Ev) => e.user))
        .apply(Count.perKey())
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['[0,2000) ON_TIME #0 last {"key":"u1","value":1}', '[0,2000) ON_TIME #0 last {"key":"u2","value":1}', '[2000,4000) ON_TIME #0 last {"key":"u1","value":2}'],
  },
  {
    name: 'timestamp combiners: END_OF_WINDOW, EARLIEST, LATEST',
    build: (p): Record<Combiner, Probe<unknown>> => {
      const input = p.apply(TestStream.create<string>().addElements(['a', 100], ['a', 900], ['a', 400]).advanceWatermarkToInfinity());
      const probe = (combiner: Combiner) =>
        input
          .apply(`W.${combiner}`, Window.into<string>(FixedWindows(1000)).withTimestampCombiner(combiner))
          .apply(`K.${combiner}`, WithKeys((s: string) => s))
          .apply(`C.${combiner}`, Count.perKey<string>())
          .apply(`P.${combiner}`, Capture.records());
      return { END_OF_WINDOW: probe('END_OF_WINDOW'), EARLIEST: probe('EARLIEST'), LATEST: probe('LATEST') };
    },
    lines: (out: Record<Combiner, Probe<unknown>>) => Object.entries(out).map(([combiner, probe]) => `${combiner}: ${probe.records.map((r) => r.timestamp).join(',')}`),
    expected: ['END_OF_WINDOW: 999', 'EARLIEST: 100', 'LATEST: 900'],
  },
  {
    name: 'a DoFn moves timestamps forward with outputWithTimestamp; windows follow',
    build: (p): Probe<unknown> =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200]).advanceWatermarkToInfinity())
        .apply(
          'Delay',
          ParDo<string, string>({
            process(s, ctx) {
              ctx.outputWithTimestamp(s, s === 'b' ? ctx.timestamp + 1000 : ctx.timestamp);
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
