import { describe, expect, it } from 'vitest';
import type { KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * The windows `assignWindows` returns are a set: a window listed twice (the same id; BoundedWindow:
 * "two windows with the same id are the same window") holds the element once. Before, the element
 * was emitted once per listing and counted twice in that window, silently.
 */
const day = (id: string): BoundedWindow => ({ kind: 'day', id, maxTimestamp: 10_000 });

const CASES: readonly (readonly [string, (timestamp: number) => readonly BoundedWindow[], readonly string[]])[] = [
  ['the same window object twice', () => {
    const w = day('d');
    return [w, w];
  }, ['d=3']],
  ['two equal windows (same id, two objects)', () => [day('d'), day('d')], ['d=3']],
  ['a window twice among others', () => [day('a'), day('b'), day('a'), day('c'), day('b')], ['a=3', 'b=3', 'c=3']],
  ['a window twice in a long list (20 windows)', () => [...Array.from({ length: 19 }, (_, i) => day(`w${i}`)), day('w7')], Array.from({ length: 19 }, (_, i) => `w${i}=3`).sort()],
  ['equal interval windows', (t) => [intervalWindow(0, 1000 + t), intervalWindow(0, 1000 + t), intervalWindow(5, 6)], ['0:1100=1', '0:1200=1', '0:1300=1', '5:6=3']],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('a WindowFn listing a window twice on $label', ({ options }) => {
  it.each(CASES)('%s: the element is counted once in it', async (_name, assign, expected) => {
    const fn: WindowFn<unknown> = { name: 'Twice', isMerging: false, assignWindows: ({ timestamp }) => assign(timestamp) };
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200], ['c', 300]).advanceWatermarkToInfinity())
        .apply('Days', Window.into<string>(fn))
        .apply(WithKeys(() => 'k'))
        .apply(Count.perKey<string>())
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.records.map((r) => `${r.window.id}=${r.value.value}`).sort()).toEqual(expected);
  });

  it('a merging WindowFn listing a window twice: the element is counted once in the merged window', async () => {
    const sessions = Sessions(1000);
    const fn: WindowFn<unknown> = { ...sessions, name: 'TwiceSessions', assignWindows: (ctx) => [...sessions.assignWindows(ctx), ...sessions.assignWindows(ctx)] };
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200], ['c', 5000]).advanceWatermarkToInfinity())
        .apply('Sessions', Window.into<string>(fn))
        .apply(WithKeys(() => 'k'))
        .apply(Count.perKey<string>())
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.records.map((r) => `${r.window.id}=${r.value.value}`).sort()).toEqual(['100:1200=2', '5000:6000=1']);
  });
});
