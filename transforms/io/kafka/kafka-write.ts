import type { DoFn, ProcessContext, SetupContext } from '../../../sdk/dofn.js';
import { UnsupportedGuaranteeError, UserCodeError, WatershedError } from '../../../sdk/errors.js';
import { RejectedElementError } from '../../../sdk/internal/rejected-element.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { ExpandContext, PTransform } from '../../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import { ParDo } from '../../par-do.js';
import { canPrepareTransactions, type KafkaCompressionName, type KafkaOutgoingMessage, type KafkaProducerPort, type KafkaSendResult, type KafkaValueBlock } from './client.js';
import { kafkaClientFor, kafkaProducerKindFor, type KafkaConnectionOptions } from './default-client.js';
import { TransactionSlots, type KafkaWriteHandle } from './transaction-slots.js';
import { WireProducer } from './wire/wire-producer.js';
import { recordBytes, tooLargeSend } from './record-too-large.js';
import { Serde, type Serializer } from './serde.js';

export interface KafkaWriteOptions<T> extends KafkaConnectionOptions {
  /** The topic, or a function choosing it per element. */
  readonly topic: string | ((element: T) => string);
  /** The record key (null: no key, records are spread over partitions). Default: no key. */
  readonly key?: (element: T) => string | Buffer | null;
  /** Element → value bytes. Default: JSON (`Serde.toJson()`). */
  readonly serializer?: Serializer<T>;
  /**
   * Instead of `serializer`: writes the value's bytes straight into the sink's buffer (no string
   * per record), for hot outputs. Same contract as TextFile's LineEncoder: write from `offset`,
   * return the offset after the value, or -1 when it does not fit before `buf.length`.
   */
  readonly encoder?: ValueEncoder<T>;
  /** Record headers per element. */
  readonly headers?: (element: T) => Record<string, string>;
  /** An explicit partition per element (default: by key hash, or spread when there is no key). */
  readonly partition?: (element: T) => number | undefined;
  /**
   * The record timestamp: 'now' (default: the producer's time) or 'event-time' (the element's
   * timestamp; elements without one, e.g. at -infinity, get the producer's time).
   */
  readonly recordTimestamp?: 'now' | 'event-time';
  /**
   * The most bytes of key, value and headers one record may have (default 1,048,576, the Kafka
   * producer's `max.request.size`). A larger record is not sent: it goes to the step's dead letters
   * (`write.deadLetters()`, reason `record-too-large`, origin `{ topic }`) and the run goes on. Set
   * it to the topic's `max.message.bytes` when that is smaller, or larger when the topic allows more.
   */
  readonly maxRecordBytes?: number;
  /** Records per send: a send is made when this many are pending, and at the end of every bundle. Default 5,000. */
  readonly batchSize?: number;
  /**
   * Sends that may be outstanding before `process` waits for the oldest (order per partition is
   * kept regardless, see KafkaProducerPort.send). Default 8; 1 = wait for every send.
   */
  readonly maxInFlightSends?: number;
  /** Record batch compression. Default 'lz4'. */
  readonly compression?: KafkaCompressionName;
  /**
   * Exactly-once (a run with `--checkpointDir` and `--guarantee=exactly-once`): the start of the
   * transactional ids, `${prefix}.${step}.${subtask}.${slot}`. Default `watershed-${jobName ?? jobId}`
   * (`--jobName`, else the id the checkpoint directory was created with). Two jobs writing at the
   * same time must not share it: a producer with the same id fences the other.
   */
  readonly transactionalIdPrefix?: string;
  /**
   * Exactly-once: how long the broker keeps a transaction open. A checkpoint's output stays in an open
   * transaction until the checkpoint completes, and after a crash until the next run commits it: a job
   * down longer than this loses that transaction, and the next run fails with CheckpointRecoveryError.
   * At most the broker's `transaction.max.timeout.ms`. Default 900,000 ms (15 min, that broker default).
   */
  readonly transactionTimeoutMs?: number;
}

