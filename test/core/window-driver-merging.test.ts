import { describe, expect, it } from 'vitest';
import { combineReducer } from '../../runners/core/driver/pane-reducer.js';
import { WindowDriver, type FireMode } from '../../runners/core/driver/window-driver.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { kv } from '../../sdk/kv.js';
import { emptyStepMetrics } from '../../sdk/metrics.js';
import { NO_FIRING } from '../../sdk/pane.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import { TIMESTAMP_MAX } from '../../sdk/time.js';
import { DefaultTrigger } from '../../sdk/triggers/default-trigger.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import type { WindowingStrategy } from '../../sdk/windowing-strategy.js';
import { countFn } from '../../transforms/combiners/count.js';

/**
 * Issue #16: a session that grows is merged in place (its state object is kept). The driver must
 * still behave as when a merge made a new state: in deferred mode (micro-batch), a window that got
 * input before a merge in the same batch is not evaluated at the flush as if the merged window had
 * (the merged window is evaluated once it gets input of its own, or by its timers).
 */

function driver(fireMode: FireMode) {
  const out: string[] = [];
  const strategy: WindowingStrategy = {
    windowFn: Sessions(1000),
    // Fires when the watermark passes the end, then for late data: not element-sensitive (only a
    // pane's first element runs it).
    trigger: DefaultTrigger(),
    triggerIsDefault: true,
    accumulationMode: 'accumulating',
    allowedLateness: 10_000,
    timestampCombiner: 'END_OF_WINDOW',
    onTimeBehavior: 'FIRE_ALWAYS',
  };
  const d = new WindowDriver({
    step: 'Count',
    strategy,
    reducer: combineReducer(countFn(), false),
    state: new InMemoryStateBackend(),
    clock: new VirtualClock(0),
    metrics: emptyStepMetrics(),
    emit: (value, _ts, w, pane) => out.push(`${w.id} ${pane.timing} #${pane.index}${pane.isLast ? ' last' : ''} ${JSON.stringify(value)}`),
    emitLate: () => {},
    fireMode,
  });
  const add = (ts: number) => {
    const [w] = strategy.windowFn.assignWindows({ element: undefined, timestamp: ts, window: GLOBAL_WINDOW });
    d.processParts(kv('a', 1), ts, w!, NO_FIRING, false);
  };
  return { d, add, out };
}

describe('merging in place keeps what a merge meant for triggers', () => {
  it('deferred: a late element marks its session for the flush, a second one grows it in the same batch: the merged window waits for its timers', () => {
    const { d, add, out } = driver('deferred');
    add(0);
    d.flush();
    d.advanceWatermark(2000); // [0,1000) on time
    expect(out).toEqual(['0:1000 ON_TIME #0 {"key":"a","value":1}']);
    // One batch: a late element joins the session (its late trigger counts it), a second one grows it again.
    add(100);
    add(200);
    d.flush();
    expect(out).toEqual(["0:1000 ON_TIME #0 {\"key\":\"a\",\"value\":1}"]);
    d.advanceWatermark(TIMESTAMP_MAX);
    expect(out).toEqual(['0:1000 ON_TIME #0 {"key":"a","value":1}', '0:1200 LATE #1 last {"key":"a","value":3}']);
  });

  it('immediate: the first late element fires a late pane, the second (not the first of its pane) waits for the timers', () => {
    const { d, add, out } = driver('immediate');
    add(0);
    d.advanceWatermark(2000);
    add(100);
    add(200);
    d.advanceWatermark(TIMESTAMP_MAX);
    expect(out).toEqual([
      '0:1000 ON_TIME #0 {"key":"a","value":1}',
      '0:1100 LATE #1 {"key":"a","value":2}',
      '0:1200 LATE #2 {"key":"a","value":3}',
    ]);
  });
});
