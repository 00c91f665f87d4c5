import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { SourcePositionError } from '../../../sdk/errors.js';
import type { Source, SourceBatch, SourceContext, SourceReader } from '../../../sdk/io/source.js';
import type { SourceProgress } from '../../../sdk/run-observer.js';
import { WatermarkEstimator } from '../../../sdk/io/watermark-estimator.js';
import type { ForwardJumpStats } from '../../../sdk/io/forward-jump-guard.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN, type Duration, type Instant } from '../../../sdk/time.js';
import type { TimestampedValue } from '../../../sdk/windowed-value.js';
import { KafkaClientError, type KafkaBatch, type KafkaClientFactory, type KafkaMessage, type KafkaRecordHeaders, type KafkaSkippedRecords, type KafkaTopicPartition } from './client.js';
import { kafkaClientFor, kafkaClientFromEnv, type KafkaConnectionOptions } from './default-client.js';
import { ReconnectingConsumer } from './reconnecting-consumer.js';
import { KafkaClusterChangedError } from './cluster-changed-error.js';
import { KafkaRecordsMissingError } from './records-missing-error.js';
import { KafkaRecordsOutOfOrderError } from './records-out-of-order-error.js';
import { SkippedOffsets } from './skipped-offsets.js';
import { timestampOption } from '../timestamp-option.js';
import { DeserializationError, Serde, type Deserializer } from './serde.js';

/** Where reading starts in every partition. */
export type KafkaStartAt =
  /** The log start (replay everything retained: how a Kappa architecture reprocesses history). */
  | 'earliest'
  /** The end: only records written after the read starts. */
  | 'latest'
  /** The group's committed offsets (needs `groupId`); partitions without one start at `noCommittedOffset`. */
  | 'committed'
  /** The first record whose record timestamp is >= `timestamp` (epoch ms). */
  | { readonly timestamp: Instant };

/** A consumed record with its metadata (the output of `KafkaIO.read({ withMetadata: true })`). */
export interface KafkaRecord<T, K = string | null> {
  readonly topic: string;
  readonly partition: number;
  /** int64 as a decimal string. */
  readonly offset: string;
  /** The record timestamp (CreateTime or LogAppendTime), epoch ms. */
  readonly timestamp: number;
  readonly key: K;
  readonly value: T;
  readonly headers: KafkaRecordHeaders;
}

/** What a dead letter from a Kafka read carries as its `element`: the undecodable record (key, value and headers), bytes in base64. */
export interface KafkaDeadLetterRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
  /** The key bytes in base64 (null for no key). */
  readonly key: string | null;
  /** The value bytes in base64 (null for a tombstone). */
  readonly value: string | null;
  /** The record's headers, each value's bytes in base64, in order (a name may repeat: several values). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly encoding: 'base64';
}

/**
 * Where a Kafka read stands (its reader's `position()`, plain data for a checkpoint): per assigned
 * partition the offset of the next record to hand out, and for a bounded read the end offset it
 * reads up to; per partition (`topic/partition`) the largest event time handed out, so a resumed
 * read's watermark goes on from there.
 */
export interface KafkaSourcePosition {
  readonly partitions: readonly KafkaPartitionPosition[];
  readonly splits: Readonly<Record<string, Instant>>;
  /** Per split whose largest event time is held from the watermark (its forward-jump guard), the second largest. */
  readonly held?: Readonly<Record<string, Instant>>;
  /**
   * The id of the Kafka cluster read (absent when the broker reports none, and in positions of older
   * versions): a read resumed against another cluster fails with KafkaClusterChangedError.
   */
  readonly cluster?: string;
}

export interface KafkaPartitionPosition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (int64 as a decimal string). */
  readonly offset: string;
  /** Bounded reads: offsets below this are read. */
  readonly end?: string;
}

/** Counters of one Kafka read (they reset when a run opens the source). */
export interface KafkaReadStats {
  /** The bound of the reader's internal queue, in records. */
  capacity: number;
  /** Records fetched from Kafka and not yet handed to the runner. */
  buffered: number;
  /** The most records the internal queue ever held (never above `capacity`). */
  peakBuffered: number;
  /** Times the consumer's partitions were paused because the queue was full, and resumed. */
  pauses: number;
  resumes: number;
  /** Records handed to the runner (elements plus dead letters). */
  recordsRead: number;
  deadLettered: number;
  /** Times the reader lost the broker and reconnected (see `reconnectTimeout`). */
  reconnects: number;
  /**
   * Records held from the watermark by `watermark.maxForwardJump`, over all partitions, and the
   * largest lead of one (see `describeHeldRecords` in watershed/sdk for the summary line).
   */
  heldFromWatermark: ForwardJumpStats;
}

/** A Kafka read's event time: the record timestamp, or computed from the value (and the record). */
export type KafkaTimestamp<T> = 'record-timestamp' | ((value: T, record: KafkaMessage) => Instant);

