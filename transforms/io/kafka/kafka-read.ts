import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { ExpandContext, PTransform } from '../../../sdk/ptransform.js';
import { Read } from '../../read.js';
import { ConflictingOptionsError } from '../../../sdk/errors.js';
import type { KafkaMessage } from './client.js';
import { emptyKafkaReadStats, KafkaSource, type KafkaReadStats, type KafkaRecord, type KafkaSourceOptions } from './kafka-source.js';

export type KafkaReadOptions<T> = Omit<KafkaSourceOptions<T>, 'stats' | 'withMetadata'>;

/**
 * The transform `KafkaIO.read` returns. `stats` holds the counters of the most recent run that
 * read with it (queue bound and peak, pauses/resumes, records and dead letters).
 */
export class KafkaRead<O> implements PTransform<Pipeline, PCollection<O>> {
  readonly name = 'KafkaIO.read';
  readonly stats: KafkaReadStats = emptyKafkaReadStats();
  private readonly source: KafkaSource<unknown, O>;
  /** Both `timestamp` and its deprecated alias `eventTime` were given: `expand` throws, naming the step. */
  private readonly conflicting: boolean;

  constructor(options: KafkaSourceOptions<unknown>) {
    const withMetadata = options.withMetadata === true;
    const project = withMetadata
      ? (value: unknown, m: KafkaMessage, key: () => unknown): O =>
          ({ topic: m.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp, key: key(), value, headers: m.headers }) as O
      : (value: unknown): O => value as O;
    this.conflicting = options.timestamp !== undefined && options.eventTime !== undefined;
    const { eventTime, ...rest } = options;
    this.source = new KafkaSource<unknown, O>({ ...rest, timestamp: options.timestamp ?? eventTime, stats: this.stats }, project);
  }

  /** @throws ConflictingOptionsError naming the step when both `timestamp` and `eventTime` were given. */
  expand(p: Pipeline, ctx: ExpandContext): PCollection<O> {
    if (this.conflicting) throw new ConflictingOptionsError(this.source.name, 'timestamp', 'eventTime', ctx.stepName);
    return Read(this.source).expand(p, ctx);
  }
}

/**
 * Reads Kafka topics as a PCollection: of the deserialized values `T` by default, or of
 * `KafkaRecord<T>` (topic, partition, offset, timestamp, key, headers, value) with `withMetadata: true`.
 * Records that cannot be decoded are on `pcoll.deadLetters()` with their raw bytes, topic, partition,
 * offset and the reason.
 */
export function kafkaRead<T, K = string | null>(options: KafkaReadOptions<T> & { readonly withMetadata: true }): KafkaRead<KafkaRecord<T, K>>;
export function kafkaRead<T>(options: KafkaReadOptions<T> & { readonly withMetadata?: false }): KafkaRead<T>;
export function kafkaRead<T>(options: KafkaReadOptions<T> & { readonly withMetadata?: boolean }): KafkaRead<T> | KafkaRead<KafkaRecord<T>> {
  return new KafkaRead<T>(options as KafkaSourceOptions<unknown>);
}
