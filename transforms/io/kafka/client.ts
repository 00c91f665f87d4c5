/**
 * The one Kafka client interface Watershed uses.
 *
 * Runners and IO transforms talk to Kafka only through these types; the concrete client
 * library lives behind {@link KafkaClientFactory} (today: `platformatic-client.ts`, the default, and
 * `kafkajs-client.ts`; `default-client.ts` picks one and adds the wire producer). Swapping in
 * another library means writing another factory, not touching runners.
 *
 * Conventions used throughout:
 * - Offsets are decimal strings (Kafka offsets are int64; JS numbers lose precision).
 * - Timestamps are epoch milliseconds as `number`.
 * - A committed offset is the offset of the NEXT record to read (last processed + 1),
 *   exactly like the Java client.
 * - Every failure is rejected as a {@link KafkaClientError}; failures to reach the cluster
 *   are the subclass {@link KafkaUnavailableError} and are raised within a bounded time
 *   (never an endless hang).
 *
 * @example
 * ```ts
 * const kafka: KafkaClientFactory = createKafkajsClientFactory({ brokers: '127.0.0.1:19092' });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics([{ topic: 'events', partitions: 3 }]);
 * await admin.disconnect();
 *
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send('events', [{ key: 'user-1', value: JSON.stringify({ n: 1 }) }]);
 * await producer.disconnect();
 *
 * const consumer = kafka.consumer({ groupId: 'my-pipeline' });
 * await consumer.connect();
 * await consumer.subscribe({ topics: ['events'], fromBeginning: true });
 * await consumer.run(async (batch) => {
 *   for (const m of batch.messages) console.log(m.partition, m.offset, m.value?.toString());
 *   const last = batch.messages[batch.messages.length - 1]!;
 *   await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) }]);
 * }, { onError: (err) => console.error('consumer stopped', err) });
 * ```
 */

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** Options shared by the Kafka error classes. */
export interface KafkaClientErrorOptions {
  /** True if repeating the same operation later may succeed (transient condition). */
  retriable: boolean;
  /** Library-specific error code / type when known, e.g. `'TOPIC_ALREADY_EXISTS'`. */
  code?: string;
  /** The underlying library error. */
  cause?: unknown;
}

/**
 * Any failure of a Kafka operation behind the {@link KafkaClientFactory} interface.
 * `cause` carries the client library's original error.
 */
export class KafkaClientError extends Error {
  override readonly name: string = 'KafkaClientError';
  readonly retriable: boolean;
  readonly code: string | undefined;

  constructor(message: string, options: KafkaClientErrorOptions) {
    super(message, { cause: options.cause });
    this.retriable = options.retriable;
    this.code = options.code;
  }
}

/**
 * The cluster could not be reached (connection refused / timed out / closed, no broker or
 * coordinator available). Always `retriable: true`: the same call may work once the broker
 * is back. Raised within a bounded time (see the factory's `connectDeadlineMs`).
 *
 * @example
 * ```ts
 * try { await admin.connect(); }
 * catch (e) { if (e instanceof KafkaUnavailableError) console.warn(`no Kafka at ${e.brokers.join(',')}`); else throw e; }
 * ```
 */
export class KafkaUnavailableError extends KafkaClientError {
  override readonly name: string = 'KafkaUnavailableError';
  /** The bootstrap brokers that were tried, as `host:port`. */
  readonly brokers: readonly string[];

  constructor(message: string, options: { brokers: readonly string[]; code?: string; cause?: unknown }) {
    super(message, { retriable: true, code: options.code, cause: options.cause });
    this.brokers = options.brokers;
  }
}

/**
 * The cluster refused the client's SASL credentials or mechanism (or a SCRAM server could not prove
 * it knows the password). Never retriable: the same credentials fail again, so clients fail at once
 * instead of retrying until their connect deadline. The message says "authentication failed".
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof KafkaAuthenticationError) console.error('check --saslUsername / KAFKA_SASL_PASSWORD'); }
 * ```
 */
export class KafkaAuthenticationError extends KafkaClientError {
  override readonly name: string = 'KafkaAuthenticationError';
  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, { retriable: false, code: options.code, cause: options.cause });
  }
}

// ---------------------------------------------------------------------------------------
// Data shapes
// ---------------------------------------------------------------------------------------

/** A topic-partition. */
export interface KafkaTopicPartition {
  topic: string;
  partition: number;
}

