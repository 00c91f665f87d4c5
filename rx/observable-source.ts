import type { Observable, Subscription } from 'rxjs';
import type { DeadLetter } from '../sdk/dead-letter.js';
import type { Source, SourceBatch, SourceContext, SourceReader } from '../sdk/io/source.js';
import { DEFAULT_MAX_FORWARD_JUMP, ForwardJumpGuard } from '../sdk/io/forward-jump-guard.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN, type Duration, type Instant } from '../sdk/time.js';
import type { TimestampedValue } from '../sdk/windowed-value.js';
import { timestampOption } from '../transforms/io/timestamp-option.js';
import { ObservableOverflowError, ObservableSourceError } from './errors.js';

/** How the watermark of an Observable input follows its event times. */
export interface ObservableWatermark {
  /**
   * Bounded out-of-orderness: the watermark is the largest event time seen so far minus this
   * (never moving back). An element older than that is behind the watermark when it arrives, and
   * goes the way of late data (a LATE pane, or the aggregation's `lateData()`). Default 0.
   */
  readonly maxOutOfOrderness?: Duration;
  /**
   * Guards the watermark against one extreme element (default 1 hour, `Infinity` = off), as for every
   * source: an event time more than this ahead of every earlier one is held from the watermark until a
   * second element confirms it (see `ForwardJumpGuard` in watershed/sdk), so one element dated 2099 does
   * not make all that follow it late; the element itself is still read. The watermark moves from the
   * second element on.
   */
  readonly maxForwardJump?: Duration;
}

/** How {@link RxIO.read} reads an Observable. */
export interface ObservableReadOptions<T> {
  /**
   * The event time of an element, in ms since the epoch. Default: the run's clock when the element
   * arrives (ingestion time); the watermark then follows the clock (less the out-of-orderness bound)
   * even while nothing arrives, so windows fire as time passes. An element for which it throws or gives something other than a whole
   * number in the range of timestamps goes to the step's dead-letter output (`bad-timestamp`), and
   * moves no watermark. The same option as TextFile's, Generate's and KafkaIO's `timestamp`.
   * @example RxIO.read(clicks$, { timestamp: (c) => c.at })
   */
  readonly timestamp?: (value: T) => Instant;
  /**
   * The old name of `timestamp`, with the same behaviour.
   * @deprecated Use `timestamp` (the same option, under the name every source uses); giving both
   * throws a ConflictingOptionsError. This alias goes in the next release.
   */
  readonly timestampFn?: (value: T) => Instant;
  /** The watermark policy (default: bounded out-of-orderness of 0). */
  readonly watermark?: ObservableWatermark;
  /**
   * Most elements held between the Observable and the pipeline (default 100 000). An Observable
   * pushes and cannot be paused: when it runs this far ahead, the run fails with an
   * {@link ObservableOverflowError} rather than grow memory without bound.
   */
  readonly maxBuffered?: number;
  /** True when the Observable is known to complete (e.g. `from(array)`); default false (unbounded). */
  readonly bounded?: boolean;
}

/** The default of {@link ObservableReadOptions.maxBuffered}. */
export const DEFAULT_MAX_BUFFERED = 100_000;

/** One arrival: an element with its event time, or what could not be given one. */
type Arrival<T> = { readonly ok: true; readonly element: TimestampedValue<T> } | { readonly ok: false; readonly dead: DeadLetter };

/**
 * A Source over an Observable (see {@link RxIO.read}, which wraps it in a Read step). The Observable is
 * subscribed when the run opens the source (shortly after `p.start()`, not at once) and unsubscribed
 * when it closes it: like any late subscriber, it misses what a hot Observable (a Subject) sent before,
 * so feed a Subject once the run has started or use a ReplaySubject; its completion ends the
 * input (the watermark goes to +infinity), its error fails the run with an {@link ObservableSourceError}.
 *
 * Lateness does not depend on how or when the runner batches: an element older than the watermark
 * the elements before it gave is handed over only after a batch that ends with that watermark as a
 * barrier (the micro-batch runner ends its batch there, and moves the watermark before the element),
 * so an element is behind the watermark exactly when newer elements that arrived before it had moved
 * the watermark past it, on either runner.
 *
 * It has no `position()`: an Observable cannot be rewound, so a run with `checkpointDir` refuses it
 * before subscribing (UnresumableSourceError naming the step; see {@link Source.notResumable}).
 * @throws ConflictingOptionsError when both `timestamp` and its deprecated alias `timestampFn` are given.
 * @example p.apply('Clicks', Read(new ObservableSource(clicks$, { timestamp: (c) => c.at })))
 */
