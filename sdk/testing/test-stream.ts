import { SourcePositionError } from '../errors.js';
import { numericPosition } from '../io/numeric-position.js';
import type { SourceBatch } from '../io/source.js';
import type { PCollection } from '../pcollection.js';
import type { Pipeline } from '../pipeline.js';
import type { PTransform } from '../ptransform.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Duration, type Instant } from '../time.js';
import type { TimestampedValue } from '../windowed-value.js';
import { defaultWindowingStrategy as defaultWs } from '../windowing-strategy.js';

/** One scripted step of a TestStream. */
export type TestStreamEvent<T> =
  | { readonly kind: 'elements'; readonly elements: readonly TimestampedValue<T>[] }
  | { readonly kind: 'watermark'; readonly to: Instant }
  /** Processing time moves by `by` ms (relative step). */
  | { readonly kind: 'processingTime'; readonly by: Duration }
  /** Processing time moves to `to` (absolute step). */
  | { readonly kind: 'processingTimeTo'; readonly to: Instant };

/**
 * Where a TestStream's reader stands: the next event's index, the scripted watermark and processing
 * time so far, and whether the clock was moved to the start time. A run resumed from it (with its
 * virtual clock restored by the runner) goes on with event `i`.
 */
export interface TestStreamPosition {
  readonly i: number;
  readonly wm: Instant;
  readonly now: Instant;
  readonly started: boolean;
}

function testStreamPosition(p: unknown): TestStreamPosition {
  const { i, wm, now } = numericPosition('TestStream', p, { i: 'count', wm: 'instant', now: 'instant' });
  const started = (p as { started?: unknown }).started;
  if (typeof started !== 'boolean') throw new SourcePositionError('TestStream', 'malformed', `expected a boolean 'started', got ${JSON.stringify(p)?.slice(0, 200)}`);
  return { i, wm, now, started };
}

/**
 * A scripted, deterministic input for tests: element arrivals (value plus event timestamp),
 * watermark steps and processing-time steps, replayed in order on any runner with a virtual clock
 * starting at `startTime`. When the script ends, the watermark goes to +infinity.
 *
 * Time steps come in two forms for both clocks: absolute (`advanceWatermarkTo(t)`,
 * `advanceProcessingTimeTo(t)`) and relative to the previous step of the same clock
 * (`advanceWatermarkBy(d)`, `advanceProcessingTimeBy(d)`; `advanceProcessingTime(d)` is the old
 * name of the latter).
 *
 * **One processing instant.** Everything between two processing-time steps happens at one instant
 * t of processing time, in this order, on every runner:
 * 1. the step to t: the processing-time timers and triggers due at or before t that the runner
 *    fires at t fire first;
 * 2. then what the script puts at t, in script order: elements, and watermark steps (each fires the
 *    event-time timers and triggers it passes before the next element is taken).
 * The native runner fires processing-time work at every step. The micro-batch runner fires it at
 * batch boundaries: every step with `--batchInterval=asap`; with an interval, the multiples of it, so
 * work due between two boundaries fires at the next boundary the script reaches, again before what
 * the script puts at that instant (elements scripted earlier are processed in the batch ending there,
 * before it). A watermark step ends a micro-batch for event time only. So an element meant to
 * arrive before a timer due at t is scripted before the step to t, and one meant to arrive after it
 * at or after that step. Known exception: a trigger that also counts elements (e.g.
 * `AfterFirst(AfterCount(n), AfterProcessingTime...)`) is evaluated at the end of a micro-batch
 * that a watermark step ends between boundaries, as count triggers are, so its processing-time part
 * can fire there, after that batch's elements.
 *
 * @example
 * const input = TestStream.create<string>()
 *   .addElements(['a', 1000], ['b', 2000])
 *   .advanceWatermarkTo(3000)          // the window [0, 3000) fires ON_TIME
 *   .addElements(['late', 2500])       // a LATE pane, if within the allowed lateness
 *   .advanceProcessingTimeBy(seconds(5))  // timers due by then fire before 'c'
 *   .addElements(['c', 4000])
 *   .advanceWatermarkToInfinity();
 * const out = pipeline.apply(input);
 */
export class TestStream<T> implements PTransform<Pipeline, PCollection<T>> {
  readonly name = 'TestStream';
  private constructor(
    /** The script so far, in order. */
    readonly events: readonly TestStreamEvent<T>[],
    /** The processing time the virtual clock starts at. */
    readonly startTime: Instant,
  ) {}

  /**
   * An empty script of elements of type `T`; `startTime` is the processing time the run's virtual clock
   * starts at (default 0). Each step returns a new TestStream, so a script can be shared and extended.
   * @example TestStream.create<Click>({ startTime: Date.UTC(2026, 0, 1) }).addElements([click, click.at])
   */
  static create<T>(options: { startTime?: Instant } = {}): TestStream<T> {
    return new TestStream<T>([], options.startTime ?? 0);
  }

  /** Elements arriving now, as `[value, eventTimestamp]` pairs or TimestampedValues. */
  addElements(...elements: ([T, Instant] | TimestampedValue<T>)[]): TestStream<T> {
    const els = elements.map((e) => (Array.isArray(e) ? { value: e[0], timestamp: e[1] } : e));
    return new TestStream([...this.events, { kind: 'elements', elements: els }], this.startTime);
  }

