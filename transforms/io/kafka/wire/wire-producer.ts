import {
  KafkaClientError,
  KafkaUnavailableError,
  parseKafkaBrokers,
  type KafkaOffsetCommit,
  type KafkaOutgoingMessage,
  type KafkaPreparingProducerPort,
  type KafkaSendResult,
  type KafkaValueBlock,
  type PreparedKafkaTransaction,
} from '../client.js';
import { CheckpointRecoveryError } from '../../../../sdk/errors.js';
import { KafkaClusterChangedError } from '../cluster-changed-error.js';
import { checkKafkaSasl, resolveKafkaSsl, type KafkaSaslOptions, type KafkaSslOptions, type ResolvedKafkaSsl } from '../security.js';
import { fetchMetadata, initProducerId, produce, type BrokerInfo, type PartitionBatch, type ProducePartitionResult } from './apis.js';
import { BrokerConnection, type BrokerConnectionOptions } from './broker-connection.js';
import type { WireProducerSeams } from './wire-producer-seams.js';
import type { KafkaCompression } from './compression.js';
import {
  ERROR_COORDINATOR_LOAD_IN_PROGRESS,
  ERROR_COORDINATOR_NOT_AVAILABLE,
  ERROR_DUPLICATE_SEQUENCE_NUMBER,
  ERROR_INVALID_TXN_STATE,
  ERROR_NONE,
  ERROR_NOT_COORDINATOR,
  ERROR_OPERATION_NOT_ATTEMPTED,
  ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER,
  errorName,
  isFenced,
  isRetriable,
} from './error-codes.js';
import { partitionForKey } from './murmur2.js';
import { RecordBatchBuilder } from './record-batch.js';
import {
  addOffsetsToTxn,
  addPartitionsToTxn,
  COORDINATOR_GROUP,
  COORDINATOR_TRANSACTION,
  endTxn,
  findCoordinator,
  txnOffsetCommit,
  type PartitionError,
  type TxnProducer,
} from './txn-apis.js';

/** Settings of {@link WireProducer}. */
export interface WireProducerOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: string | readonly string[];
  readonly clientId?: string;
  /** `connect()` fails with KafkaUnavailableError after this long. Default 8000 ms. */
  readonly connectDeadlineMs?: number;
  /** A produce or metadata request without an answer after this long fails (and is retried). Default 30000 ms. */
  readonly requestTimeoutMs?: number;
  /** Record batch compression. Default 'lz4'. */
  readonly compression?: KafkaCompression;
  /** TLS to the brokers (PEM contents or paths, see {@link KafkaSslOptions}). Default: plain TCP. */
  readonly ssl?: KafkaSslOptions | boolean;
  /** SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) on every connection. Default: none. */
  readonly sasl?: KafkaSaslOptions;
  /** Let the broker auto-create unknown topics. Default true. */
  readonly allowAutoTopicCreation?: boolean;
  /** Uncompressed bytes per record batch before a new batch is started. Default 1,000,000 (under the broker's default 1 MiB limit). */
  readonly maxBatchBytes?: number;
  /** Produce requests outstanding per broker connection (Kafka's idempotence allows up to 5). Default 5. */
  readonly maxInFlight?: number;
  /**
   * The broker outage budget: how long a batch that failed to go out (broker away, leader moving,
   * connection lost) is re-sent, with backoff, before its send fails with code `DELIVERY_TIMEOUT` (the
   * Java client's `delivery.timeout.ms`). Retries keep their sequence numbers, so they never duplicate
   * a record. Metadata and transaction coordinator calls (AddPartitionsToTxn, AddOffsetsToTxn,
   * TxnOffsetCommit, EndTxn) that fail because no broker or coordinator can be reached are retried
   * within the same budget (a {@link KafkaUnavailableError} with code `DELIVERY_TIMEOUT` after it);
   * answers of a reachable broker keep the `requestTimeoutMs` bound. Default 60,000 ms.
   */
  readonly deliveryTimeoutMs?: number;
  /**
   * Makes the producer transactional (see {@link KafkaTransactionalProducerPort}): sends belong to
   * transactions, and `connect()` fences earlier producers with this id. Default: none (idempotent only).
   */
  readonly transactionalId?: string;
  /**
   * How long the coordinator lets a transaction stay open before aborting it (at most the broker's
   * `transaction.max.timeout.ms`, 15 min by default). Default 60000 ms.
   */
  readonly transactionTimeoutMs?: number;
}

/** One record batch on its way: it keeps its sequence number across retries. */
interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly sequence: number;
  readonly count: number;
  bytes: Buffer | null;
  /** When the batch first failed to go out (performance.now()); its retries end `deliveryTimeoutMs` after. */
  failedAt?: number;
  readonly ready: Promise<Buffer>;
  resolve(result: KafkaSendResult): void;
  reject(error: Error): void;
}

interface TopicRoute {
  /** Leader node id per partition index. */
  leaders: number[];
}

const INT32_MAX = 0x7fffffff;

