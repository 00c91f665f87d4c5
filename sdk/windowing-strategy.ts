import type { Duration } from './time.js';
import { DefaultTrigger } from './triggers/default-trigger.js';
import type { Trigger } from './triggers/trigger.js';
import { GlobalWindows } from './windows/global-windows.js';
import type { WindowFn } from './windows/window-fn.js';

/**
 * How refinements of one window relate (the "how" question):
 * - `discarding`: each pane holds only the elements since the previous pane.
 * - `accumulating`: each pane holds everything seen so far in the window.
 * - `retracting`: accumulating, and each new pane is preceded by a retraction record withdrawing the
 *   previous pane, so downstream aggregations never double count.
 */
export type AccumulationMode = 'discarding' | 'accumulating' | 'retracting';

/**
 * Which timestamp an aggregation's output gets: the end of the window (maxTimestamp), or the
 * earliest / latest timestamp of the inputs in the pane.
 */
export type TimestampCombiner = 'END_OF_WINDOW' | 'EARLIEST' | 'LATEST';

/**
 * Whether the ON_TIME pane is emitted even when it holds nothing new (as Beam does by default, so
 * downstream learns the window is complete), or only when non-empty.
 */
export type OnTimeBehavior = 'FIRE_ALWAYS' | 'FIRE_IF_NON_EMPTY';

/** Everything about where and when a PCollection's elements are aggregated. Immutable. */
export interface WindowingStrategy {
  readonly windowFn: WindowFn<unknown>;
  readonly trigger: Trigger;
  readonly triggerIsDefault: boolean;
  readonly accumulationMode: AccumulationMode;
  readonly allowedLateness: Duration;
  readonly timestampCombiner: TimestampCombiner;
  readonly onTimeBehavior: OnTimeBehavior;
  /**
   * True downstream of an aggregation over a merging WindowFn: the windows are already merged (each
   * element carries the merged window of its pane), so a stateful DoFn may scope state to them.
   * Window.into resets it.
   */
  readonly alreadyMerged?: boolean;
}

/** Global windows, the default trigger, discarding, no allowed lateness: what sources produce. */
export function defaultWindowingStrategy(): WindowingStrategy {
  return {
    windowFn: GlobalWindows(),
    trigger: DefaultTrigger(),
    triggerIsDefault: true,
    accumulationMode: 'discarding',
    allowedLateness: 0,
    timestampCombiner: 'END_OF_WINDOW',
    onTimeBehavior: 'FIRE_ALWAYS',
  };
}

/**
 * The strategy of an aggregation's output: same windows, the trigger's continuation, and
 * retracting stays retracting so downstream knows to expect retraction records.
 */
export function continuationStrategy(s: WindowingStrategy): WindowingStrategy {
  return { ...s, trigger: s.trigger.continuation(), triggerIsDefault: s.triggerIsDefault, ...(s.windowFn.isMerging ? { alreadyMerged: true } : {}) };
}