/**
 * Writes a PCollection to Kafka. Records are batched: a send starts when `batchSize` are pending and
 * at the end of each bundle; up to `maxInFlightSends` sends overlap with processing, and the end of a
 * bundle waits for all of them, so a finished bundle is durably in Kafka (idempotent producer,
 * acks=all, order per partition kept). The producer connects in `setup` and disconnects in
 * `teardown`. A failed send fails the run (a UserCodeError naming the step, with the
 * KafkaClientError as its cause) at the latest when the bundle finishes. A record over
 * `maxRecordBytes` (default 1 MiB) is not sent: it goes to the step's dead letters (the returned
 * PCollection's `deadLetters()`, reason `record-too-large`, naming the topic, its size and the limit),
 * nor is one whose value, key or a header given as text holds a lone surrogate (reason `unencodable`:
 * UTF-8 would send U+FFFD in its place, making `'\uD800'` and `'\uD801'` one key);
 * one under it that the broker still refuses as too large (MESSAGE_TOO_LARGE: a topic limit below
 * `maxRecordBytes`) fails the run with a {@link KafkaRecordTooLargeError} naming the step, topic and
 * record (its index in the send, its size, key and value shortened). A broker that is down or
 * restarting is waited for within `brokerOutageTimeoutMs` (default 60 s): sends are re-sent and
 * transaction calls retried meanwhile, `process` waits once `maxInFlightSends` are outstanding, and
 * after the budget the cause is a KafkaUnavailableError with code `DELIVERY_TIMEOUT`.
 *
 * Under checkpointing with `exactly-once` (the default with `--checkpointDir`) the output goes into
 * Kafka transactions that commit when their checkpoint completes (two-phase commit, see
 * the README's "Checkpoints"): `read_committed` readers see every record once, also across crashes, about
 * once per checkpoint interval. It needs the wire producer (the default): with the kafkajs or
 * @platformatic/kafka producer `setup` fails with UnsupportedGuaranteeError. `at-least-once` keeps
 * the idempotent producer (a resumed run may write records after the last checkpoint again).
 * @returns an empty PCollection (the write is a sink).
 */
export function kafkaWrite<T>(options: KafkaWriteOptions<T>): PTransform<PCollection<T>, PCollection<never>> {
  const batchSize = options.batchSize ?? 5_000;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError('KafkaIO.write: batchSize must be a positive integer');
  const inFlight = options.maxInFlightSends ?? 8;
  if (!(Number.isInteger(inFlight) && inFlight > 0)) throw new RangeError('KafkaIO.write: maxInFlightSends must be a positive integer');
  const timeout = options.transactionTimeoutMs;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= 0x7fffffff)) throw new RangeError('KafkaIO.write: transactionTimeoutMs must be a positive integer (ms)');
  if (options.transactionalIdPrefix === '') throw new RangeError('KafkaIO.write: transactionalIdPrefix must not be empty');
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (!(Number.isInteger(maxRecordBytes) && maxRecordBytes > 0)) throw new RangeError('KafkaIO.write: maxRecordBytes must be a positive integer');
  const outage = options.brokerOutageTimeoutMs;
  if (outage !== undefined && !(outage >= 0)) throw new RangeError('KafkaIO.write: brokerOutageTimeoutMs must be >= 0 ms');
  return {
    name: 'KafkaIO.write',
    // Its dead letters: the records over maxRecordBytes (any other failure fails the run, see writerFn).
    expand: (input: PCollection<T>, ctx: ExpandContext) => ParDo(writerFn(options, batchSize, inFlight, maxRecordBytes)).withDeadLetters().expand(input, ctx),
  };
}

/** KafkaWriteOptions.maxRecordBytes's default: the Kafka producer's `max.request.size`. */
const DEFAULT_MAX_RECORD_BYTES = 1_048_576;

