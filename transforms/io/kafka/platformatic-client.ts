/**
 * {@link KafkaClientFactory} implemented with @platformatic/kafka (a maintained pure-JavaScript Kafka
 * client: idempotent producer, transactions, gzip/snappy/lz4/zstd, consumer groups).
 *
 * What this adapter adds on top of the library (files in `./platformatic/`):
 * - bounded failure: `connect()` rejects with {@link KafkaUnavailableError} within `connectDeadlineMs`
 *   (default 8 s), and the library's errors become {@link KafkaClientError}s with the broker's error
 *   name as `code`;
 * - manual partition assignment and per-partition pause/resume, with a fetch loop of its own over the
 *   library's `fetch` (its `MessagesStream` only pauses as a whole and always joins a group);
 * - the Java client's partitioning of keyed records, sticky runs for keyless ones, and `sendBlock`.
 *
 * @example
 * ```ts
 * const kafka = createPlatformaticClientFactory({ brokers: '127.0.0.1:19092' });
 * const producer = kafka.producer({ compression: 'lz4' });
 * await producer.connect();
 * await producer.send('events', [{ key: 'k', value: 'v' }]);
 * await producer.disconnect();
 * ```
 */
import type { KafkaClientFactory, KafkaCompressionName, KafkaTransactionalProducerPort } from './client.js';
import { PlatformaticAdmin } from './platformatic/admin.js';
import { PlatformaticConsumer } from './platformatic/consumer.js';
import { platformaticContext, type PlatformaticClientOptions } from './platformatic/context.js';
import { PlatformaticProducer } from './platformatic/producer.js';
import { PlatformaticTransactionalProducer } from './platformatic/transactional-producer.js';

export type { PlatformaticClientOptions } from './platformatic/context.js';

/** Creates the factory. Does no I/O; throws only if the broker list is malformed. */
export function createPlatformaticClientFactory(options: PlatformaticClientOptions): KafkaClientFactory {
  const ctx = platformaticContext(options);
  return {
    brokers: ctx.brokers,
    admin: () => new PlatformaticAdmin(ctx),
    consumer: (consumerOptions = {}) => new PlatformaticConsumer(ctx, consumerOptions),
    // With transactionalId: transactional, but it cannot prepare a transaction (KafkaPreparingProducerPort).
    producer: (producerOptions = {}) =>
      producerOptions.transactionalId !== undefined
        ? new PlatformaticTransactionalProducer(ctx, producerOptions, producerOptions.transactionalId)
        : new PlatformaticProducer(ctx, producerOptions),
  };
}

/**
 * A transactional producer ({@link KafkaTransactionalProducerPort}) with @platformatic/kafka, the
 * counterpart of `new WireProducer({ transactionalId })`. `connect()` fences earlier producers with the id.
 *
 * @example
 * ```ts
 * const p = createPlatformaticTransactionalProducer({ brokers, transactionalId: 'job-1', compression: 'lz4' });
 * await p.connect();
 * p.beginTransaction();
 * ```
 */
export function createPlatformaticTransactionalProducer(
  options: PlatformaticClientOptions & { readonly transactionalId: string; readonly compression?: KafkaCompressionName },
): KafkaTransactionalProducerPort {
  const { transactionalId, compression, ...client } = options;
  return new PlatformaticTransactionalProducer(platformaticContext(client), compression !== undefined ? { compression } : {}, transactionalId);
}
