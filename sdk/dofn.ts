import type { Clock } from './clock.js';
import type { CheckpointingInfo, TwoPhaseCommit } from './io/two-phase-commit.js';
import type { MetricsContext } from './metrics.js';
import type { PaneInfo } from './pane.js';
import type { PCollectionView } from './side-input.js';
import type { StateOf, StateSpecs, TimerSpecs, TimersOf } from './state.js';
import type { Instant } from './time.js';
import type { BoundedWindow } from './window.js';

/** Names and element types of a ParDo's additional outputs, e.g. `{ rejected: string }`. */
export type OutputTags = Record<string, unknown>;

/** What every callback context can emit. */
export interface OutputContext<O, Tags extends OutputTags> {
  /** Emits to the main output with the current element's timestamp and window. */
  output(value: O): void;
  /**
   * Emits with an explicit event timestamp. Moving a timestamp earlier than the input's is allowed only
   * up to the watermark's tolerance: it may make the output late downstream.
   * @throws RangeError when `timestamp` is NaN, ±Infinity or outside TIMESTAMP_MIN..TIMESTAMP_MAX (the
   * element then fails like an error of the DoFn: a UserCodeError, or a dead letter with `.withDeadLetters()`).
   */
  outputWithTimestamp(value: O, timestamp: Instant): void;
  /** Emits to a tagged additional output declared with `ParDo.withOutputs(...)`. */
  outputTo<K extends keyof Tags & string>(tag: K, value: Tags[K]): void;
  /**
   * Backpressure for long emitting loops. Outputs are handed downstream at once; when a downstream
   * step works asynchronously (a Kafka write waiting for acknowledgements, say), later outputs queue
   * behind it in memory. `drain()` returns a promise that resolves once everything emitted so far
   * has been taken downstream, or `undefined` when nothing is queued. A DoFn that emits millions of
   * outputs for one input should await it every few thousand outputs, which keeps memory bounded.
   * @example
   * async process(group, ctx) {
   *   for (const pair of pairsOf(group)) {
   *     ctx.output(pair);
   *     if (++n % 4096 === 0) { const d = ctx.drain(); if (d) await d; }
   *   }
   * }
   */
  drain(): Promise<void> | undefined;
}

export interface ProcessContext<O, Tags extends OutputTags = {}, S extends StateSpecs = {}, T extends TimerSpecs = {}>
  extends OutputContext<O, Tags> {
  readonly timestamp: Instant;
  readonly window: BoundedWindow;
  readonly pane: PaneInfo;
  /** True when the element is a retraction of an earlier pane (accumulating-and-retracting upstream). */
  readonly isRetraction: boolean;
  /** The current processing time, from the runner's injected clock. */
  readonly processingTime: Instant;
  /** The input watermark of this step when the element is processed. */
  readonly watermark: Instant;
  /** Reads a side input declared with `ParDo.withSideInputs(...)` for the current window. */
  sideInput<V>(view: PCollectionView<V>): V;
  readonly state: StateOf<S>;
  readonly timers: TimersOf<T>;
  readonly metrics: MetricsContext;
}

export interface OnTimerContext<O, Tags extends OutputTags = {}, S extends StateSpecs = {}, T extends TimerSpecs = {}>
  extends OutputContext<O, Tags> {
  /** The key the timer was set for. */
  readonly key: unknown;
  readonly window: BoundedWindow;
  /** The time the timer was set to; outputs get this timestamp by default. */
  readonly timestamp: Instant;
  readonly domain: 'event' | 'processing';
  readonly processingTime: Instant;
  readonly watermark: Instant;
  readonly state: StateOf<S>;
  readonly timers: TimersOf<T>;
  readonly metrics: MetricsContext;
}

/**
 * What finishBundle can emit. Outputs from finishBundle belong to no element, so each names its
 * timestamp and window (as in Beam).
 */
export interface FinishBundleContext<O, Tags extends OutputTags = {}> extends BundleContext {
  output(value: O, timestamp: Instant, window: BoundedWindow): void;
  outputTo<K extends keyof Tags & string>(tag: K, value: Tags[K], timestamp: Instant, window: BoundedWindow): void;
  /** See {@link OutputContext.drain}. */
  drain(): Promise<void> | undefined;
}

export interface BundleContext {
  readonly processingTime: Instant;
  readonly metrics: MetricsContext;
}

/** Setup-time facts a DoFn may use (e.g. the clock for its own latency measurements). */
export interface SetupContext {
  readonly step: string;
  readonly clock: Clock;
  /**
   * The run takes checkpoints (`--checkpointDir`): how, and under which ids. Undefined without
   * checkpointing; a sink then behaves as it always did. A sink with `twoPhaseCommit` writes its output
   * invisibly until `commit` when this says `exactly-once`.
   */
  readonly checkpointing?: CheckpointingInfo;
}

