/**
 * {@link KafkaClientFactory} implemented with kafkajs.
 *
 * What this adapter adds on top of kafkajs:
 * - bounded failure: connect() rejects with {@link KafkaUnavailableError} within
 *   `connectDeadlineMs` (default 8 s) even if kafkajs would keep retrying;
 * - every kafkajs error is mapped to {@link KafkaClientError} / {@link KafkaUnavailableError};
 * - manual partition assignment with explicit start offsets (kafkajs only has group
 *   subscription): the consumer subscribes with an exclusive group, keeps every partition
 *   that is not assigned paused, and seeks the assigned ones;
 * - a producer that is always idempotent with acks=-1 and the Java-compatible partitioner;
 * - quiet logging (WARN by default, override with the `logLevel` option or env
 *   `WATERSHED_KAFKA_LOG=nothing|error|warn|info|debug`).
 *
 * @example
 * ```ts
 * const kafka = createKafkajsClientFactory({ brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' });
 * const admin = kafka.admin();
 * await admin.connect(); // KafkaUnavailableError after <= 8 s if nothing listens there
 * ```
 */
import { randomUUID } from 'node:crypto';
import kafkajsModule from 'kafkajs';
import {
  CompressionTypes,
  Kafka,
  Partitioners,
  logLevel as KafkajsLogLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type LogEntry,
  type Message,
  type Producer,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import { checkKafkaSasl, resolveKafkaSsl, type KafkaSaslOptions, type KafkaSslOptions } from './security.js';
import {
  KafkaAuthenticationError,
  KafkaClientError,
  KafkaUnavailableError,
  parseKafkaBrokers,
  type KafkaAdmin,
  type KafkaBatch,
  type KafkaBatchHandler,
  type KafkaClientFactory,
  type KafkaConsumerOptions,
  type KafkaConsumerPort,
  type KafkaMessage,
  type KafkaOffsetCommit,
  type KafkaOutgoingMessage,
  type KafkaPartitionAssignment,
  type KafkaPartitionOffsets,
  type KafkaProducerOptions,
  type KafkaProducerPort,
  type KafkaRecordHeaders,
  type KafkaRunOptions,
  type KafkaSendResult,
  type KafkaTopicPartition,
  type KafkaTopicSpec,
  type KafkaValueBlock,
} from './client.js';
import { requireAssignable, requireSubscribable, type ConsumerMode } from './consumer-mode.js';
import { UNREACHABLE_SOCKET_CODES } from './unreachable-socket-codes.js';

import { compress, decompress } from './wire/compression.js';

// kafkajs reads and writes gzip itself; LZ4 needs a codec. Registered once, so every kafkajs
// consumer in the process reads LZ4 batches (the wire producer's default).
kafkajsModule.CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: (encoder: { buffer: Buffer }) => compress('lz4', encoder.buffer),
  decompress: (buffer: Buffer) => decompress('lz4', buffer),
});

const KAFKAJS_COMPRESSION = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, lz4: CompressionTypes.LZ4 } as const;

export type KafkajsLogLevelName = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Options for {@link createKafkajsClientFactory}. */
export interface KafkajsClientOptions {
  /** `'127.0.0.1:19092'`, `'a:1,b:2'` or an array of `host:port`. Prefer 127.0.0.1 over localhost. */
  brokers: string | readonly string[];
  /** Default `'watershed'`. */
  clientId?: string;
  /** TCP connect timeout per attempt. Default 2000 ms. */
  connectionTimeoutMs?: number;
  /** Per-request timeout. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Hard upper bound for any `connect()`; after it, {@link KafkaUnavailableError}. Default 8000 ms. */
  connectDeadlineMs?: number;
  /** Retries of a failed request / connection attempt (exponential backoff, 250 ms .. 2 s). Default 3. */
  retries?: number;
  /** kafkajs log level. Default: env `WATERSHED_KAFKA_LOG`, else `'warn'`. */
  logLevel?: KafkajsLogLevelName;
  /** TLS (PEM contents or paths, see {@link KafkaSslOptions}). Default: plain TCP. */
  ssl?: KafkaSslOptions | boolean;
  /** SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512. Default: none. */
  sasl?: KafkaSaslOptions;
}

