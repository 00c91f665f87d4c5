import type { KafkaClientFactory, KafkaCompressionName } from './client.js';
import { createKafkajsClientFactory, type KafkajsLogLevelName } from './kafkajs-client.js';
import { WireProducer } from './wire/wire-producer.js';

/** Which producer the default client uses: the wire producer (default, fast) or kafkajs'. */
export type KafkaProducerImplementation = 'wire' | 'kafkajs';

/** How KafkaIO reaches a cluster: a ready client factory, or the default one built from these settings. */
export interface KafkaConnectionOptions {
  /** `'127.0.0.1:19092'`, `'a:1,b:2'` or an array of `host:port`. */
  readonly brokers: string | readonly string[];
  /** Another client implementation (e.g. for measuring a different library); default: {@link createKafkaClientFactory}. */
  readonly client?: KafkaClientFactory;
  /** Client id sent to the brokers. Default 'watershed'. */
  readonly clientId?: string;
  /** Upper bound for connecting; an unreachable cluster fails with KafkaUnavailableError after it. Default 8000 ms. */
  readonly connectTimeoutMs?: number;
  /** Log level of the kafkajs parts. Default: env `WATERSHED_KAFKA_LOG`, else 'warn'. */
  readonly logLevel?: KafkajsLogLevelName;
  /** The default client's producer. Default 'wire'. */
  readonly producer?: KafkaProducerImplementation;
}

/**
 * The default Kafka client: kafkajs for admin and consumers, and the {@link WireProducer}
 * (about 8× kafkajs' producer throughput, LZ4 by default) for producing — unless
 * `producer: 'kafkajs'`. Does no I/O.
 *
 * @example
 * ```ts
 * const kafka = createKafkaClientFactory({ brokers: '127.0.0.1:19092' });
 * const producer = kafka.producer({ compression: 'lz4' });
 * await producer.connect();
 * ```
 */
export function createKafkaClientFactory(options: Omit<KafkaConnectionOptions, 'client'>): KafkaClientFactory {
  const connectDeadlineMs = options.connectTimeoutMs ?? 8_000;
  const clientId = options.clientId ?? 'watershed';
  const kafkajs = createKafkajsClientFactory({
    brokers: options.brokers,
    clientId,
    connectDeadlineMs,
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
  });
  if (options.producer === 'kafkajs') return kafkajs;
  return {
    brokers: kafkajs.brokers,
    admin: () => kafkajs.admin(),
    consumer: (o) => kafkajs.consumer(o),
    producer: (o = {}) =>
      new WireProducer({
        brokers: kafkajs.brokers,
        clientId,
        connectDeadlineMs,
        ...(o.compression !== undefined ? { compression: o.compression as KafkaCompressionName } : {}),
        ...(o.allowAutoTopicCreation !== undefined ? { allowAutoTopicCreation: o.allowAutoTopicCreation } : {}),
      }),
  };
}

/** The factory KafkaIO uses: `options.client`, else {@link createKafkaClientFactory}. */
export function kafkaClientFor(options: KafkaConnectionOptions): KafkaClientFactory {
  return options.client ?? createKafkaClientFactory(options);
}
