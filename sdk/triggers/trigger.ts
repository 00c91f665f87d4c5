import type { Instant } from '../time.js';
import type { BoundedWindow } from '../window.js';

/**
 * The state of one trigger for one key and window: plain, structured-cloneable data, so it can live
 * in keyed state and be snapshotted. Composite triggers keep their children's states in `subs`.
 */
export interface TriggerState {
  readonly finished: boolean;
  readonly data?: unknown;
  readonly subs?: readonly TriggerState[];
}

/**
 * What a trigger may see and ask for. Times are read from here, never from a clock: the driver fills
 * them in, so the same trigger behaves the same under test time and real time.
 */
export interface TriggerContext {
  readonly window: BoundedWindow;
  /** The input watermark of the aggregation: no element below it is expected any more. */
  readonly inputWatermark: Instant;
  /** The current processing time (from the injected clock). */
  readonly processingTime: Instant;
  /** Asks to be re-evaluated once the input watermark passes `t`. */
  setEventTimeTimer(t: Instant): void;
  /** Asks to be re-evaluated once processing time reaches `t`. */
  setProcessingTimeTimer(t: Instant): void;
}

/**
 * Decides *when* an aggregation emits a pane for a window.
 *
 * A trigger is a pure state machine: it holds no fields that change, reads no clock, and every
 * transition returns a new TriggerState. The shared driver in the runner core calls:
 * - `onElement` for every element added to the window's pane,
 * - `onMerge` when windows merge (sessions),
 * - `shouldFire` after elements, timers, watermark and processing-time moves,
 * - `onFire` once the pane was emitted, to move to the next state; a finished trigger closes the
 *   window (later elements are dropped and counted).
 *
 * @example
 * const t = AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(seconds(10)));
 */
export interface Trigger {
  /** A description used in errors and reports, e.g. `AfterCount(3)`. */
  readonly name: string;
  readonly subTriggers: readonly Trigger[];
  /** For leaf triggers: the signal they wait for. */
  readonly domain?: 'event' | 'processing' | 'count';
  init(): TriggerState;
  onElement(state: TriggerState, ctx: TriggerContext): TriggerState;
  onMerge(states: readonly TriggerState[], ctx: TriggerContext): TriggerState;
  shouldFire(state: TriggerState, ctx: TriggerContext): boolean;
  onFire(state: TriggerState, ctx: TriggerContext): TriggerState;
  /** The trigger that aggregations downstream of this one use (e.g. AfterCount(n) continues as AfterCount(1)). */
  continuation(): Trigger;
  /**
   * This trigger until `until` fires; then one last pane and the trigger finishes (closing the window).
   * Made by {@link defineTrigger}, which every trigger is built with.
   * @example Repeatedly(AfterCount(1)).orFinally(AfterCount(5))  // a pane per element, closing after 5
   */
  orFinally(until: Trigger): Trigger;
}