/**
 * A fast idempotent Kafka producer speaking the wire protocol itself (Metadata, InitProducerId,
 * Produce, in the highest versions both it and the broker support), behind
 * {@link KafkaProducerPort}, over TCP or TLS (`ssl`), with SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512
 * (`sasl`). Wrong credentials, an untrusted certificate or a TLS listener reached without `ssl`
 * fail `connect()` at once with a not retriable {@link KafkaClientError} (no retrying until the deadline).
 *
 * Why: kafkajs tops out near 36 k records/s on this machine because it builds every record
 * from many small buffers; this producer encodes each record straight into its batch buffer,
 * compresses batches with LZ4 off the event loop and keeps up to `maxInFlight` requests
 * pipelined per broker, which is what the Java client does.
 *
 * Guarantees (as the Java client with `enable.idempotence=true`, `acks=all`):
 * - a resolved `send` means every record is in the log of all in-sync replicas;
 * - records keep the order of `send` calls per partition, also for sends issued without
 *   awaiting the previous one;
 * - retried batches keep their sequence numbers, so a retry never duplicates a record; a batch
 *   that cannot be written is re-sent with backoff for `deliveryTimeoutMs` (default 60 s), then its
 *   send fails with code `DELIVERY_TIMEOUT`;
 * - a non-retriable error (e.g. MESSAGE_TOO_LARGE, authorization) rejects that send with a
 *   {@link KafkaClientError} carrying the protocol error name as `code`, and every later send
 *   too (the partition's sequence has a gap: make a new producer).
 *
 * Partitioning: an explicit `partition`, else Java-compatible murmur2 of the key, else round robin.
 *
 * With `transactionalId` it is a transactional producer ({@link KafkaTransactionalProducerPort}):
 * FindCoordinator, InitProducerId with the id (fencing older producers), AddPartitionsToTxn before
 * the first batch of each partition, AddOffsetsToTxn + TxnOffsetCommit for consumer offsets, and
 * EndTxn, with batches marked transactional. Sends must then be inside a transaction.
 * For exactly-once sinks, `prepareTransaction()` finishes a transaction without ending it and returns
 * a plain-JSON handle, and the static `commitPrepared(handle, ...)` commits it later from any process
 * (after a crash), or fails with CheckpointRecoveryError when the broker aborted it meanwhile.
 *
 * @deprecated as an export of `watershed/io/kafka` (the class itself stays: it is the default producer).
 * Get the producer from a client factory instead, e.g.
 * `createKafkaClientFactory({ brokers, producer: 'wire' }).producer({ transactionalId })`; `KafkaIO.write`
 * does this for you. The export goes in the next release.
 * @example
 * ```ts
 * const t = new WireProducer({ brokers: '127.0.0.1:19092', transactionalId: 'netflow-pairs-0' });
 * await t.connect();
 * t.beginTransaction();
 * await t.send('pairs', [{ value: '{"d":1}' }]);
 * await t.sendOffsetsToTransaction('netflow', [{ topic: 'flows', partition: 0, offset: '1200' }]);
 * await t.commitTransaction(); // both records and offsets, or neither
 * ```
 * @example
 * ```ts
 * const p = new WireProducer({ brokers: '127.0.0.1:19092', compression: 'lz4' });
 * await p.connect();
 * const pending = [p.send('pairs', [{ key: 'a', value: '{"d":1}' }]), p.send('pairs', [{ key: 'a', value: '{"d":2}' }])];
 * await Promise.all(pending); // both durable, in this order
 * await p.disconnect();
 * ```
 */
export class WireProducer implements KafkaPreparingProducerPort {
  private readonly brokers: string[];
  private readonly clientId: string;
  private readonly connectDeadlineMs: number;
  private readonly requestTimeoutMs: number;
  private readonly compression: KafkaCompression;
  private readonly allowAutoTopicCreation: boolean;
  private readonly maxBatchBytes: number;
  private readonly maxInFlight: number;
  private readonly deliveryTimeoutMs: number;
  private readonly openLeaderConnection: (options: BrokerConnectionOptions) => Promise<BrokerConnection>;
  private readonly transactionalId: string | null;
  private readonly transactionTimeoutMs: number;
  private readonly ssl: ResolvedKafkaSsl | undefined;
  private readonly sasl: KafkaSaslOptions | undefined;

  private bootstrap: BrokerConnection | null = null;
  private readonly nodes = new Map<number, BrokerInfo>();
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private readonly routes = new Map<string, Promise<TopicRoute>>();
  private producerId = -1n;
  private producerEpoch = 0;
  private cluster: string | undefined;
  private readonly sequences = new Map<string, number>();
  private roundRobin = 0;

  /** Sends are prepared and dispatched strictly in call order. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly slotWaiters: Array<() => void> = [];
  private retryQueue: Batch[] = [];
  private recovering: Promise<void> | null = null;
  private fatal: KafkaClientError | null = null;
  private closed = false;

  // Transactions (transactionalId set).
  /**
   * `open`: between beginTransaction and the end of commit/abort (or prepare); `prepared`: after
   * prepareTransaction, until commit or abort; `ending` while one of those runs.
   */
  private txnState: 'ready' | 'open' | 'prepared' | 'ending' = 'ready';
  /** Partitions (`topic\0partition`) and groups added to the open transaction. */
  private readonly txnPartitions = new Set<string>();
  private txnGroups = 0;
  /** The first send or offsets call of the open transaction that failed without poisoning the producer. */
  private txnFailure: KafkaClientError | null = null;
  /** A request to add partitions or offsets to the open transaction went out (its answer may be lost). */
  private txnTouched = false;
  /** sendOffsetsToTransaction calls, in order; commit and abort wait for them. */
  private txnOffsetCalls: Promise<void> = Promise.resolve();
  /** Set when connect() gives up, so a handshake still retrying stops instead of fencing anyone. */
  private handshakeCancelled = false;
  /** Coordinator node per `keyType:key`, as FindCoordinator last answered. */
  private readonly coordinators = new Map<string, number>();

  constructor(options: WireProducerOptions) {
    this.brokers = parseKafkaBrokers(options.brokers);
    this.clientId = options.clientId ?? 'watershed';
    this.connectDeadlineMs = options.connectDeadlineMs ?? 8_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.compression = options.compression ?? 'lz4';
    this.allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
    this.maxBatchBytes = options.maxBatchBytes ?? 1_000_000;
    this.maxInFlight = options.maxInFlight ?? 5;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 60_000;
    if (!(this.deliveryTimeoutMs >= 0)) throw new RangeError(`deliveryTimeoutMs must be >= 0, got ${options.deliveryTimeoutMs}`);
    // The seams of wireProducerWithSeams (tests only): not part of the public options.
    this.openLeaderConnection = (options as WireProducerSeams).openLeaderConnection ?? ((o) => BrokerConnection.open(o));
    this.transactionalId = options.transactionalId ?? null;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 60_000;
    if (this.transactionalId === '') throw new RangeError('transactionalId must not be empty');
    this.ssl = resolveKafkaSsl(options.ssl);
    this.sasl = checkKafkaSasl(options.sasl);
  }

  /** Settings of a connection to `host:port`, with this producer's TLS and SASL. */
  private connectionOptions(host: string, port: number, connectTimeoutMs: number): BrokerConnectionOptions {
    return {
      host,
      port,
      clientId: this.clientId,
      connectTimeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
      ...(this.ssl ? { ssl: this.ssl } : {}),
      ...(this.sasl ? { sasl: this.sasl } : {}),
    };
  }

  /** Connects to a bootstrap broker and obtains a producer id. Throws {@link KafkaUnavailableError} within the deadline if no broker answers. */
  async connect(): Promise<void> {
    await this.open((bootstrap, deadline) => this.handshake(bootstrap, deadline));
  }