/** Headers of a consumed record: every key maps to all its values, in order (Kafka allows duplicate header keys). */
export type KafkaRecordHeaders = Readonly<Record<string, readonly Buffer[]>>;

/** Headers accepted when producing. */
export type KafkaHeadersInput = Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string>>>;

/** One consumed record. */
export interface KafkaMessage {
  topic: string;
  partition: number;
  /** Offset within the partition (int64 as decimal string). */
  offset: string;
  /** Record timestamp (CreateTime or LogAppendTime, per topic config), epoch ms. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaRecordHeaders;
}

/** Consecutive records of one topic-partition, in offset order. Never empty. */
export interface KafkaBatch {
  topic: string;
  partition: number;
  messages: readonly KafkaMessage[];
  /** The partition's high watermark when the batch was fetched (offset of the next record to be written). */
  highWatermark: string;
  /**
   * Where the partition's next fetch starts, when the client knows: after the last record fetched,
   * counting records that are not in `messages` (transaction markers, records of aborted
   * transactions). Above the last message's offset + 1 when such records end the batch.
   */
  nextOffset?: string;
  /**
   * Where this batch's range starts, when the client knows: the previous batch's `nextOffset` of the
   * partition (or where reading started). The offsets from here up to the first message hold no
   * record for the consumer (transaction markers, aborted, compacted or deleted records), so a reader
   * that has not got everything below `fetchOffset` knows records were lost on the way
   * (`KafkaRecordsMissingError`). Undefined: unknown, no check.
   */
  fetchOffset?: string;
}

/** A partition's position moved past records that are not delivered (see {@link KafkaRunOptions.onSkipped}). */
export interface KafkaSkippedRecords extends KafkaTopicPartition {
  /** The offset the partition's next fetch starts at. */
  readonly nextOffset: string;
  /** Where the skipped range starts, when the client knows (as {@link KafkaBatch.fetchOffset}). */
  readonly fetchOffset?: string;
}

/** A record to produce. */
export interface KafkaOutgoingMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: KafkaHeadersInput;
  /** Explicit partition; otherwise chosen by the key hash (Java-client compatible murmur2), or spread when key is null. */
  partition?: number;
  /** CreateTime in epoch ms; defaults to now. */
  timestamp?: number;
}

/**
 * Many keyless records whose values are already encoded, packed back to back in one buffer: value i
 * is `values.subarray(offsets[i], offsets[i + 1])`, so `offsets` has one entry more than there are
 * records. No keys and no headers; `timestamp` (CreateTime, epoch ms) applies to every record,
 * default now. The cheap way to hand a producer millions of small records.
 */
export interface KafkaValueBlock {
  readonly values: Buffer;
  readonly offsets: ArrayLike<number>;
  readonly timestamp?: number;
}

/** Where a produced batch landed (one entry per partition written). */
export interface KafkaSendResult {
  topic: string;
  partition: number;
  /** Offset of the first record written to this partition by the send. */
  baseOffset: string;
}

/** A topic to create. */
export interface KafkaTopicSpec {
  topic: string;
  partitions: number;
  /** Default: 1 (local development broker). */
  replicationFactor?: number;
  /** Topic-level configs, e.g. `{ 'retention.ms': '3600000' }`. */
  configs?: Readonly<Record<string, string>>;
}

/** Offsets of one partition: records `[low, high)` are readable. */
export interface KafkaPartitionOffsets {
  partition: number;
  /** Log start offset (earliest readable). */
  low: string;
  /** High watermark (offset the next record will get); `high - low` = records currently retained. */
  high: string;
}

/** An offset to commit for a consumer group: the offset of the next record to read. */
export interface KafkaOffsetCommit extends KafkaTopicPartition {
  offset: string;
}

/** A manually assigned partition and where to start reading it. */
export interface KafkaPartitionAssignment extends KafkaTopicPartition {
  /** `'earliest'` / `'latest'` are resolved when {@link KafkaConsumerPort.assign} is called; otherwise an exact offset. */
  startOffset: 'earliest' | 'latest' | string;
}

// ---------------------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------------------

/**
 * Cluster administration. `connect()` first, `disconnect()` when done.
 * All methods reject with {@link KafkaClientError} / {@link KafkaUnavailableError}.
 */
