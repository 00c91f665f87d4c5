/**
 * An in-memory stand-in for a Kafka cluster behind the client interface, for tests of what the
 * Kafka IO does around connection losses: the "broker" can be switched off (`up = false`: connects
 * fail with KafkaUnavailableError), and a test delivers batches, skipped ranges and failures through the
 * handler, `onSkipped` and `onError` each consumer was given.
 */
import {
  KafkaUnavailableError,
  type KafkaAdmin,
  type KafkaBatchHandler,
  type KafkaClientFactory,
  type KafkaConsumerPort,
  type KafkaPartitionAssignment,
  type KafkaPartitionOffsets,
  type KafkaRunOptions,
  type KafkaTopicPartition,
} from '../../../../transforms/io/kafka/client.js';

/** A consumer port whose broker can be switched off; records what was asked of it. */
export class FakeConsumer implements KafkaConsumerPort {
  assigned: KafkaPartitionAssignment[] = [];
  pausedNow: KafkaTopicPartition[] = [];
  handler: KafkaBatchHandler | undefined;
  onError: ((e: unknown) => void) | undefined;
  onSkipped: KafkaRunOptions['onSkipped'];
  disconnected = false;
  constructor(private readonly cluster: FakeCluster) {}
  async connect(): Promise<void> {
    this.cluster.attempts++;
    if (!this.cluster.up) throw new KafkaUnavailableError('Kafka unavailable at fake:1 (consumer connect): ECONNREFUSED', { brokers: ['fake:1'] });
    if (this.cluster.connectError) throw this.cluster.connectError;
  }
  async subscribe(): Promise<void> {}
  async assign(partitions: readonly KafkaPartitionAssignment[]): Promise<void> {
    this.assigned = [...partitions];
  }
  async run(handler: KafkaBatchHandler, options?: KafkaRunOptions): Promise<void> {
    this.handler = handler;
    this.onError = options?.onError;
    this.onSkipped = options?.onSkipped;
  }
  pause(partitions: readonly KafkaTopicPartition[]): void {
    this.pausedNow.push(...partitions);
  }
  resume(partitions: readonly KafkaTopicPartition[]): void {
    this.pausedNow = this.pausedNow.filter((p) => !partitions.some((q) => q.topic === p.topic && q.partition === p.partition));
  }
  paused(): KafkaTopicPartition[] {
    return this.pausedNow;
  }
  async commitOffsets(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

export class FakeCluster implements KafkaClientFactory {
  readonly brokers = ['fake:1'];
  up = true;
  attempts = 0;
  connectError: unknown;
  readonly consumers: FakeConsumer[] = [];
  /** Topic → partition offsets, for the admin client. */
  readonly topics = new Map<string, KafkaPartitionOffsets[]>();
  admin(): KafkaAdmin {
    const unused = (): never => {
      throw new Error('not used by these tests');
    };
    return {
      connect: async () => {
        if (!this.up) throw new KafkaUnavailableError('Kafka unavailable at fake:1 (admin connect): ECONNREFUSED', { brokers: ['fake:1'] });
      },
      disconnect: async () => undefined,
      listTopics: async () => [...this.topics.keys()],
      clusterId: async () => undefined,
      fetchTopicOffsets: async (topic) => this.topics.get(topic) ?? unused(),
      createTopics: unused,
      deleteTopics: unused,
      fetchTopicOffsetsByTimestamp: unused,
      fetchCommittedOffsets: unused,
    };
  }
  producer(): never {
    throw new Error('not used');
  }
  consumer(): KafkaConsumerPort {
    const c = new FakeConsumer(this);
    this.consumers.push(c);
    return c;
  }
  get last(): FakeConsumer {
    return this.consumers[this.consumers.length - 1]!;
  }
}
