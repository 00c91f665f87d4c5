import { describe, expect, it } from 'vitest';
import { bagReducer } from '../../runners/core/driver/pane-reducer.js';
import { WindowDriver, type FireMode } from '../../runners/core/driver/window-driver.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { kv } from '../../sdk/kv.js';
import { emptyStepMetrics } from '../../sdk/metrics.js';
import { NO_FIRING } from '../../sdk/pane.js';
import { TIMESTAMP_MAX } from '../../sdk/time.js';
import { DefaultTrigger } from '../../sdk/triggers/default-trigger.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import { mergeOverlappingIntervals } from '../../sdk/windows/sessions.js';
import { intervalWindow, type BoundedWindow } from '../../sdk/window.js';
import type { MergeResult, WindowFn } from '../../sdk/windows/window-fn.js';
import type { WindowingStrategy } from '../../sdk/windowing-strategy.js';

/**
 * Issue #16: in deferred mode (micro-batch), a merging WindowFn whose windows fire once at the
 * watermark is merged once per key and batch (WindowDriver, "merging once per batch"), as Beam merges
 * per key and bundle, instead of once per element; the panes are those of merging per element.
 */

/** Sessions of `gap` written as a user would (not the SDK's, which the driver merges itself), counting its calls. */
function countingSessions(gap: number) {
  const calls: number[] = [];
  const fn: WindowFn<unknown> = {
    name: 'CountingSessions',
    isMerging: true,
    assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + gap)],
    mergeWindows(active: readonly BoundedWindow[]): readonly MergeResult[] {
      calls.push(active.length);
      // New objects for everything, as user code may make them.
      return mergeOverlappingIntervals(active.map((w) => ({ ...w }))).map((m) => ({ toMerge: m.toMerge, result: { ...m.result } }));
    },
  };
  return { fn, calls };
}

function driver(fireMode: FireMode, windowFn: WindowFn<unknown>) {
  const out: string[] = [];
  const strategy: WindowingStrategy = {
    windowFn,
    trigger: DefaultTrigger(),
    triggerIsDefault: true,
    accumulationMode: 'discarding',
    allowedLateness: 0,
    timestampCombiner: 'END_OF_WINDOW',
    onTimeBehavior: 'FIRE_IF_NON_EMPTY',
  };
  const d = new WindowDriver({
    step: 'Group',
    strategy,
    reducer: bagReducer,
    state: new InMemoryStateBackend(),
    clock: new VirtualClock(0),
    metrics: emptyStepMetrics(),
    emit: (value, _ts, w, pane) => out.push(`${w.id} ${pane.timing} ${JSON.stringify(value)}`),
    emitLate: () => {},
    fireMode,
  });
  const add = (key: string, ts: number) => {
    const [w] = windowFn.assignWindows({ element: undefined, timestamp: ts, window: GLOBAL_WINDOW });
    d.processParts(kv(key, ts), ts, w!, NO_FIRING, false);
  };
  return { d, add, out };
}

/** Two batches: key a gets [0,1000) and then, in one batch, [0,1000) again (already active), [500,1500) and [2000,3000). */
function script(fireMode: FireMode) {
  const { fn, calls } = countingSessions(1000);
  const { d, add, out } = driver(fireMode, fn);
  add('a', 0);
  add('b', 5000);
  d.flush();
  add('a', 0);
  add('a', 2000);
  add('b', 5100);
  add('a', 500);
  add('a', 2100);
  d.flush();
  d.advanceWatermark(TIMESTAMP_MAX);
  return { calls, out };
}

describe('merging once per batch (deferred mode)', () => {
  it('calls mergeWindows once per key and batch, not once per element', () => {
    const { calls } = script('deferred');
    // First batch: each key has one window (no call). Second: one call for a (its session and 3 new windows), one for b.
    expect(calls).toEqual([4, 2]);
    // Per element (immediate mode) it is called for every element.
    expect(script('immediate').calls.length).toBe(7);
  });

  it('gives the panes merging per element gives, a window already active included', () => {
    const expected = ['0:1500 ON_TIME {"key":"a","value":[0,0,500]}', '2000:3100 ON_TIME {"key":"a","value":[2000,2100]}', '5000:6100 ON_TIME {"key":"b","value":[5000,5100]}'];
    expect(script('deferred').out.sort()).toEqual(expected);
    expect(script('immediate').out.sort()).toEqual(expected);
  });
});