const LOG_LEVELS: Record<KafkajsLogLevelName, KafkajsLogLevel> = {
  nothing: KafkajsLogLevel.NOTHING,
  error: KafkajsLogLevel.ERROR,
  warn: KafkajsLogLevel.WARN,
  info: KafkajsLogLevel.INFO,
  debug: KafkajsLogLevel.DEBUG,
};

/**
 * kafkajs messages we deliberately trigger and therefore do not print:
 * - we bound the idempotent producer's retries so a dead broker fails a send instead of
 *   retrying forever (the consequence, at-least-once on a failed send, is documented on
 *   KafkaProducerPort);
 * - consumer crashes are reported to the caller as typed errors (run() / onError);
 * - kafkajs logs every error *response* at ERROR level in its Connection namespace, also
 *   for expected ones (TOPIC_ALREADY_EXISTS on an idempotent createTopics, "coordinator
 *   is loading" on a fresh broker, which kafkajs retries). The operation's outcome is what
 *   matters and it reaches the caller (result or mapped error), so those lines are dropped
 *   unless the log level is info/debug;
 * - likewise each failed connection attempt (Connection "Connection error" / "Connection timeout",
 *   BrokerPool "Failed to connect to seed broker"): kafkajs retries them, and when it gives up the
 *   caller gets one KafkaUnavailableError naming the brokers and the cause.
 */
const SUPPRESSED_LOG_MESSAGES = ['Limiting retries for the idempotent producer', 'Crash: ', 'Restarting the consumer'];
const SUPPRESSED_BELOW_INFO: Array<{ namespace: string; prefix: string }> = [
  { namespace: 'Connection', prefix: 'Response ' },
  { namespace: 'Connection', prefix: 'Connection error' },
  { namespace: 'Connection', prefix: 'Connection timeout' },
  { namespace: 'BrokerPool', prefix: 'Failed to connect to seed broker' },
];

function resolveLogLevel(option: KafkajsLogLevelName | undefined): KafkajsLogLevel {
  const fromEnv = process.env.WATERSHED_KAFKA_LOG?.toLowerCase();
  const name = option ?? (fromEnv && fromEnv in LOG_LEVELS ? (fromEnv as KafkajsLogLevelName) : 'warn');
  return LOG_LEVELS[name];
}

function logCreator(configured: KafkajsLogLevel) {
  return ({ namespace, level, label, log }: LogEntry): void => {
    const { message, timestamp: _ts, logger: _logger, ...extra } = log as { message: string; [k: string]: unknown };
    if (SUPPRESSED_LOG_MESSAGES.some((s) => message.startsWith(s))) return;
    if (configured < KafkajsLogLevel.INFO && SUPPRESSED_BELOW_INFO.some((f) => f.namespace === namespace && message.startsWith(f.prefix))) {
      return;
    }
    const details = Object.keys(extra).length > 0 ? ` ${safeJson(extra)}` : '';
    const line = `[kafkajs] ${label} ${namespace}: ${message}${details}`;
    if (level <= KafkajsLogLevel.ERROR) console.error(line);
    else console.warn(line);
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------------------

const UNAVAILABLE_ERROR_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSGroupCoordinatorNotFound',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 10 && !chain.includes(current as ErrorLike)) {
    const e = current as ErrorLike;
    chain.push(e);
    current = e.cause ?? e.originalError;
  }
  return chain;
}

/**
 * Maps any error thrown by kafkajs to {@link KafkaUnavailableError} (cluster unreachable)
 * or {@link KafkaClientError} (everything else). Errors that already are
 * {@link KafkaClientError} pass through unchanged.
 */
export function mapKafkajsError(error: unknown, brokers: readonly string[], operation: string): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const chain = causeChain(error);
  const root = chain[chain.length - 1];
  const rootMessage = root && typeof root.message === 'string' ? root.message : String(error);
  const code = chain.map((e) => (typeof e.type === 'string' ? e.type : typeof e.code === 'string' ? e.code : undefined)).find((c) => c !== undefined);
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError' || e.type === 'SASL_AUTHENTICATION_FAILED')) {
    return new KafkaAuthenticationError(`Kafka ${operation}: authentication failed at ${brokers.join(',')}: ${rootMessage}`, { code: 'SASL_AUTHENTICATION_FAILED', cause: error });
  }
  const unavailable = chain.some(
    (e) =>
      (typeof e.name === 'string' && UNAVAILABLE_ERROR_NAMES.has(e.name)) ||
      (typeof e.code === 'string' && UNREACHABLE_SOCKET_CODES.has(e.code)),
  );
  if (unavailable) {
    return new KafkaUnavailableError(`Kafka unavailable at ${brokers.join(',')} (${operation}): ${rootMessage}`, {
      brokers,
      code,
      cause: error,
    });
  }
  const retriable = chain.some((e) => e.retriable === true);
  return new KafkaClientError(`Kafka ${operation} failed: ${rootMessage}`, { retriable, code, cause: error });
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

