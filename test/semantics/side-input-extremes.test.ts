import { describe, expect, it } from 'vitest';
import { View } from '../../sdk/side-input.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { GlobalWindows } from '../../sdk/windows/global-windows.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { sideInputWindowFor, type WindowFn } from '../../sdk/windows/window-fn.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Side inputs at the ends of time. Before: a main element at TIMESTAMP_MAX (its window ends past
 * TIMESTAMP_MAX, e.g. FixedWindows(1000)'s [9007199254740000, 9007199254741000)) waited for a side
 * window the side watermark (at most TIMESTAMP_MAX) never passed, and was dropped at the end of the
 * run, silently; and its side window was looked up at the main window's end - 1, which past 2^53 ms
 * is not exact and named the next (empty) window. Near TIMESTAMP_MIN, SlidingWindows picked a side
 * window one period late for the same reason. Now every main element is processed once per window,
 * reading the side window the WindowFns say (computed here plainly).
 */
const TS = [TIMESTAMP_MIN, TIMESTAMP_MIN + 1, -8.64e15, -1, 0, 8.64e15, END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX - 1, TIMESTAMP_MAX];

const FNS: readonly (readonly [string, () => WindowFn<unknown>])[] = [
  ['FixedWindows(1000)', () => FixedWindows(1000)],
  ['SlidingWindows(3000, 1000)', () => SlidingWindows(3000, 1000)],
  ['GlobalWindows', () => GlobalWindows()],
];

/** `main@window:side-count` for every main element and window, from the WindowFns alone. */
function expected(fn: () => WindowFn<unknown>): string[] {
  const side = fn();
  const sideCounts = new Map<string, number>();
  for (const t of TS) for (const w of side.assignWindows({ element: t, timestamp: t, window: GLOBAL_WINDOW })) sideCounts.set(w.id, (sideCounts.get(w.id) ?? 0) + 1);
  const main = fn();
  const out: string[] = [];
  for (const t of TS) {
    for (const w of main.assignWindows({ element: t, timestamp: t, window: GLOBAL_WINDOW })) out.push(`m${t}@${w.id}:${sideCounts.get(sideInputWindowFor(side, w).id) ?? 0}`);
  }
  return out.sort();
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('side inputs at extreme timestamps on $label', ({ options }) => {
  it.each(FNS)('%s: every main element once per window, with its side window contents', async (_name, fn) => {
    const { out } = await runWith(options, (p) => {
      const side = View.asList(p.apply('Side', Create.timestamped(TS.map((t) => ({ value: t, timestamp: t })))).apply('SideWindows', Window.into<number>(fn())));
      return p
        .apply('Main', TestStream.create<number>().addElements(...TS.map((t) => [t, t] as [number, number])).advanceWatermarkToInfinity())
        .apply('MainWindows', Window.into<number>(fn()))
        .apply('Join', ParDo<number, string>({ process: (m, ctx) => ctx.output(`m${m}@${ctx.window.id}:${ctx.sideInput(side).length}`) }).withSideInputs(side))
        .apply(Capture.records<string>());
    });
    expect(out.values().sort()).toEqual(expected(fn));
  });

  it('the expectation itself: the side window of the TIMESTAMP_MAX element holds that element', () => {
    expect(expected(FNS[0]![1]).filter((l) => l.startsWith(`m${TIMESTAMP_MAX}@`))).toEqual([`m${TIMESTAMP_MAX}@9007199254740000:9007199254741000:2`]);
  });
});