export interface KafkaSourceOptions<T> extends KafkaConnectionOptions {
  readonly topics: string | readonly string[];
  /**
   * Consumer group: where 'committed' start offsets are read from. Offsets are not committed while
   * reading; they are exposed through the reader's `position()` for checkpoints, and committed to this
   * group by `checkpointComplete` when a checkpoint holding them completes. Default: a throw-away group.
   */
  readonly groupId?: string;
  readonly startAt: KafkaStartAt;
  /** With `startAt: 'committed'`, where partitions without a committed offset start. Default 'earliest'. */
  readonly noCommittedOffset?: 'earliest' | 'latest';
  /** Value bytes → element. Default: JSON (`Serde.json()`); a throw dead-letters the record. */
  readonly deserializer?: Deserializer<T>;
  /**
   * Key bytes → key, for `withMetadata`. Default: UTF-8 string (`Serde.string()`: a key that is not
   * valid UTF-8 makes its record a dead letter, reason `invalid-utf8`; `Serde.bytes()` keeps any key).
   */
  readonly keyDeserializer?: Deserializer<unknown>;
  /**
   * The element's event time: the record timestamp (default) or computed from the value. A record
   * whose event time cannot be had (the function throws, or returns something other than a finite
   * instant up to the end of the global window; a record timestamp of -1, i.e. none) goes to the
   * dead letters (reason `invalid-event-time`, or the `reason` of a thrown DeserializationError,
   * else `event-time-failed`) and does not move its partition's watermark: event time never falls
   * back to another clock. The same option as TextFile's, Generate's and RxIO's `timestamp`.
   * @example KafkaIO.read<Click>({ brokers, topics: 'clicks', startAt: 'earliest', timestamp: (c) => c.at })
   */
  readonly timestamp?: KafkaTimestamp<T>;
  /**
   * The old name of `timestamp`, with the same behaviour.
   * @deprecated Use `timestamp` (the same option, under the name every source uses); giving both
   * throws a ConflictingOptionsError. This alias goes in the next release.
   */
  readonly eventTime?: KafkaTimestamp<T>;
  /**
   * Per-partition watermarks: each partition's is its highest event time minus `maxOutOfOrderness`
   * (default 0); the source watermark is the minimum over the assigned partitions. A partition with no
   * records for `idleTimeout` of processing time (default 30 s) stops holding it back until it has data.
   * `maxForwardJump` (default 1 hour, `Infinity` = off): per partition, an event time more than this
   * ahead of all earlier ones is held from the watermark until a second record confirms it (the record
   * itself is read as usual); see ForwardJumpGuard.
   */
  readonly watermark?: { readonly maxOutOfOrderness?: Duration; readonly idleTimeout?: Duration; readonly maxForwardJump?: Duration };
  /** Read up to the end offsets seen when the read starts, then finish. Default false (unbounded). */
  readonly bounded?: boolean;
  /**
   * Drains the read when it aborts (Beam's drain, Flink's stop --drain): fetching stops, the records
   * already fetched are still handed out, and then the read finishes as a bounded one does: its
   * watermark goes to +infinity, so every open window fires and the run ends (DONE) once the
   * pipeline has written everything. Records not fetched yet stay in Kafka (`position()` says where
   * the read stopped). How a followed stream's last windows close when no newer event time comes.
   */
  readonly drain?: AbortSignal;
  /** Output `KafkaRecord<T>` (topic, partition, offset, timestamp, key, headers) instead of `T`. Default false. */
  readonly withMetadata?: boolean;
  /** Records the reader may hold between Kafka and the runner; when full, the partitions are paused. Default 10,000. */
  readonly bufferSize?: number;
  /** Max bytes fetched per partition per request. Default 1 MiB. */
  readonly maxBytesPerPartition?: number;
  /** Max time the broker holds a fetch open waiting for data. Default 500 ms. */
  readonly maxWaitTimeMs?: number;
  /**
   * Consumer group session timeout. The reader blocks the client's batch callback while its queue is
   * full, so this bounds how long a stalled pipeline may hold a fetched batch. Default 300,000 ms.
   */
  readonly sessionTimeoutMs?: number;
  /**
   * When the connection to the broker is lost (e.g. the broker restarts), the reader reconnects with
   * backoff and goes on from the next offset of every partition (nothing skipped, nothing it already
   * holds read again) for this long (processing time), then fails the run with a
   * `KafkaUnavailableError` naming the read. Default: `brokerOutageTimeoutMs`, else 60,000 ms.
   */
  readonly reconnectTimeout?: Duration;
  /** Filled with the counters of the read (e.g. to check that backpressure bounds the queue). */
  readonly stats?: KafkaReadStats;
}

export function emptyKafkaReadStats(): KafkaReadStats {
  return { capacity: 0, buffered: 0, peakBuffered: 0, pauses: 0, resumes: 0, recordsRead: 0, deadLettered: 0, reconnects: 0, heldFromWatermark: { held: 0, largestLead: 0 } };
}

const DEFAULT_IDLE_TIMEOUT: Duration = 30_000;
const DEFAULT_RECONNECT_TIMEOUT: Duration = 60_000;