export class ObservableSource<T> implements Source<T> {
  readonly name = 'Observable';
  readonly bounded: boolean;
  readonly notResumable = 'an Observable cannot be rewound, so a resumed run could neither read again what followed the checkpoint nor skip what it already read';
  private opened = false;

  constructor(
    private readonly observable: Observable<T>,
    private readonly options: ObservableReadOptions<T> = {},
  ) {
    const max = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxBuffered must be a whole number >= 1, got ${max}`);
    const lag = options.watermark?.maxOutOfOrderness ?? 0;
    if (!(lag >= 0) || !Number.isFinite(lag)) throw new RangeError(`watermark.maxOutOfOrderness must be a finite duration >= 0 ms, got ${lag}`);
    const jump = options.watermark?.maxForwardJump ?? DEFAULT_MAX_FORWARD_JUMP;
    if (!(jump >= 0)) throw new RangeError(`watermark.maxForwardJump must be a duration >= 0 ms (Infinity: off), got ${jump}`);
    timestampOption(options.timestamp, options.timestampFn, 'timestampFn', this.name);
    this.bounded = options.bounded ?? false;
  }

  /** @throws Error when opened a second time: an Observable's elements can be taken by one run only. */
  async open(ctx: SourceContext): Promise<SourceReader<T>> {
    if (this.opened) throw new Error('this ObservableSource was already read by a run: make a new one (RxIO.read) per pipeline run');
    this.opened = true;
    return new ObservableReader(this.observable, this.options, ctx);
  }
}

class ObservableReader<T> implements SourceReader<T> {
  private readonly buffer: Arrival<T>[] = [];
  private head = 0;
  private completed = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly subscription: Subscription;
  private readonly lag: Duration;
  private readonly maxBuffered: number;
  private readonly timestampFn: ((value: T) => Instant) | undefined;
  /** The event time the watermark may follow: the largest, unless one element jumped far ahead of the rest. */
  private readonly guard: ForwardJumpGuard;
  private watermark: Instant = TIMESTAMP_MIN;
  /** The watermark of the last batch that ended with a barrier: the runners have applied it before what follows. */
  private barrierWatermark: Instant = TIMESTAMP_MIN;
  private arrived = 0;

  constructor(
    observable: Observable<T>,
    options: ObservableReadOptions<T>,
    private readonly ctx: SourceContext,
  ) {
    this.lag = options.watermark?.maxOutOfOrderness ?? 0;
    this.guard = new ForwardJumpGuard(options.watermark?.maxForwardJump ?? DEFAULT_MAX_FORWARD_JUMP);
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    this.timestampFn = options.timestamp ?? options.timestampFn;
    this.subscription = observable.subscribe({
      next: (value) => this.arrive(value),
      error: (e: unknown) => this.end(new ObservableSourceError(ctx.step, e)),
      complete: () => this.end(undefined),
    });
    // It may have overflowed or failed while subscribing (a synchronous Observable): stop it now.
    if (this.failure) this.subscription.unsubscribe();
  }

  private arrive(value: T): void {
    if (this.completed || this.failure) return;
    if (this.buffer.length - this.head >= this.maxBuffered) {
      this.end(new ObservableOverflowError(this.ctx.step, this.maxBuffered));
      this.subscription?.unsubscribe();
      return;
    }
    const index = this.arrived++;
    let timestamp: unknown;
    try {
      timestamp = this.timestampFn ? this.timestampFn(value) : this.ctx.clock.now();
    } catch (e) {
      this.buffer.push({ ok: false, dead: this.dead(value, index, `timestamp threw: ${e instanceof Error ? e.message : String(e)}`) });
      return this.notify();
    }
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp <= TIMESTAMP_MIN || timestamp > END_OF_GLOBAL_WINDOW) {
      this.buffer.push({ ok: false, dead: this.dead(value, index, `timestamp gave ${String(timestamp)}, not a whole number of ms in the range of timestamps`) });
      return this.notify();
    }
    this.buffer.push({ ok: true, element: { value, timestamp } });
    this.notify();
  }

  private dead(value: T, index: number, message: string): DeadLetter {
    return { step: this.ctx.step, reason: 'bad-timestamp', message, element: value, origin: { source: 'Observable', index } };
  }

  private end(failure: Error | undefined): void {
    if (this.completed || this.failure) return;
    if (failure) this.failure = failure;
    else this.completed = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async poll(maxElements: number, maxWaitMs: number): Promise<SourceBatch<T>> {
    if (this.head === this.buffer.length && !this.completed && !this.failure) await this.arrival(maxWaitMs);
    const elements: TimestampedValue<T>[] = [];
    const deadLetters: DeadLetter[] = [];
    let barrier = false;
    while (this.head < this.buffer.length && elements.length < maxElements) {
      const a = this.buffer[this.head]!;
      if (a.ok) {
        // The watermark the elements before this one gave; an element below it ends the batch, so that
        // it is behind the watermark on every runner, however the runner batches.
        const before = this.watermarkAfter(this.guard.confirmed());
        if (a.element.timestamp < before && before > this.barrierWatermark) {
          // (an empty batch when the watermark moved in earlier batches: the micro-batch runner may
          // still be gathering them into the batch this element would join)
          barrier = true;
          break;
        }
        this.guard.observe(a.element.timestamp);
        elements.push(a.element);
      } else deadLetters.push(a.dead);
      this.head++;
    }
    if (this.head === this.buffer.length) {
      this.buffer.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer.splice(0, this.head);
      this.head = 0;
    }
    this.watermark = this.watermarkAfter(this.guard.confirmed());
    // Ingestion time: an element yet to come will be stamped now or later, so the watermark may follow
    // the clock, up to the first element still buffered.
    if (this.timestampFn === undefined) this.watermark = this.watermarkAfter(this.head < this.buffer.length ? this.firstBufferedTime() : this.ctx.clock.now());
    if (barrier) this.barrierWatermark = this.watermark;
    const drained = this.head === this.buffer.length;
    if (drained && this.failure && elements.length === 0 && deadLetters.length === 0) throw this.failure;
    return {
      elements,
      watermark: this.watermark,
      done: drained && this.completed,
      ...(deadLetters.length > 0 ? { deadLetters } : {}),
      ...(barrier ? { barrier } : {}),
    };
  }

  /** The event time of the first element still buffered (only called when one is). */
  private firstBufferedTime(): Instant {
    for (let i = this.head; i < this.buffer.length; i++) {
      const a = this.buffer[i]!;
      if (a.ok) return a.element.timestamp;
    }
    return this.ctx.clock.now();
  }

  private watermarkAfter(maxTs: Instant): Instant {
    const wm = maxTs === TIMESTAMP_MIN ? TIMESTAMP_MIN : maxTs - this.lag;
    return wm > this.watermark ? wm : this.watermark;
  }

  /** Waits for the next arrival, completion or error, at most `maxWaitMs` on the run's clock. */
  private async arrival(maxWaitMs: number): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    this.ctx.signal.addEventListener('abort', onAbort, { once: true });
    const arrived = new Promise<void>((resolve) => (this.wake = resolve));
    try {
      await Promise.race([arrived, this.ctx.clock.sleepUntil(this.ctx.clock.now() + maxWaitMs, stop.signal)]);
    } finally {
      stop.abort();
      this.ctx.signal.removeEventListener('abort', onAbort);
      this.wake = undefined;
    }
  }

  async close(): Promise<void> {
    this.subscription.unsubscribe();
  }
}