  /** Connects to a bootstrap broker and runs `handshake` on it, both within the connect deadline. */
  private async open(handshake: (bootstrap: BrokerConnection, deadline: number) => Promise<void>): Promise<void> {
    this.handshakeCancelled = false;
    const deadline = performance.now() + this.connectDeadlineMs;
    let lastError: unknown;
    while (performance.now() < deadline && !this.bootstrap) {
      try {
        this.bootstrap = await this.openBootstrap(() => Math.min(Math.max(100, deadline - performance.now()), 2_000));
      } catch (e) {
        // Wrong credentials, an untrusted certificate, TLS expected: trying again cannot help.
        if (isPermanent(e)) throw e;
        lastError = e;
        await sleep(Math.min(250, Math.max(0, deadline - performance.now())));
      }
    }
    if (!this.bootstrap) {
      throw new KafkaUnavailableError(`no Kafka broker reachable at ${this.brokers.join(',')} within ${this.connectDeadlineMs} ms`, { brokers: this.brokers, cause: lastError });
    }
    const bootstrap = this.bootstrap;
    // The handshake is bounded by the connect deadline too: a listener that accepts TCP and never answers fails in time.
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.handshakeCancelled = true;
        bootstrap.close();
        this.bootstrap = null;
        reject(new KafkaUnavailableError(`Kafka broker ${bootstrap.address} did not answer within the connect deadline of ${this.connectDeadlineMs} ms`, { brokers: this.brokers }));
      }, Math.max(1, deadline - performance.now()));
    });
    try {
      await Promise.race([handshake(bootstrap, deadline), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Once connected, the id of the cluster (from Metadata; undefined when the broker reports none). */
  get clusterId(): string | undefined {
    return this.cluster;
  }

  private async handshake(bootstrap: BrokerConnection, deadline: number): Promise<void> {
    const meta = await fetchMetadata(bootstrap, [], false);
    for (const b of meta.brokers) this.nodes.set(b.nodeId, b);
    this.cluster = meta.clusterId || undefined;
    if (this.transactionalId !== null) {
      await this.initTransactional(deadline);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const id = await initProducerId(bootstrap);
      if (id.errorCode === ERROR_NONE) {
        this.producerId = id.producerId;
        this.producerEpoch = id.producerEpoch;
        return;
      }
      if (!isRetriable(id.errorCode) || performance.now() > deadline) {
        throw new KafkaClientError(`InitProducerId failed: ${errorName(id.errorCode)}`, { retriable: isRetriable(id.errorCode), code: errorName(id.errorCode) });
      }
      await sleep(Math.min(1_000, 50 * 2 ** attempt));
    }
  }

  /** See {@link KafkaProducerPort.send}. Sends may be issued without awaiting earlier ones; order per partition is the call order. */
  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaSendResult[]> {
    if (messages.length === 0 && !this.closed && this.bootstrap) return Promise.resolve([]);
    return this.enqueue('send', () => this.prepare(topic, messages));
  }

  /** See {@link KafkaProducerPort.sendBlock}: runs of records go to one partition each, rotating. */
  sendBlock(topic: string, block: KafkaValueBlock): Promise<KafkaSendResult[]> {
    if (block.offsets.length < 2 && !this.closed && this.bootstrap) return Promise.resolve([]);
    return this.enqueue('sendBlock', () => this.prepareBlock(topic, block));
  }

  private enqueue(op: string, prepare: () => Promise<Array<Batch & { result: Promise<KafkaSendResult> }>>): Promise<KafkaSendResult[]> {
    if (this.closed) return Promise.reject(new KafkaClientError(`${op}() after disconnect()`, { retriable: false }));
    if (!this.bootstrap) return Promise.reject(new KafkaClientError(`${op}() before connect()`, { retriable: false }));
    if (this.transactionalId !== null && this.txnState !== 'open') {
      return Promise.reject(new KafkaClientError(`${op}() outside a transaction: call beginTransaction() first`, { retriable: false, code: 'INVALID_TXN_STATE' }));
    }
    const prepared = this.chain.then(prepare);
    // In a transaction every send counts: one that fails here must fail the commit too.
    if (this.transactionalId !== null) prepared.catch((e: unknown) => (this.txnFailure ??= asClientError(e)));
    const dispatched = prepared.then((batches) => this.dispatch(batches));
    this.chain = dispatched.catch(() => undefined);
    return prepared.then(async (batches) => {
      const results = await Promise.all(batches.map((b) => b.result));
      const first = new Map<number, KafkaSendResult>();
      for (const r of results) if (!first.has(r.partition)) first.set(r.partition, r);
      return [...first.values()].sort((a, b) => a.partition - b.partition);
    });
  }

  /** Waits for outstanding sends to settle (bounded by the request timeout and `deliveryTimeoutMs`), then closes every connection. Safe to call more than once. */
  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.settleInFlight();
    if (this.recovering) await this.recovering.catch(() => undefined);
    this.bootstrap?.close();
    for (const c of this.connections.values()) (await c.catch(() => null))?.close();
    this.connections.clear();
  }

  // -------------------------------------------------------------------------------------

  /** Packs a value block into batches of about `maxBatchBytes`, each for the next partition in turn. */
  private async prepareBlock(topic: string, block: KafkaValueBlock): Promise<Array<Batch & { result: Promise<KafkaSendResult> }>> {
    if (this.fatal) throw this.fatal;
    const partitions = (await this.route(topic)).leaders.length;
    const timestamp = block.timestamp ?? Date.now();
    const { values, offsets } = block;
    const builders = new Map<number, RecordBatchBuilder[]>();
    let builder: RecordBatchBuilder | undefined;
    for (let i = 0; i + 1 < offsets.length; i++) {
      if (!builder || (builder.count > 0 && builder.sizeBytes >= this.maxBatchBytes)) {
        const p = this.roundRobin++ % partitions;
        builder = new RecordBatchBuilder(Math.min(this.maxBatchBytes + 4096, 1 << 20));
        let list = builders.get(p);
        if (!list) builders.set(p, (list = []));
        list.push(builder);
      }
      builder.appendValue(values, offsets[i]!, offsets[i + 1]!, timestamp);
    }
    await this.addToTransaction(topic, builders.keys());
    return this.seal(topic, builders);
  }

  /** Encodes `messages` into per-partition batches with sequence numbers (in call order) and starts compressing them. */
  private async prepare(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<Array<Batch & { result: Promise<KafkaSendResult> }>> {
    if (this.fatal) throw this.fatal;
    const route = await this.route(topic);
    const partitions = route.leaders.length;
    const now = Date.now();
    const builders = new Map<number, RecordBatchBuilder[]>();
    for (const m of messages) {
      // A string key is encoded once: for the partitioner and for the record.
      const key = typeof m.key === 'string' ? Buffer.from(m.key, 'utf8') : m.key;
      let p = m.partition;
      if (p === undefined) {
        if (key != null) p = partitionForKey(key, partitions);
        else p = this.roundRobin++ % partitions;
      } else if (!(Number.isInteger(p) && p >= 0 && p < partitions)) {
        throw new KafkaClientError(`send(${topic}): partition ${p} does not exist (topic has ${partitions})`, { retriable: false, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
      }
      let list = builders.get(p);
      if (!list) builders.set(p, (list = [new RecordBatchBuilder()]));
      let b = list[list.length - 1]!;
      if (b.count > 0 && b.sizeBytes >= this.maxBatchBytes) list.push((b = new RecordBatchBuilder()));
      b.append(key, m.value, m.headers, m.timestamp ?? now);
    }
    await this.addToTransaction(topic, builders.keys());
    return this.seal(topic, builders);
  }

  /** Gives the batches their sequence numbers (partition by partition, in order) and starts building them. */
  private seal(topic: string, builders: Map<number, RecordBatchBuilder[]>): Array<Batch & { result: Promise<KafkaSendResult> }> {
    const batches: Array<Batch & { result: Promise<KafkaSendResult> }> = [];
    for (const [partition, list] of [...builders].sort((a, b) => a[0] - b[0])) {
      for (const builder of list) {
        const key = `${topic}\u0000${partition}`;
        const sequence = this.sequences.get(key) ?? 0;
        this.sequences.set(key, (sequence + builder.count) % (INT32_MAX + 1));
        const { promise: result, resolve, reject } = Promise.withResolvers<KafkaSendResult>();
        const ready = builder.build({ producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: sequence, transactional: this.transactionalId !== null }, this.compression);
        batches.push({ topic, partition, sequence, count: builder.count, bytes: null, ready, resolve, reject, result });
      }
    }
    return batches;
  }

  /** Puts the batches on the wire in order (one request per leader), once compressed and a request slot is free. */
  private async dispatch(batches: readonly Batch[]): Promise<void> {
    try {
      for (const b of batches) b.bytes = await b.ready;
    } catch (e) {
      // Building (compressing) failed: nothing was sent, but the sequence numbers are spent.
      const error = new KafkaClientError(`could not build record batches for ${batches[0]?.topic}: ${e instanceof Error ? e.message : String(e)}`, { retriable: false, cause: e });
      this.fatal ??= error;
      for (const b of batches) b.reject(error);
      return;
    }
    if (this.recovering) await this.recovering.catch(() => undefined);
    if (this.fatal) {
      for (const b of batches) b.reject(this.fatal);
      return;
    }
    let route: TopicRoute;
    try {
      route = await this.route(batches[0]!.topic);
    } catch {
      this.retry(batches); // the recovery refreshes metadata, and fails the batches after deliveryTimeoutMs
      return;
    }
    const byLeader = new Map<number, Batch[]>();
    for (const b of batches) {
      const leader = route.leaders[b.partition]!;
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(b);
    }
    for (const [leader, list] of byLeader) {
      for (const request of onePerPartition(list)) await this.sendWhenClear(leader, request);
    }
  }

  /**
   * Starts `request` once a request slot on the leader's connection is free and no recovery is
   * going on. Nothing new goes out while failed batches wait to be re-sent: a later batch landing
   * first would push the failed ones out of the broker's window of recent batches (the last 5 per
   * partition), and their retries could no longer be recognised as duplicates.
   */
  private async sendWhenClear(leader: number, request: readonly Batch[]): Promise<void> {
    for (;;) {
      if (this.recovering) await this.recovering.catch(() => undefined);
      if (this.fatal) {
        for (const b of request) b.reject(this.fatal);
        return;
      }
      let conn: BrokerConnection;
      try {
        conn = await this.connection(leader);
      } catch {
        this.retry(request);
        return;
      }
      if (this.recovering) continue;
      if (conn.inFlight >= this.maxInFlight) {
        await new Promise<void>((r) => this.slotWaiters.push(r));
        continue;
      }
      this.track(this.request(conn, request));
      return;
    }
  }

  /** Sends one Produce request and settles its batches (or queues them for a retry). */
  private async request(conn: BrokerConnection, batches: readonly Batch[]): Promise<void> {
    if (new Set(batches.map((b) => b.partition)).size !== batches.length) throw new Error('internal: two batches of one partition in one Produce request');
    let results: ProducePartitionResult[];
    try {
      results = await produce(conn, batches[0]!.topic, batches.map((b): PartitionBatch => ({ partition: b.partition, records: b.bytes! })), this.requestTimeoutMs, this.transactionalId);
    } catch {
      this.retry(batches);
      return;
    } finally {
      // Wake every waiter: each checks its own connection again.
      for (const wake of this.slotWaiters.splice(0)) wake();
    }
    const byPartition = new Map<number, ProducePartitionResult>();
    for (const r of results) byPartition.set(r.partition, r);
    const retry: Batch[] = [];
    for (const b of batches) {
      const r = byPartition.get(b.partition);
      if (!r) {
        this.poison(b, new KafkaClientError(`Produce response lacks partition ${b.topic}-${b.partition}`, { retriable: false }));
        continue;
      }
      this.settle(b, r, retry);
    }
    if (retry.length > 0) this.retry(retry);
  }

  private settle(b: Batch, r: ProducePartitionResult, retry: Batch[]): void {
    if (r.errorCode === ERROR_NONE || r.errorCode === ERROR_DUPLICATE_SEQUENCE_NUMBER) {
      b.bytes = null;
      b.resolve({ topic: b.topic, partition: b.partition, baseOffset: String(r.baseOffset) });
    } else if (isRetriable(r.errorCode) || (r.errorCode === ERROR_OUT_OF_ORDER_SEQUENCE_NUMBER && this.hasPendingRetry(b))) {
      if (r.errorCode === 6 || r.errorCode === 3 || r.errorCode === 5) this.routes.delete(b.topic);
      retry.push(b);
    } else {
      const name = errorName(r.errorCode);
      this.poison(
        b,
        new KafkaClientError(`Produce to ${b.topic}-${b.partition} failed: ${name}${r.errorMessage ? ` (${r.errorMessage})` : ''}`, { retriable: false, code: name }),
      );
    }
  }

  private hasPendingRetry(b: Batch): boolean {
    return this.recovering !== null || this.retryQueue.some((q) => q.topic === b.topic && q.partition === b.partition && q.sequence < b.sequence);
  }

  /** A non-retriable failure: this batch fails, and so does every later send (the sequence has a gap). */
  private poison(b: Batch, error: KafkaClientError): void {
    this.fatal ??= error;
    b.reject(error);
  }

  private retry(batches: readonly Batch[]): void {
    const now = performance.now();
    for (const b of batches) b.failedAt ??= now;
    this.retryQueue.push(...batches);
    this.recovering ??= this.recover().finally(() => (this.recovering = null));
  }

  /**
   * Re-sends failed batches: waits until nothing is in flight (later batches of the same
   * partition fail with OUT_OF_ORDER_SEQUENCE and join the queue), refreshes metadata, and sends
   * the queue one batch at a time in sequence order, in rounds with backoff (100 ms doubling to
   * 1 s), until every batch is written or the oldest has waited `deliveryTimeoutMs`.
   */
  private async recover(): Promise<void> {
    for (let round = 0; ; round++) {
      await this.settleInFlight();
      const queue = this.retryQueue.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition || a.sequence - b.sequence));
      this.retryQueue = [];
      if (queue.length === 0) return;
      const backoff = Math.min(1_000, 100 * 2 ** Math.min(round, 10));
      const oldest = queue.reduce((t, b) => Math.min(t, b.failedAt ?? t), performance.now());
      if (performance.now() + backoff - oldest > this.deliveryTimeoutMs) {
        const error = new KafkaUnavailableError(
          `Produce failed: ${queue.length} batch${queue.length === 1 ? '' : 'es'} of ${queue[0]!.topic} not written within deliveryTimeoutMs (${this.deliveryTimeoutMs} ms, ${round} rounds of retries; the outage budget, KafkaIO's brokerOutageTimeoutMs)`,
          { brokers: this.brokers, code: 'DELIVERY_TIMEOUT' },
        );
        this.fatal ??= error;
        for (const b of queue) b.reject(error);
        return;
      }
      await sleep(backoff);
      this.routes.clear();
      const failed: Batch[] = [];
      for (let i = 0; i < queue.length; i++) {
        const b = queue[i]!;
        if (failed.some((f) => f.topic === b.topic && f.partition === b.partition)) {
          failed.push(b);
          continue;
        }
        try {
          const route = await this.route(b.topic);
          const conn = await this.connection(route.leaders[b.partition]!);
          const [r] = await produce(conn, b.topic, [{ partition: b.partition, records: b.bytes! }], this.requestTimeoutMs, this.transactionalId);
          const again: Batch[] = [];
          if (r) this.settle(b, r, again);
          failed.push(...again);
        } catch (e) {
          if (e instanceof KafkaClientError && !e.retriable) {
            this.poison(b, e);
            continue;
          }
          failed.push(b);
        }
      }
      this.retryQueue.push(...failed);
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async settleInFlight(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Partition leaders of `topic` (cached), waiting for a freshly auto-created topic to get leaders. */
  private route(topic: string): Promise<TopicRoute> {
    let r = this.routes.get(topic);
    if (!r) {
      r = this.fetchRoute(topic);
      this.routes.set(topic, r);
      r.catch(() => this.routes.delete(topic));
    }
    return r;
  }

  private async fetchRoute(topic: string): Promise<TopicRoute> {
    const started = performance.now();
    let deadline = started + this.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      let meta: Awaited<ReturnType<typeof fetchMetadata>>;
      try {
        meta = await fetchMetadata(await this.metadataConnection(), [topic], this.allowAutoTopicCreation);
      } catch (e) {
        // No broker reachable (an outage): waited for within the outage budget, as a failed batch is.
        if (!(e instanceof KafkaClientError && e.retriable) || this.closed) throw e;
        this.outageExpired(started, `Metadata(${topic})`, e);
        // A broker coming back may answer "unknown topic" or "no leader" for a while: its answers get their own time.
        deadline = Math.max(deadline, performance.now() + this.requestTimeoutMs);
        await sleep(Math.min(1_000, 50 * 2 ** attempt));
        continue;
      }
      for (const b of meta.brokers) this.nodes.set(b.nodeId, b);
      const t = meta.topics.find((x) => x.name === topic);
      const code = t?.errorCode ?? 3;
      if (t && code === ERROR_NONE && t.partitions.length > 0 && t.partitions.every((p) => p.errorCode === ERROR_NONE && p.leader >= 0)) {
        return { leaders: t.partitions.map((p) => p.leader) };
      }
      if ((code !== ERROR_NONE && !isRetriable(code)) || performance.now() > deadline) {
        const name = errorName(code !== ERROR_NONE ? code : 5);
        throw new KafkaClientError(`no partition leaders for topic "${topic}": ${name}`, { retriable: isRetriable(code), code: name });
      }
      await sleep(Math.min(500, 25 * 2 ** attempt));
    }
  }

  private async metadataConnection(): Promise<BrokerConnection> {
    if (this.bootstrap?.alive) return this.bootstrap;
    return (this.bootstrap = await this.openBootstrap(() => 2_000));
  }

  /** A connection to the first bootstrap broker that answers; throws KafkaUnavailableError (with the last failure) if none does. */
  private async openBootstrap(connectTimeoutMs: () => number): Promise<BrokerConnection> {
    let lastError: unknown;
    for (const address of this.brokers) {
      const { host, port } = splitAddress(address);
      try {
        return await BrokerConnection.open(this.connectionOptions(host, port, connectTimeoutMs()));
      } catch (e) {
        if (isPermanent(e)) throw e;
        lastError = e;
      }
    }
    throw new KafkaUnavailableError(`no Kafka broker reachable at ${this.brokers.join(',')}`, { brokers: this.brokers, cause: lastError });
  }

  /** The open connection to broker `nodeId`, opening a new one if there is none or it died. */
  private async connection(nodeId: number): Promise<BrokerConnection> {
    const existing = this.connections.get(nodeId);
    if (existing) {
      const c = await existing.catch(() => null);
      if (c?.alive) return c;
      if (this.connections.get(nodeId) === existing) this.connections.delete(nodeId);
    }
    const again = this.connections.get(nodeId);
    if (again) return again; // another caller is already opening it
    const node = this.nodes.get(nodeId);
    if (!node) throw new KafkaUnavailableError(`unknown broker node ${nodeId}`, { brokers: this.brokers });
    const c = this.openLeaderConnection(this.connectionOptions(node.host, node.port, 2_000));
    this.connections.set(nodeId, c);
    c.catch(() => {
      if (this.connections.get(nodeId) === c) this.connections.delete(nodeId);
    });
    return c;
  }
  // ---------------------------------------------------------------------------------------
  // Transactions

  /** See {@link KafkaTransactionalProducerPort.beginTransaction}. @throws KafkaClientError when not transactional, a transaction is open, or the producer failed. */
  beginTransaction(): void {
    this.requireTransactional('beginTransaction');
    if (this.fatal) throw this.fatal;
    if (this.txnState !== 'ready') throw new KafkaClientError('beginTransaction(): a transaction is already open', { retriable: false, code: 'INVALID_TXN_STATE' });
    this.txnState = 'open';
    this.txnPartitions.clear();
    this.txnGroups = 0;
    this.txnFailure = null;
    this.txnTouched = false;
  }

  /** See {@link KafkaTransactionalProducerPort.sendOffsetsToTransaction}. */
  async sendOffsetsToTransaction(groupId: string, offsets: readonly KafkaOffsetCommit[]): Promise<void> {
    this.requireOpen('sendOffsetsToTransaction');
    if (this.fatal) throw this.fatal;
    const list = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: BigInt(o.offset) }));
    const call = this.txnOffsetCalls.then(async () => {
      this.txnTouched = true;
      await this.withCoordinator(`AddOffsetsToTxn(${groupId})`, COORDINATOR_TRANSACTION, this.transactionalId!, (c, p) => addOffsetsToTxn(c, p, groupId));
      this.txnGroups++;
      await this.withCoordinator(`TxnOffsetCommit(${groupId})`, COORDINATOR_GROUP, groupId, async (c, p) => firstError(await txnOffsetCommit(c, p, groupId, list)));
    });
    // A failed offsets call fails the commit, as a failed send does (records without their offsets would break "both or neither").
    this.txnOffsetCalls = call.catch((e: unknown) => void (this.txnFailure ??= asClientError(e)));
    return call;
  }

  /** See {@link KafkaTransactionalProducerPort.commitTransaction}. */
  commitTransaction(): Promise<void> {
    return this.endTransaction('commitTransaction', async () => {
      if (this.fatal) throw this.fatal;
      if (this.txnFailure) throw this.txnFailure;
      if (this.txnPartitions.size > 0 || this.txnGroups > 0) {
        await this.withCoordinator('EndTxn(commit)', COORDINATOR_TRANSACTION, this.transactionalId!, (c, p) => endTxn(c, p, true));
      }
    });
  }

  /** See {@link KafkaTransactionalProducerPort.abortTransaction}. */
  abortTransaction(): Promise<void> {
    return this.endTransaction('abortTransaction', async () => {
      if (this.fatal?.code !== undefined && isFenced(this.fatal.code)) throw this.fatal;
      if (this.txnTouched) {
        // INVALID_TXN_STATE here means the coordinator never opened the transaction: nothing to abort.
        await this.withCoordinator('EndTxn(abort)', COORDINATOR_TRANSACTION, this.transactionalId!, async (c, p) => {
          const code = await endTxn(c, p, false);
          return code === ERROR_INVALID_TXN_STATE ? ERROR_NONE : code;
        });
      }
      if (this.fatal) {
        // A failed send left a gap in a partition's sequence: a new epoch starts every sequence at 0.
        await this.initTransactional(performance.now() + this.requestTimeoutMs);
        this.sequences.clear();
        this.retryQueue = [];
        this.fatal = null;
      }
    });
  }

  /**
   * The frame of commit and abort: no new sends meanwhile, every send and offsets call of the
   * transaction settled, then `end`; if it throws, the transaction stays open.
   */
  private async endTransaction(op: string, end: () => Promise<void>): Promise<void> {
    const before = this.txnState;
    if (before !== 'prepared') this.requireOpen(op);
    else this.requireTransactional(op);
    this.txnState = 'ending';
    try {
      await this.settleSends();
      await this.txnOffsetCalls;
      await end();
      this.txnState = 'ready';
    } catch (e) {
      this.txnState = before;
      throw e;
    }
  }

  /**
   * See {@link KafkaPreparingProducerPort.prepareTransaction}: every send and offsets call of the
   * open transaction settled, and the transaction left open at the coordinator, in state `prepared`
   * here (sends are refused until it is committed or aborted). The handle lets
   * {@link WireProducer.commitPrepared} commit it from another producer object or process, e.g.
   * after a crash. Returns undefined for a transaction that wrote nothing (closed at once).
   * @throws KafkaClientError the first failure of the transaction's sends or offsets calls, or
   *   the producer's (fenced): the transaction stays open, to be aborted.
   */
  async prepareTransaction(): Promise<PreparedKafkaTransaction | undefined> {
    this.requireOpen('prepareTransaction');
    this.txnState = 'ending';
    try {
      await this.settleSends();
      await this.txnOffsetCalls;
      if (this.fatal) throw this.fatal;
      if (this.txnFailure) throw this.txnFailure;
    } catch (e) {
      this.txnState = 'open';
      throw e;
    }
    if (!this.txnTouched && this.txnPartitions.size === 0 && this.txnGroups === 0) {
      this.txnState = 'ready';
      return undefined;
    }
    this.txnState = 'prepared';
    const prepared = { transactionalId: this.transactionalId!, producerId: this.producerId.toString(), producerEpoch: this.producerEpoch };
    return this.cluster !== undefined ? { ...prepared, clusterId: this.cluster } : prepared;
  }

  /**
   * Commits a transaction that {@link prepareTransaction} left prepared, given only its handle (e.g.
   * from a checkpoint, after the process that prepared it crashed): finds the transaction
   * coordinator of `handle.transactionalId` and sends EndTxn(commit) with the handle's producer id
   * and epoch, without InitProducerId (which would abort the very transaction). Idempotent: a
   * transaction already committed with that epoch answers NONE too (Kafka 3.x coordinator; EndTxn
   * v0-v1, the versions this producer speaks). Retriable answers (coordinator moving or loading,
   * CONCURRENT_TRANSACTIONS while a commit completes) are retried for `deliveryTimeoutMs`.
   *
   * Only for a transaction whose producer has begun nothing since it was prepared: the coordinator
   * knows transactions by id, producer id and epoch, so EndTxn would commit a newer one of that
   * producer as well.
   * @throws CheckpointRecoveryError naming `step`, `checkpoint` and `transactionTimeoutMs` when the
   *   broker answers that the transaction is gone: PRODUCER_FENCED or INVALID_PRODUCER_EPOCH (the
   *   coordinator aborted it after `transactionTimeoutMs`, or a producer with that id started),
   *   INVALID_PRODUCER_ID_MAPPING (the id expired) or INVALID_TXN_STATE (it was aborted). Its records
   *   are then not in Kafka.
   * @throws KafkaClusterChangedError, before EndTxn, when `handle.clusterId` is not the brokers' cluster (wiped or replaced since).
   * @throws KafkaClientError / KafkaUnavailableError when the cluster cannot be reached or answers otherwise.
   * @example
   * const handle = await producer.prepareTransaction(); // stored in checkpoint 42; the process crashes
   * await WireProducer.commitPrepared(handle!, { brokers, step: 'Out', checkpoint: 'checkpoints/ck-000000000042', transactionTimeoutMs: 900_000 });
   */
  static async commitPrepared(handle: PreparedKafkaTransaction, options: CommitPreparedOptions): Promise<void> {
    checkPreparedHandle(handle);
    const { step, checkpoint, transactionTimeoutMs, ...connection } = options;
    const p = new WireProducer({ ...connection, transactionalId: handle.transactionalId });
    try {
      await p.open(async (bootstrap) => {
        const meta = await fetchMetadata(bootstrap, [], false);
        for (const b of meta.brokers) p.nodes.set(b.nodeId, b);
        p.cluster = meta.clusterId || undefined;
      });
      if (handle.clusterId !== undefined && p.cluster !== undefined && p.cluster !== handle.clusterId) {
        throw new KafkaClusterChangedError(step, handle.clusterId, p.cluster, {
          brokers: p.brokers,
          holds: `its prepared Kafka transaction "${handle.transactionalId}" and the output committed before it`,
          ...(checkpoint !== undefined ? { checkpoint } : {}),
        });
      }
      p.producerId = BigInt(handle.producerId);
      p.producerEpoch = handle.producerEpoch;
      await p.withCoordinator('EndTxn(commit)', COORDINATOR_TRANSACTION, handle.transactionalId, (c, q) => endTxn(c, q, true), performance.now() + p.deliveryTimeoutMs);
    } catch (e) {
      if (e instanceof KafkaClientError && e.code !== undefined && TRANSACTION_GONE.has(e.code)) {
        const timeout = transactionTimeoutMs !== undefined ? `transactionTimeoutMs = ${transactionTimeoutMs} ms` : 'its transactionTimeoutMs';
        throw new CheckpointRecoveryError(
          step,
          `the Kafka transaction "${handle.transactionalId}" (producer id ${handle.producerId}, epoch ${handle.producerEpoch})${checkpoint ? ` of ${checkpoint}` : ''} ` +
            `can no longer be committed: the broker answered ${e.code}. The transaction coordinator aborted it, because it stayed open longer than ${timeout} ` +
            `(the job was down that long; the broker caps it with transaction.max.timeout.ms), or because another producer with that transactional id started. ` +
            `Its records are not in Kafka, so resuming would lose them: the run stops. To go on, start the job with a new --checkpointDir (it replays the input, ` +
            `so output committed before that checkpoint comes again), and give a larger transactionTimeoutMs if the job may be down longer`,
          { ...(checkpoint !== undefined ? { checkpoint } : {}), cause: e },
        );
      }
      throw e;
    } finally {
      await p.disconnect();
    }
  }

  private requireTransactional(op: string): void {
    if (this.transactionalId === null) throw new KafkaClientError(`${op}(): the producer has no transactionalId`, { retriable: false });
    if (this.closed) throw new KafkaClientError(`${op}() after disconnect()`, { retriable: false });
    if (!this.bootstrap) throw new KafkaClientError(`${op}() before connect()`, { retriable: false });
  }

  private requireOpen(op: string): void {
    this.requireTransactional(op);
    if (this.txnState !== 'open') throw new KafkaClientError(`${op}(): no open transaction (call beginTransaction() first)`, { retriable: false, code: 'INVALID_TXN_STATE' });
  }

  /** Every send so far has settled (acknowledged, or failed and recorded as `fatal`), retries included. */
  private async settleSends(): Promise<void> {
    await this.chain;
    for (;;) {
      await this.settleInFlight();
      if (!this.recovering) return;
      await this.recovering.catch(() => undefined);
    }
  }

  /** InitProducerId with the transactional id at its coordinator: a new epoch, fencing earlier producers. */
  private async initTransactional(deadline: number): Promise<void> {
    const id = this.transactionalId!;
    let answer = { producerId: -1n, producerEpoch: 0 };
    await this.withCoordinator(
      'InitProducerId',
      COORDINATOR_TRANSACTION,
      id,
      async (c) => {
        const r = await initProducerId(c, id, this.transactionTimeoutMs);
        answer = r;
        return r.errorCode;
      },
      deadline,
    );
    this.producerId = answer.producerId;
    this.producerEpoch = answer.producerEpoch;
  }

  /** Adds the partitions of `topic` not yet in the open transaction to it (before any batch for them goes out). */
  private async addToTransaction(topic: string, partitions: Iterable<number>): Promise<void> {
    if (this.transactionalId === null) return;
    const fresh = [...partitions].filter((p) => !this.txnPartitions.has(`${topic}\u0000${p}`)).sort((a, b) => a - b);
    if (fresh.length === 0) return;
    const topics = new Map([[topic, fresh]]);
    this.txnTouched = true;
    await this.withCoordinator(`AddPartitionsToTxn(${topic})`, COORDINATOR_TRANSACTION, this.transactionalId, async (c, p) => firstError(await addPartitionsToTxn(c, p, topics)));
    for (const p of fresh) this.txnPartitions.add(`${topic}\u0000${p}`);
  }

  /**
   * Runs `call` at the coordinator of `key` (a transactional id or a group), retrying retriable
   * answers and failures (finding the coordinator again when it moved) until `deadline`. A fenced
   * answer makes the producer unusable (`fatal`).
   * @throws KafkaClientError with the protocol error name as `code`.
   */
  private async withCoordinator(what: string, keyType: number, key: string, call: (c: BrokerConnection, p: TxnProducer) => Promise<number>, deadline = performance.now() + this.requestTimeoutMs): Promise<void> {
    const slot = `${keyType}:${key}`;
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      if (this.handshakeCancelled) throw new KafkaClientError(`${what}: connect() gave up`, { retriable: false });
      if (this.closed && attempt > 0) throw new KafkaClientError(`${what}: the producer was disconnected`, { retriable: false });
      let code: number;
      try {
        let node = this.coordinators.get(slot);
        if (node === undefined) {
          node = await this.findCoordinatorNode(key, keyType, deadline);
          this.coordinators.set(slot, node);
        }
        const conn = await this.connection(node);
        code = await call(conn, { transactionalId: this.transactionalId!, producerId: this.producerId, producerEpoch: this.producerEpoch });
      } catch (e) {
        if (e instanceof KafkaClientError && !e.retriable) throw e;
        this.coordinators.delete(slot);
        // The coordinator cannot be reached (a broker outage): waited for within the outage budget;
        // the answers of a coordinator coming back get their own requestTimeoutMs.
        this.outageExpired(started, what, e);
        deadline = Math.max(deadline, performance.now() + this.requestTimeoutMs);
        await sleep(Math.min(1_000, 50 * 2 ** attempt));
        continue;
      }
      if (code === ERROR_NONE) return;
      const name = errorName(code);
      if (isFenced(code)) {
        const error = new KafkaClientError(`${what}: fenced, another producer with transactional id "${this.transactionalId}" has started (${name})`, { retriable: false, code: name });
        this.fatal = error;
        throw error;
      }
      const unavailable = code === ERROR_NOT_COORDINATOR || code === ERROR_COORDINATOR_NOT_AVAILABLE || code === ERROR_COORDINATOR_LOAD_IN_PROGRESS;
      // A coordinator moving or loading (as after a broker restart) is part of an outage; other answers keep `deadline`.
      if (unavailable) {
        this.coordinators.delete(slot);
        this.outageExpired(started, what, new KafkaClientError(name, { retriable: true, code: name }));
        deadline = Math.max(deadline, performance.now() + this.requestTimeoutMs);
      } else if (!isRetriable(code) || performance.now() > deadline) throw new KafkaClientError(`${what} failed: ${name}${name === 'INVALID_PRODUCER_ID_MAPPING' ? ' (the broker lost the transaction state of this producer: the cluster was wiped or replaced, or the producer id expired)' : ''}`, { retriable: isRetriable(code), code: name });
      // CONCURRENT_TRANSACTIONS right after an EndTxn clears within milliseconds.
      await sleep(Math.min(500, 10 * 2 ** attempt));
    }
  }

  /**
   * A call that began at `started` cannot reach the cluster (or its coordinator): returns while the
   * outage budget (`deliveryTimeoutMs`) lasts, so the caller retries.
   * @throws KafkaUnavailableError with code `DELIVERY_TIMEOUT` and `cause` once it is spent.
   */
  private outageExpired(started: number, what: string, cause: unknown): void {
    const budget = this.deliveryTimeoutMs;
    if (performance.now() - started <= budget) return;
    throw new KafkaUnavailableError(
      `${what} failed: no Kafka broker or coordinator at ${this.brokers.join(',')} answered within the outage budget, deliveryTimeoutMs (${budget} ms; KafkaIO's brokerOutageTimeoutMs); last error: ${cause instanceof Error ? cause.message : String(cause)}`,
      { brokers: this.brokers, code: 'DELIVERY_TIMEOUT', cause },
    );
  }

  /** FindCoordinator until it names a node (retriable answers are retried until `deadline`). */
  private async findCoordinatorNode(key: string, keyType: number, deadline: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.metadataConnection();
      const a = await findCoordinator(conn, key, keyType);
      if (a.errorCode === ERROR_NONE) {
        this.nodes.set(a.node.nodeId, a.node);
        return a.node.nodeId;
      }
      if (!isRetriable(a.errorCode) || performance.now() > deadline) {
        const name = errorName(a.errorCode);
        throw new KafkaClientError(`FindCoordinator(${key}) failed: ${name}${a.errorMessage ? ` (${a.errorMessage})` : ''}`, { retriable: isRetriable(a.errorCode), code: name });
      }
      await sleep(Math.min(500, 25 * 2 ** attempt));
    }
  }
}