export interface KafkaAdmin {
  /** Connects to the cluster. Throws {@link KafkaUnavailableError} within the connect deadline if unreachable. */
  connect(): Promise<void>;
  /** Releases connections. Safe to call more than once. */
  disconnect(): Promise<void>;
  /** Names of all topics, including internal ones such as `__consumer_offsets`. */
  listTopics(): Promise<string[]>;
  /**
   * The cluster id the broker reports (Metadata response; a new one each time a cluster is formatted,
   * so a wiped or replaced cluster has another), or undefined when the broker reports none.
   * @example await admin.clusterId() // 'q1Sh-9_ISia_zwGINzRvyQ'
   */
  clusterId(): Promise<string | undefined>;
  /**
   * Creates the topics and resolves once every partition has a leader (ready to produce).
   * Topics that already exist are left untouched (not an error, partition count not checked).
   */
  createTopics(topics: readonly KafkaTopicSpec[]): Promise<void>;
  /** Deletes the topics. Topics that do not exist are ignored. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Low/high offsets of every partition of `topic`, sorted by partition. Throws if the topic does not exist. */
  fetchTopicOffsets(topic: string): Promise<KafkaPartitionOffsets[]>;
  /**
   * Per partition of `topic`, sorted by partition, the offset of the first record whose timestamp is
   * `>= timestamp`, or the high watermark when there is none (Kafka's offsets-for-times).
   * Throws if the topic does not exist.
   */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<Array<{ partition: number; offset: string }>>;
  /** Committed offsets of `groupId` for `topic`, sorted by partition; `offset: null` = nothing committed. */
  fetchCommittedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string | null }>>;
}

/** Options for {@link KafkaClientFactory.consumer}. */
export interface KafkaConsumerOptions {
  /**
   * Consumer group id. Required for {@link KafkaConsumerPort.subscribe}. For
   * {@link KafkaConsumerPort.assign} it may be omitted: a unique throw-away group is used.
   */
  groupId?: string;
  /** Max time the broker holds a fetch open waiting for data. Default 1000 ms. */
  maxWaitTimeMs?: number;
  /** Group session timeout; a handler that blocks longer than this causes a rebalance. Default 30000 ms. */
  sessionTimeoutMs?: number;
  /** Max bytes fetched per partition per request (the practical batch size bound). Default 1 MiB. */
  maxBytesPerPartition?: number;
  /** Read uncommitted transactional records. Default false (read_committed). */
  readUncommitted?: boolean;
}

/** Options for {@link KafkaConsumerPort.run}. */
export interface KafkaRunOptions {
  /**
   * Called at most once when the consumer stops because of an error after `run()` resolved:
   * the handler's own error (re-thrown as is), or a {@link KafkaClientError} /
   * {@link KafkaUnavailableError} from the client. The consumer is stopped by then; call
   * `disconnect()` to release it.
   */
  onError?: (error: unknown) => void;
  /** How many partitions may be inside the handler at once. Default 1 (strictly sequential). */
  partitionsConsumedConcurrently?: number;
  /**
   * A fetch of a partition returned only records that are never delivered (transaction markers,
   * records of aborted transactions under read_committed): no batch comes, but the partition's
   * position moved. Called in order with that partition's batches (after the handler of the batch
   * before it settled). Lets a bounded reader see that it reached an end offset that a marker holds.
   */
  onSkipped?: (skipped: KafkaSkippedRecords) => void;
}

/** Receives one batch; the next batch of the same partition is not delivered before the promise settles. */
export type KafkaBatchHandler = (batch: KafkaBatch) => Promise<void>;

/**
 * A consumer. Lifecycle: `connect()` → exactly one of `subscribe()` / `assign()` → `run()` →
 * (`pause`/`resume`/`commitOffsets` any time after `run`) → `disconnect()`.
 *
 * Delivery is at-least-once: nothing is committed automatically; a batch counts as
 * processed when the handler's promise resolves (the in-memory position moves past it),
 * and only {@link commitOffsets} makes positions durable for the group.
 *
 * If the handler throws, delivery stops: no further batches are delivered, the consumer
 * stops, and `onError` receives that error.
 */