/**
 * How a run ended: `'done'` when every input was read and processed and every bundle finished;
 * `'failed'` when the run failed (in any step); `'cancelled'` when it was cancelled.
 */
export type RunOutcome = 'done' | 'failed' | 'cancelled';

/**
 * What `teardown` is told. A sink publishes what it wrote only when the outcome is `'done'` (e.g.
 * renames its in-progress file onto the final name), and discards it otherwise.
 * @example async teardown({ outcome }) { if (outcome === 'done') await file.publish(); else await file.discard(); }
 */
export interface TeardownContext {
  readonly outcome: RunOutcome;
}

/**
 * Element-wise processing: the "what" of ParDo.
 *
 * Lifecycle, per DoFn instance: `setup` once before the first bundle; per bundle `startBundle`, then
 * `process` for each element (and `onTimer` for due timers), then `finishBundle`; `teardown` once at
 * the end (also after a failure, best effort), told how the run ended ({@link TeardownContext}).
 * The native runner makes small bundles; the micro-batch
 * runner makes one bundle per batch. `process` may be async: the runner awaits it before the next
 * element of the same step, preserving order.
 *
 * A DoFn that declares `state` or `timers` is stateful: its input must be KV and its state is scoped
 * to key and window.
 *
 * An exception fails the run with a UserCodeError naming the step, the element and the window —
 * unless the ParDo was built `.withDeadLetters()`, which routes the element and the reason to a
 * dead-letter output instead.
 *
 * @example
 * const toUpper: DoFn<string, string> = { process(word, ctx) { ctx.output(word.toUpperCase()); } };
 */
export interface DoFn<I, O, Tags extends OutputTags = {}, S extends StateSpecs = {}, T extends TimerSpecs = {}> {
  setup?(ctx: SetupContext): void | Promise<void>;
  startBundle?(ctx: BundleContext): void | Promise<void>;
  process(element: I, ctx: ProcessContext<O, Tags, S, T>): void | Promise<void>;
  finishBundle?(ctx: FinishBundleContext<O, Tags>): void | Promise<void>;
  teardown?(ctx: TeardownContext): void | Promise<void>;
  readonly state?: S;
  readonly timers?: T;
  readonly onTimer?: { readonly [K in keyof T]?: (ctx: OnTimerContext<O, Tags, S, T>) => void | Promise<void> };
  /**
   * A sink's two-phase commit with the runner's checkpoints (see {@link TwoPhaseCommit}): output
   * becomes visible only once the checkpoint covering it is durable. Called only when the run
   * checkpoints; a DoFn without it has at-least-once effects under checkpointing.
   */
  readonly twoPhaseCommit?: TwoPhaseCommit<any>;
}

/**
 * Builds a stateful DoFn with its state and timer declarations inferred, so `ctx.state` and
 * `ctx.timers` are typed; `ParDo(fn)` then takes its element types from it. Returns the same object.
 *
 * Name the element types in a first call and let the second infer the declarations:
 * `statefulDoFn<I, O>()({ state, timers, process, onTimer })`. TypeScript infers type arguments from
 * the values passed, never from how a callback uses its parameters, so the output type of a DoFn
 * cannot come from its `ctx.output(...)` calls; and a call that names some type arguments infers none
 * of the others, so `statefulDoFn<I, O>(fn)` in one call would lose the declarations' types.
 * @example
 * const totals = statefulDoFn<KV<string, number>, string>()({
 *   state: { total: StateSpec.combining(sumFn()) },
 *   process(e, ctx) { ctx.state.total.add(e.value); ctx.output(`${e.key}: ${ctx.state.total.read()}`); },
 * });
 */
export function statefulDoFn<I, O, Tags extends OutputTags = {}>(): <S extends StateSpecs = {}, T extends TimerSpecs = {}>(fn: DoFn<I, O, Tags, S, T>) => DoFn<I, O, Tags, S, T>;
/**
 * The one-call form: everything inferred from `fn` (annotate the element parameter of `process`; the
 * output type is `unknown` unless named), or every type argument named.
 */
export function statefulDoFn<I, O, S extends StateSpecs = {}, T extends TimerSpecs = {}, Tags extends OutputTags = {}>(fn: DoFn<I, O, Tags, S, T>): DoFn<I, O, Tags, S, T>;
export function statefulDoFn(fn?: DoFn<unknown, unknown, any, any, any>): unknown {
  return fn === undefined ? (f: DoFn<unknown, unknown, any, any, any>) => f : fn;
}

/** True when the DoFn declares state or timers. */
export function isStateful(fn: DoFn<any, any, any, any, any>): boolean {
  return (fn.state !== undefined && Object.keys(fn.state).length > 0) || (fn.timers !== undefined && Object.keys(fn.timers).length > 0);
}