/** Writes `value`'s bytes into `buf` from `offset`; returns the end offset, or -1 if they do not fit. */
export type ValueEncoder<T> = (value: T, buf: Buffer, offset: number) => number;

/** Bytes of one slab that encoded values are written into; values are views of it. */
const SLAB_BYTES = 1 << 20;

/** Encodes values into shared slabs and hands out views: one allocation per slab, not per value. */
function slabEncoder<T>(encode: ValueEncoder<T>): (value: T) => Buffer {
  let slab = Buffer.alloc(0); // allocated on first use
  let at = 0;
  return (value) => {
    let end = encode(value, slab, at);
    while (end < 0) {
      // Full: start a new slab (sent records keep the old one alive until they are written); grow for a huge value.
      const size = at === 0 ? Math.max(SLAB_BYTES, slab.length * 2) : SLAB_BYTES;
      if (size > 1 << 30) throw new RangeError('KafkaIO.write: encoder needs more than 1 GiB for one value');
      slab = Buffer.allocUnsafe(size);
      at = 0;
      end = encode(value, slab, 0);
    }
    const view = slab.subarray(at, end);
    at = end;
    return view;
  };
}

/**
 * A fresh DoFn per application: it owns its producer and pending records. Its ParDo has dead letters,
 * which get only the records it cannot send as they are (a RejectedElementError: over `maxRecordBytes`,
 * text with a lone surrogate, `Serde.toText` of an object); every other failure, of
 * a send or of the options' functions, is thrown as a WatershedError (a UserCodeError naming the step
 * and element, as in a ParDo without dead letters), which fails the run.
 */
