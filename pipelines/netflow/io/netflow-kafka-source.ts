import { isUtf8 } from 'node:buffer';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { DeserializationError, KafkaIO, type Deserializer, type KafkaRead } from '../../../transforms/io/kafka/index.js';
import type { KafkaSecurityOptions } from '../../../transforms/io/kafka/security.js';
import { TIMESTAMP_MIN } from '../../../sdk/time.js';
import { acceptedEventTime, readNetflowEventTime } from '../netflow-event-time.js';
import type { SourcedLine } from '../sourced-line.js';

export interface NetflowKafkaReadOptions extends KafkaSecurityOptions {
  readonly brokers: string;
  readonly topic: string;
  /** Keep reading after the end offsets seen at start (default false: read them, then finish). */
  readonly follow?: boolean;
  /** Per-partition watermark lag behind the highest event time read (default 5,000 ms). */
  readonly maxOutOfOrdernessMs?: number;
  /** Per partition, an event time more than this ahead of all earlier ones waits for a second record before it moves the watermark (default 1 h). */
  readonly maxForwardJumpMs?: number;
  /** A followed read drains when this aborts: it stops fetching, hands out what it holds and finishes. */
  readonly drain?: AbortSignal;
  /** How long a lost broker is waited for before the read fails (default: `brokerOutageTimeoutMs`, else 60 s). */
  readonly reconnectTimeoutMs?: number;
  /** The broker outage budget of the read (see KafkaConnectionOptions.brokerOutageTimeoutMs). Default 60 s. */
  readonly brokerOutageTimeoutMs?: number;
}

/**
 * A tombstone (null value) carries no Netflow event: dead-lettered as `null-value`. A value that is
 * not valid UTF-8 is dead-lettered as `invalid-utf8` (its bytes kept, base64), never decoded into
 * U+FFFD and processed as altered data.
 * @throws DeserializationError 'null-value' for a null value, 'invalid-utf8' for bytes that are not UTF-8.
 */
export const netflowLineDeserializer: Deserializer<SourcedLine> = (bytes, record) => {
  if (bytes === null) throw new DeserializationError('null-value', 'a tombstone (null value) carries no Netflow event');
  if (!isUtf8(bytes)) throw new DeserializationError('invalid-utf8', `the value is not valid UTF-8 (${bytes.length} bytes, in the dead letter as base64)`);
  return { text: bytes.toString('utf8'), origin: { topic: record.topic, partition: record.partition, offset: record.offset } };
};

/**
 * The event time of a record's Netflow line, read as the job reads it: the `eventtime` of a record
 * the job accepts; the minimum timestamp for one it will reject for another reason (IPv6, a bad
 * address, a negative count, ...), so that, whatever date it carries, it never moves its partition's
 * watermark (the job's Parse step still rejects it, with its origin).
 * @throws DeserializationError 'malformed-json' / 'invalid-event-time' when no event time can be read.
 */
export function netflowRecordEventTime(line: SourcedLine): number {
  const accepted = acceptedEventTime(line.text);
  if (accepted !== undefined) return accepted;
  const t = readNetflowEventTime(line.text);
  if (!t.ok) throw new DeserializationError(t.reason, t.detail);
  return TIMESTAMP_MIN;
}

/**
 * A Kafka topic of raw Netflow JSON lines (one event per record value) as the job's input, from the
 * earliest offset, each line with its origin (topic, partition, offset). Event time is each record's `eventtime`; a record without a readable one (a
 * tombstone, a value that is not a JSON object, no `eventtime` or an absurd one) goes to the read's
 * dead letters with the reason (`null-value`, `malformed-json`, `invalid-event-time`) and its topic,
 * partition and offset, and never moves its partition's watermark: the record timestamp (the
 * producer's clock) is never used in its place. Other problems (IPv6, missing fields, ...) are left
 * to the job's Parse step, and such a record is stamped with the minimum timestamp, so it never moves
 * the watermark either. Watermarks are per partition, `maxOutOfOrdernessMs` behind.
 * @example p.apply('Kafka', NetflowKafka.read({ brokers: '127.0.0.1:19092', topic: 'netflow' })).apply('Netflow', NetflowJob.of())
 */
export const NetflowKafka = {
  read(o: NetflowKafkaReadOptions): KafkaRead<SourcedLine> {
    return KafkaIO.read<SourcedLine>({
      brokers: o.brokers,
      ...(o.ssl !== undefined ? { ssl: o.ssl } : {}),
      ...(o.sasl !== undefined ? { sasl: o.sasl } : {}),
      topics: o.topic,
      startAt: 'earliest',
      bounded: o.follow !== true,
      deserializer: netflowLineDeserializer,
      timestamp: netflowRecordEventTime,
      watermark: { maxOutOfOrderness: o.maxOutOfOrdernessMs ?? 5000, ...(o.maxForwardJumpMs !== undefined ? { maxForwardJump: o.maxForwardJumpMs } : {}) },
      ...(o.drain ? { drain: o.drain } : {}),
      ...(o.reconnectTimeoutMs !== undefined ? { reconnectTimeout: o.reconnectTimeoutMs } : {}),
      ...(o.brokerOutageTimeoutMs !== undefined ? { brokerOutageTimeoutMs: o.brokerOutageTimeoutMs } : {}),
    });
  },
};