export interface KafkaConsumerPort {
  /** Throws {@link KafkaUnavailableError} within the connect deadline if the cluster is unreachable. */
  connect(): Promise<void>;
  /**
   * Group subscription: partitions of `topics` are balanced among the group's members and
   * reading starts at the group's committed offsets; for partitions without a committed
   * offset at the earliest (`fromBeginning: true`) or latest (default) offset.
   * Requires `groupId`. Call before `run()`.
   */
  subscribe(options: { topics: readonly string[]; fromBeginning?: boolean }): Promise<void>;
  /**
   * Manual assignment: read exactly these partitions from the given start offsets,
   * ignoring committed offsets. Other partitions of the same topics are never delivered.
   * Throws if a partition does not exist. Call before `run()`. If `groupId` was given, it
   * must not be shared with other consumers (the implementation may use group membership
   * internally). An explicit start offset outside `[low, high]` falls back to the earliest offset.
   */
  assign(partitions: readonly KafkaPartitionAssignment[]): Promise<void>;
  /**
   * Starts delivering batches to `handler`; resolves once the consumer has joined and is
   * fetching. Throws {@link KafkaClientError} / {@link KafkaUnavailableError} if it cannot
   * start. Later failures go to `options.onError`.
   */
  run(handler: KafkaBatchHandler, options?: KafkaRunOptions): Promise<void>;
  /** Stops fetching these partitions (backpressure). Batches already in the handler complete. Callable before `run()`. */
  pause(partitions: readonly KafkaTopicPartition[]): void;
  /** Resumes fetching these partitions from where they stopped. */
  resume(partitions: readonly KafkaTopicPartition[]): void;
  /** Currently paused partitions (by {@link pause}). */
  paused(): KafkaTopicPartition[];
  /** Commits offsets (next offset to read) for the consumer's group. Only after `run()` resolved. */
  commitOffsets(offsets: readonly KafkaOffsetCommit[]): Promise<void>;
  /** Stops delivery (waits for the handler in flight) and closes connections. Safe to call more than once. */
  disconnect(): Promise<void>;
}

/** Record batch compression: consumers of every mainstream client read all three. */
export type KafkaCompressionName = 'none' | 'gzip' | 'lz4';

/** Options for {@link KafkaClientFactory.producer}. */
export interface KafkaProducerOptions {
  /** Let the broker auto-create unknown topics on send (if the broker allows it). Default true. */
  allowAutoTopicCreation?: boolean;
  /** Record batch compression. Default: the implementation's (the wire producer: 'lz4'; kafkajs: 'none'). */
  compression?: KafkaCompressionName;
  /**
   * Makes the producer transactional ({@link KafkaTransactionalProducerPort}) with this id; its
   * `connect()` fences earlier producers with the same id. Producers that cannot be transactional
   * throw a {@link KafkaClientError} (code `TRANSACTIONS_UNSUPPORTED`) when created with it.
   */
  transactionalId?: string;
  /** With `transactionalId`: how long the coordinator lets a transaction stay open before aborting it. */
  transactionTimeoutMs?: number;
  /** How long a failed batch is re-sent before its send fails (the wire producer; others keep their own retry bounds). */
  deliveryTimeoutMs?: number;
}

/**
 * An idempotent producer writing with `acks=all` (-1): a resolved `send` means every record
 * is durably in the log, and internal retries do not duplicate records. If `send` rejects,
 * some records may still have been written (a caller that re-sends gets at-least-once).
 */
export interface KafkaProducerPort {
  /** Throws {@link KafkaUnavailableError} within the connect deadline if the cluster is unreachable. */
  connect(): Promise<void>;
  /**
   * Writes `messages` to `topic`. Resolves once acknowledged by all in-sync replicas.
   * Order is kept per partition, also across sends issued without awaiting the previous one
   * (they are written in call order), so a caller may keep several sends in flight.
   */
  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaSendResult[]>;
  /**
   * Writes a block of keyless, pre-encoded values, with the guarantees of `send` (and ordered with
   * it). The records are spread over the partitions in runs (like the Java client's sticky
   * partitioning of keyless records), not one by one.
   */
  sendBlock(topic: string, block: KafkaValueBlock): Promise<KafkaSendResult[]>;
  /** Flushes nothing (sends are not buffered) and closes connections. Safe to call more than once. */
  disconnect(): Promise<void>;
}

