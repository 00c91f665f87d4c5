import type { DoFn } from '../../../sdk/dofn.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { ExpandContext, PTransform } from '../../../sdk/ptransform.js';
import { TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { ParDo } from '../../par-do.js';
import type { KafkaOutgoingMessage, KafkaProducerPort } from './client.js';
import { kafkaClientFor, type KafkaConnectionOptions } from './default-client.js';
import { Serde, type Serializer } from './serde.js';

export interface KafkaWriteOptions<T> extends KafkaConnectionOptions {
  /** The topic, or a function choosing it per element. */
  readonly topic: string | ((element: T) => string);
  /** The record key (null: no key, records are spread over partitions). Default: no key. */
  readonly key?: (element: T) => string | Buffer | null;
  /** Element → value bytes. Default: JSON (`Serde.toJson()`). */
  readonly serializer?: Serializer<T>;
  /** Record headers per element. */
  readonly headers?: (element: T) => Record<string, string>;
  /** An explicit partition per element (default: by key hash, or spread when there is no key). */
  readonly partition?: (element: T) => number | undefined;
  /**
   * The record timestamp: 'now' (default: the producer's time) or 'event-time' (the element's
   * timestamp; elements without one, e.g. at -infinity, get the producer's time).
   */
  readonly recordTimestamp?: 'now' | 'event-time';
  /** Records per send: a send is made when this many are pending, and at the end of every bundle. Default 2,000. */
  readonly batchSize?: number;
}

/**
 * Writes a PCollection to Kafka. Records are batched: sent when `batchSize` are pending and at the end
 * of each bundle, so a finished bundle is durably in Kafka (idempotent producer, acks=all). The producer
 * connects in `setup` and disconnects in `teardown`. A failed send fails the run (a UserCodeError
 * naming the step, with the KafkaClientError as its cause).
 * @returns an empty PCollection (the write is a sink).
 */
export function kafkaWrite<T>(options: KafkaWriteOptions<T>): PTransform<PCollection<T>, PCollection<never>> {
  const batchSize = options.batchSize ?? 2_000;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new RangeError('KafkaIO.write: batchSize must be a positive integer');
  return {
    name: 'KafkaIO.write',
    expand: (input: PCollection<T>, ctx: ExpandContext) => ParDo.of(writerFn(options, batchSize)).expand(input, ctx),
  };
}

/** A fresh DoFn per application: it owns its producer and pending records. */
function writerFn<T>(o: KafkaWriteOptions<T>, batchSize: number): DoFn<T, never> {
  const serialize = o.serializer ?? Serde.toJson<T>();
  const topicOf = o.topic;
  const eventTime = o.recordTimestamp === 'event-time';
  let producer: KafkaProducerPort | undefined;
  /** Pending records per topic. */
  let pending = new Map<string, KafkaOutgoingMessage[]>();
  let count = 0;

  const flush = async (): Promise<void> => {
    if (count === 0) return;
    const batches = pending;
    pending = new Map();
    count = 0;
    for (const [topic, messages] of batches) await producer!.send(topic, messages);
  };

  const timestampOf = (ts: Instant): number | undefined => (eventTime && ts > TIMESTAMP_MIN && ts >= 0 && ts < 8.64e15 ? ts : undefined);

  return {
    async setup() {
      producer = kafkaClientFor(o).producer();
      await producer.connect();
    },
    process(element, ctx) {
      const topic = typeof topicOf === 'string' ? topicOf : topicOf(element);
      const m: { -readonly [K in keyof KafkaOutgoingMessage]: KafkaOutgoingMessage[K] } = { value: serialize(element) };
      if (o.key) m.key = o.key(element);
      if (o.headers) m.headers = o.headers(element);
      if (o.partition) {
        const part = o.partition(element);
        if (part !== undefined) m.partition = part;
      }
      const ts = timestampOf(ctx.timestamp);
      if (ts !== undefined) m.timestamp = ts;
      let list = pending.get(topic);
      if (!list) pending.set(topic, (list = []));
      list.push(m);
      if (++count >= batchSize) return flush();
    },
    finishBundle() {
      if (count > 0) return flush();
    },
    async teardown() {
      pending = new Map();
      count = 0;
      const p = producer;
      producer = undefined;
      await p?.disconnect();
    },
  };
}