  /** The watermark of the last watermark step, if any. */
  private lastWatermark(): Instant | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.kind === 'watermark') return e.to;
    }
    return undefined;
  }

  /** Processing time after the last step, as scripted from `startTime` (the clock may start later: see advanceProcessingTimeTo). */
  private scriptedProcessingTime(): Instant {
    let now = this.startTime;
    for (const e of this.events) {
      if (e.kind === 'processingTime') now += e.by;
      else if (e.kind === 'processingTimeTo') now = e.to;
    }
    return now;
  }

  /**
   * Moves the watermark to the absolute instant `to`.
   * @throws RangeError when moving the watermark backwards.
   * @example TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(1000)
   */
  advanceWatermarkTo(to: Instant): TestStream<T> {
    const last = this.lastWatermark();
    if (last !== undefined && to < last) throw new RangeError(`TestStream watermark cannot move back from ${last} to ${to}`);
    return new TestStream([...this.events, { kind: 'watermark', to }], this.startTime);
  }

  /**
   * Moves the watermark `by` ms past the previous watermark step (a step to that instant).
   * @throws RangeError for a negative duration, or when no watermark step came before (the watermark starts at -infinity).
   * @example TestStream.create<string>().advanceWatermarkTo(0).addElements(['a', 100]).advanceWatermarkBy(1000) // to 1000
   */
  advanceWatermarkBy(by: Duration): TestStream<T> {
    if (!(by >= 0)) throw new RangeError(`TestStream watermark must advance by >= 0 ms, got ${by}`);
    const last = this.lastWatermark();
    if (last === undefined) throw new RangeError('TestStream.advanceWatermarkBy needs an earlier watermark step (the watermark starts at -infinity): use advanceWatermarkTo first');
    return this.advanceWatermarkTo(last + by);
  }

  /** Ends the input: the watermark goes to +infinity, so every window and event-time timer fires (what the end of the script does too). */
  advanceWatermarkToInfinity(): TestStream<T> {
    return this.advanceWatermarkTo(TIMESTAMP_MAX);
  }

  /**
   * Moves processing time forward by `by` ms (relative step). Timers due by then fire before what
   * the script puts after this step (see "One processing instant" above).
   * @throws RangeError for a non-positive duration.
   * @example TestStream.create<string>().addElements(['a', 0]).advanceProcessingTimeBy(500)
   */
  advanceProcessingTimeBy(by: Duration): TestStream<T> {
    if (!(by > 0)) throw new RangeError(`TestStream processing time must advance by > 0 ms, got ${by}`);
    return new TestStream([...this.events, { kind: 'processingTime', by }], this.startTime);
  }

  /**
   * Moves processing time forward to the absolute instant `to` (absolute step), as
   * `advanceWatermarkTo` does for event time.
   * @throws RangeError when `to` is not after the processing time scripted so far (`startTime` plus
   * the steps before). The run fails with a RangeError when its clock started so late that it is
   * already at or past `to` when the step comes.
   * @example TestStream.create<string>({ startTime: 1000 }).addElements(['a', 0]).advanceProcessingTimeTo(1500)
   */
  advanceProcessingTimeTo(to: Instant): TestStream<T> {
    const now = this.scriptedProcessingTime();
    if (!(to > now)) throw new RangeError(`TestStream processing time must move forward: it is at ${now} by the script, got advanceProcessingTimeTo(${to})`);
    return new TestStream([...this.events, { kind: 'processingTimeTo', to }], this.startTime);
  }

  /**
   * The same as {@link advanceProcessingTimeBy} (relative). Kept because many tests use it; new code
   * reads better with the explicit name.
   * @throws RangeError for a non-positive duration.
   */
  advanceProcessingTime(by: Duration): TestStream<T> {
    return this.advanceProcessingTimeBy(by);
  }

  expand(_p: Pipeline, ctx: Parameters<PTransform<Pipeline, PCollection<T>>['expand']>[1]): PCollection<T> {
    const events = this.events;
    const startTime = this.startTime;
    return ctx.primitive<{ main: T; deadLetter: unknown }>(
      {
        kind: 'read',
        source: {
          name: 'TestStream',
          bounded: true,
          drivesClock: true,
          async open({ clock, resumeFrom }) {
            const from = resumeFrom === undefined ? undefined : testStreamPosition(resumeFrom);
            let i = from?.i ?? 0;
            let wm = from?.wm ?? TIMESTAMP_MIN;
            let now = from?.now ?? Math.max(startTime, clock.now());
            let started = from?.started ?? false;
            let limit = Number.POSITIVE_INFINITY;
            return {
              async poll(): Promise<SourceBatch<unknown>> {
                if (!started) {
                  started = true;
                  if (now > clock.now()) return { elements: [], watermark: wm, done: false, advanceClockTo: now };
                }
                if (i >= limit) return { elements: [], watermark: wm, done: false };
                const e = events[i++];
                if (!e) return { elements: [], watermark: TIMESTAMP_MAX, done: true };
                switch (e.kind) {
                  case 'elements':
                    return { elements: e.elements, watermark: wm, done: false };
                  case 'watermark':
                    wm = e.to;
                    return { elements: [], watermark: wm, done: false, barrier: true };
                  case 'processingTime':
                    now += e.by;
                    return { elements: [], watermark: wm, done: false, advanceClockTo: now };
                  case 'processingTimeTo':
                    if (!(e.to > now)) throw new RangeError(`TestStream.advanceProcessingTimeTo(${e.to}): the run's clock is already at ${now} (it started after the script's startTime)`);
                    now = e.to;
                    return { elements: [], watermark: wm, done: false, advanceClockTo: now };
                }
              },
              position: (): TestStreamPosition => ({ i, wm, now, started }),
              stopAt(p) {
                limit = p === undefined ? Number.POSITIVE_INFINITY : testStreamPosition(p).i;
              },
              async close() {},
            };
          },
        },
      },
      [],
      { main: { windowing: defaultWs(), bounded: true }, deadLetter: { windowing: defaultWs(), bounded: true } },
    ).main;
  }
}