/**
 * The record timestamp as event time. Kafka writes -1 for a record without one (old message
 * formats); such a record has no event time and is dead-lettered rather than given another clock's.
 * @throws DeserializationError 'invalid-event-time' for a negative record timestamp.
 */
function recordTimestamp(m: KafkaMessage): Instant {
  if (m.timestamp < 0) throw new DeserializationError('invalid-event-time', `record timestamp ${m.timestamp}: the record has no timestamp`);
  return m.timestamp;
}

/**
 * An event time must be a finite instant in the runner's range (up to the end of the global window),
 * or the record is dead-lettered and does not move its partition's watermark.
 * @throws DeserializationError 'invalid-event-time' otherwise.
 */
function checkEventTime(ts: unknown): asserts ts is Instant {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new DeserializationError('invalid-event-time', `event time ${String(ts)} is not a finite number`);
  if (ts < TIMESTAMP_MIN || ts > END_OF_GLOBAL_WINDOW) throw new DeserializationError('invalid-event-time', `event time ${ts} is outside ${TIMESTAMP_MIN}..${END_OF_GLOBAL_WINDOW} ms`);
}

/** Compares two non-negative decimal offsets without BigInt. */
function cmpOffset(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

interface PartitionState extends KafkaTopicPartition {
  /** Watermark split id, `topic/partition`. */
  readonly split: string;
  /** Next offset to read when nothing was consumed yet. */
  readonly start: string;
  /** Bounded: read offsets below this only. */
  readonly end: string | undefined;
  /** Bounded: the offset whose arrival finishes the partition (end - 1). */
  readonly last: string | undefined;
  /** Offset of the last record handed to the runner. */
  consumed: string | undefined;
  /** Offset of the last record put in the queue. */
  fetched: string | undefined;
  /**
   * Every offset below this is in the queue (or handed out) or holds no record for the read (a
   * transaction marker, an aborted record; the client's `nextOffset`): where the next batch's range
   * must start (its `fetchOffset`), and where a new consumer after a reconnection starts.
   */
  accounted: string;
  /** Bounded: everything up to `end` is in the queue (or handed out). */
  finished: boolean;
  /** Offsets skipped between queued batches: a record arriving in one later was skipped, not read. */
  readonly skipped: SkippedOffsets;
}

/** A slice `[i, end)` of one fetched batch still waiting in the queue. */
interface Chunk {
  readonly p: PartitionState;
  readonly msgs: readonly KafkaMessage[];
  i: number;
  readonly end: number;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * A Kafka topic (or several) as a Watershed {@link Source}, talking to Kafka only through the
 * {@link KafkaClientFactory} interface. Partitions are assigned manually (the reader reads all
 * partitions of its topics); see {@link KafkaSourceOptions} for start positions, bounded mode and
 * watermarks.
 */
export class KafkaSource<T, O> implements Source<O> {
  readonly name: string;
  readonly bounded: boolean;

  constructor(
    private readonly o: KafkaSourceOptions<T>,
    private readonly project: (value: T, record: KafkaMessage, key: () => unknown) => O,
  ) {
    const topics = typeof o.topics === 'string' ? [o.topics] : [...o.topics];
    if (topics.length === 0) throw new Error('KafkaIO.read needs at least one topic');
    if (o.startAt === 'committed' && !o.groupId) throw new Error("KafkaIO.read: startAt 'committed' needs a groupId");
    if (o.bufferSize !== undefined && !(Number.isInteger(o.bufferSize) && o.bufferSize > 0)) throw new RangeError('KafkaIO.read: bufferSize must be a positive integer');
    if (o.reconnectTimeout !== undefined && !(o.reconnectTimeout >= 0)) throw new RangeError('KafkaIO.read: reconnectTimeout must be >= 0 ms');
    if (o.brokerOutageTimeoutMs !== undefined && !(o.brokerOutageTimeoutMs >= 0)) throw new RangeError('KafkaIO.read: brokerOutageTimeoutMs must be >= 0 ms');
    this.name = `KafkaIO.read(${topics.join(',')})`;
    timestampOption(o.timestamp, o.eventTime, 'eventTime', this.name);
    this.bounded = o.bounded ?? false;
  }

  /**
   * Connects and starts reading. With `ctx.resumeFrom` (a {@link KafkaSourcePosition}), every
   * partition in it continues at its offset instead of `startAt` (and a bounded read ends at its
   * `end`, where the interrupted read would have); partitions not in it start at `startAt`. Offsets
   * that retention removed meanwhile are skipped with a warning naming them.
   * @throws SourcePositionError for a position that is not a Kafka read's, or an offset beyond a
   * partition's end (the topic was recreated).
   * @throws KafkaClusterChangedError when the position was taken against another
   * Kafka cluster than the brokers' (wiped or replaced since); a position without a cluster id is not checked.
   */
  async open(ctx: SourceContext): Promise<SourceReader<O>> {
    const o = this.o;
    const topics = typeof o.topics === 'string' ? [o.topics] : [...o.topics];
    const from = ctx.resumeFrom === undefined ? undefined : kafkaSourcePosition(this.name, ctx.resumeFrom);
    const resumed = new Map(from?.partitions.map((p) => [tpKey(p.topic, p.partition), p]));
    const kafka = kafkaClientFor(o);
    const partitions: PartitionState[] = [];
    const admin = kafka.admin();
    await admin.connect();
    let cluster: string | undefined;
    try {
      cluster = await admin.clusterId();
      if (from?.cluster !== undefined && cluster !== undefined && cluster !== from.cluster) {
        throw new KafkaClusterChangedError(ctx.step, from.cluster, cluster, { brokers: kafka.brokers, holds: `its read offsets of ${topics.map((t) => `'${t}'`).join(', ')}` });
      }
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        throw new KafkaClientError(`KafkaIO.read: topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} not found at ${kafka.brokers.join(',')} (a topic exists once it is created or, with the broker's auto-creation, first written: KafkaIO.write creates its topic with its first record, so an output that got none, e.g. an empty late-data or dead-letter output, has no topic yet)`, {
          retriable: false,
          code: 'UNKNOWN_TOPIC_OR_PARTITION',
        });
      }
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        const byTime = typeof o.startAt === 'object' ? await admin.fetchTopicOffsetsByTimestamp(topic, o.startAt.timestamp) : undefined;
        const committed = o.startAt === 'committed' ? await admin.fetchCommittedOffsets(o.groupId!, topic) : undefined;
        for (const { partition, low, high } of offsets) {
          let start: string;
          let end = this.bounded ? high : undefined;
          const r = resumed.get(tpKey(topic, partition));
          if (r !== undefined) {
            if (cmpOffset(r.offset, high) > 0) {
              throw new SourcePositionError(`${topic}/${partition}`, 'truncated', `the checkpoint read up to offset ${r.offset}, but the partition ends at ${high} now: the topic was deleted and created again since`);
            }
            start = r.offset;
            if (cmpOffset(start, low) < 0) {
              console.warn(`[watershed] ${ctx.step}: offsets ${start}..${BigInt(low) - 1n} of ${topic}/${partition} were deleted by retention since the checkpoint; those records are skipped, the read resumes at ${low}`);
            }
            if (this.bounded && r.end !== undefined) end = r.end;
          } else if (o.startAt === 'earliest') start = low;
          else if (o.startAt === 'latest') start = high;
          else if (byTime) start = byTime.find((x) => x.partition === partition)?.offset ?? high;
          else {
            const c = committed!.find((x) => x.partition === partition)?.offset ?? null;
            start = c ?? ((o.noCommittedOffset ?? 'earliest') === 'latest' ? high : low);
          }
          if (cmpOffset(start, low) < 0) start = low; // retention removed the committed / requested / checkpointed offset
          partitions.push({
            topic,
            partition,
            split: `${topic}/${partition}`,
            start,
            end,
            last: end !== undefined && end !== '0' ? (BigInt(end) - 1n).toString() : undefined,
            consumed: undefined,
            fetched: undefined,
            accounted: start,
            skipped: new SkippedOffsets(),
            finished: end !== undefined && cmpOffset(start, end) >= 0,
          });
        }
      }
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    const reader = new KafkaSourceReader<T, O>(o, this.project, kafka, partitions, ctx, cluster);
    if (from !== undefined) reader.restoreSplits(from.splits, from.held ?? {});
    await reader.start();
    return reader;
  }
}

/** Reads the assigned partitions into a bounded queue; the runner drains it with `poll`. */
class KafkaSourceReader<T, O> implements SourceReader<O> {
  private readonly capacity: number;
  private readonly lowWater: number;
  private readonly queue: Chunk[] = [];
  private count = 0;
  private readonly byKey = new Map<string, PartitionState>();
  private readonly estimator: WatermarkEstimator;
  private consumer: ReconnectingConsumer | undefined;
  private paused = false;
  private closing = false;
  /** `drain` aborted: nothing more is fetched; done once the queue is empty. */
  private draining = false;
  private readonly onDrain = (): void => this.drainNow();
  private failure: unknown;
  private dataWaiters: Array<() => void> = [];
  private roomWaiters: Array<() => void> = [];
  private readonly stats: KafkaReadStats;
  private readonly deserialize: Deserializer<T>;
  private readonly deserializeKey: Deserializer<unknown>;
  private readonly eventTime: ((value: T, record: KafkaMessage) => Instant) | undefined;
  /** `stopAt`: per split, the offset no record at or after which is handed out. */
  private limits: Map<string, string> | undefined;

  constructor(
    private readonly o: KafkaSourceOptions<T>,
    private readonly project: (value: T, record: KafkaMessage, key: () => unknown) => O,
    private readonly kafka: KafkaClientFactory,
    private readonly partitions: readonly PartitionState[],
    private readonly ctx: SourceContext,
    /** The cluster id the read started against, for `position()`. */
    private readonly cluster: string | undefined,
  ) {
    this.capacity = o.bufferSize ?? 10_000;
    this.lowWater = Math.floor(this.capacity / 2);
    this.deserialize = o.deserializer ?? Serde.json<T>();
    this.deserializeKey = o.keyDeserializer ?? Serde.string();
    const timestamp = o.timestamp ?? o.eventTime;
    this.eventTime = typeof timestamp === 'function' ? timestamp : undefined;
    this.stats = o.stats ?? emptyKafkaReadStats();
    Object.assign(this.stats, emptyKafkaReadStats(), { capacity: this.capacity });
    this.estimator = new WatermarkEstimator({
      maxOutOfOrderness: o.watermark?.maxOutOfOrderness ?? 0,
      ...(o.watermark?.maxForwardJump !== undefined ? { maxForwardJump: o.watermark.maxForwardJump } : {}),
      idleTimeout: o.watermark?.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
      heldFromWatermark: this.stats.heldFromWatermark,
    });
    const now = ctx.clock.now();
    for (const p of partitions) {
      this.byKey.set(tpKey(p.topic, p.partition), p);
      // A partition holds the watermark back from the start (until its first record or idleness),
      // unless a bounded read has nothing to read from it.
      if (!p.finished) this.estimator.addSplit(p.split, now);
    }
  }

  /** Resuming: the largest event time per split of the interrupted read, so the watermark goes on from it. */
  restoreSplits(splits: Readonly<Record<string, Instant>>, held: Readonly<Record<string, Instant>>): void {
    const now = this.ctx.clock.now();
    for (const p of this.partitions) {
      const ts = splits[p.split];
      if (ts !== undefined) this.estimator.restore(p.split, ts, held[p.split], now);
    }
  }

  private get active(): PartitionState[] {
    return this.partitions.filter((p) => !p.finished);
  }

  /**
   * Connects the consumer, assigns the partitions at their start offsets and starts fetching. After a
   * lost connection the consumer is replaced and reads on from each partition's next offset.
   */
  async start(): Promise<void> {
    const drain = this.o.drain;
    if (drain?.aborted) this.drainNow();
    else drain?.addEventListener('abort', this.onDrain, { once: true });
    if (this.active.length === 0) return; // bounded and nothing to read, or drained already
    if (kafkaLogsWarnings(this.o.logLevel)) warnKafkajsReadCommitted(this.ctx.step, this.o.client);
    const consumer = new ReconnectingConsumer({
      kafka: this.kafka,
      consumer: {
        ...(this.o.groupId !== undefined ? { groupId: this.o.groupId } : {}),
        maxWaitTimeMs: this.o.maxWaitTimeMs ?? 500,
        // Only committed transactional records: what exactly-once writers publish at their checkpoints.
        readUncommitted: false,
        sessionTimeoutMs: this.o.sessionTimeoutMs ?? 300_000,
        ...(this.o.maxBytesPerPartition !== undefined ? { maxBytesPerPartition: this.o.maxBytesPerPartition } : {}),
      },
      clock: this.ctx.clock,
      signal: this.ctx.signal,
      name: `KafkaIO.read(${[...new Set(this.partitions.map((p) => p.topic))].join(',')})`,
      timeoutMs: this.o.reconnectTimeout ?? this.o.brokerOutageTimeoutMs ?? DEFAULT_RECONNECT_TIMEOUT,
      positions: () => this.active.map((p) => ({ topic: p.topic, partition: p.partition, startOffset: p.accounted })),
      handler: (batch, live) => this.onBatch(batch, live),
      onSkipped: (skipped) => this.onSkipped(skipped),
      onFatal: (e) => {
        this.failure ??= e;
        this.wake();
      },
      onReconnected: () => void this.stats.reconnects++,
      ...(kafkaLogsWarnings(this.o.logLevel) ? { log: (line: string) => console.warn(`[watershed] ${this.ctx.step}: ${line}`) } : {}),
    });
    this.consumer = consumer;
    try {
      await consumer.start();
    } catch (e) {
      this.closing = true;
      await consumer.close().catch(() => undefined);
      throw e;
    }
  }

  /**
   * The client's batch callback: appends to the queue, never beyond its capacity (waits for room
   * instead). Fails the read (typed error naming step and partition) when the batch shows that the
   * client lost records or delivered them out of order.
   */
  private async onBatch(batch: KafkaBatch, live: () => boolean): Promise<void> {
    const p = this.byKey.get(tpKey(batch.topic, batch.partition));
    if (!p || this.closing || this.draining) return;
    let msgs = batch.messages;
    // Records already queued (a consumer that restarted further back) are not read twice. But a record
    // in a range that was skipped was never read: the client delivered batches out of order, and
    // dropping it would lose it, so the read fails instead.
    if (p.fetched !== undefined && cmpOffset(msgs[0]!.offset, p.fetched) <= 0) {
      const after = p.fetched;
      const late = msgs.filter((m) => cmpOffset(m.offset, after) <= 0 && p.skipped.includes(m.offset));
      if (late.length > 0) return this.failWith(new KafkaRecordsOutOfOrderError(this.ctx.step, p.split, `${late[0]!.offset}..${late[late.length - 1]!.offset}`, after));
      msgs = msgs.filter((m) => cmpOffset(m.offset, after) > 0);
      if (msgs.length === 0) return;
    }
    if (p.finished || this.missing(p, batch.fetchOffset)) return;
    if (cmpOffset(msgs[0]!.offset, p.accounted) > 0) p.skipped.add(p.accounted, (BigInt(msgs[0]!.offset) - 1n).toString());
    let finishes = false;
    if (p.end !== undefined) {
      const lastOffset = msgs[msgs.length - 1]!.offset;
      // A transaction marker after the last record may hold the end offset: the batch's nextOffset says so.
      if (cmpOffset(lastOffset, p.last!) >= 0 || (batch.nextOffset !== undefined && cmpOffset(batch.nextOffset, p.end) >= 0)) {
        finishes = true;
        if (cmpOffset(lastOffset, p.end) >= 0) msgs = msgs.filter((m) => cmpOffset(m.offset, p.end!) < 0);
      }
    }
    let i = 0;
    while (i < msgs.length) {
      if (this.closing || this.draining || !live()) return; // a replaced consumer's batch: the new one fetches the rest
      const room = this.capacity - this.count;
      if (room <= 0) {
        this.pause();
        await new Promise<void>((r) => this.roomWaiters.push(r));
        continue;
      }
      const n = Math.min(room, msgs.length - i);
      this.queue.push({ p, msgs, i, end: i + n });
      i += n;
      p.fetched = msgs[i - 1]!.offset;
      p.accounted = nextOffset(p.fetched);
      this.count += n;
      this.stats.buffered = this.count;
      if (this.count > this.stats.peakBuffered) this.stats.peakBuffered = this.count;
      this.wake();
    }
    if (batch.nextOffset !== undefined && cmpOffset(batch.nextOffset, p.accounted) > 0) p.accounted = batch.nextOffset;
    if (finishes) {
      p.finished = true;
      this.consumer?.pause([{ topic: p.topic, partition: p.partition }]);
      this.wake();
    }
    if (this.count >= this.capacity) this.pause();
  }

  /**
   * The consumer moved past records it does not deliver (transaction markers, aborted records): a
   * bounded partition whose end offset lies behind them is finished, since every record before them
   * came already (in order). Without this, a bounded read of a transactionally written topic, whose
   * last offset is a commit marker, would never end.
   */
  private onSkipped(skipped: KafkaSkippedRecords): void {
    const p = this.byKey.get(tpKey(skipped.topic, skipped.partition));
    if (!p || p.finished || this.closing || this.missing(p, skipped.fetchOffset)) return;
    if (cmpOffset(skipped.nextOffset, p.accounted) > 0) p.accounted = skipped.nextOffset;
    if (p.end === undefined || cmpOffset(skipped.nextOffset, p.end) < 0) return;
    p.finished = true;
    this.consumer?.pause([{ topic: p.topic, partition: p.partition }]);
    this.wake();
  }

  /**
   * Whether a batch (or skipped range) of `p` whose range starts at `fetchOffset` shows records lost
   * on the way: a range starting past the next offset to read. Then the read fails (returns true).
   */
  private missing(p: PartitionState, fetchOffset: string | undefined): boolean {
    if (fetchOffset === undefined || cmpOffset(fetchOffset, p.accounted) <= 0) return false;
    this.failWith(new KafkaRecordsMissingError(this.ctx.step, p.split, p.accounted, fetchOffset));
    return true;
  }

  /** Fails the read with `e` (the first failure wins); `poll` throws it. */
  private failWith(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  /** Stops fetching for good; what is queued is still handed out, then `poll` reports done. */
  private drainNow(): void {
    if (this.draining) return;
    this.draining = true;
    const fetching = this.active.map(({ topic, partition }) => ({ topic, partition }));
    for (const p of this.partitions) p.finished = true;
    if (fetching.length > 0) this.consumer?.pause(fetching);
    const ws = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of ws) w();
    this.wake();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.stats.pauses++;
    this.consumer?.pause(this.active.map(({ topic, partition }) => ({ topic, partition })));
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.stats.resumes++;
    const todo = this.active;
    if (todo.length > 0) this.consumer?.resume(todo.map(({ topic, partition }) => ({ topic, partition })));
  }

  private wake(): void {
    const ws = this.dataWaiters;
    this.dataWaiters = [];
    for (const w of ws) w();
  }

  private get done(): boolean {
    return this.count === 0 && this.partitions.every((p) => p.finished);
  }

  private waitForData(maxWaitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        this.ctx.signal.removeEventListener('abort', finish);
        resolve();
      };
      timer = setTimeout(finish, Math.max(0, maxWaitMs));
      this.ctx.signal.addEventListener('abort', finish, { once: true });
      this.dataWaiters.push(finish);
    });
  }

  async poll(maxElements: number, maxWaitMs: number): Promise<SourceBatch<O>> {
    if (this.count === 0 && this.failure === undefined && !this.done && !this.ctx.signal.aborted) await this.waitForData(maxWaitMs);
    if (this.failure !== undefined) throw this.failure;
    const now = this.ctx.clock.now();
    const elements: TimestampedValue<O>[] = [];
    let deadLetters: DeadLetter[] | undefined;
    let taken = 0;
    const eventTime = this.eventTime;
    const deserialize = this.deserialize;
    const limits = this.limits;
    let k = 0;
    while (taken < maxElements && k < this.queue.length) {
      const c = this.queue[k]!;
      let stop = Math.min(c.end, c.i + (maxElements - taken));
      const limit = limits?.get(c.p.split);
      if (limit !== undefined) {
        let s = c.i;
        while (s < stop && cmpOffset(c.msgs[s]!.offset, limit) < 0) s++;
        stop = s;
        if (stop === c.i) {
          k++; // held back by stopAt: later chunks of this partition are too, other partitions' are not
          continue;
        }
      }
      let observed = false;
      for (let j = c.i; j < stop; j++) {
        const m = c.msgs[j]!;
        let stage = 'deserialize-failed';
        try {
          const value = deserialize(m.value, m);
          stage = 'event-time-failed';
          const ts = eventTime === undefined ? recordTimestamp(m) : eventTime(value, m);
          checkEventTime(ts);
          stage = 'key-deserialize-failed';
          elements.push({ value: this.project(value, m, () => this.deserializeKey(m.key, m)), timestamp: ts });
          // every record's event time (not the chunk's largest): the forward-jump guard needs the two largest
          this.estimator.observe(c.p.split, ts, now);
          observed = true;
        } catch (e) {
          (deadLetters ??= []).push(this.deadLetter(m, e, stage));
        }
      }
      taken += stop - c.i;
      c.p.consumed = c.msgs[stop - 1]!.offset;
      if (!observed) this.estimator.touch(c.p.split, now);
      c.i = stop;
      if (c.i === c.end) this.queue.splice(k, 1);
      else k++;
    }
    this.count -= taken;
    this.stats.buffered = this.count;
    this.stats.recordsRead += taken;
    if (deadLetters) this.stats.deadLettered += deadLetters.length;
    if (this.count < this.capacity && this.roomWaiters.length > 0) {
      const ws = this.roomWaiters;
      this.roomWaiters = [];
      for (const w of ws) w();
    }
    if (this.paused && this.count <= this.lowWater) this.resume();
    // Partitions that have records waiting (or cannot fetch because of backpressure) are not idle.
    for (const c of this.queue) this.estimator.touch(c.p.split, now);
    // Nor are partitions that cannot be fetched because the broker is away: their backlog must not become late.
    if (this.paused || this.consumer?.disconnected) for (const p of this.partitions) if (!p.finished) this.estimator.touch(p.split, now);
    const done = (this.o.bounded === true || this.draining) && this.done;
    return { elements, watermark: this.estimator.current(now), done, ...(deadLetters ? { deadLetters } : {}) };
  }

  private deadLetter(m: KafkaMessage, e: unknown, stage: string): DeadLetter {
    const element: KafkaDeadLetterRecord = {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      timestamp: m.timestamp,
      key: m.key === null ? null : m.key.toString('base64'),
      value: m.value === null ? null : m.value.toString('base64'),
      // Object.fromEntries: a header named `__proto__` is an own member like any other.
      headers: Object.fromEntries(Object.entries(m.headers).map(([name, values]) => [name, values.map((v) => v.toString('base64'))])),
      encoding: 'base64',
    };
    return {
      step: this.ctx.step,
      reason: e instanceof DeserializationError ? e.reason : stage,
      message: `${stage === 'key-deserialize-failed' ? 'key: ' : ''}${e instanceof Error ? e.message : String(e)}`,
      element,
      timestamp: m.timestamp,
      origin: { topic: m.topic, partition: m.partition, offset: m.offset },
    };
  }

  /**
   * Per assigned topic-partition, the offset of the next record to read (last handed to the runner
   * + 1) and, bounded, its end; per split, the largest event time handed out. Records fetched into
   * the queue but not handed out are not covered: a read resumed here fetches them again.
   */
  position(): KafkaSourcePosition {
    const splits: Record<string, Instant> = {};
    let held: Record<string, Instant> | undefined;
    for (const p of this.partitions) {
      const top = this.estimator.top(p.split);
      if (top === undefined) continue;
      splits[p.split] = top.maxTs;
      if (top.secondTs !== undefined) (held ??= {})[p.split] = top.secondTs;
    }
    return {
      partitions: this.partitions.map((p) => {
        const offset = p.consumed === undefined ? p.start : nextOffset(p.consumed);
        return p.end === undefined ? { topic: p.topic, partition: p.partition, offset } : { topic: p.topic, partition: p.partition, offset, end: p.end };
      }),
      splits,
      ...(held ? { held } : {}),
      ...(this.cluster !== undefined ? { cluster: this.cluster } : {}),
    };
  }

  /**
   * Bounded reads: offsets handed out since this read started, out of those up to the end offsets
   * (for the share read and the time left); undefined for a followed read.
   */
  progress(): SourceProgress | undefined {
    let done = 0n;
    let total = 0n;
    for (const p of this.partitions) {
      if (p.end === undefined) return undefined;
      const next = p.consumed === undefined ? p.start : nextOffset(p.consumed);
      done += BigInt(next) - BigInt(p.start);
      total += BigInt(p.end) - BigInt(p.start);
    }
    return total > 0n ? { done: Number(done), total: Number(total) } : undefined;
  }

  /**
   * Hands out no record at or beyond `p`'s offset of its partition (a partition `p` does not name:
   * none beyond what was handed out already), until lifted with undefined.
   */
  stopAt(p: unknown): void {
    if (p === undefined) {
      this.limits = undefined;
      this.wake();
      return;
    }
    const at = new Map(kafkaSourcePosition('KafkaIO.read', p).partitions.map((x) => [tpKey(x.topic, x.partition), x.offset]));
    this.limits = new Map(this.partitions.map((x) => [x.split, at.get(tpKey(x.topic, x.partition)) ?? (x.consumed === undefined ? x.start : nextOffset(x.consumed))]));
  }

  /**
   * The checkpoint holding position `p` is complete: with a `groupId`, commits its offsets to the
   * consumer group (for monitoring, and for `startAt: 'committed'` in a fresh job; the checkpoint
   * stays the source of truth). Without a `groupId` it does nothing.
   * @throws KafkaClientError when the commit fails or no consumer runs (best effort: the caller warns).
   */
  async checkpointComplete(p: unknown): Promise<void> {
    if (this.o.groupId === undefined) return;
    const { partitions } = kafkaSourcePosition('KafkaIO.read', p);
    if (this.consumer === undefined) throw new KafkaClientError(`KafkaIO.read: no consumer to commit offsets with (nothing was left to read)`, { retriable: false });
    await this.consumer.commitOffsets(partitions.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
  }

  async close(): Promise<void> {
    this.closing = true;
    this.o.drain?.removeEventListener('abort', this.onDrain);
    const ws = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of ws) w();
    this.wake();
    await this.consumer?.close().catch(() => undefined);
  }
}

