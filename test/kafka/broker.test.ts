import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KafkaClientError,
  KafkaUnavailableError,
  type KafkaAdmin,
  type KafkaBatch,
  type KafkaClientFactory,
  type KafkaConsumerPort,
  type KafkaMessage,
} from '../../transforms/io/kafka/client.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { withSilentListener } from './silent-listener.js';

const TOTAL = 300;
const PARTITIONS = 3;

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString();

for (const via of KAFKA_CLIENTS) kafkaDescribe(`local Kafka broker through the KafkaClientFactory interface (${via.label})`, (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  const topic = `watershed-broker-test-${randomUUID()}`;
  const consumers: KafkaConsumerPort[] = [];

  const sent = Array.from({ length: TOTAL }, (_, i) => ({
    key: `key-${i % 17}`,
    value: JSON.stringify({ i, key: `key-${i % 17}`, payload: 'x'.repeat(i % 50) }),
    headers: { 'x-index': String(i) },
    timestamp: 1_700_000_000_000 + i,
  }));
  let produced: Promise<void> | null = null;
  /** Produces the 300 messages once (shared by the tests below, so each can also run alone with -t). */
  const ensureProduced = (): Promise<void> =>
    (produced ??= (async () => {
      const producer = kafka.producer();
      await producer.connect();
      try {
        // in three sends of 100, like a runner flushing bundles
        for (let start = 0; start < TOTAL; start += 100) {
          const results = await producer.send(topic, sent.slice(start, start + 100));
          expect(results.length).toBeGreaterThan(0);
          for (const r of results) expect(r.topic).toBe(topic);
        }
      } finally {
        await producer.disconnect();
      }
    })());

  beforeAll(async () => {
    kafka = via.factory(env.brokers);
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    if (admin) {
      await admin.deleteTopics([topic]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('creates the topic with 3 partitions', async () => {
    expect(await admin.listTopics()).toContain(topic);
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets).toEqual([0, 1, 2].map((partition) => ({ partition, low: '0', high: '0' })));
    // creating it again is not an error
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  });

  it('produces 300 keyed JSON messages and consumes all of them back', async () => {
    await ensureProduced();

    const groupId = `watershed-broker-test-group-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    consumers.push(consumer);
    const received: KafkaMessage[] = [];
    const batches: KafkaBatch[] = [];
    let failure: unknown = null;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run(
      async (batch) => {
        batches.push(batch);
        received.push(...batch.messages);
        const last = batch.messages[batch.messages.length - 1]!;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(last.offset) }]);
      },
      { onError: (e) => (failure = e) },
    );
    await waitFor(() => received.length >= TOTAL || failure !== null, 20_000, `${TOTAL} messages`);
    expect(failure).toBeNull();
    // give a moment for unexpected extra deliveries
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toHaveLength(TOTAL);

    // content: every message exactly once, key/value/headers/timestamp intact
    const byIndex = new Map<number, KafkaMessage>();
    for (const m of received) {
      const body = JSON.parse(m.value!.toString('utf8')) as { i: number; key: string; payload: string };
      expect(byIndex.has(body.i)).toBe(false);
      byIndex.set(body.i, m);
      expect(m.topic).toBe(topic);
      expect(m.key!.toString()).toBe(body.key);
      expect(body.key).toBe(`key-${body.i % 17}`);
      expect(body.payload).toBe('x'.repeat(body.i % 50));
      expect(m.headers['x-index']?.map((b) => b.toString())).toEqual([String(body.i)]);
      expect(m.timestamp).toBe(1_700_000_000_000 + body.i);
    }
    expect([...byIndex.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i));

    // per partition: dense offsets 0..n-1 in order, keys stick to one partition, producer order kept
    const perPartition = new Map<number, KafkaMessage[]>();
    for (const m of received) perPartition.set(m.partition, [...(perPartition.get(m.partition) ?? []), m]);
    expect([...perPartition.keys()].sort()).toEqual([0, 1, 2]);
    const partitionOfKey = new Map<string, number>();
    for (const [partition, messages] of perPartition) {
      expect(messages.map((m) => m.offset)).toEqual(messages.map((_, i) => String(i)));
      const indices = messages.map((m) => (JSON.parse(m.value!.toString()) as { i: number }).i);
      expect(indices).toEqual([...indices].sort((a, b) => a - b));
      for (const m of messages) {
        const key = m.key!.toString();
        expect(partitionOfKey.get(key) ?? partition).toBe(partition);
        partitionOfKey.set(key, partition);
      }
    }
    for (const b of batches) expect(b.messages.length).toBeGreaterThan(0);

    // counts per partition agree with the broker's high watermarks and the committed offsets
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const o of offsets) expect(Number(o.high)).toBe(perPartition.get(o.partition)!.length);
    const committed = await admin.fetchCommittedOffsets(groupId, topic);
    expect(committed).toEqual(offsets.map((o) => ({ partition: o.partition, offset: o.high })));

    await consumer.disconnect();
  });

  it('fetchTopicOffsets returns high watermarks summing to 300', async () => {
    await ensureProduced();
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.partition)).toEqual([0, 1, 2]);
    expect(offsets.every((o) => o.low === '0')).toBe(true);
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(TOTAL);
  });

  it('manual assignment reads only the assigned partitions from the given start offsets', async () => {
    await ensureProduced();
    const offsets = await admin.fetchTopicOffsets(topic);
    const p0High = Number(offsets[0]!.high);
    const consumer = kafka.consumer(); // no groupId: exclusive throw-away group
    consumers.push(consumer);
    await consumer.connect();
    await consumer.assign([
      { topic, partition: 0, startOffset: '5' },
      { topic, partition: 2, startOffset: 'latest' },
    ]);
    const received: KafkaMessage[] = [];
    await consumer.run(async (batch) => {
      received.push(...batch.messages);
    });
    await waitFor(() => received.length >= p0High - 5, 15_000, 'partition 0 from offset 5');

    // partition 2 started at 'latest': only new records arrive
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topic, [
      { value: 'late-p2', partition: 2 },
      { value: 'late-p1', partition: 1 },
    ]);
    await producer.disconnect();
    await waitFor(() => received.some((m) => m.value?.toString() === 'late-p2'), 15_000, 'late record on partition 2');
    await new Promise((r) => setTimeout(r, 500));

    expect(received.filter((m) => m.partition === 1)).toHaveLength(0);
    const p0 = received.filter((m) => m.partition === 0).map((m) => Number(m.offset));
    expect(p0).toEqual(Array.from({ length: p0High - 5 }, (_, i) => i + 5));
    const p2 = received.filter((m) => m.partition === 2).map((m) => m.value?.toString());
    expect(p2).toEqual(['late-p2']);
    await consumer.disconnect();
  });

  it('pause() stops delivery of a partition until resume()', async () => {
    const consumer = kafka.consumer();
    consumers.push(consumer);
    await consumer.connect();
    await consumer.assign([0, 1, 2].map((partition) => ({ topic, partition, startOffset: 'latest' })));
    consumer.pause([{ topic, partition: 1 }]); // before run() is allowed
    expect(consumer.paused()).toEqual([{ topic, partition: 1 }]);
    const received: KafkaMessage[] = [];
    await consumer.run(async (batch) => {
      received.push(...batch.messages);
    });

    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topic, [
      { value: 'paused-p1', partition: 1 },
      { value: 'live-p0', partition: 0 },
    ]);
    await waitFor(() => received.some((m) => m.value?.toString() === 'live-p0'), 15_000, 'record on partition 0');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received.some((m) => m.partition === 1)).toBe(false);
    expect(consumer.paused()).toEqual([{ topic, partition: 1 }]);

    consumer.resume([{ topic, partition: 1 }]);
    await waitFor(() => received.some((m) => m.value?.toString() === 'paused-p1'), 15_000, 'record on resumed partition 1');
    expect(consumer.paused()).toEqual([]);
    await producer.disconnect();
    await consumer.disconnect();
  });

  it('a partition paused from inside the handler gets no further batch until resumed, then the rest in order, none lost or twice', async () => {
    const pausedTopic = `watershed-broker-test-paused-${randomUUID()}`;
    await admin.createTopics([{ topic: pausedTopic, partitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    // many small sends: many record batches, so a fetch of 2 KiB per partition gets only a few of them
    for (let from = 0; from < 200; from += 5) {
      for (const partition of [0, 1]) {
        await producer.send(pausedTopic, Array.from({ length: 5 }, (_, k) => ({ value: `p${partition}-${from + k}-${'x'.repeat(100)}`, partition })));
      }
    }
    await producer.disconnect();
    const consumer = kafka.consumer({ maxBytesPerPartition: 2_048, maxWaitTimeMs: 100 }); // many small batches
    consumers.push(consumer);
    await consumer.connect();
    await consumer.assign([0, 1].map((partition) => ({ topic: pausedTopic, partition, startOffset: 'earliest' })));
    const received: KafkaMessage[] = [];
    let afterPause: KafkaMessage[] | null = null;
    await consumer.run(async (batch) => {
      (afterPause ?? received).push(...batch.messages);
      if (afterPause === null && received.some((m) => m.partition === 1)) {
        consumer.pause([{ topic: pausedTopic, partition: 1 }]);
        afterPause = [];
      }
    });
    await waitFor(() => [...received, ...(afterPause ?? [])].filter((m) => m.partition === 0).length >= 200, 15_000, 'all of partition 0');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(afterPause!.filter((m) => m.partition === 1)).toEqual([]);
    consumer.resume([{ topic: pausedTopic, partition: 1 }]);
    await waitFor(() => [...received, ...afterPause!].filter((m) => m.partition === 1).length >= 200, 15_000, 'the rest of partition 1');
    await new Promise((r) => setTimeout(r, 300));
    for (const partition of [0, 1]) {
      const offsets = [...received, ...afterPause!].filter((m) => m.partition === partition).map((m) => Number(m.offset));
      expect(offsets).toEqual(Array.from({ length: 200 }, (_, i) => i));
    }
    await consumer.disconnect();
    await admin.deleteTopics([pausedTopic]);
  });

  it('a throwing handler stops the consumer and reaches onError once', async () => {
    await ensureProduced();
    const consumer = kafka.consumer();
    consumers.push(consumer);
    await consumer.connect();
    await consumer.assign([{ topic, partition: 0, startOffset: 'earliest' }]);
    const boom = new Error('handler failed');
    const errors: unknown[] = [];
    let calls = 0;
    await consumer.run(
      async () => {
        calls++;
        throw boom;
      },
      { onError: (e) => errors.push(e) },
    );
    await waitFor(() => errors.length > 0, 15_000, 'onError');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(errors).toEqual([boom]);
    expect(calls).toBe(1);
    await expect(consumer.commitOffsets([{ topic, partition: 0, offset: '1' }])).rejects.toBeInstanceOf(KafkaClientError);
    await consumer.disconnect();
  });

  it('assign() rejects a partition that does not exist', async () => {
    const consumer = kafka.consumer();
    await consumer.connect();
    try {
      await expect(consumer.assign([{ topic, partition: 7, startOffset: 'earliest' }])).rejects.toMatchObject({
        name: 'KafkaClientError',
        retriable: false,
      });
    } finally {
      await consumer.disconnect();
    }
  });
});

for (const via of KAFKA_CLIENTS) describe(`unreachable Kafka broker (${via.label})`, () => {
  const brokers = '127.0.0.1:1';
  const BOUND_MS = 10_000;

  for (const kind of ['admin', 'producer', 'consumer'] as const) {
    it(`${kind}.connect() fails with KafkaUnavailableError within ${BOUND_MS / 1000}s`, async () => {
      const kafka = via.factory(brokers, 'nothing');
      const client = kind === 'admin' ? kafka.admin() : kind === 'producer' ? kafka.producer() : kafka.consumer({ groupId: 'never' });
      const t0 = Date.now();
      const error = await client.connect().then(
        () => null,
        (e: unknown) => e,
      );
      const elapsed = Date.now() - t0;
      expect(error).toBeInstanceOf(KafkaUnavailableError);
      expect(error).toBeInstanceOf(KafkaClientError);
      const e = error as KafkaUnavailableError;
      expect(e.retriable).toBe(true);
      expect(e.brokers).toEqual([brokers]);
      expect(e.cause).toBeDefined();
      expect(e.message).toContain(brokers);
      expect(elapsed).toBeLessThan(BOUND_MS);
      await client.disconnect().catch(() => undefined);
    });
  }

  it('a broker that accepts TCP but never answers fails within the default connect deadline', async () => {
    // A listener that swallows every byte: the TCP connect succeeds, the Kafka handshake hangs.
    await withSilentListener(async (address) => {
      const admin = via.factory(address, 'nothing').admin();
      const t0 = Date.now();
      const error = await admin.connect().then(
        () => null,
        (e: unknown) => e,
      );
      const elapsed = Date.now() - t0;
      expect(error).toBeInstanceOf(KafkaUnavailableError);
      expect((error as KafkaUnavailableError).brokers).toEqual([address]);
      expect(elapsed).toBeGreaterThanOrEqual(7_000); // default connectDeadlineMs is 8 s
      expect(elapsed).toBeLessThan(BOUND_MS);
      await admin.disconnect().catch(() => undefined);
    });
  });
});
