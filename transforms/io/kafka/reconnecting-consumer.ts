import type { Clock } from '../../../sdk/clock.js';
import {
  KafkaClientError,
  KafkaUnavailableError,
  type KafkaBatch,
  type KafkaClientFactory,
  type KafkaConsumerOptions,
  type KafkaConsumerPort,
  type KafkaOffsetCommit,
  type KafkaPartitionAssignment,
  type KafkaSkippedRecords,
  type KafkaTopicPartition,
} from './client.js';

/**
 * Receives one batch of the current consumer. `live()` turns false once that consumer has been
 * replaced after a connection loss: a handler that waits (e.g. for room in a queue) must check it
 * after waiting and drop the rest of the batch, which the new consumer fetches again.
 */
export type LiveBatchHandler = (batch: KafkaBatch, live: () => boolean) => Promise<void>;

/** Options of {@link ReconnectingConsumer}. */
export interface ReconnectingConsumerOptions {
  readonly kafka: KafkaClientFactory;
  readonly consumer: KafkaConsumerOptions;
  /** Processing time for backoff and the outage bound (the run's clock). */
  readonly clock: Clock;
  /** Aborts backoff sleeps (the run was cancelled). */
  readonly signal: AbortSignal;
  /** Names the reader in errors and log lines, e.g. `KafkaIO.read(clicks)`. */
  readonly name: string;
  /** How long (processing time) to keep trying after the connection was lost before giving up. */
  readonly timeoutMs: number;
  /** Backoff before the first attempt; doubles per failed attempt up to `maxBackoffMs`. Default 250 ms. */
  readonly initialBackoffMs?: number;
  /** Default 5,000 ms. */
  readonly maxBackoffMs?: number;
  /** Where to read each partition from: called at start and at every reconnection (offsets are concrete). */
  readonly positions: () => KafkaPartitionAssignment[];
  readonly handler: LiveBatchHandler;
  /** A partition's position moved past records that are not delivered (see `KafkaRunOptions.onSkipped`), of the current consumer. */
  readonly onSkipped?: (skipped: KafkaSkippedRecords) => void;
  /** Called at most once, when reading cannot go on (a non-retriable error, or the outage outlasted `timeoutMs`). */
  readonly onFatal: (error: unknown) => void;
  /** Progress lines ("lost the broker ...", "reconnected ..."); default: none. */
  readonly log?: (line: string) => void;
  /** Called after every successful reconnection. */
  readonly onReconnected?: () => void;
}

/**
 * A consumer of manually assigned partitions that survives broker restarts, built only on the
 * {@link KafkaConsumerPort} interface (so it works the same with any client library).
 *
 * When the current consumer stops with a retriable error (a {@link KafkaClientError} with
 * `retriable: true`, which includes {@link KafkaUnavailableError}), it is dropped and a new one is
 * connected and assigned at `positions()` — the owner's next offset per partition — after a backoff
 * (250 ms doubling to 5 s), again and again until one runs. So nothing is skipped, and nothing the
 * owner has already taken is read again. Batches of a dropped consumer still in the handler are
 * flagged through `live()`. Pauses are carried over to the new consumer.
 *
 * If no consumer could be started for `timeoutMs` after the loss (an outage restarts when a new
 * consumer delivers a batch or has been running for `timeoutMs`), or on a non-retriable error,
 * `onFatal` receives the error: for the outage a {@link KafkaUnavailableError} (code
 * `RECONNECT_TIMEOUT`) whose message names the reader, the brokers and the bound, with the last
 * error as `cause`.
 *
 * @example
 * ```ts
 * const c = new ReconnectingConsumer({ kafka, consumer: {}, clock, signal, name: 'KafkaIO.read(t)', timeoutMs: 60_000,
 *   positions: () => [{ topic: 't', partition: 0, startOffset: next }], handler: async (b, live) => { ... },
 *   onFatal: (e) => (failure = e) });
 * await c.start(); // connect errors at start are thrown, not retried
 * ```
 */
export class ReconnectingConsumer {
  private current: KafkaConsumerPort | undefined;
  private generation = 0;
  private closed = false;
  private fatal = false;
  private readonly pausedSet = new Map<string, KafkaTopicPartition>();
  private readonly closing = new AbortController();
  private readonly retired: Promise<void>[] = [];
  /** When the ongoing outage began (undefined: none). */
  private lostAt: number | undefined;
  /** When the current consumer started. */
  private upSince = 0;
  private reconnecting: Promise<void> | undefined;
  private down = false;

  constructor(private readonly o: ReconnectingConsumerOptions) {}

  /**
   * True from a retriable loss until a new consumer runs: nothing can be fetched then, so an owner
   * must not take its partitions for idle (caught up) meanwhile.
   */
  get disconnected(): boolean {
    return this.down;
  }

  /** Connects, assigns `positions()` and starts delivering. Throws what the first connection throws. */
  async start(): Promise<void> {
    await this.open();
  }

  /** Stops fetching these partitions, now and on every later consumer, until {@link resume}. */
  pause(partitions: readonly KafkaTopicPartition[]): void {
    for (const p of partitions) this.pausedSet.set(`${p.topic}\u0000${p.partition}`, { topic: p.topic, partition: p.partition });
    this.current?.pause(partitions);
  }

