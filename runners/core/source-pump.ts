import { SourceError, WatershedError } from '../../sdk/errors.js';
import { sourceBatchSize, type SourceBatch, type SourceReader } from '../../sdk/io/source.js';

/** A polled batch and the reader's position right after that poll. */
interface Pumped {
  readonly batch: SourceBatch<unknown>;
  readonly position: unknown;
}

/**
 * A bounded buffer between a source and the first step: a pump task polls the reader while the
 * buffer holds fewer than `capacity` elements and waits otherwise, so a fast source cannot run ahead
 * of a slow pipeline by more than `capacity` elements (backpressure).
 *
 * Because it reads ahead, the reader's own `position()` is ahead of what the pipeline has taken.
 * The pump therefore records the reader's position after each poll, with that batch, and
 * {@link position} is the one of the last batch {@link take} handed over: the position a checkpoint
 * must record (resuming from the reader's would skip the batches still buffered here).
 */
export class SourcePump {
  private readonly queue: Pumped[] = [];
  private buffered = 0;
  private ended = false;
  private failure: unknown;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private stopped = false;
  /** Highest number of buffered elements seen (tests check the bound holds). */
  peakBuffered = 0;
  private taken: unknown;

  constructor(
    private readonly reader: SourceReader<unknown>,
    private readonly capacity: number,
    private readonly pollSize: number,
    private readonly pollWaitMs: number,
    private readonly step: string,
    /** Waits a little after an empty poll, so a source that answers "nothing yet" at once cannot spin. */
    private readonly idleWait: () => Promise<void>,
  ) {
    this.taken = reader.position?.();
  }

  /**
   * The reader's position after the last batch {@link take} returned: everything up to it has been
   * handed to the pipeline, nothing after it. Before the first take, the reader's position when the
   * pump was made (its start, or where it resumed). Undefined for a reader without `position()`.
   */
  get position(): unknown {
    return this.taken;
  }

  /** Starts the pump task. Errors are re-thrown from `take`. */
  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        if (this.buffered >= this.capacity) {
          await new Promise<void>((r) => (this.wakeProducer = r));
          continue;
        }
        const batch = await this.reader.poll(Math.min(this.pollSize, this.capacity - this.buffered), this.pollWaitMs);
        const size = sourceBatchSize(batch);
        // Taken now, before the next poll can move the reader on (the pump polls one at a time).
        this.queue.push({ batch, position: this.reader.position?.() });
        this.buffered += size;
        if (this.buffered > this.peakBuffered) this.peakBuffered = this.buffered;
        this.notifyConsumer();
        if (batch.done) break;
        if (size === 0 && batch.advanceClockTo === undefined && !batch.barrier && !batch.deadLetters?.length) await this.idleWait();
      }
    } catch (e) {
      this.failure = e instanceof WatershedError ? e : new SourceError(this.step, e);
    }
    this.ended = true;
    this.notifyConsumer();
  }

  private notifyConsumer(): void {
    const w = this.wakeConsumer;
    this.wakeConsumer = undefined;
    w?.();
  }

  /**
   * The next buffered batch, or undefined when none is buffered now; {@link position} moves to the
   * position recorded after it. @throws what the reader threw.
   */
  take(): SourceBatch<unknown> | undefined {
    if (this.failure !== undefined && this.queue.length === 0) throw this.failure;
    const p = this.queue.shift();
    if (!p) return undefined;
    this.taken = p.position;
    this.buffered -= sourceBatchSize(p.batch);
    const w = this.wakeProducer;
    this.wakeProducer = undefined;
    w?.();
    return p.batch;
  }

  /** Elements buffered now, read ahead of the pipeline (at most {@link bufferCapacity} plus one poll). */
  get bufferedElements(): number {
    return this.buffered;
  }

  /**
   * The buffer is at its bound, so the pump has stopped polling: the source may have more ready than
   * was read ahead (a backlog). The micro-batch runner then goes on gathering after a take.
   */
  get full(): boolean {
    return this.buffered >= this.capacity;
  }

  /** The backpressure bound: the pump stops polling while this many elements are buffered. */
  get bufferCapacity(): number {
    return this.capacity;
  }

  /** Micro-batch replay: the reader returns nothing beyond `p` until lifted with undefined (see `SourceReader.stopAt`). */
  stopAt(p: unknown): void {
    this.reader.stopAt?.(p);
  }

  get hasData(): boolean {
    return this.queue.length > 0 || (this.failure !== undefined);
  }

  /** Resolves when a batch is buffered or the pump ended. */
  whenData(): Promise<void> {
    if (this.queue.length > 0 || this.ended) return Promise.resolve();
    return new Promise((r) => (this.wakeConsumer = r));
  }

  get isEnded(): boolean {
    return this.ended && this.queue.length === 0;
  }

  stop(): void {
    this.stopped = true;
    const w = this.wakeProducer;
    this.wakeProducer = undefined;
    w?.();
  }
}
