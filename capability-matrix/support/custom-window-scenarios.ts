import { kv, type KV } from '../../sdk/kv.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { CappedSessions } from './capped-sessions.js';
import { paneLines, paneLinesWithTimestamps, type Scenario } from './scenario.js';

/**
 * User WindowFns, non-merging and merging, shared by test/semantics/custom-window-scenarios.test.ts
 * and the capability matrix's Custom windows and Custom merging windows rows (cases/where.ts).
 */

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

interface Bill {
  readonly account: string;
  /** Billing period, e.g. '2024-01' (UTC calendar month). */
  readonly period: string;
  readonly amount: number;
}
interface PeriodWindow extends BoundedWindow {
  readonly kind: 'billing-period';
}
/** The window comes from a field of the element, not its timestamp. */
const ByBillingPeriod: WindowFn<Bill> = {
  name: 'ByBillingPeriod',
  isMerging: false,
  assignWindows({ element }) {
    const [y, m] = element.period.split('-').map(Number) as [number, number];
    const end = Date.UTC(y, m, 1); // month m (1-based) ends where month m+1 (0-based m) starts
    const w: PeriodWindow = { kind: 'billing-period', id: `period:${element.period}`, maxTimestamp: end - 1 };
    return [w];
  },
};

/** Window kinds of a probe's records, deduplicated and sorted. */
const kinds = (probe: Probe<unknown>) => `window kinds: ${[...new Set(probe.records.map((r) => r.window.kind ?? 'none'))].sort().join(',')}`;

export const CUSTOM_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'a custom window kind chosen from the element, stamped with its max timestamp',
    build: (p): Probe<number> => p.apply(TestStream.create<number>().addElements([1, 100], [2, 200], [3, 300], [4, 9000]).advanceWatermarkToInfinity()).apply(Window.into<number>(ByParity)).apply(Sum.globally().withoutDefaults()).apply(Capture.records()),
    lines: (out: Probe<number>) => [...paneLinesWithTimestamps(out), kinds(out)],
    expected: ['even ON_TIME #0 last 6 ts=9999', 'odd ON_TIME #0 last 4 ts=9999', 'window kinds: parity'],
  },
  {
    name: 'custom interval windows of growing size, fired by the watermark in order',
    build: (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 10], ['a', 1500], ['a', 2999]).advanceWatermarkTo(3000).addElements(['a', 6000]).advanceWatermarkToInfinity())
        .apply(Window.into<string>(Doubling))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    lines: (out: Probe<KV<string, number>>) => out.lines(),
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[1000,3000) ON_TIME #0 last {"key":"a","value":2}', '[3000,7000) ON_TIME #0 last {"key":"a","value":1}'],
  },
  {
    name: 'windows from a field of the element: a January bill arriving in February is in January',
    build: (p): Probe<KV<string, number>> =>
      p
        .apply(
          TestStream.create<Bill>()
            .addElements([{ account: 'x', period: '2024-01', amount: 5 }, Date.UTC(2024, 0, 15)], [{ account: 'x', period: '2024-01', amount: 7 }, Date.UTC(2024, 1, 10)])
            .addElements([{ account: 'x', period: '2024-02', amount: 1 }, Date.UTC(2024, 1, 10)], [{ account: 'y', period: '2024-01', amount: 2 }, Date.UTC(2024, 0, 15)])
            .advanceWatermarkTo(Date.UTC(2024, 1, 1)) // January's windows close
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into<Bill>(ByBillingPeriod))
        .apply(MapElements((b: Bill) => kv(b.account, b.amount)))
        .apply(Sum.perKey<string>())
        .apply(Capture.records()),
    // January's windows fire at the first watermark step, before February's
    lines: (out: Probe<KV<string, number>>) => [...paneLinesWithTimestamps(out), kinds(out), `first two: ${out.lines().slice(0, 2).map((l) => l.split(' ')[0]).join(', ')}`],
    expected: [
      `period:2024-01 ON_TIME #0 last {"key":"x","value":12} ts=${Date.UTC(2024, 1, 1) - 1}`,
      `period:2024-01 ON_TIME #0 last {"key":"y","value":2} ts=${Date.UTC(2024, 1, 1) - 1}`,
      `period:2024-02 ON_TIME #0 last {"key":"x","value":1} ts=${Date.UTC(2024, 2, 1) - 1}`,
      'window kinds: billing-period',
      'first two: period:2024-01, period:2024-01',
    ],
  },
  {
    name: 'edge: a custom window with no elements never fires; an element past the last custom window end is in the next one',
    build: (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 999]).advanceWatermarkTo(10_000).addElements(['a', 7000]).advanceWatermarkToInfinity())
        .apply(Window.into<string>(Doubling))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    // [1000,3000) and [3000,7000) got nothing; 7000 arrives behind the watermark but belongs to [7000,15000), still open
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":1}', '[7000,15000) ON_TIME #0 last {"key":"a","value":1}'],
  },
];