/** `p` as a Kafka read's position. @throws SourcePositionError 'malformed' when it is not one. */
function kafkaSourcePosition(input: string, p: unknown): KafkaSourcePosition {
  const isOffset = (v: unknown): boolean => typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v);
  const o = p as Partial<KafkaSourcePosition> | null;
  const ok =
    typeof o === 'object' &&
    o !== null &&
    Array.isArray(o.partitions) &&
    o.partitions.every(
      (x: Partial<KafkaPartitionPosition> | null) =>
        typeof x === 'object' && x !== null && typeof x.topic === 'string' && Number.isSafeInteger(x.partition) && isOffset(x.offset) && (x.end === undefined || isOffset(x.end)),
    ) &&
    typeof o.splits === 'object' &&
    o.splits !== null &&
    Object.values(o.splits).every((v) => typeof v === 'number') &&
    (o.held === undefined || (typeof o.held === 'object' && o.held !== null && Object.values(o.held).every((v) => typeof v === 'number'))) &&
    (o.cluster === undefined || typeof o.cluster === 'string');
  if (!ok) throw new SourcePositionError(input, 'malformed', `not a Kafka read position: ${(JSON.stringify(p) ?? String(p)).slice(0, 200)}`);
  return o as KafkaSourcePosition;
}

const warnedKafkajs = new Set<string>();

