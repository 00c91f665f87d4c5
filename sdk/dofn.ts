import type { Clock } from './clock.js';
import type { MixedOutputError } from './errors.js';
import type { CheckpointingInfo, TwoPhaseCommit } from './io/two-phase-commit.js';
import type { KV } from './kv.js';
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
  /**
   * Emits to the main output with the current element's timestamp and window. Instead, a callback may
   * return or yield its outputs ({@link DoFnOutput}), but not both in one call.
   */
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
  /** The element's event timestamp (ms since the epoch); `output` gives its outputs this one. */
  readonly timestamp: Instant;
  /** The element's window (`formatWindow(ctx.window)` prints it; an interval window has `start` and `end`). */
  readonly window: BoundedWindow;
  /** After an aggregation: the pane the element came from (timing EARLY / ON_TIME / LATE, index, first / last). */
  readonly pane: PaneInfo;
  /** True when the element is a retraction of an earlier pane (accumulating-and-retracting upstream). */
  readonly isRetraction: boolean;
  /** The current processing time, from the runner's injected clock. */
  readonly processingTime: Instant;
  /** The input watermark of this step when the element is processed. */
  readonly watermark: Instant;
  /** Reads a side input declared with `ParDo.withSideInputs(...)` for the current window. */
  sideInput<V>(view: PCollectionView<V>): V;
  /** A stateful DoFn's state cells for the element's key and window, typed from its `state` declarations. */
  readonly state: StateOf<S>;
  /** A stateful DoFn's timers for the element's key and window, by the names in its `timers` declarations. */
  readonly timers: TimersOf<T>;
  /** User metrics of this step (counters and distributions), reported per step with the run's metrics. */
  readonly metrics: MetricsContext;
}

/** The key type of a stateful DoFn's input: `K` for `KV<K, V>`, `unknown` for anything else. */
export type KeyOf<I> = I extends KV<infer K, unknown> ? K : unknown;

