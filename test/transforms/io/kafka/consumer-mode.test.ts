import { describe, expect, it } from 'vitest';
import { KafkaClientError } from '../../../../transforms/io/kafka/client.js';
import { requireAssignable, requireSubscribable } from '../../../../transforms/io/kafka/consumer-mode.js';

/** The subscribe/assign rules both Kafka consumers (kafkajs, platformatic) check before reading. */
describe('consumer subscribe/assign rules', () => {
  const refused = (call: () => void): KafkaClientError => {
    try {
      call();
    } catch (e) {
      expect(e).toBeInstanceOf(KafkaClientError);
      expect((e as KafkaClientError).retriable).toBe(false);
      return e as KafkaClientError;
    }
    throw new Error('expected the call to be refused');
  };

  it('a first subscribe with a group and a topic, and a first assign of a partition, pass', () => {
    expect(() => requireSubscribable('none', true, ['t'])).not.toThrow();
    expect(() => requireAssignable('none', [{ topic: 't', partition: 0, startOffset: 'earliest' }])).not.toThrow();
  });

  it('a consumer subscribes or is assigned, once', () => {
    expect(refused(() => requireSubscribable('assign', true, ['t'])).message).toBe('subscribe() after assign(): use exactly one of them');
    expect(refused(() => requireSubscribable('subscribe', true, ['t'])).message).toBe('subscribe() after subscribe(): use exactly one of them');
    expect(refused(() => requireAssignable('subscribe', [{ topic: 't', partition: 0, startOffset: 'earliest' }])).message).toBe('assign() after subscribe(): use exactly one of them');
  });

  it('subscribe needs a group and a topic; assign needs a partition', () => {
    expect(refused(() => requireSubscribable('none', false, ['t'])).message).toBe('subscribe() needs a groupId in consumer options');
    expect(refused(() => requireSubscribable('none', true, [])).message).toBe('subscribe() needs at least one topic');
    expect(refused(() => requireAssignable('none', [])).message).toBe('assign() needs at least one partition');
  });
});