/**
 * A transactional producer (Kafka transactions, as the Java client with a `transactional.id`):
 * sends happen inside a transaction and become visible to `read_committed` readers all at once
 * when it commits, together with consumer offsets given to `sendOffsetsToTransaction`, or never if
 * it aborts. `connect()` fences any earlier producer with the same transactional id (its open
 * transaction is aborted and its further calls fail with code `PRODUCER_FENCED` or
 * `INVALID_PRODUCER_EPOCH`): the basis of exactly-once consume-transform-produce.
 *
 * - `beginTransaction()` opens a transaction; `send` / `sendBlock` outside one reject.
 * - `commitTransaction()` waits for every send of the transaction, then commits. If a send failed
 *   it throws that error and the transaction stays open: call `abortTransaction()`.
 * - `abortTransaction()` lets outstanding sends settle and aborts; after a failed send it also
 *   starts a new producer epoch, so the producer can be used again.
 */
export interface KafkaTransactionalProducerPort extends KafkaProducerPort {
  beginTransaction(): void;
  /** Commits `offsets` (next record to read) for consumer group `groupId` as part of the transaction. */
  sendOffsetsToTransaction(groupId: string, offsets: readonly KafkaOffsetCommit[]): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
}

/**
 * A transaction left prepared by {@link KafkaPreparingProducerPort.prepareTransaction}: every record
 * of it is written and acknowledged, it is neither committed nor aborted, and this handle is all the
 * transaction coordinator needs to commit it later, from any process (`WireProducer.commitPrepared`).
 * Plain JSON (the producer id, an int64, as a decimal string), so a checkpoint can hold it.
 */
export interface PreparedKafkaTransaction {
  readonly transactionalId: string;
  readonly producerId: string;
  readonly producerEpoch: number;
  /** The id of the cluster the transaction was prepared on, when the broker reported one: committing it on another fails. */
  readonly clusterId?: string;
}

/**
 * A transactional producer that can also *prepare* a transaction: finish it without ending it, so
 * that someone else (a later run, after a crash) can still commit it. What exactly-once
 * `KafkaIO.write` needs; the wire producer has it, kafkajs' and @platformatic/kafka's do not.
 */
export interface KafkaPreparingProducerPort extends KafkaTransactionalProducerPort {
  /**
   * Waits until every send and offsets call of the open transaction has settled, then leaves it
   * *prepared*: no more sends; `commitTransaction()` or `abortTransaction()` end it. Returns its
   * handle, or undefined when the transaction wrote nothing (it is then simply closed, and
   * `beginTransaction()` may follow at once).
   * @throws KafkaClientError the first failure of a send or offsets call (the transaction stays open: abort it).
   */
  prepareTransaction(): Promise<PreparedKafkaTransaction | undefined>;
  /** Once connected, the id of the cluster it talks to (undefined before, or when the broker reports none). */
  readonly clusterId?: string | undefined;
}

/** True when `p` can prepare transactions ({@link KafkaPreparingProducerPort}). */
export function canPrepareTransactions(p: KafkaProducerPort): p is KafkaPreparingProducerPort {
  return typeof (p as Partial<KafkaPreparingProducerPort>).prepareTransaction === 'function';
}

/**
 * Creates Kafka clients bound to one cluster. Creating a client does no I/O; each client's
 * `connect()` does.
 */
export interface KafkaClientFactory {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  admin(): KafkaAdmin;
  consumer(options?: KafkaConsumerOptions): KafkaConsumerPort;
  producer(options?: KafkaProducerOptions): KafkaProducerPort;
}

/**
 * Parses a broker list such as `"127.0.0.1:19092,10.0.0.2:9092"` (the `KAFKA_BROKERS`
 * format) into `['127.0.0.1:19092', '10.0.0.2:9092']`. Throws on an entry without a port, with a
 * port outside 1..65535, or with a blank or control character in its host.
 */
export function parseKafkaBrokers(list: string | readonly string[]): string[] {
  const entries = (typeof list === 'string' ? list.split(',') : [...list]).map((b) => b.trim()).filter((b) => b !== '');
  if (entries.length === 0) throw new Error('Kafka broker list is empty');
  for (const entry of entries) {
    const port = /^(?:[^\s\p{Cc}:\[\]]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/u.exec(entry)?.[1];
    if (port === undefined) throw new Error(`invalid Kafka broker address "${entry}" (expected host:port)`);
    if (!(Number(port) >= 1 && Number(port) <= 65_535)) throw new Error(`invalid Kafka broker address "${entry}": the port must be 1..65535`);
  }
  return entries;
}
