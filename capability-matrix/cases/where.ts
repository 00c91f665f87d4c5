import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { eq, expectAll, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability } from '../model.js';
import { CUSTOM_MERGING_WINDOW_SCENARIOS, CUSTOM_WINDOW_SCENARIOS } from '../support/custom-window-scenarios.js';
import { TIMESTAMP_SCENARIOS } from '../support/timestamp-scenarios.js';
import { FIXED_WINDOW_SCENARIOS, GLOBAL_WINDOW_SCENARIOS, SESSION_WINDOW_SCENARIOS, SLIDING_WINDOW_SCENARIOS } from '../support/windowing-scenarios.js';
import { scenarioCase } from './common.js';

/** Where in event time: windows and timestamps. */

const SOURCE = 'cases/where.ts';

const global: Capability = {
  id: 'where.global',
  group: 'Where',
  name: 'Global windows',
  beamRow: 'Global windows',
  source: 'support/windowing-scenarios.ts',
  description: 'The default window covering all of time.',
  cases: GLOBAL_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const fixed: Capability = {
  id: 'where.fixed',
  group: 'Where',
  name: 'Fixed windows',
  beamRow: 'Fixed windows',
  source: 'support/windowing-scenarios.ts',
  description: 'Fixed-size, non-overlapping event-time windows (with an optional offset).',
  cases: FIXED_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const sliding: Capability = {
  id: 'where.sliding',
  group: 'Where',
  name: 'Sliding windows',
  beamRow: 'Sliding windows',
  source: 'support/windowing-scenarios.ts',
  description: 'Overlapping fixed-size windows: each element is in size/period windows.',
  cases: SLIDING_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const sessions: Capability = {
  id: 'where.sessions',
  group: 'Where',
  name: 'Session windows',
  beamRow: 'Session windows',
  source: 'support/windowing-scenarios.ts',
  description: 'Per-key windows of activity separated by a gap (merging windows).',
  cases: SESSION_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const customWindows: Capability = {
  id: 'where.custom',
  group: 'Where',
  name: 'Custom windows',
  beamRow: 'Custom windows',
  source: 'support/custom-window-scenarios.ts',
  description: 'User WindowFns assigning their own windows (any window kind with a max timestamp).',
  cases: CUSTOM_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const customMerging: Capability = {
  id: 'where.custom-merging',
  group: 'Where',
  name: 'Custom merging windows',
  beamRow: 'Custom merging windows',
  source: 'support/custom-window-scenarios.ts',
  description: 'User WindowFns that merge windows (mergeWindows).',
  cases: CUSTOM_MERGING_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

interface Ev {
  readonly user: string;
  readonly at: number;
}

const timestampControl: Capability = {
  id: 'where.timestamp-control',
  group: 'Where',
  name: 'Timestamp control',
  beamRow: 'Timestamp control',
  source: SOURCE,
  description: 'Event time from the element (WithTimestamps, outputWithTimestamp) and the output timestamp of aggregations (timestamp combiners).',
  cases: [
    defineCase({
      name: 'WithTimestamps assigns event time from the element',
      build(p) {
        return p
          .apply(Create<Ev>([{ user: 'u1', at: 100 }, { user: 'u1', at: 2100 }, { user: 'u2', at: 1999 }, { user: 'u1', at: 2999 }]))
          .apply(WithTimestamps((e: Ev) => e.at))
          .apply(Window.into(FixedWindows(2000)))
          .apply(WithKeys((e: Ev) => e.user))
          .apply(Count.perKey())
          .apply(Capture.records());
      },
      check({ out }) {
        return expectAll(
          sameLines('counts', sortedLines(out), [
            '[0,2000) ON_TIME #0 last {"key":"u1","value":1}',
            '[0,2000) ON_TIME #0 last {"key":"u2","value":1}',
            '[2000,4000) ON_TIME #0 last {"key":"u1","value":2}',
          ]),
        );
      },
    }),
    defineCase({
      name: 'timestamp combiners: END_OF_WINDOW, EARLIEST, LATEST',
      build(p) {
        const input = p.apply(TestStream.create<string>().addElements(['a', 100], ['a', 900], ['a', 400]).advanceWatermarkToInfinity());
        const probe = (combiner: 'END_OF_WINDOW' | 'EARLIEST' | 'LATEST') =>
          input
            .apply(`W.${combiner}`, Window.into<string>(FixedWindows(1000)).withTimestampCombiner(combiner))
            .apply(`K.${combiner}`, WithKeys((s: string) => s))
            .apply(`C.${combiner}`, Count.perKey<string>())
            .apply(`P.${combiner}`, Capture.records());
        return { end: probe('END_OF_WINDOW'), earliest: probe('EARLIEST'), latest: probe('LATEST') };
      },
      check({ out }) {
        return expectAll(
          eq('END_OF_WINDOW', out.end.records.map((r) => r.timestamp), [999]),
          eq('EARLIEST', out.earliest.records.map((r) => r.timestamp), [100]),
          eq('LATEST', out.latest.records.map((r) => r.timestamp), [900]),
        );
      },
    }),
    defineCase({
      name: 'a DoFn moves timestamps forward with outputWithTimestamp; windows follow',
      build(p) {
        return p
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
          .apply(Capture.records());
      },
      check({ out }) {
        return expectAll(sameLines('counts', sortedLines(out), ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[1000,2000) ON_TIME #0 last {"key":"b","value":1}']));
      },
    }),
    ...TIMESTAMP_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};

export const WHERE: readonly Capability[] = [global, fixed, sliding, sessions, customWindows, customMerging, timestampControl];