/** Settings of {@link WireProducer.commitPrepared}: how to reach the cluster, and what to name in errors. */
export interface CommitPreparedOptions extends Omit<WireProducerOptions, 'transactionalId' | 'transactionTimeoutMs'> {
  /** The step whose output the transaction holds. */
  readonly step: string;
  /** The checkpoint holding the handle, e.g. `checkpoints/ck-000000000042`. */
  readonly checkpoint?: string;
  /** The transaction timeout the preparing producer had (for the message when the transaction expired). */
  readonly transactionTimeoutMs?: number;
}

/** EndTxn answers saying a prepared transaction no longer exists as prepared: its records will never be committed. */
const TRANSACTION_GONE = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING', 'INVALID_TXN_STATE']);

/** @throws TypeError when `h` is not a {@link PreparedKafkaTransaction} (e.g. a damaged checkpoint entry). */
function checkPreparedHandle(h: PreparedKafkaTransaction): void {
  const ok =
    typeof h === 'object' &&
    h !== null &&
    typeof h.transactionalId === 'string' &&
    h.transactionalId !== '' &&
    typeof h.producerId === 'string' &&
    /^(0|[1-9][0-9]{0,18})$/.test(h.producerId) &&
    Number.isInteger(h.producerEpoch) &&
    h.producerEpoch >= 0 &&
    h.producerEpoch <= 0x7fff &&
    (h.clusterId === undefined || typeof h.clusterId === 'string');
  if (!ok) throw new TypeError(`not a prepared Kafka transaction: ${(JSON.stringify(h) ?? String(h)).slice(0, 200)}`);
}

