/**
 * {@link KafkaAdmin} over @platformatic/kafka's `Admin`.
 *
 * - `connect()` loads the cluster metadata within the connect deadline (the library connects lazily).
 * - High watermarks are read with `read_committed`, as kafkajs' admin does: the end of a transactional
 *   topic is its last stable offset.
 * - `createTopics` ignores topics that exist and waits until every partition answers ListOffsets.
 *
 * @example
 * ```ts
 * const admin = new PlatformaticAdmin(platformaticContext({ brokers: '127.0.0.1:19092' }));
 * await admin.connect();
 * await admin.createTopics([{ topic: 'events', partitions: 3 }]);
 * ```
 */
import { Admin, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { KafkaClientError, KafkaUnavailableError, type KafkaAdmin, type KafkaPartitionOffsets, type KafkaTopicSpec } from '../client.js';
import { connectWithin, settleWithin } from './connect-deadline.js';
import { type PlatformaticContext, mapped } from './context.js';
import { guardClientConnections } from './connection-errors.js';
import { brokerErrorName, mapPlatformaticError } from './errors.js';

export class PlatformaticAdmin implements KafkaAdmin {
  private readonly admin: Admin;
  private closing: Promise<void> | null = null;

  constructor(private readonly ctx: PlatformaticContext) {
    this.admin = guardClientConnections(new Admin({ ...ctx.base }));
  }

  connect(): Promise<void> {
    return connectWithin(
      { what: 'admin', brokers: this.ctx.brokers, deadlineMs: this.ctx.connectDeadlineMs },
      async () => void (await this.admin.metadata({ topics: [] })),
      () => this.disconnect(),
    );
  }

  disconnect(): Promise<void> {
    this.closing ??= settleWithin(this.admin.close(), 2_000);
    return this.closing;
  }

  listTopics(): Promise<string[]> {
    return this.withRetry('listTopics', () => this.admin.listTopics({ includeInternals: true }));
  }

  async clusterId(): Promise<string | undefined> {
    const metadata = await this.withRetry('metadata', () => this.admin.metadata({ topics: [], forceUpdate: true }));
    return metadata.id || undefined;
  }

  async createTopics(topics: readonly KafkaTopicSpec[]): Promise<void> {
    for (const t of topics) {
      try {
        await this.admin.createTopics({
          topics: [t.topic],
          partitions: t.partitions,
          replicas: t.replicationFactor ?? 1,
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        });
      } catch (error) {
        if (brokerErrorName(error) !== 'TOPIC_ALREADY_EXISTS') throw mapPlatformaticError(error, this.ctx.brokers, `createTopics(${t.topic})`);
      }
    }
    // A created topic's partitions serve requests a moment after the call returns.
    for (const t of topics) await this.whenCreated(t.topic);
  }

  /**
   * Waits until a just-created topic is in the metadata and its partitions answer ListOffsets. A
   * loaded broker can answer metadata with "unknown topic" for a while after CreateTopics returned;
   * here (and only here) that is transient. Bounded: about 10 s, then the last error is thrown.
   */
  private async whenCreated(topic: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.fetchTopicOffsets(topic);
        return;
      } catch (error) {
        const unknown = error instanceof KafkaClientError && error.code === 'UNKNOWN_TOPIC_OR_PARTITION';
        if (!unknown || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, Math.min(1_000, 50 * attempt)));
      }
    }
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    const existing = new Set(await this.listTopics());
    const toDelete = topics.filter((t) => existing.has(t));
    if (toDelete.length > 0) await mapped(this.ctx, 'deleteTopics', () => this.admin.deleteTopics({ topics: toDelete }));
  }

  async fetchTopicOffsets(topic: string): Promise<KafkaPartitionOffsets[]> {
    const [low, high] = await Promise.all([this.offsetsAt(topic, ListOffsetTimestamps.EARLIEST), this.offsetsAt(topic, ListOffsetTimestamps.LATEST)]);
    return low.map((l, i) => ({ partition: l.partition, low: l.offset.toString(), high: high[i]!.offset.toString() }));
  }

  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<Array<{ partition: number; offset: string }>> {
    const [byTime, high] = await Promise.all([this.offsetsAt(topic, BigInt(timestamp)), this.offsetsAt(topic, ListOffsetTimestamps.LATEST)]);
    // No record at or after the timestamp: the broker answers -1; the contract says the high watermark.
    return byTime.map((o, i) => ({ partition: o.partition, offset: (o.offset < 0n ? high[i]!.offset : o.offset).toString() }));
  }

  async fetchCommittedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string | null }>> {
    const partitions = await this.partitionsOf(topic);
    const groups = await this.withRetry(`fetchCommittedOffsets(${groupId})`, () =>
      this.admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: [{ name: topic, partitionIndexes: partitions }] }] }),
    );
    const found = groups.find((g) => g.groupId === groupId)?.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions.map((partition) => {
      const committed = found.find((p) => p.partitionIndex === partition)?.committedOffset ?? -1n;
      return { partition, offset: committed < 0n ? null : committed.toString() };
    });
  }

  /** Partition numbers of `topic`, ascending; throws KafkaClientError(UNKNOWN_TOPIC_OR_PARTITION) if it does not exist. */
  async partitionsOf(topic: string): Promise<number[]> {
    const metadata = await this.withRetry(`metadata(${topic})`, () => this.admin.metadata({ topics: [topic], forceUpdate: true }));
    const t = metadata.topics.get(topic);
    if (!t) throw new KafkaClientError(`Kafka metadata(${topic}) failed: topic does not exist`, { retriable: false, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    return Array.from({ length: t.partitionsCount }, (_, i) => i);
  }

  private async offsetsAt(topic: string, timestamp: bigint): Promise<Array<{ partition: number; offset: bigint }>> {
    const partitions = await this.partitionsOf(topic);
    const listed = await this.withRetry(`fetchTopicOffsets(${topic})`, () =>
      this.admin.listOffsets({
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
      }),
    );
    const got = listed.find((t) => t.name === topic)?.partitions ?? [];
    return partitions.map((partition) => {
      const p = got.find((x) => x.partitionIndex === partition);
      if (!p) throw new KafkaClientError(`Kafka fetchTopicOffsets(${topic}) failed: no offset for partition ${partition}`, { retriable: true });
      return { partition, offset: p.offset };
    });
  }

  /**
   * Like {@link mapped}, and retries broker-side transient errors (e.g. a partition without a leader
   * for a moment after its topic was created). Bounded: 6 attempts, about 3.5 s. Unreachable brokers
   * are not retried here (the library already did).
   */
  private async withRetry<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const e = mapPlatformaticError(error, this.ctx.brokers, operation);
        if (attempt >= 6 || !e.retriable || e instanceof KafkaUnavailableError) throw e;
        await new Promise((r) => setTimeout(r, Math.min(1_000, 100 * 2 ** (attempt - 1))));
      }
    }
  }
}
