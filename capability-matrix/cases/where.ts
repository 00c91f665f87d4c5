import { kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { intervalWindow, isIntervalWindow, type BoundedWindow, type IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import type { MergeResult, WindowFn } from '../../sdk/windows/window-fn.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { Map } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { eq, expectAll, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability } from '../model.js';
import { FIXED_WINDOW_SCENARIOS, GLOBAL_WINDOW_SCENARIOS, SESSION_WINDOW_SCENARIOS, SLIDING_WINDOW_SCENARIOS } from '../support/windowing-scenarios.js';
import { countPerKey, scenarioCase } from './common.js';

/** Where in event time: windows and timestamps. */

const SOURCE = 'cases/where.ts';

const global: Capability = {
  id: 'where.global',
  group: 'Where',
  name: 'Global windows',
  beamRow: 'Global windows',
  source: SOURCE,
  description: 'The default window covering all of time.',
  cases: GLOBAL_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const fixed: Capability = {
  id: 'where.fixed',
  group: 'Where',
  name: 'Fixed windows',
  beamRow: 'Fixed windows',
  source: SOURCE,
  description: 'Fixed-size, non-overlapping event-time windows (with an optional offset).',
  cases: FIXED_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const sliding: Capability = {
  id: 'where.sliding',
  group: 'Where',
  name: 'Sliding windows',
  beamRow: 'Sliding windows',
  source: SOURCE,
  description: 'Overlapping fixed-size windows: each element is in size/period windows.',
  cases: SLIDING_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

const sessions: Capability = {
  id: 'where.sessions',
  group: 'Where',
  name: 'Session windows',
  beamRow: 'Session windows',
  source: SOURCE,
  description: 'Per-key windows of activity separated by a gap (merging windows).',
  cases: SESSION_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
};

/** A custom, non-interval window kind: elements go to the 'even' or 'odd' window by value; both end at 10 s. */
interface ParityWindow extends BoundedWindow {
  readonly kind: 'parity';
}
const ByParity: WindowFn<number> = {
  name: 'ByParity',
  isMerging: false,
  assignWindows: ({ element }): ParityWindow[] => [{ kind: 'parity', id: element % 2 === 0 ? 'even' : 'odd', maxTimestamp: 9999 }],
};

/** Windows that double in size: [0,1000), [1000,3000), [3000,7000), … */
const Doubling: WindowFn<unknown> = {
  name: 'Doubling',
  isMerging: false,
  assignWindows: ({ timestamp }) => {
    let start = 0;
    let size = 1000;
    while (timestamp >= start + size) {
      start += size;
      size *= 2;
    }
    return [intervalWindow(start, start + size)];
  },
};

const customWindows: Capability = {
  id: 'where.custom',
  group: 'Where',
  name: 'Custom windows',
  beamRow: 'Custom windows',
  source: SOURCE,
  description: 'User WindowFns assigning their own windows (any window kind with a max timestamp).',
  cases: [
    defineCase({
      name: 'a custom window kind chosen from the element',
      build(p) {
        return p
          .apply(TestStream.create<number>().addElements([1, 100], [2, 200], [3, 300], [4, 9000]).advanceWatermarkToInfinity())
          .apply(Window.into<number>(ByParity))
          .apply(Sum.globally().withoutDefaults())
          .apply(Capture.records());
      },
      check({ out }) {
        return expectAll(
          sameLines('sums', sortedLines(out), ['even ON_TIME #0 last 6', 'odd ON_TIME #0 last 4']),
          eq('window kinds', out.records.map((r) => r.window.kind), ['parity', 'parity']),
          eq('timestamps (window max timestamp)', out.records.map((r) => r.timestamp), [9999, 9999]),
        );
      },
    }),
    defineCase({
      name: 'custom interval windows of growing size, fired by the watermark',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>().addElements(['a', 10], ['a', 1500], ['a', 2999]).advanceWatermarkTo(3000).addElements(['a', 6000]).advanceWatermarkToInfinity(),
          Window.into<string>(Doubling),
        );
      },
      check({ out }) {
        return expectAll(
          sameLines('counts in emission order', out.out.lines(), [
            '[0,1000) ON_TIME #0 last {"key":"a","value":1}',
            '[1000,3000) ON_TIME #0 last {"key":"a","value":2}',
            '[3000,7000) ON_TIME #0 last {"key":"a","value":1}',
          ]),
        );
      },
    }),
  ],
};

/**
 * A custom merging WindowFn: like sessions, but a session never grows longer than `max`; windows
 * that would make it longer start a new one.
 */
function CappedSessions(gap: number, max: number): WindowFn<unknown> {
  return {
    name: `CappedSessions(${gap}, ${max})`,
    isMerging: true,
    assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + gap)],
    mergeWindows(active: readonly BoundedWindow[]): MergeResult[] {
      const ws = active.filter(isIntervalWindow).sort((a, b) => a.start - b.start || a.end - b.end);
      const out: MergeResult[] = [];
      let group: IntervalWindow[] = [];
      let start = 0;
      let end = 0;
      const flush = () => {
        if (group.length > 1) out.push({ toMerge: group, result: intervalWindow(start, end) });
      };
      for (const w of ws) {
        if (group.length && w.start < end && Math.max(end, w.end) - start <= max) {
          group.push(w);
          end = Math.max(end, w.end);
        } else {
          flush();
          group = [w];
          start = w.start;
          end = w.end;
        }
      }
      flush();
      return out;
    },
  };
}

const customMerging: Capability = {
  id: 'where.custom-merging',
  group: 'Where',
  name: 'Custom merging windows',
  beamRow: 'Custom merging windows',
  source: SOURCE,
  description: 'User WindowFns that merge windows (mergeWindows).',
  cases: [
    defineCase({
      name: 'sessions capped at 3 s (Count.perKey)',
      build(p) {
        return countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 0], ['a', 900], ['a', 1800], ['a', 2700])
            .advanceWatermarkTo(0)
            .addElements(['a', 3000], ['b', 0], ['b', 900])
            .advanceWatermarkToInfinity(),
          Window.into<string>(CappedSessions(1000, 3000)),
        );
      },
      check({ out }) {
        return expectAll(
          sameLines('sessions', sortedLines(out.out), [
            '[0,1900) ON_TIME #0 last {"key":"b","value":2}',
            '[0,2800) ON_TIME #0 last {"key":"a","value":3}',
            '[2700,4000) ON_TIME #0 last {"key":"a","value":2}',
          ]),
        );
      },
    }),
    defineCase({
      name: 'sessions capped at 3 s (GroupByKey)',
      build(p) {
        return p
          .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 0], [kv('a', 2), 800]).advanceWatermarkTo(0).addElements([kv('a', 3), 1600], [kv('a', 4), 3500]).advanceWatermarkToInfinity())
          .apply(Window.into<KV<string, number>>(CappedSessions(1000, 3000)))
          .apply(GroupByKey.create<string, number>())
          .apply(Map((g: KV<string, number[]>) => kv(g.key, [...g.value].sort())))
          .apply(Capture.records());
      },
      check({ out }) {
        return expectAll(sameLines('groups', sortedLines(out), ['[0,2600) ON_TIME #0 last {"key":"a","value":[1,2,3]}', '[3500,4500) ON_TIME #0 last {"key":"a","value":[4]}']));
      },
    }),
  ],
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
          .apply(Create.of<Ev>([{ user: 'u1', at: 100 }, { user: 'u1', at: 2100 }, { user: 'u2', at: 1999 }, { user: 'u1', at: 2999 }]))
          .apply(WithTimestamps.of((e: Ev) => e.at))
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
            ParDo.of<string, string>({
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
  ],
};

export const WHERE: readonly Capability[] = [global, fixed, sliding, sessions, customWindows, customMerging, timestampControl];