/**
 * Once per step and process, when the read goes through kafkajs (by name, or env WATERSHED_KAFKA_CLIENT):
 * kafkajs 2.2.4's read_committed filter lets through the records of a transaction that was aborted while
 * another producer's commit marker lay inside it (test/kafka/kafka-read-committed.test.ts), e.g. the
 * exactly-once output of a job restarted after a crash.
 */
function warnKafkajsReadCommitted(step: string, client: KafkaSourceOptions<unknown>['client']): void {
  const library = typeof client === 'string' ? client : client === undefined ? (kafkaClientFromEnv() ?? 'platformatic') : undefined;
  if (library !== 'kafkajs' || warnedKafkajs.has(step)) return;
  warnedKafkajs.add(step);
  console.warn(
    `[watershed] ${step}: reading through kafkajs, whose read_committed filter can hand out records of aborted transactions (one aborted while another producer committed inside it, as after an exactly-once job's crash); read topics written with transactions through the default client (@platformatic/kafka)`,
  );
}

/** Whether the read prints warnings (e.g. about reconnecting): the Kafka log level, else env `WATERSHED_KAFKA_LOG`, is warn or more verbose. */
function kafkaLogsWarnings(level: string | undefined): boolean {
  const name = level ?? process.env['WATERSHED_KAFKA_LOG']?.toLowerCase() ?? 'warn';
  return name === 'warn' || name === 'info' || name === 'debug';
}
