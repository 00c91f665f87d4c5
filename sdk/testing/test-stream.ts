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
  | { readonly kind: 'processingTime'; readonly by: Duration };

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
 * watermark advances and processing-time advances, replayed in order on any runner with a virtual
 * clock starting at `startTime`. When the script ends, the watermark goes to +infinity.
 *
 * Each step is processed completely before the next (a watermark step ends a micro-batch;
 * processing-time steps move the virtual clock across batch boundaries).
 *
 * @example
 * const input = TestStream.create<string>()
 *   .addElements(['a', 1000], ['b', 2000])
 *   .advanceWatermarkTo(3000)          // the window [0, 3000) fires ON_TIME
 *   .addElements(['late', 2500])       // a LATE pane, if within the allowed lateness
 *   .advanceProcessingTime(seconds(5))
 *   .advanceWatermarkToInfinity();
 * const out = pipeline.apply(input);
 */
export class TestStream<T> implements PTransform<Pipeline, PCollection<T>> {
  readonly name = 'TestStream';
  private constructor(
    readonly events: readonly TestStreamEvent<T>[],
    readonly startTime: Instant,
  ) {}

  static create<T>(options: { startTime?: Instant } = {}): TestStream<T> {
    return new TestStream<T>([], options.startTime ?? 0);
  }

  /** Elements arriving now, as `[value, eventTimestamp]` pairs or TimestampedValues. */
  addElements(...elements: ([T, Instant] | TimestampedValue<T>)[]): TestStream<T> {
    const els = elements.map((e) => (Array.isArray(e) ? { value: e[0], timestamp: e[1] } : e));
    return new TestStream([...this.events, { kind: 'elements', elements: els }], this.startTime);
  }

  /** @throws RangeError when moving the watermark backwards. */
  advanceWatermarkTo(to: Instant): TestStream<T> {
    const last = [...this.events].reverse().find((e) => e.kind === 'watermark') as { to: Instant } | undefined;
    if (last && to < last.to) throw new RangeError(`TestStream watermark cannot move back from ${last.to} to ${to}`);
    return new TestStream([...this.events, { kind: 'watermark', to }], this.startTime);
  }

  advanceWatermarkToInfinity(): TestStream<T> {
    return this.advanceWatermarkTo(TIMESTAMP_MAX);
  }

  /** @throws RangeError for a non-positive duration. */
  advanceProcessingTime(by: Duration): TestStream<T> {
    if (!(by > 0)) throw new RangeError(`TestStream processing time must advance by > 0 ms, got ${by}`);
    return new TestStream([...this.events, { kind: 'processingTime', by }], this.startTime);
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
