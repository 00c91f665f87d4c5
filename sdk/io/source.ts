import type { Clock } from '../clock.js';
import type { SourcePositionError, UnresumableSourceError } from '../errors.js';
import type { DeadLetter } from '../dead-letter.js';
import type { SourceProgress } from '../run-observer.js';
import type { Instant } from '../time.js';
import type { TimestampedValue } from '../windowed-value.js';

/** What a source gets when the runner opens it. */
export interface SourceContext {
  readonly step: string;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /**
   * Resume here instead of the configured start: a value this source's reader returned from
   * {@link SourceReader.position} in an earlier run (restored from a checkpoint). The reader then
   * returns exactly what came after that position: nothing before it again, nothing skipped. A
   * source that cannot continue from it (e.g. the file was replaced since) fails its `open` with a
   * {@link SourcePositionError}; undefined means a fresh start.
   */
  readonly resumeFrom?: unknown;
}

/**
 * Elements given by column: element i is `values[i]` at event time `timestamps[i]`. A fast source
 * uses this to skip making an object per element.
 */
export interface SourceColumns<T> {
  readonly values: readonly T[];
  /** As long as `values`. */
  readonly timestamps: ArrayLike<Instant>;
}

/** One poll's worth of input. */
export interface SourceBatch<T> {
  readonly elements: readonly TimestampedValue<T>[];
  /** More elements of this batch, by column; they come after `elements`. */
  readonly columns?: SourceColumns<T>;
  /** The source watermark after these elements: no later element will be below it (except late data). */
  readonly watermark: Instant;
  /** True once a bounded source has nothing more: the runner then moves the watermark to +infinity. */
  readonly done: boolean;
  /** Records the source could not decode; they go to the Read step's dead-letter output. */
  readonly deadLetters?: readonly DeadLetter[];
  /** TestStream only: processing time moves to this instant (the clock must be virtual). */
  readonly advanceClockTo?: Instant;
  /**
   * TestStream only: a scripted watermark step. Everything before it is processed before the
   * watermark moves (the micro-batch runner ends its batch here).
   */
  readonly barrier?: boolean;
}

/** How many elements a batch holds (`elements` and `columns`). */
export function sourceBatchSize(batch: SourceBatch<unknown>): number {
  return batch.columns === undefined ? batch.elements.length : batch.elements.length + batch.columns.values.length;
}

/**
 * A reader over one source, pulled by the runner: the runner polls only when it has room downstream,
 * which is how backpressure reaches the source.
 */
export interface SourceReader<T> {
  /**
   * Returns up to `maxElements` available elements. When nothing is available it may wait, but
   * should return (possibly empty, with the current watermark) within about `maxWaitMs` so the
   * runner can fire processing-time timers and notice cancellation.
   */
  poll(maxElements: number, maxWaitMs: number): Promise<SourceBatch<T>>;
  /**
   * Where the read stands: covers exactly what `poll` has returned so far, never what the reader
   * holds read ahead inside (e.g. Kafka offsets of the records handed out, a file's byte offset after
   * the last line returned). Plain data that JSON, `v8.serialize` and `structuredClone` all keep
   * exactly (objects, arrays, strings, finite numbers, booleans; no `undefined` members, no
   * functions, class instances or bigints); a fresh object on every call, never changed afterwards. The
   * runner calls it right after each `poll` resolves, before the next one starts, and stores it with
   * that batch: what a checkpoint records is the position of the last batch the pipeline *took*,
   * not of what the reader or the runner's buffer ran ahead to. Opening the source with
   * `resumeFrom` set to this value continues right after it.
   * @example reader.position() // { byte: 4096, line: 80, maxTs: 1700000000000, ... }
   */
  position?(): unknown;
  /**
   * Micro-batch replay: from now on return nothing beyond position `p` (a value `position()`
   * returned): polls give at most the elements up to `p`, then empty batches (not done) until the
   * limit is lifted with `undefined`. A limit already passed has no effect on what was returned.
   */
  stopAt?(p: unknown): void;
  /**
   * The checkpoint holding position `p` is complete and durable (e.g. Kafka commits the offsets to
   * its consumer group for monitoring). Best effort: a failure is only worth a warning.
   */
  checkpointComplete?(p: unknown): Promise<void>;
  /**
   * A bounded source that knows its size: how much it has read so far, out of how much, in its own
   * unit (bytes of a file, events of a generator, offsets of a bounded Kafka read). Includes what the
   * runner's buffer holds read ahead. Shown as the share done and the time left (progress line,
   * dashboard); undefined when the size is not known (a pipe). Called a few times a second: keep it cheap.
   * @example reader.progress?.() // { done: 4096, total: 1048576 }
   */
  progress?(): SourceProgress | undefined;
  close(): Promise<void>;
}

/**
 * An input of a pipeline. Bounded sources end; unbounded ones run until cancelled. `Read(source)`
 * makes it a PCollection. A complete one, with a watermark, dead letters and positions:
 * pipelines/examples/csv-readings-source.ts.
 * @example
 * const three: Source<number> = {
 *   name: 'Three',
 *   bounded: true,
 *   async open() {
 *     return {
 *       // all in one batch, then done: the runner moves the watermark to the end of time
 *       poll: async () => ({ elements: [1, 2, 3].map((value) => ({ value, timestamp: 0 })), watermark: 0, done: true }),
 *       close: async () => {},
 *     };
 *   },
 * };
 * pipeline.apply('Three', Read(three));
 */
export interface Source<T> {
  readonly name: string;
  readonly bounded: boolean;
  /** True for TestStream: its batches advance a virtual clock; runners refuse it with a real clock. */
  readonly drivesClock?: boolean;
  /**
   * Why this source can never resume from a checkpoint, for a source that cannot have a `position()`
   * (e.g. `'an Observable cannot be rewound'`): a run with `checkpointDir` refuses it before opening
   * it, with an {@link UnresumableSourceError} giving this reason. Undefined for other sources.
   */
  readonly notResumable?: string;
  open(ctx: SourceContext): Promise<SourceReader<T>>;
}
