import { describe, expect, it } from 'vitest';
import { bagReducer } from '../../runners/core/driver/pane-reducer.js';
import { WindowDriver, type FireMode, type WindowState } from '../../runners/core/driver/window-driver.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { kv } from '../../sdk/kv.js';
import { emptyStepMetrics } from '../../sdk/metrics.js';
import { NO_FIRING } from '../../sdk/pane.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
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

function driver(fireMode: FireMode, windowFn: WindowFn<unknown>, state = new InMemoryStateBackend()) {
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
    state,
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
  return { d, add, out, state };
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
    // Immediate mode (native) merges at the watermark: the elements wait the same way (until flush() here).
    expect(script('immediate').calls).toEqual([4, 2]);
  });

  it('gives the panes merging per element gives, a window already active included', () => {
    const expected = ['0:1500 ON_TIME {"key":"a","value":[0,0,500]}', '2000:3100 ON_TIME {"key":"a","value":[2000,2100]}', '5000:6100 ON_TIME {"key":"b","value":[5000,5100]}'];
    expect(script('deferred').out.sort()).toEqual(expected);
    expect(script('immediate').out.sort()).toEqual(expected);
  });
});

/**
 * Immediate mode (native) merges at the watermark: the elements wait until something needs the merged
 * state; a watermark advance merges first the keys whose timers come due (their windows may grow).
 */
describe('merging at the watermark (immediate mode)', () => {
  /** Sessions of 1000 ms written as a user would, recording each call's windows. */
  function recordingSessions() {
    const calls: string[] = [];
    const fn: WindowFn<unknown> = {
      name: 'RecordingSessions',
      isMerging: true,
      assignWindows: ({ timestamp }) => [intervalWindow(timestamp, timestamp + 1000)],
      mergeWindows(active: readonly BoundedWindow[]): readonly MergeResult[] {
        calls.push(active.map((w) => w.id).sort().join(' '));
        return mergeOverlappingIntervals(active);
      },
    };
    return { fn, calls };
  }

  it('merges a key before one of its timers comes due, and leaves the other keys waiting', () => {
    const { fn, calls } = recordingSessions();
    const { d, add, out } = driver('immediate', fn);
    add('a', 0);
    add('b', 0);
    add('c', 300);
    expect(d.stateSize()).toBe(3); // adds them: one window each, no call
    add('a', 900);
    add('b', 5000);
    add('c', 400);
    d.advanceWatermark(500); // nothing comes due: everything waits
    expect(calls).toEqual([]);
    d.advanceWatermark(1000); // a's and b's windows [0,1000) come due; c's [300,1300) does not
    expect(calls).toEqual(['0:1000 900:1900', '0:1000 5000:6000']);
    // a's window grew before its timer: it did not fire; b's fired with its one element.
    expect(out).toEqual(['0:1000 ON_TIME {"key":"b","value":[0]}']);
    d.advanceWatermark(TIMESTAMP_MAX);
    expect(calls).toEqual(['0:1000 900:1900', '0:1000 5000:6000', '300:1300 400:1400']);
    expect(out.slice(1).sort()).toEqual([
      '0:1900 ON_TIME {"key":"a","value":[0,900]}',
      '300:1400 ON_TIME {"key":"c","value":[300,400]}',
      '5000:6000 ON_TIME {"key":"b","value":[5000]}',
    ]);
  });

  it('merges everything before the watermark passes the end of a waiting window', () => {
    const { fn, calls } = recordingSessions();
    const { d, add, out } = driver('immediate', fn);
    add('a', 0);
    add('a', 500);
    add('b', 100);
    expect(d.outputWatermark()).toBe(TIMESTAMP_MIN); // no need to merge for it
    expect(calls).toEqual([]);
    d.advanceWatermark(1000); // past the end of a's waiting window [0,1000): every key is merged (b's one window needs no call)
    expect(calls).toEqual(['0:1000 500:1500']);
    expect(out).toEqual([]);
    d.advanceWatermark(2000);
    expect(out.sort()).toEqual(['0:1500 ON_TIME {"key":"a","value":[0,500]}', '100:1100 ON_TIME {"key":"b","value":[100]}']);
  });

  it('adds the waiting elements at a checkpoint, so the restored state has them', () => {
    const { fn } = recordingSessions();
    const first = driver('immediate', fn);
    first.add('a', 0);
    first.add('a', 500);
    const timing = first.d.timing();
    // A driver on the same state (as after a restore) gets the elements' pane.
    const resumed = driver('immediate', fn, first.state);
    resumed.d.restoreTiming(timing);
    resumed.d.advanceWatermark(TIMESTAMP_MAX);
    expect(resumed.out).toEqual(['0:1500 ON_TIME {"key":"a","value":[0,500]}']);
  });

  it('fires a window restored from a checkpoint whose states lack et0 (written before the driver kept it)', () => {
    const { fn } = recordingSessions();
    const first = driver('immediate', fn);
    first.add('a', 0);
    first.add('a', 500);
    const timing = first.d.timing();
    const table = first.state.table<WindowState>('Group', 'windows');
    let states = 0;
    for (const [, , st] of table.entries()) {
      expect(st.et0).toBe(Math.min(...st.et));
      delete (st as Partial<WindowState>).et0;
      states++;
    }
    expect(states).toBe(1);
    const resumed = driver('immediate', fn, first.state);
    resumed.d.restoreTiming(timing);
    resumed.d.advanceWatermark(1499);
    expect(resumed.out).toEqual([]);
    resumed.d.advanceWatermark(1500); // past [0, 1500): fires by its timer, found through et0 made again from et
    expect(resumed.out).toEqual(['0:1500 ON_TIME {"key":"a","value":[0,500]}']);
  });
});