/** The first error of a per-partition answer, preferring a real cause over OPERATION_NOT_ATTEMPTED. */
function firstError(errors: readonly PartitionError[]): number {
  let code = ERROR_NONE;
  for (const e of errors) {
    if (e.errorCode === ERROR_NONE) continue;
    if (code === ERROR_NONE || code === ERROR_OPERATION_NOT_ATTEMPTED) code = e.errorCode;
  }
  return code;
}

function asClientError(e: unknown): KafkaClientError {
  return e instanceof KafkaClientError ? e : new KafkaClientError(e instanceof Error ? e.message : String(e), { retriable: false, cause: e });
}

/**
 * Splits batches (in sequence order per partition) into requests holding at most one batch per
 * partition: a broker keeps only one record set per partition of a Produce request.
 */
export function onePerPartition<B extends { readonly partition: number }>(batches: readonly B[]): B[][] {
  const requests: B[][] = [];
  const used = new Map<number, number>();
  for (const b of batches) {
    const k = used.get(b.partition) ?? 0;
    used.set(b.partition, k + 1);
    (requests[k] ??= []).push(b);
  }
  return requests;
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A connection failure that retrying cannot fix (see BrokerConnection): not retriable, and not about reachability. */
function isPermanent(e: unknown): e is KafkaClientError {
  return e instanceof KafkaClientError && !e.retriable && !(e instanceof KafkaUnavailableError);
}