const capped = (p: Parameters<Scenario['build']>[0], stream: TestStream<string>) =>
  p.apply(stream).apply(Window.into<string>(CappedSessions(1000, 3000))).apply(WithKeys((s: string) => s)).apply(Count.perKey<string>()).apply(Capture.records());

export const CUSTOM_MERGING_WINDOW_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'sessions capped at 3 s (Count.perKey): the element that would make a session longer starts a new one',
    build: (p) =>
      capped(
        p,
        TestStream.create<string>()
          .addElements(['a', 0], ['a', 900], ['a', 1800], ['a', 2700]) // the 4th would make it 3700 ms long
          .advanceWatermarkTo(0)
          .addElements(['a', 3000], ['b', 0], ['b', 900])
          .advanceWatermarkToInfinity(),
      ),
    lines: paneLines,
    expected: ['[0,1900) ON_TIME #0 last {"key":"b","value":2}', '[0,2800) ON_TIME #0 last {"key":"a","value":3}', '[2700,4000) ON_TIME #0 last {"key":"a","value":2}'],
  },
  {
    name: 'sessions capped at 3 s (GroupByKey)',
    build: (p): Probe<KV<string, number[]>> =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 0], [kv('a', 2), 800]).advanceWatermarkTo(0).addElements([kv('a', 3), 1600], [kv('a', 4), 3500]).advanceWatermarkToInfinity())
        .apply(Window.into<KV<string, number>>(CappedSessions(1000, 3000)))
        .apply(GroupByKey<string, number>())
        .apply(MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b))))
        .apply(Capture.records()),
    lines: paneLines,
    expected: ['[0,2600) ON_TIME #0 last {"key":"a","value":[1,2,3]}', '[3500,4500) ON_TIME #0 last {"key":"a","value":[4]}'],
  },
  {
    name: 'edge: a session exactly at the cap (3000 ms) still merges; one element alone is a session of one gap',
    build: (p) => capped(p, TestStream.create<string>().addElements(['a', 0], ['a', 900], ['a', 1800], ['a', 2000], ['b', 500]).advanceWatermarkToInfinity()),
    lines: paneLines,
    expected: ['[0,3000) ON_TIME #0 last {"key":"a","value":4}', '[500,1500) ON_TIME #0 last {"key":"b","value":1}'],
  },
  {
    name: 'edge: a later element bridging two capped sessions merges them only within the cap',
    build: (p) =>
      capped(
        p,
        TestStream.create<string>()
          .addElements(['a', 0], ['a', 1500]) // [0,1000) and [1500,2500)
          .advanceWatermarkTo(0)
          .addElements(['a', 800]) // bridges them: [0,2500), within the cap
          .advanceWatermarkTo(0)
          .addElements(['x', 0], ['x', 2500]) // [0,1000), [2500,3500)
          .advanceWatermarkTo(0)
          .addElements(['x', 1800]) // would bridge into [0,3500) (3500 ms > cap): merges with one side only
          .advanceWatermarkToInfinity(),
      ),
    lines: paneLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"x","value":1}', '[0,2500) ON_TIME #0 last {"key":"a","value":3}', '[1800,3500) ON_TIME #0 last {"key":"x","value":2}'],
  },
];