interface Ctx {
  kafka: Kafka;
  brokers: readonly string[];
  retry: RetryOptions;
  requestTimeoutMs: number;
  connectDeadlineMs: number;
}

/** Runs `connect` with a hard deadline; on failure/timeout calls `abort` and throws a mapped error. */
async function connectWithDeadline(ctx: Ctx, what: string, connect: () => Promise<void>, abort: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new KafkaUnavailableError(
          `Kafka unavailable at ${ctx.brokers.join(',')} (${what} connect): no connection within ${ctx.connectDeadlineMs} ms`,
          { brokers: ctx.brokers, code: 'CONNECT_DEADLINE' },
        ),
      );
    }, ctx.connectDeadlineMs);
  });
  try {
    await Promise.race([connect(), deadline]);
  } catch (error) {
    clearTimeout(timer);
    // Tear the half-open client down. kafkajs' disconnect() waits for a hung handshake (up
    // to requestTimeout), so after a deadline we do not wait for it at all, and after a
    // fast failure only briefly.
    const aborting = abort().catch(() => undefined);
    const timedOut = error instanceof KafkaUnavailableError && error.code === 'CONNECT_DEADLINE';
    if (!timedOut) await settleWithin(aborting, 1_000);
    throw mapKafkajsError(error, ctx.brokers, `${what} connect`);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `promise` (ignoring its outcome) at most `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

async function mapped<T>(ctx: Ctx, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapKafkajsError(error, ctx.brokers, operation);
  }
}

/**
 * Like {@link mapped}, but also retries transient broker-side errors that kafkajs gives up
 * on at once for some admin reads (e.g. ListOffsets answering NOT_LEADER_FOR_PARTITION for
 * a moment after a topic was created). Bounded: 6 attempts, about 3.5 s in total.
 * Connection failures are not retried here (kafkajs already did).
 */
async function mappedWithRetry<T>(ctx: Ctx, operation: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const e = mapKafkajsError(error, ctx.brokers, operation);
      if (attempt >= 6 || !e.retriable || e instanceof KafkaUnavailableError) throw e;
      await new Promise((r) => setTimeout(r, Math.min(1_000, 100 * 2 ** (attempt - 1))));
    }
  }
}

function toHeaders(headers: IHeaders | undefined): KafkaRecordHeaders {
  const out: Record<string, Buffer[]> = {};
  if (!headers) return out;
  for (const [key, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out[key] = values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)));
  }
  return out;
}

function fromHeaders(headers: KafkaOutgoingMessage['headers']): IHeaders | undefined {
  if (!headers) return undefined;
  const out: IHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    out[key] = Array.isArray(value) ? [...(value as ReadonlyArray<Buffer | string>)] : (value as Buffer | string);
  }
  return out;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function groupByTopic(partitions: readonly KafkaTopicPartition[]): Array<{ topic: string; partitions: number[] }> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic) ?? [];
    if (!list.includes(partition)) list.push(partition);
    byTopic.set(topic, list);
  }
  return [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps.sort((a, b) => a - b) }));
}

// ---------------------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------------------

class KafkajsAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(private readonly ctx: Ctx) {
    this.admin = ctx.kafka.admin({ retry: ctx.retry });
  }

  private aborted: Promise<void> | null = null;

  connect(): Promise<void> {
    return connectWithDeadline(this.ctx, 'admin', () => this.admin.connect(), () => (this.aborted = this.admin.disconnect()));
  }

  async disconnect(): Promise<void> {
    if (this.aborted) return settleWithin(this.aborted, 1_000); // failed connect: already tearing down
    await mapped(this.ctx, 'admin disconnect', () => this.admin.disconnect());
  }

  listTopics(): Promise<string[]> {
    return mappedWithRetry(this.ctx, 'listTopics', () => this.admin.listTopics());
  }

  async clusterId(): Promise<string | undefined> {
    const cluster = await mappedWithRetry(this.ctx, 'describeCluster', () => this.admin.describeCluster());
    return cluster.clusterId || undefined;
  }

  async createTopics(topics: readonly KafkaTopicSpec[]): Promise<void> {
    if (topics.length === 0) return;
    await mapped(this.ctx, 'createTopics', () =>
      this.admin.createTopics({
        waitForLeaders: true,
        timeout: this.ctx.requestTimeoutMs,
        topics: topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? 1,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      }),
    );
    // kafkajs' waitForLeaders sees leaders in the metadata slightly before the partitions
    // serve requests; wait until every partition answers ListOffsets.
    for (const t of topics) await this.fetchTopicOffsets(t.topic);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    await mapped(this.ctx, 'deleteTopics', async () => {
      const existing = new Set(await this.admin.listTopics());
      const toDelete = topics.filter((t) => existing.has(t));
      if (toDelete.length > 0) await this.admin.deleteTopics({ topics: toDelete, timeout: this.ctx.requestTimeoutMs });
    });
  }

  async fetchTopicOffsets(topic: string): Promise<KafkaPartitionOffsets[]> {
    const offsets = await mappedWithRetry(this.ctx, `fetchTopicOffsets(${topic})`, () => this.admin.fetchTopicOffsets(topic));
    return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition);
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<Array<{ partition: number; offset: string }>> {
    const offsets = await mappedWithRetry(this.ctx, `fetchTopicOffsetsByTimestamp(${topic})`, () =>
      this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
    );
    return offsets.map((o) => ({ partition: o.partition, offset: o.offset })).sort((a, b) => a.partition - b.partition);
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string | null }>> {
    const result = await mappedWithRetry(this.ctx, `fetchCommittedOffsets(${groupId})`, () =>
      this.admin.fetchOffsets({ groupId, topics: [topic] }),
    );
    const partitions = result.find((r) => r.topic === topic)?.partitions ?? [];
    return partitions
      .map((p) => ({ partition: p.partition, offset: p.offset === '-1' || p.offset === '' ? null : p.offset }))
      .sort((a, b) => a.partition - b.partition);
  }
}

// ---------------------------------------------------------------------------------------
// Consumer
// ---------------------------------------------------------------------------------------

type ConsumerState = 'new' | 'connected' | 'running' | 'stopped' | 'disconnected';

class KafkajsConsumer implements KafkaConsumerPort {
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly explicitGroup: boolean;
  private state: ConsumerState = 'new';
  private mode: ConsumerMode = 'none';
  /** assign mode: topic-partition key → resolved start offset. */
  private readonly assignment = new Map<string, KafkaPartitionAssignment & { startOffset: string }>();
  /** pauses requested before run(). */
  private readonly pendingPauses = new Map<string, KafkaTopicPartition>();
  private starting = false;
  private startupCrash: unknown = null;
  private failed = false;
  private reported = false;
  private onError: ((error: unknown) => void) | undefined;
  private handlerError: { error: unknown } | null = null;
  private aborted: Promise<void> | null = null;

  constructor(
    private readonly ctx: Ctx,
    options: KafkaConsumerOptions,
  ) {
    this.explicitGroup = options.groupId !== undefined;
    this.groupId = options.groupId ?? `watershed-assign-${randomUUID()}`;
    if (this.groupId === '') throw new KafkaClientError('consumer groupId must not be empty', { retriable: false });
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = ctx.kafka.consumer({
      groupId: this.groupId,
      retry: { ...ctx.retry, restartOnFailure: async () => false },
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.min(3_000, Math.floor(sessionTimeout / 3))),
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
      readUncommitted: options.readUncommitted ?? false,
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => this.onCrash(event.payload.error));
  }

  async connect(): Promise<void> {
    this.requireState('connect', ['new']);
    await connectWithDeadline(this.ctx, 'consumer', () => this.consumer.connect(), () => (this.aborted = this.consumer.disconnect()));
    this.state = 'connected';
  }

  async subscribe(options: { topics: readonly string[]; fromBeginning?: boolean }): Promise<void> {
    this.requireState('subscribe', ['connected']);
    requireSubscribable(this.mode, this.explicitGroup, options.topics);
    await mapped(this.ctx, 'subscribe', () =>
      this.consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false }),
    );
    this.mode = 'subscribe';
  }

  async assign(partitions: readonly KafkaPartitionAssignment[]): Promise<void> {
    this.requireState('assign', ['connected']);
    requireAssignable(this.mode, partitions);
    const topics = [...new Set(partitions.map((p) => p.topic))];

    // Resolve 'earliest' / 'latest' to concrete offsets now, and validate the partitions.
    this.assignment.clear();
    const admin = new KafkajsAdmin(this.ctx);
    await admin.connect();
    try {
      for (const topic of topics) {
        const offsets = await admin.fetchTopicOffsets(topic);
        for (const p of partitions.filter((a) => a.topic === topic)) {
          const o = offsets.find((x) => x.partition === p.partition);
          if (!o) {
            throw new KafkaClientError(`assign(): partition ${topic}/${p.partition} does not exist (topic has ${offsets.length})`, {
              retriable: false,
              code: 'UNKNOWN_TOPIC_OR_PARTITION',
            });
          }
          let start: string;
          if (p.startOffset === 'earliest') start = o.low;
          else if (p.startOffset === 'latest') start = o.high;
          else if (/^\d+$/.test(p.startOffset)) start = p.startOffset;
          else throw new KafkaClientError(`assign(): invalid start offset "${p.startOffset}" for ${topic}/${p.partition}`, { retriable: false });
          this.assignment.set(tpKey(topic, p.partition), { topic, partition: p.partition, startOffset: start });
        }
      }
    } catch (error) {
      this.assignment.clear();
      throw error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }

    // Offsets out of range reset to the earliest offset.
    await mapped(this.ctx, 'assign', () => this.consumer.subscribe({ topics, fromBeginning: true }));
    this.mode = 'assign';
  }

  async run(handler: KafkaBatchHandler, options: KafkaRunOptions = {}): Promise<void> {
    this.requireState('run', ['connected']);
    if (this.mode === 'none') throw new KafkaClientError('run() before subscribe() / assign()', { retriable: false });
    this.onError = options.onError;
    this.starting = true;
    this.state = 'running';
    const onSkipped = options.onSkipped;
    if (onSkipped) {
      // kafkajs resolves a fetch of only markers or aborted records itself, without eachBatch; it
      // reports it as a batch of size 0 whose lastOffset is the last record skipped.
      this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        // firstOffset null: every record lay below the fetch offset (compacted), so nothing was passed.
        if (payload.batchSize !== 0 || payload.firstOffset === null || this.failed || this.state !== 'running') return;
        if (this.mode === 'assign' && !this.assignment.has(tpKey(payload.topic, payload.partition))) return;
        onSkipped({ topic: payload.topic, partition: payload.partition, nextOffset: (BigInt(payload.lastOffset) + 1n).toString() });
      });
    }

    // kafkajs creates its consumer group synchronously inside run(); pause/seek are legal
    // right after the call, before the group has been joined.
    const started = this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(handler, payload),
    });
    try {
      if (this.mode === 'assign') {
        const topics = [...new Set([...this.assignment.values()].map((a) => a.topic))];
        this.consumer.pause(topics.map((topic) => ({ topic })));
        this.consumer.resume(groupByTopic([...this.assignment.values()]));
        for (const a of this.assignment.values()) {
          this.consumer.seek({ topic: a.topic, partition: a.partition, offset: a.startOffset });
        }
      }
      if (this.pendingPauses.size > 0) this.consumer.pause(groupByTopic([...this.pendingPauses.values()]));
      this.pendingPauses.clear();
    } catch (error) {
      await started.catch(() => undefined);
      throw mapKafkajsError(error, this.ctx.brokers, 'run');
    }

    try {
      await started;
    } catch (error) {
      this.starting = false;
      this.state = 'stopped';
      throw mapKafkajsError(error, this.ctx.brokers, 'run');
    }
    this.starting = false;
    if (this.startupCrash !== null) {
      this.state = 'stopped';
      throw mapKafkajsError(this.startupCrash, this.ctx.brokers, 'run');
    }
  }

  private async eachBatch(handler: KafkaBatchHandler, payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale, resolveOffset, heartbeat } = payload;
    if (this.failed || !isRunning() || isStale() || batch.messages.length === 0) return;
    if (this.mode === 'assign' && !this.assignment.has(tpKey(batch.topic, batch.partition))) return;

    const messages: KafkaMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      timestamp: Number(m.timestamp),
      key: m.key ?? null,
      value: m.value ?? null,
      headers: toHeaders(m.headers),
    }));
    const out: KafkaBatch = { topic: batch.topic, partition: batch.partition, messages, highWatermark: batch.highWatermark, nextOffset: (BigInt(batch.lastOffset()) + 1n).toString() };

    try {
      await handler(out);
    } catch (error) {
      // Stop delivering; do not let kafkajs re-deliver the batch through its retry loop.
      this.failed = true;
      this.handlerError = { error };
      void this.consumer.stop().catch(() => undefined);
      this.reportError(error);
      return;
    }
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  private onCrash(error: unknown): void {
    if (this.handlerError !== null && causeChain(error).includes(this.handlerError.error as ErrorLike)) return;
    if (this.starting) {
      this.startupCrash = error;
      return;
    }
    this.reportError(mapKafkajsError(error, this.ctx.brokers, 'consume'));
  }

  private reportError(error: unknown): void {
    this.failed = true;
    if (this.reported || this.state === 'disconnected') return;
    this.reported = true;
    this.state = 'stopped';
    const cb = this.onError;
    this.onError = undefined;
    if (!cb) return;
    try {
      cb(error);
    } catch {
      // a throwing onError must not break the consumer loop
    }
  }

  pause(partitions: readonly KafkaTopicPartition[]): void {
    if (partitions.length === 0 || this.state === 'stopped' || this.state === 'disconnected') return;
    if (this.state === 'new' || this.state === 'connected') {
      for (const p of partitions) this.pendingPauses.set(tpKey(p.topic, p.partition), { topic: p.topic, partition: p.partition });
      return;
    }
    this.consumer.pause(groupByTopic(partitions));
  }

  resume(partitions: readonly KafkaTopicPartition[]): void {
    if (partitions.length === 0 || this.state === 'stopped' || this.state === 'disconnected') return;
    if (this.state === 'new' || this.state === 'connected') {
      for (const p of partitions) this.pendingPauses.delete(tpKey(p.topic, p.partition));
      return;
    }
    // Never resume a partition that manual assignment keeps paused.
    const allowed = this.mode === 'assign' ? partitions.filter((p) => this.assignment.has(tpKey(p.topic, p.partition))) : partitions;
    if (allowed.length > 0) this.consumer.resume(groupByTopic(allowed));
  }

  paused(): KafkaTopicPartition[] {
    if (this.state === 'new' || this.state === 'connected') return [...this.pendingPauses.values()];
    if (this.state !== 'running') return [];
    return this.consumer
      .paused()
      .flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })))
      .filter((p) => this.mode !== 'assign' || this.assignment.has(tpKey(p.topic, p.partition)));
  }

  async commitOffsets(offsets: readonly KafkaOffsetCommit[]): Promise<void> {
    if (this.state !== 'running') {
      throw new KafkaClientError(`commitOffsets() needs a running consumer (state: ${this.state})`, { retriable: false });
    }
    if (offsets.length === 0) return;
    await mapped(this.ctx, 'commitOffsets', () =>
      this.consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }))),
    );
  }

  async disconnect(): Promise<void> {
    if (this.state === 'disconnected') return;
    this.state = 'disconnected';
    if (this.aborted) return settleWithin(this.aborted, 1_000); // failed connect: already tearing down
    await mapped(this.ctx, 'consumer disconnect', () => this.consumer.disconnect());
  }

  private requireState(op: string, allowed: ConsumerState[]): void {
    if (!allowed.includes(this.state)) {
      throw new KafkaClientError(`${op}() not allowed in consumer state "${this.state}"`, { retriable: false });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Producer
// ---------------------------------------------------------------------------------------

class KafkajsProducer implements KafkaProducerPort {
  private readonly producer: Producer;
  private readonly compression: CompressionTypes;

  constructor(
    private readonly ctx: Ctx,
    options: KafkaProducerOptions,
  ) {
    this.compression = KAFKAJS_COMPRESSION[options.compression ?? 'none'];
    this.producer = ctx.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // Java-client compatible murmur2 partitioning (also silences kafkajs' v2 partitioner warning).
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? true,
      // Bounded (kafkajs would retry an idempotent send forever): a dead broker fails the send.
      retry: { ...ctx.retry, retries: Math.max(5, ctx.retry.retries ?? 5) },
    });
  }

  private aborted: Promise<void> | null = null;
  /** Sends run one after another, so sends issued without awaiting keep their order. */
  private chain: Promise<unknown> = Promise.resolve();

  connect(): Promise<void> {
    return connectWithDeadline(this.ctx, 'producer', () => this.producer.connect(), () => (this.aborted = this.producer.disconnect()));
  }

  send(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaSendResult[]> {
    const result = this.chain.then(() => this.sendNow(topic, messages));
    this.chain = result.catch(() => undefined);
    return result;
  }

  sendBlock(topic: string, block: KafkaValueBlock): Promise<KafkaSendResult[]> {
    const messages: KafkaOutgoingMessage[] = [];
    const { values, offsets, timestamp } = block;
    for (let i = 0; i + 1 < offsets.length; i++) {
      messages.push({ value: values.subarray(offsets[i]!, offsets[i + 1]!), ...(timestamp !== undefined ? { timestamp } : {}) });
    }
    return this.send(topic, messages);
  }

  private async sendNow(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaSendResult[]> {
    if (messages.length === 0) return [];
    const converted: Message[] = messages.map((m) => ({
      key: m.key ?? null,
      value: m.value,
      headers: fromHeaders(m.headers),
      partition: m.partition,
      timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
    }));
    const metadata = await mapped(this.ctx, `send(${topic})`, () =>
      this.producer.send({ topic, messages: converted, acks: -1, timeout: this.ctx.requestTimeoutMs, compression: this.compression }),
    );
    return metadata.map((r) => ({ topic: r.topicName, partition: r.partition, baseOffset: r.baseOffset ?? r.offset ?? '-1' }));
  }

  async disconnect(): Promise<void> {
    if (this.aborted) return settleWithin(this.aborted, 1_000); // failed connect: already tearing down
    await this.chain;
    await mapped(this.ctx, 'producer disconnect', () => this.producer.disconnect());
  }
}

// ---------------------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------------------

/**
 * Creates a {@link KafkaClientFactory} backed by kafkajs. Does no I/O; throws only if the
 * broker list is malformed.
 *
 * @example
 * ```ts
 * const kafka = createKafkajsClientFactory({ brokers: '127.0.0.1:19092' });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send('events', [{ key: 'k', value: 'v' }]);
 * await producer.disconnect();
 * ```
 */
export function createKafkajsClientFactory(options: KafkajsClientOptions): KafkaClientFactory {
  const brokers = parseKafkaBrokers(options.brokers);
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 2_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const retry: RetryOptions = { retries: options.retries ?? 3, initialRetryTime: 250, maxRetryTime: 2_000 };
  const level = resolveLogLevel(options.logLevel);
  const ssl = resolveKafkaSsl(options.ssl);
  const sasl = checkKafkaSasl(options.sasl);
  const kafka = new Kafka({
    ...(ssl ? { ssl } : {}),
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions } : {}),
    clientId: options.clientId ?? 'watershed',
    brokers: [...brokers],
    connectionTimeout: connectionTimeoutMs,
    requestTimeout: requestTimeoutMs,
    retry,
    logLevel: level,
    logCreator: () => logCreator(level),
  });
  const ctx: Ctx = { kafka, brokers, retry, requestTimeoutMs, connectDeadlineMs: options.connectDeadlineMs ?? 8_000 };
  return {
    brokers,
    admin: () => new KafkajsAdmin(ctx),
    consumer: (consumerOptions = {}) => new KafkajsConsumer(ctx, consumerOptions),
    producer: (producerOptions = {}) => {
      if (producerOptions.transactionalId !== undefined) {
        throw new KafkaClientError('the kafkajs producer of this client is not transactional: use the wire producer (producer: "wire")', { retriable: false, code: 'TRANSACTIONS_UNSUPPORTED' });
      }
      return new KafkajsProducer(ctx, producerOptions);
    },
  };
}
