/**
 * The Kafka client implementations the broker tests run against, so every test of the client
 * interface and of KafkaIO runs once per implementation.
 *
 * @example
 * ```ts
 * for (const via of KAFKA_CLIENTS) kafkaDescribe(`my feature (${via.label})`, (env) => {
 *   it('works', async () => { const kafka = via.factory(env.brokers); ... });
 * });
 * ```
 */
import type { KafkaClientFactory } from '../../transforms/io/kafka/client.js';
import type { KafkaClientName } from '../../transforms/io/kafka/default-client.js';
import { createKafkajsClientFactory, type KafkajsLogLevelName } from '../../transforms/io/kafka/kafkajs-client.js';
import { createPlatformaticClientFactory } from '../../transforms/io/kafka/platformatic-client.js';

export interface KafkaClientUnderTest {
  readonly label: string;
  /** What KafkaIO's `client` option names (the default is `'platformatic'`, with the wire producer). */
  readonly client: KafkaClientName;
  /** The library's own factory (consumer, admin and producer all from it). */
  readonly factory: (brokers: string, logLevel?: KafkajsLogLevelName) => KafkaClientFactory;
}

export const KAFKA_CLIENTS: readonly KafkaClientUnderTest[] = [
  { label: 'kafkajs', client: 'kafkajs', factory: (brokers, logLevel) => createKafkajsClientFactory({ brokers, ...(logLevel !== undefined ? { logLevel } : {}) }) },
  { label: 'platformatic', client: 'platformatic', factory: (brokers) => createPlatformaticClientFactory({ brokers }) },
];
