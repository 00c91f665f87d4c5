import { describe, expect, it } from 'vitest';
import type { CombineFn } from '../../sdk/combine-fn.js';
import { UserCodeError } from '../../sdk/errors.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { Combine } from '../../transforms/combine.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * A CombineFn whose extractOutput throws when a pane fires: the run fails with a UserCodeError that
 * names the step, the group's key and its window (before: "step 'Sum' failed in firing a pane: ...",
 * with neither key nor window, so the failing group could not be found). SlidingWindows goes through
 * the sliced driver (Combine right after Window.into), the others through the per-window driver.
 */
const failsOnExtract: CombineFn<number, number, number> = {
  createAccumulator: () => 0,
  addInput: (a, x) => a + x,
  mergeAccumulators: (as) => as.reduce((x, y) => x + y, 0),
  extractOutput: (a) => {
    if (a > 10) throw new Error(`sum ${a} too large`);
    return a;
  },
};

const CASES: readonly (readonly [string, () => WindowFn<unknown>, string])[] = [
  ['FixedWindows', () => FixedWindows(1000), '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:01.000Z)'],
  ['SlidingWindows', () => SlidingWindows(2000, 1000), '[1969-12-31T23:59:59.000Z, 1970-01-01T00:00:01.000Z)'],
  ['Sessions', () => Sessions(500), '[1970-01-01T00:00:00.100Z, 1970-01-01T00:00:00.700Z)'],
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('CombineFn errors on $label', ({ options }) => {
  it.each(CASES)('extractOutput throwing names the step, the key and the window (%s)', async (_name, windowFn, window) => {
    const run = runWith(options, (p) =>
      p
        .apply(TestStream.create<number>().addElements([4, 100], [9, 200], [1, 2500]).advanceWatermarkToInfinity())
        .apply(Window.into<number>(windowFn()))
        .apply(WithKeys(() => 'sensor-7'))
        .apply('Sum', Combine.perKey<string, number, number, number>(failsOnExtract))
        .apply(Capture.records()),
    );
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    const u = err as UserCodeError;
    expect({ step: u.step, element: u.element, window: u.window }).toEqual({ step: 'Sum', element: '{"key":"sensor-7"}', window });
    expect(u.message).toContain('sum 13 too large');
  });
});
