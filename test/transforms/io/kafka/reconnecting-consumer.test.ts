import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../sdk/clock.js';
import { KafkaClientError, KafkaUnavailableError, type KafkaBatch } from '../../../../transforms/io/kafka/client.js';
import { ReconnectingConsumer } from '../../../../transforms/io/kafka/reconnecting-consumer.js';
import { FakeCluster } from './fake-kafka.js';

const batch = (offset: number): KafkaBatch => ({
  topic: 't',
  partition: 0,
  highWatermark: String(offset + 1),
  messages: [{ topic: 't', partition: 0, offset: String(offset), timestamp: 0, key: null, value: null, headers: {} }],
});

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(timeoutMs = 60_000) {
  const cluster = new FakeCluster();
  const clock = new VirtualClock(1_000);
  let next = 0;
  const seen: number[] = [];
  const fatal: unknown[] = [];
  const consumer = new ReconnectingConsumer({
    kafka: cluster,
    consumer: {},
    clock,
    signal: new AbortController().signal,
    name: 'KafkaIO.read(t)',
    timeoutMs,
    positions: () => [{ topic: 't', partition: 0, startOffset: String(next) }],
    handler: async (b) => {
      for (const m of b.messages) seen.push(Number(m.offset));
      next = Number(b.messages[b.messages.length - 1]!.offset) + 1;
    },
    onFatal: (e) => fatal.push(e),
  });
  return { cluster, clock, consumer, seen, fatal };
}

const lost = (): KafkaUnavailableError => new KafkaUnavailableError('Kafka unavailable at fake:1 (consume): ECONNRESET', { brokers: ['fake:1'] });

describe('ReconnectingConsumer (fake client, virtual clock)', () => {
  it('after a retriable loss, a new consumer is assigned at the next offsets, with the pauses carried over', async () => {
    const { cluster, clock, consumer, seen, fatal } = setup();
    await consumer.start();
    const first = cluster.last;
    expect(first.assigned).toEqual([{ topic: 't', partition: 0, startOffset: '0' }]);
    await first.handler!(batch(0));
    await first.handler!(batch(1));
    consumer.pause([{ topic: 't', partition: 0 }]);

    expect(consumer.disconnected).toBe(false);
    first.onError!(lost());
    expect(first.disconnected).toBe(true);
    expect(consumer.disconnected).toBe(true);
    cluster.up = false;
    clock.advanceBy(250); // first backoff: the broker is still down
    await settle();
    expect(cluster.attempts).toBe(2);
    cluster.up = true;
    clock.advanceBy(500); // second backoff
    await settle();
    const second = cluster.last;
    expect(cluster.consumers).toHaveLength(3);
    expect(second.assigned).toEqual([{ topic: 't', partition: 0, startOffset: '2' }]);
    expect(second.pausedNow).toEqual([{ topic: 't', partition: 0 }]);
    expect(consumer.disconnected).toBe(false);
    // the old consumer's late batches are ignored; the new one's are delivered
    await first.handler!(batch(2));
    await second.handler!(batch(2));
    expect(seen).toEqual([0, 1, 2]);
    expect(fatal).toEqual([]);
    await consumer.close();
  });

  it('tells a handler that is still waiting that its consumer was replaced', async () => {
    const { cluster, consumer } = setup();
    let live: (() => boolean) | undefined;
    const c2 = new ReconnectingConsumer({
      kafka: cluster,
      consumer: {},
      clock: new VirtualClock(0),
      signal: new AbortController().signal,
      name: 'KafkaIO.read(t)',
      timeoutMs: 1_000,
      positions: () => [{ topic: 't', partition: 0, startOffset: '0' }],
      handler: async (_b, l) => void (live = l),
      onFatal: () => undefined,
    });
    await c2.start();
    await cluster.last.handler!(batch(0));
    expect(live!()).toBe(true);
    cluster.last.onError!(lost());
    expect(live!()).toBe(false);
    await c2.close();
    await consumer.close();
  });

  it('a non-retriable error is fatal at once, without reconnecting', async () => {
    const { cluster, consumer, fatal } = setup();
    await consumer.start();
    const error = new KafkaClientError('Kafka consume failed: TOPIC_AUTHORIZATION_FAILED', { retriable: false, code: 'TOPIC_AUTHORIZATION_FAILED' });
    cluster.last.onError!(error);
    await settle();
    expect(fatal).toEqual([error]);
    expect(cluster.consumers).toHaveLength(1);
    await consumer.close();
  });

  it('an outage longer than timeoutMs is fatal: KafkaUnavailableError naming the reader, brokers and bound, with the last error as cause', async () => {
    const { cluster, clock, consumer, fatal } = setup(10_000);
    await consumer.start();
    cluster.up = false;
    cluster.last.onError!(lost());
    // attempts after 250, 500, 1000, 2000 and 4000 ms of backoff (7.75 s), then after what is left of the 10 s
    for (let i = 0; i < 100 && fatal.length === 0; i++) {
      clock.advanceBy(250);
      await settle();
    }
    expect(fatal).toHaveLength(1);
    const error = fatal[0] as KafkaUnavailableError;
    expect(error).toBeInstanceOf(KafkaUnavailableError);
    expect(error.code).toBe('RECONNECT_TIMEOUT');
    expect(error.message).toMatch(/^KafkaIO\.read\(t\): lost the connection to Kafka at fake:1 and could not reconnect within 10000 ms \(6 attempts\); last error: Kafka unavailable at fake:1 \(consumer connect\): ECONNREFUSED$/);
    expect((error.cause as Error).message).toContain('consumer connect');
    expect(cluster.attempts).toBe(1 + 6);
    expect(clock.now()).toBe(1_000 + 10_000);
    await consumer.close();
  });

  it('a consumer that connects but fails again before delivering anything continues the same outage', async () => {
    const { cluster, clock, consumer, fatal } = setup(10_000);
    await consumer.start();
    cluster.last.onError!(lost());
    for (let i = 0; i < 12 && fatal.length === 0; i++) {
      clock.advanceBy(2_000);
      await settle();
      cluster.last.onError?.(lost()); // every new consumer dies at once
    }
    expect(fatal).toHaveLength(1);
    expect((fatal[0] as KafkaUnavailableError).code).toBe('RECONNECT_TIMEOUT');
    await consumer.close();
  });
});