export interface OnTimerContext<O, Tags extends OutputTags = {}, S extends StateSpecs = {}, T extends TimerSpecs = {}, K = unknown>
  extends OutputContext<O, Tags> {
  /** The key the timer was set for: typed from a stateful DoFn's input, `KV<K, V>` (see {@link KeyOf}). */
  readonly key: K;
  /** The window the timer was set in. */
  readonly window: BoundedWindow;
  /** The time the timer was set to; outputs get this timestamp by default. */
  readonly timestamp: Instant;
  /** Whether the timer was an event-time (`TimerSpec.eventTime()`) or processing-time one. */
  readonly domain: 'event' | 'processing';
  /** The current processing time, from the runner's injected clock. */
  readonly processingTime: Instant;
  /** The step's input watermark when the timer fires. */
  readonly watermark: Instant;
  /** The state cells of the timer's key and window (the same cells `process` saw). */
  readonly state: StateOf<S>;
  /** The timers of the timer's key and window: a timer may set itself or another again. */
  readonly timers: TimersOf<T>;
  /** User metrics of this step. */
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
 * What `process` and `onTimer` callbacks may return: their outputs to the main output, as an
 * alternative to `ctx.output`. The rule, by what the callback returns (or its promise resolves to):
 * - `undefined` (no `return`, `return;`): no output;
 * - a generator (a `function*` or `async function*` callback): every value it yields is one output,
 *   pulled as downstream takes them (a long generator is paused while downstream is busy);
 * - any other value is ONE output, whatever it is: an array, a string, a Set or `null` is emitted as
 *   that one value, never iterated. To emit several values, yield them (`yield* list` yields a
 *   list's items).
 *
 * Outputs given this way get exactly what `ctx.output(value)` would give them: the element's
 * timestamp, window and pane in `process`, the timer's time and window in `onTimer`. A callback must
 * not use both ways in one call: a call that returns or yields a value and also calls `ctx.output`
 * or `ctx.outputWithTimestamp` fails the run with a UserCodeError (cause {@link MixedOutputError}).
 * Tagged outputs (`ctx.outputTo`) may be combined with either.
 * @example
 * ParDo({ *process(line: string) { for (const w of line.split(' ')) if (w) yield w; } }) // PCollection<string>
 * ParDo({ process: (s: string) => s.length })                                            // PCollection<number>
 */
export type DoFnOutput<O> = void | undefined | O | Promise<void | undefined | O> | Generator<O, void, undefined> | AsyncGenerator<O, void, undefined>;

/**
 * The output type of a DoFn whose `O` was inferred: `unknown` when `O` came out as `void` (no callback
 * returns or yields a value: it emits with `ctx.output` only, as before the output type could be
 * inferred), else `O` (`never` stays `never`). For a type argument of a generic function it stays
 * unresolved: generic code casts, `ParDo(fn) as ParDoTransform<I, O, Tags>`.
 */
export type InferredOutput<O> = [O] extends [never] ? never : [O] extends [void] ? unknown : O;

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
 * `process` and `onTimer` emit with `ctx.output(value)`, or return or yield their outputs (the rule is
 * on {@link DoFnOutput}); then `ParDo(fn)` and `statefulDoFn<I>()(fn)` infer the output type `O` from
 * what they return or yield, and the type arguments need not be named. TypeScript cannot infer `O`
 * from `ctx.output(...)` calls: a DoFn that emits that way names it, `ParDo<I, O>(fn)`.
 *
 * A DoFn that declares `state` or `timers` is stateful: its input must be KV and its state is scoped
 * to key and window.
 *
 * An exception fails the run with a UserCodeError naming the step, the element and the window —
 * unless the ParDo was built `.withDeadLetters()`, which routes the element and the reason to a
 * dead-letter output instead.
 *
 * `C` is what `ctx.output` takes: `O` itself, except in a DoFn whose `O` is being inferred, where
 * `C` is `unknown` (a context whose type named the inferred `O` would stop TypeScript inferring it).
 * It never needs naming.
 *
 * @example
 * const toUpper: DoFn<string, string> = { process(word, ctx) { ctx.output(word.toUpperCase()); } };
 * const lengths = words.apply('Length', ParDo({ *process(word) { yield word.length; } })); // PCollection<number>
 */
export interface DoFn<I, O, Tags extends OutputTags = {}, S extends StateSpecs = {}, T extends TimerSpecs = {}, C = O> {
  /** Once per DoFn instance, before its first bundle: open connections, load models. */
  setup?(ctx: SetupContext): void | Promise<void>;
  /** At the start of each bundle (a few elements on the native runner, a whole batch on the micro-batch one). */
  startBundle?(ctx: BundleContext): void | Promise<void>;
  /**
   * Each element: emit with `ctx.output(...)` (any number of times, also none), or return one output or
   * yield many ({@link DoFnOutput}), not both in one call. May be async; the runner awaits it.
   */
  process(element: I, ctx: ProcessContext<C, Tags, S, T>): DoFnOutput<O>;
  /** At the end of each bundle: flush what `process` buffered (outputs here name their timestamp and window). */
  finishBundle?(ctx: FinishBundleContext<C, Tags>): void | Promise<void>;
  /** Once at the end, told how the run ended (also after a failure, best effort): release what `setup` took. */
  teardown?(ctx: TeardownContext): void | Promise<void>;
  /** State declarations (`{ count: StateSpec.value<number>() }`): makes the DoFn stateful; its input must be KV. */
  readonly state?: S;
  /** Timer declarations (`{ flush: TimerSpec.eventTime() }`): makes the DoFn stateful; its input must be KV. */
  readonly timers?: T;
  /** One callback per declared timer, by its name, called when that timer fires; may return or yield outputs as `process` does. */
  readonly onTimer?: { readonly [K in keyof T]?: (ctx: OnTimerContext<C, Tags, S, T, KeyOf<I>>) => DoFnOutput<O> };
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
 * Name the input type in a first call and let the second infer the declarations and, from what
 * `process` and `onTimer` return or yield ({@link DoFnOutput}), the output type:
 * `statefulDoFn<I>()({ state, timers, *process, onTimer })`. A DoFn that emits with `ctx.output`
 * names the output type too, `statefulDoFn<I, O>()({ ... })` (also for tagged outputs:
 * `statefulDoFn<I, O, Tags>()`). Two calls, because a call that names some type arguments infers
 * none of the others, so `statefulDoFn<I, O>(fn)` in one call would lose the declarations' types.
 * @example
 * const totals = statefulDoFn<KV<string, number>>()({
 *   state: { total: StateSpec.combining(sumFn()) },
 *   *process(e, ctx) { ctx.state.total.add(e.value); yield `${e.key}: ${ctx.state.total.read()}`; },
 * }); // DoFn<KV<string, number>, string, ...>
 */
export function statefulDoFn<I>(): <O, S extends StateSpecs = {}, T extends TimerSpecs = {}, C = O>(fn: DoFn<I, O, {}, S, T, C>) => DoFn<I, InferredOutput<O>, {}, S, T>;
/**
 * The two-call form with the output type named: `statefulDoFn<I, O>()({ state, timers, process, onTimer })`,
 * for a DoFn that emits with `ctx.output` (or tagged outputs, `statefulDoFn<I, O, Tags>()`).
 * @example
 * const totals = statefulDoFn<KV<string, number>, string>()({
 *   state: { total: StateSpec.combining(sumFn()) },
 *   process(e, ctx) { ctx.state.total.add(e.value); ctx.output(`${e.key}: ${ctx.state.total.read()}`); },
 * });
 */
export function statefulDoFn<I, O, Tags extends OutputTags = {}>(): <S extends StateSpecs = {}, T extends TimerSpecs = {}>(fn: DoFn<I, O, Tags, S, T>) => DoFn<I, O, Tags, S, T>;
/**
 * The one-call form: everything inferred from `fn` (annotate the element parameter of `process`; the
 * output type from what it returns or yields, else `unknown`), or every type argument named.
 */
export function statefulDoFn<I, O, S extends StateSpecs = {}, T extends TimerSpecs = {}, Tags extends OutputTags = {}, C = O>(
  fn: DoFn<I, O, Tags, S, T, C>,
): DoFn<I, InferredOutput<O>, Tags, S, T>;
export function statefulDoFn(fn?: DoFn<unknown, unknown, any, any, any>): unknown {
  return fn === undefined ? (f: DoFn<unknown, unknown, any, any, any>) => f : fn;
}

/** True when the DoFn declares state or timers. */
export function isStateful(fn: DoFn<any, any, any, any, any>): boolean {
  return (fn.state !== undefined && Object.keys(fn.state).length > 0) || (fn.timers !== undefined && Object.keys(fn.timers).length > 0);
}