  resume(partitions: readonly KafkaTopicPartition[]): void {
    for (const p of partitions) this.pausedSet.delete(`${p.topic}\u0000${p.partition}`);
    this.current?.resume(partitions);
  }

  /**
   * Commits `offsets` (the next offset to read, per partition) for the consumer group, through the
   * current consumer.
   * @throws KafkaClientError when no consumer runs now (e.g. during an outage) or the commit fails.
   */
  async commitOffsets(offsets: readonly KafkaOffsetCommit[]): Promise<void> {
    const c = this.current;
    if (c === undefined || this.down) throw new KafkaClientError(`${this.o.name}: no running consumer to commit offsets with`, { retriable: true });
    await c.commitOffsets(offsets);
  }

  /** Stops reading and reconnecting, and disconnects every consumer. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    this.closing.abort();
    const c = this.current;
    this.current = undefined;
    await Promise.all([c?.disconnect().catch(() => undefined), this.reconnecting]);
    // Consumers dropped after a loss may still be failing to leave their group on a dead broker: not worth waiting long for.
    await settleWithin(Promise.all(this.retired), 2_000);
  }

  /** Starts a new consumer at `positions()`. False if it was replaced or closed while starting. */
  private async open(): Promise<boolean> {
    const assignment = this.o.positions();
    const gen = ++this.generation;
    const consumer = this.o.kafka.consumer(this.o.consumer);
    this.current = consumer;
    const live = (): boolean => gen === this.generation && !this.closed;
    try {
      await consumer.connect();
      if (assignment.length > 0) await consumer.assign(assignment);
      const paused = [...this.pausedSet.values()];
      if (paused.length > 0) consumer.pause(paused);
      if (assignment.length > 0) {
        await consumer.run(
          (batch) => {
            if (!live()) return Promise.resolve();
            this.lostAt = undefined; // data flows again: the outage is over
            return this.o.handler(batch, live);
          },
          {
            onError: (e) => {
              if (live()) this.lost(e);
            },
            ...(this.o.onSkipped
              ? {
                  onSkipped: (skipped: KafkaSkippedRecords) => {
                    if (live()) this.o.onSkipped!(skipped);
                  },
                }
              : {}),
          },
        );
      }
    } catch (e) {
      if (this.current === consumer) this.current = undefined;
      this.generation++;
      this.retired.push(consumer.disconnect().catch(() => undefined));
      throw e;
    }
    if (!live()) {
      // closed, or already lost again, while starting (then a later attempt is under way)
      await consumer.disconnect().catch(() => undefined);
      return false;
    }
    this.upSince = this.o.clock.now();
    return true;
  }

  /** The current consumer stopped with `error`. */
  private lost(error: unknown): void {
    if (this.closed || this.fatal) return;
    const old = this.current;
    this.current = undefined;
    this.generation++; // batches of the old consumer still in the handler are no longer live
    if (old) this.retired.push(old.disconnect().catch(() => undefined));
    if (!isRetriable(error)) return this.fail(error);
    this.down = true;
    const now = this.o.clock.now();
    // A consumer that neither delivered a batch nor ran for a whole bound after the last loss continues that outage.
    if (this.lostAt === undefined || now - this.upSince >= this.o.timeoutMs) this.lostAt = now;
    this.o.log?.(`${this.o.name}: lost the connection to Kafka at ${this.o.kafka.brokers.join(',')} (${messageOf(error)}); reconnecting for up to ${this.o.timeoutMs} ms`);
    this.reconnecting = this.reconnect(error);
  }

  private async reconnect(cause: unknown): Promise<void> {
    const lostAt = this.lostAt!;
    const initial = this.o.initialBackoffMs ?? 250;
    const max = this.o.maxBackoffMs ?? 5_000;
    let last = cause;
    for (let attempt = 0; ; attempt++) {
      const clock = this.o.clock;
      const remaining = lostAt + this.o.timeoutMs - clock.now();
      if (remaining <= 0) return this.fail(giveUp(this.o, last, attempt));
      await clock.sleepUntil(clock.now() + Math.min(remaining, initial * 2 ** Math.min(attempt, 20), max), AbortSignal.any([this.closing.signal, this.o.signal]));
      if (this.closed || this.o.signal.aborted) return;
      try {
        if (!(await this.open())) return;
        this.down = false;
        this.o.log?.(`${this.o.name}: reconnected to Kafka after ${clock.now() - lostAt} ms`);
        this.o.onReconnected?.();
        return;
      } catch (e) {
        if (this.closed) return;
        if (!isRetriable(e)) return this.fail(e);
        last = e;
      }
    }
  }

  private fail(error: unknown): void {
    if (this.fatal || this.closed) return;
    this.fatal = true;
    this.down = false;
    this.o.onFatal(error);
  }
}

/** Waits for `promise` (ignoring its outcome) at most `ms` of real time. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

function isRetriable(error: unknown): boolean {
  return error instanceof KafkaClientError && error.retriable;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function giveUp(o: ReconnectingConsumerOptions, last: unknown, attempts: number): KafkaUnavailableError {
  return new KafkaUnavailableError(
    `${o.name}: lost the connection to Kafka at ${o.kafka.brokers.join(',')} and could not reconnect within ${o.timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}); last error: ${messageOf(last)}`,
    { brokers: o.kafka.brokers, code: 'RECONNECT_TIMEOUT', cause: last },
  );
}