function writerFn<T>(o: KafkaWriteOptions<T>, batchSize: number, maxInFlight: number, maxRecordBytes: number): DoFn<T, never> {
  if (o.encoder && o.serializer) throw new TypeError('KafkaIO.write: give either serializer or encoder, not both');
  const serialize: Serializer<T> = o.encoder ? slabEncoder(o.encoder) : (o.serializer ?? Serde.toJson<T>());
  const topicOf = o.topic;
  const eventTime = o.recordTimestamp === 'event-time';
  let producer: KafkaProducerPort | undefined;
  /** Pending records per topic. */
  let pending = new Map<string, KafkaOutgoingMessage[]>();
  let count = 0;
  /** Sends started and not yet settled, oldest first; the first failure, reported at the next call. */
  let sends: Array<Promise<unknown>> = [];
  let outstanding = 0;
  let failure: unknown = undefined;
  let step = 'KafkaIO.write';

  const track = (send: Promise<unknown>, topic: string, records: readonly KafkaOutgoingMessage[] | KafkaValueBlock): void => {
    outstanding++;
    sends.push(
      send.then(
        () => void outstanding--,
        (e: unknown) => {
          outstanding--;
          // a record over a size limit: the error names it (which one of the send, its size, key and value)
          failure ??= tooLargeSend(e, step, topic, records);
        },
      ),
    );
  };

  // Block mode: with an encoder, one fixed topic and nothing per record but the value, values are
  // encoded back to back into one buffer per send (no object per record); see KafkaProducerPort.sendBlock.
  const blockTopic =
    o.encoder && typeof topicOf === 'string' && !o.key && !o.headers && !o.partition && !eventTime ? topicOf : undefined;
  const encode = o.encoder;
  let block = Buffer.alloc(0);
  let offsets: number[] = [0];

  /** Starts sends for everything pending (does not wait). */
  const startSends = (): void => {
    if (count === 0) return;
    count = 0;
    if (blockTopic !== undefined) {
      const sent = { values: block, offsets };
      track(producer!.sendBlock(blockTopic, sent), blockTopic, sent);
      block = Buffer.allocUnsafe(block.length);
      offsets = [0];
      return;
    }
    const batches = pending;
    pending = new Map();
    for (const [topic, messages] of batches) track(producer!.send(topic, messages), topic, messages);
  };

  /** Block mode: encodes `element` after the values gathered so far (sending them first if it does not fit). */
  const appendToBlock = (element: T): void => {
    let end = encode!(element, block, offsets[offsets.length - 1]!);
    while (end < 0) {
      if (count > 0) startSends();
      else block = Buffer.allocUnsafe(Math.max(SLAB_BYTES, block.length * 2));
      end = encode!(element, block, 0);
    }
    offsets.push(end);
    const bytes = end - offsets[offsets.length - 2]!;
    if (bytes > maxRecordBytes) {
      offsets.pop();
      throw tooLargeRecord(blockTopic!, bytes);
    }
  };

  /** The dead letter of a record over maxRecordBytes (not sent). */
  const tooLargeRecord = (topic: string, bytes: number): RejectedElementError =>
    new RejectedElementError(
      'record-too-large',
      `step '${step}': the record for Kafka topic '${topic}' has ${bytes.toLocaleString('en-US')} bytes of key, value and headers, over maxRecordBytes (${maxRecordBytes.toLocaleString('en-US')}): not sent`,
      { topic },
    );

  /** `serialize(element)`; a value the serializer refuses (Serde.toText's object) as a dead letter naming the step and topic. */
  const serializeFor = (topic: string, element: T): KafkaOutgoingMessage['value'] => {
    try {
      return serialize(element);
    } catch (e) {
      if (e instanceof RejectedElementError && e.origin === undefined) throw new RejectedElementError(e.reason, `step '${step}': the record for Kafka topic '${topic}': ${e.message}: not sent`, { topic });
      throw e;
    }
  };

  /**
   * The part of `m` given as text that is not well-formed Unicode (a lone surrogate), which UTF-8 cannot
   * send as it is (`'\uD800'` and `'\uD801'` would both go as U+FFFD: two keys made one), or undefined.
   */
  const notUnicode = (m: KafkaOutgoingMessage): string | undefined => {
    if (typeof m.value === 'string' && !m.value.isWellFormed()) return 'a value';
    if (typeof m.key === 'string' && !m.key.isWellFormed()) return 'a key';
    for (const [name, v] of Object.entries(m.headers ?? {})) {
      const values = Array.isArray(v) ? v : [v];
      if (!name.isWellFormed() || values.some((x) => typeof x === 'string' && !x.isWellFormed())) return `header ${JSON.stringify(name)}`;
    }
    return undefined;
  };

  /** `m`'s bytes when over maxRecordBytes, else -1 (no exact count while a string cannot be over). */
  const oversize = (m: KafkaOutgoingMessage): number => {
    const { key, value } = m;
    const most = (value === null ? 0 : typeof value === 'string' ? value.length * 3 : value.length) + (key == null ? 0 : typeof key === 'string' ? key.length * 3 : key.length);
    if (most <= maxRecordBytes && m.headers === undefined) return -1;
    const n = recordBytes(m);
    return n > maxRecordBytes ? n : -1;
  };

  /** Waits until at most `limit` sends are outstanding; throws the first send failure. */
  const waitUntil = async (limit: number): Promise<void> => {
    while (outstanding > limit && sends.length > 0) await sends.shift();
    if (outstanding === 0) sends = [];
    if (failure !== undefined) throw failure;
  };

  const timestampOf = (ts: Instant): number | undefined => (eventTime && ts > TIMESTAMP_MIN && ts >= 0 && ts < 8.64e15 ? ts : undefined);

  /**
   * What `process` throws for `e`: the dead letters are for records that cannot be sent as they are only, so any
   * other error fails the run as in a ParDo without them (a UserCodeError naming the step and element).
   */
  const failedOn = (e: unknown, element: T, window: BoundedWindow, timestamp: Instant): unknown =>
    e instanceof WatershedError || e instanceof RejectedElementError ? e : new UserCodeError(step, 'process', e, element, window, timestamp);

  /** Exactly-once: the two transactional producers (set in setup); undefined otherwise. */
  let slots: TransactionSlots | undefined;

  /** Exactly-once: the first element (before the slots started) starts them, then is written. */
  const startThenWrite = async (element: T, ctx: ProcessContext<never>): Promise<void> => {
    producer = await slots!.start();
    await write(element, ctx);
  };

  /** Queues `element` for the next send (starting it when `batchSize` are pending). */
  const write = (element: T, ctx: ProcessContext<never>): void | Promise<void> => {
    if (blockTopic !== undefined) {
      if (failure !== undefined) throw failure;
      appendToBlock(element);
      if (++count >= batchSize) {
        startSends();
        if (outstanding > maxInFlight) return waitUntil(maxInFlight);
      }
      return;
    }
    const topic = typeof topicOf === 'string' ? topicOf : topicOf(element);
    const m: { -readonly [K in keyof KafkaOutgoingMessage]: KafkaOutgoingMessage[K] } = { value: serializeFor(topic, element) };
    if (o.key) m.key = o.key(element);
    if (o.headers) m.headers = o.headers(element);
    if (o.partition) {
      const part = o.partition(element);
      if (part !== undefined) m.partition = part;
    }
    const ts = timestampOf(ctx.timestamp);
    if (ts !== undefined) m.timestamp = ts;
    const broken = notUnicode(m);
    if (broken !== undefined) {
      throw new RejectedElementError('unencodable', `step '${step}': the record for Kafka topic '${topic}' has ${broken} with a lone surrogate (not Unicode): UTF-8 would send U+FFFD in its place: not sent`, { topic });
    }
    const over = oversize(m);
    if (over >= 0) throw tooLargeRecord(topic, over);
    let list = pending.get(topic);
    if (!list) pending.set(topic, (list = []));
    list.push(m);
    if (failure !== undefined) throw failure;
    if (++count >= batchSize) {
      startSends();
      // Only a full pipeline makes the caller wait (a promise per element would queue upstream outputs).
      if (outstanding > maxInFlight) return waitUntil(maxInFlight);
    }
  };

  return {
    async setup(ctx) {
      step = ctx.step;
      const ck = ctx.checkpointing;
      if (ck?.guarantee === 'exactly-once') {
        slots = transactionSlots(o, ctx);
        return;
      }
      producer = kafkaClientFor(o).producer({
        ...(o.compression !== undefined ? { compression: o.compression } : {}),
        ...(o.brokerOutageTimeoutMs !== undefined ? { deliveryTimeoutMs: o.brokerOutageTimeoutMs } : {}),
      });
      await producer.connect();
    },
    process(element, ctx) {
      try {
        const r = producer === undefined && slots !== undefined ? startThenWrite(element, ctx) : write(element, ctx);
        if (r === undefined) return;
        const { window, timestamp } = ctx;
        return r.catch((e: unknown) => {
          throw failedOn(e, element, window, timestamp);
        });
      } catch (e) {
        throw failedOn(e, element, ctx.window, ctx.timestamp);
      }
    },
    finishBundle() {
      startSends();
      if (outstanding > 0 || failure !== undefined) return waitUntil(0);
    },
    async teardown() {
      pending = new Map();
      count = 0;
      offsets = [0];
      const left = sends;
      sends = [];
      await Promise.allSettled(left);
      const p = producer;
      producer = undefined;
      if (slots !== undefined) {
        const s = slots;
        slots = undefined;
        await s.close();
        return;
      }
      await p?.disconnect();
    },
    twoPhaseCommit: {
      async preCommit({ seq }): Promise<KafkaWriteHandle | undefined> {
        // finishBundle started and awaited every send; this only rethrows a failure.
        startSends();
        await waitUntil(0);
        if (slots === undefined) return undefined; // at-least-once: the sends are written already
        const handle = await slots.preCommit(seq);
        producer = slots.current;
        return handle;
      },
      async commit(handle: KafkaWriteHandle) {
        await slots!.commit(handle);
      },
      async recover(pending: KafkaWriteHandle | undefined, ctx) {
        if (slots === undefined) return; // at-least-once: nothing was held back
        await slots.recover(pending, ctx);
      },
      async abort() {
        pending = new Map();
        count = 0;
        offsets = [0];
        await Promise.allSettled(sends);
        await slots?.abort();
      },
    },
  };
}

