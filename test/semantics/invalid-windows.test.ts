import { describe, expect, it } from 'vitest';
import { UserCodeError } from '../../sdk/errors.js';
import type { KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import type { MergeResult, WindowFn } from '../../sdk/windows/window-fn.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * A WindowFn of the user's returning a window that cannot be fired (a NaN or missing maxTimestamp:
 * before, its elements vanished, counted nowhere, and the run succeeded) or that is malformed (no id,
 * an interval with end <= start, not an object, not a list: before, accepted, or a TypeError from a
 * later step): the run fails with a UserCodeError naming the Window.into step, the WindowFn, the element.
 * The same for what a merging WindowFn's mergeWindows returns (named by the aggregation step).
 */
const BAD: readonly (readonly [string, unknown, RegExp])[] = [
  ['maxTimestamp NaN', [{ kind: 'day', id: 'd', maxTimestamp: Number.NaN }], /its maxTimestamp NaN is not a number/],
  ['no maxTimestamp', [{ kind: 'day', id: 'd' }], /its maxTimestamp undefined is not a number/],
  ['maxTimestamp a string', [{ kind: 'day', id: 'd', maxTimestamp: '999' }], /its maxTimestamp "999" is not a number/],
  ['no id', [{ kind: 'day', maxTimestamp: 999 }], /its id must be a string/],
  ['interval end <= start', [{ kind: 'interval', id: '5:5', start: 5, end: 5, maxTimestamp: 4 }], /needs numbers start < end, got \[5, 5\)/],
  ['null', [null], /a window must be an object/],
  ['not a list', undefined, /must return an array of windows, got undefined/],
];

const fnReturning = (windows: unknown): WindowFn<unknown> => ({ name: 'Custom', isMerging: false, assignWindows: () => windows as readonly BoundedWindow[] });

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('invalid windows from a WindowFn on $label', ({ options }) => {
  it.each(BAD)('%s: a UserCodeError naming the step and the element, not a lost element', async (_name, windows, message) => {
    const run = runWith(options, (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200]).advanceWatermarkToInfinity())
        .apply('Days', Window.into<string>(fnReturning(windows)))
        .apply(WithKeys(() => 'k'))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    );
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect({ step: (err as UserCodeError).step, element: (err as UserCodeError).element }).toEqual({ step: 'Days', element: '"a"' });
    expect((err as UserCodeError).message).toMatch(/window assignment \(Custom\)/);
    expect((err as UserCodeError).message).toMatch(message);
  });

  it.each([
    ['a result window with a NaN maxTimestamp (before: every element vanished)', (ws: readonly BoundedWindow[]) => [{ toMerge: ws, result: { kind: 'm', id: 'm', maxTimestamp: Number.NaN } }], /mergeWindows returned an invalid result window .*: its maxTimestamp NaN is not a number/],
    [
      'a window in two merges (before: counted in both on micro-batch, once on native)',
      (ws: readonly BoundedWindow[]) => [
        { toMerge: ws, result: intervalWindow(0, 9000) },
        { toMerge: ws, result: intervalWindow(0, 9001) },
      ],
      /mergeWindows put window 100:1100 into two merges/,
    ],
  ] as const)('a merging WindowFn returning %s: a UserCodeError naming the aggregation step', async (_name, merge, message) => {
    const fn: WindowFn<unknown> = {
      name: 'CustomSessions',
      isMerging: true,
      assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + 1000)],
      mergeWindows: (active) => (active.length > 1 ? (merge(active) as unknown as MergeResult[]) : []),
    };
    const run = runWith(options, (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200]).advanceWatermarkToInfinity())
        .apply(Window.into<string>(fn))
        .apply(WithKeys(() => 'k'))
        .apply('Count', Count.perKey<string>())
        .apply(Capture.records()),
    );
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Count');
    expect((err as UserCodeError).message).toMatch(message);
  });

  it('windows ending past TIMESTAMP_MAX (or at +Infinity) are valid: they fire at the end of the input', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200]).advanceWatermarkToInfinity())
        .apply('Days', Window.into<string>(fnReturning([{ kind: 'forever', id: 'f', maxTimestamp: Number.POSITIVE_INFINITY }, { kind: 'far', id: 'g', maxTimestamp: 1e300 }])))
        .apply(WithKeys(() => 'k'))
        .apply(Count.perKey<string>())
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.records.map((r) => `${r.window.id}=${r.value.value}`).sort()).toEqual(['f=2', 'g=2']);
  });
});
