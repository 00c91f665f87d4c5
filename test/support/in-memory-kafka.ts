import type { KafkaAdmin, KafkaBatchHandler, KafkaClientFactory, KafkaConsumerPort, KafkaMessage, KafkaPartitionAssignment, KafkaProducerPort, KafkaRecordHeaders } from '../../transforms/io/kafka/client.js';

/** One record of an in-memory topic: its value (null: a tombstone; text is UTF-8), record timestamp and, optionally, key and headers. */
export interface InMemoryRecord {
  readonly value: string | Buffer | null;
  readonly timestamp: number;
  readonly key?: Buffer | null;
  readonly headers?: KafkaRecordHeaders;
}

/**
 * A read-only Kafka stand-in for tests of the read path without a broker: the topics hold fixed
 * records per partition; a consumer hands each assigned partition's records from its start offset
 * to the batch handler as one batch. No producer, groups or commits.
 * @example KafkaIO.read({ client: inMemoryKafka({ t: [[{ value: '{}', timestamp: 1 }]] }), brokers: 'mem:1', topics: 't', ... })
 */
export function inMemoryKafka(topics: Readonly<Record<string, readonly (readonly InMemoryRecord[])[]>>): KafkaClientFactory {
  const message = (topic: string, partition: number, offset: number): KafkaMessage => {
    const r = topics[topic]![partition]![offset]!;
    return { topic, partition, offset: String(offset), timestamp: r.timestamp, key: r.key ?? null, value: r.value === null ? null : Buffer.from(r.value), headers: r.headers ?? {} };
  };
  const admin: KafkaAdmin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => Object.keys(topics),
    clusterId: async () => undefined,
    createTopics: async () => {
      throw new Error('in-memory Kafka: read only');
    },
    deleteTopics: async () => undefined,
    fetchTopicOffsets: async (topic) => topics[topic]!.map((records, partition) => ({ partition, low: '0', high: String(records.length) })),
    fetchTopicOffsetsByTimestamp: async (topic, timestamp) =>
      topics[topic]!.map((records, partition) => {
        const i = records.findIndex((r) => r.timestamp >= timestamp);
        return { partition, offset: String(i < 0 ? records.length : i) };
      }),
    fetchCommittedOffsets: async (_group, topic) => topics[topic]!.map((_, partition) => ({ partition, offset: null })),
  };
  return {
    brokers: ['in-memory:0'],
    admin: () => admin,
    consumer: (): KafkaConsumerPort => {
      let assigned: readonly KafkaPartitionAssignment[] = [];
      let stopped = false;
      return {
        connect: async () => undefined,
        subscribe: async () => {
          throw new Error('in-memory Kafka: assign only');
        },
        assign: async (partitions) => {
          assigned = partitions;
        },
        run: async (handler: KafkaBatchHandler) => {
          void (async () => {
            for (const a of assigned) {
              const records = topics[a.topic]![a.partition]!;
              const start = a.startOffset === 'earliest' ? 0 : a.startOffset === 'latest' ? records.length : Number(a.startOffset);
              const messages = records.slice(start).map((_, i) => message(a.topic, a.partition, start + i));
              if (messages.length > 0 && !stopped) await handler({ topic: a.topic, partition: a.partition, messages, highWatermark: String(records.length) });
            }
          })();
        },
        pause: () => undefined,
        resume: () => undefined,
        paused: () => [],
        commitOffsets: async () => undefined,
        disconnect: async () => {
          stopped = true;
        },
      };
    },
    producer: (): KafkaProducerPort => {
      throw new Error('in-memory Kafka: read only');
    },
  };
}