/**
 * The transactional producers of an exactly-once sink: ids `${prefix}.${step}.${subtask}.${slot}`,
 * the wire producer's prepare/commitPrepared. @throws UnsupportedGuaranteeError when the configured
 * producer cannot prepare transactions (kafkajs, @platformatic/kafka, or a custom factory's).
 */
function transactionSlots<T>(o: KafkaWriteOptions<T>, ctx: SetupContext): TransactionSlots {
  const ck = ctx.checkpointing!;
  const target = typeof o.topic === 'string' ? `Kafka topic '${o.topic}'` : 'Kafka';
  const kind = kafkaProducerKindFor(o);
  const remedy = "Use the wire producer (producer: 'wire', the default; unset WATERSHED_KAFKA_PRODUCER), or --guarantee=at-least-once";
  if (kind === 'kafkajs' || kind === 'platformatic') {
    throw new UnsupportedGuaranteeError(ctx.step, target, 'exactly-once', `the ${kind === 'kafkajs' ? 'kafkajs' : '@platformatic/kafka'} producer cannot prepare a transaction that a resumed run commits after a crash`, remedy);
  }
  const kafka = kafkaClientFor(o);
  const transactionTimeoutMs = o.transactionTimeoutMs ?? 900_000;
  const prefix = o.transactionalIdPrefix ?? `watershed-${ck.jobName ?? ck.jobId}`;
  const ids = [0, 1].map((slot) => `${prefix}.${ctx.step}.${ck.subtask}.${slot}`) as [string, string];
  const outage = o.brokerOutageTimeoutMs !== undefined ? { deliveryTimeoutMs: o.brokerOutageTimeoutMs } : {};
  const make = (transactionalId: string) => kafka.producer({ ...(o.compression !== undefined ? { compression: o.compression } : {}), transactionalId, transactionTimeoutMs, ...outage });
  // A custom factory's producer is checked here, before any I/O, rather than at the first record.
  let probe: KafkaProducerPort | undefined = make(ids[0]);
  if (!canPrepareTransactions(probe)) {
    throw new UnsupportedGuaranteeError(ctx.step, target, 'exactly-once', 'the producer of the client factory given as `client` cannot prepare transactions (KafkaPreparingProducerPort)', remedy);
  }
  return new TransactionSlots({
    step: ctx.step,
    brokers: kafka.brokers,
    ids,
    transactionTimeoutMs,
    ...(o.brokerOutageTimeoutMs !== undefined ? { outageTimeoutMs: o.brokerOutageTimeoutMs } : {}),
    producer: (transactionalId) => {
      const p = probe !== undefined && transactionalId === ids[0] ? probe : make(transactionalId);
      probe = undefined;
      if (!canPrepareTransactions(p)) throw new Error('internal: the factory gave a producer that cannot prepare transactions');
      return p;
    },
    commitPrepared: (handle, { checkpoint }) =>
      WireProducer.commitPrepared(handle, {
        brokers: kafka.brokers,
        step: ctx.step,
        checkpoint,
        transactionTimeoutMs: handle.transactionTimeoutMs,
        ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
        ...(o.connectTimeoutMs !== undefined ? { connectDeadlineMs: o.connectTimeoutMs } : {}),
        ...outage,
        ...(o.ssl !== undefined ? { ssl: o.ssl } : {}),
        ...(o.sasl !== undefined ? { sasl: o.sasl } : {}),
      }),
  });
}
