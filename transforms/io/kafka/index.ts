/**
 * Kafka as input and output: {@link KafkaIO}.read and {@link KafkaIO}.write, their serializers
 * ({@link Serde}), and the client interface they run on (kafkajs or @platformatic/kafka, TLS and SASL).
 * @module watershed/io/kafka
 */
import { kafkaRead } from './kafka-read.js';
import { kafkaWrite } from './kafka-write.js';

/**
 * Kafka sources and sinks, over the client interface {@link KafkaClientFactory} (by default
 * `@platformatic/kafka` for reading and Watershed's wire producer for writing; `client: 'kafkajs'` selects
 * kafkajs, a {@link KafkaClientFactory} passed as `client` another implementation).
 *
 * @example
 * const clicks = p.apply('Clicks', KafkaIO.read<Click>({
 *   brokers: '127.0.0.1:19092', topics: 'clicks', startAt: 'earliest',
 *   watermark: { maxOutOfOrderness: seconds(5), idleTimeout: seconds(30) },
 * }));
 * clicks.deadLetters().apply('DLQ', KafkaIO.write({ brokers, topic: 'clicks-dlq' }));
 * clicks.apply(MapElements(enrich)).apply('Out', KafkaIO.write<Enriched>({ brokers, topic: 'enriched', key: (e) => e.user }));
 */
export const KafkaIO = {
  /** See {@link kafkaRead}. */
  read: kafkaRead,
  /** See {@link kafkaWrite}. */
  write: kafkaWrite,
};

export { kafkaRead, KafkaRead, type KafkaReadOptions } from './kafka-read.js';
export { kafkaWrite, type KafkaWriteOptions, type ValueEncoder } from './kafka-write.js';
export {
  KafkaSource,
  type KafkaDeadLetterRecord,
  type KafkaReadStats,
  type KafkaRecord,
  type KafkaPartitionPosition,
  type KafkaSourceOptions,
  type KafkaSourcePosition,
  type KafkaStartAt,
  type KafkaTimestamp,
} from './kafka-source.js';
export { DeserializationError, Serde, type Deserializer, type Serializer } from './serde.js';
export { createKafkaClientFactory, type KafkaClientName, type KafkaConnectionOptions, type KafkaProducerImplementation } from './default-client.js';
export { WireProducer, type CommitPreparedOptions, type WireProducerOptions } from './wire/wire-producer.js';
export { KAFKA_SASL_MECHANISMS, type KafkaPemSource, type KafkaSaslMechanism, type KafkaSaslOptions, type KafkaSecurityOptions, type KafkaSslOptions } from './security.js';
export {
  KafkaAuthenticationError,
  KafkaClientError,
  KafkaUnavailableError,
  type KafkaAdmin,
  type KafkaBatch,
  type KafkaBatchHandler,
  type KafkaClientErrorOptions,
  type KafkaClientFactory,
  type KafkaCompressionName,
  type KafkaConsumerOptions,
  type KafkaConsumerPort,
  type KafkaHeadersInput,
  type KafkaMessage,
  type KafkaOffsetCommit,
  type KafkaOutgoingMessage,
  type KafkaPartitionAssignment,
  type KafkaPartitionOffsets,
  type KafkaPreparingProducerPort,
  type KafkaProducerOptions,
  type KafkaProducerPort,
  type KafkaRecordHeaders,
  type KafkaRunOptions,
  type KafkaSendResult,
  type KafkaSkippedRecords,
  type KafkaTopicPartition,
  type KafkaTopicSpec,
  type KafkaTransactionalProducerPort,
  type KafkaValueBlock,
  type PreparedKafkaTransaction,
} from './client.js';
export { KafkaRecordTooLargeError } from './record-too-large.js';
export { KafkaClusterChangedError } from './cluster-changed-error.js';
export { KafkaRecordsMissingError } from './records-missing-error.js';
export { KafkaRecordsOutOfOrderError } from './records-out-of-order-error.js';
export { createKafkajsClientFactory, type KafkajsClientOptions, type KafkajsLogLevelName } from './kafkajs-client.js';
export type { KafkaCompression } from './wire/compression.js';
export { createPlatformaticClientFactory, createPlatformaticTransactionalProducer, type PlatformaticClientOptions } from './platformatic-client.js';
