import { KafkaClientError, type KafkaPartitionAssignment } from './client.js';

/**
 * The rules every KafkaConsumerPort implementation (kafkajs, platformatic) checks before a
 * `subscribe()` or an `assign()`: a consumer does exactly one of them, once; subscribing needs a
 * consumer group and a topic, assigning at least one partition. Each check throws a
 * KafkaClientError (not retriable) naming the call.
 * @example requireSubscribable(this.mode, this.explicitGroup, options.topics); // then subscribe
 */

/** What a consumer was told to read: nothing yet, a subscription (group-managed) or an assignment. */
export type ConsumerMode = 'none' | 'subscribe' | 'assign';

/** @throws KafkaClientError when the consumer already subscribed or was assigned, has no `groupId`, or `topics` is empty. */
export function requireSubscribable(mode: ConsumerMode, explicitGroup: boolean, topics: readonly string[]): void {
  if (mode !== 'none') throw new KafkaClientError(`subscribe() after ${mode}(): use exactly one of them`, { retriable: false });
  if (!explicitGroup) throw new KafkaClientError('subscribe() needs a groupId in consumer options', { retriable: false });
  if (topics.length === 0) throw new KafkaClientError('subscribe() needs at least one topic', { retriable: false });
}

/** @throws KafkaClientError when the consumer already subscribed or was assigned, or `partitions` is empty. */
export function requireAssignable(mode: ConsumerMode, partitions: readonly KafkaPartitionAssignment[]): void {
  if (mode !== 'none') throw new KafkaClientError(`assign() after ${mode}(): use exactly one of them`, { retriable: false });
  if (partitions.length === 0) throw new KafkaClientError('assign() needs at least one partition', { retriable: false });
}
