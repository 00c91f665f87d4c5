/**
 * What a Kafka read does while its broker is away, driven through a fake client and a virtual clock:
 * partitions that cannot be fetched are not idle, so the watermark does not run ahead of their
 * backlog (which would make it late), and the new consumer reads on from the next offsets.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../sdk/clock.js';
import type { SourceBatch, SourceReader } from '../../../../sdk/io/source.js';
import { KafkaUnavailableError, type KafkaBatch } from '../../../../transforms/io/kafka/client.js';
import { KafkaSource, emptyKafkaReadStats, type KafkaSourcePosition } from '../../../../transforms/io/kafka/kafka-source.js';
import { FakeCluster } from './fake-kafka.js';

const batch = (partition: number, first: number, timestamps: readonly number[]): KafkaBatch => ({
  topic: 't',
  partition,
  highWatermark: String(first + timestamps.length),
  messages: timestamps.map((ts, i) => ({ topic: 't', partition, offset: String(first + i), timestamp: ts, key: null, value: Buffer.from(JSON.stringify({ ts })), headers: {} })),
});

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

async function open(cluster: FakeCluster, clock: VirtualClock) {
  cluster.topics.set('t', [
    { partition: 0, low: '0', high: '5' },
    { partition: 1, low: '0', high: '2' },
  ]);
  const stats = emptyKafkaReadStats();
  const source = new KafkaSource<unknown, unknown>(
    { brokers: 'fake:1', client: cluster, topics: 't', startAt: 'earliest', logLevel: 'nothing', stats, watermark: { maxOutOfOrderness: 0, idleTimeout: 10_000 } },
    (v) => v,
  );
  const reader: SourceReader<unknown> = await source.open({ step: 'Read', clock, signal: new AbortController().signal });
  return { reader, stats };
}

describe('KafkaIO.read while the broker is away (fake client, virtual clock)', () => {
  it('does not take unfetchable partitions for idle, and reads on from the next offsets once back', async () => {
    const cluster = new FakeCluster();
    const clock = new VirtualClock(0);
    const { reader, stats } = await open(cluster, clock);
    try {
      const first = cluster.last;
      await first.handler!(batch(0, 0, [1_000, 2_000, 3_000, 4_000, 5_000]));
      await first.handler!(batch(1, 0, [1_000, 2_000]));
      let b: SourceBatch<unknown> = await reader.poll(100, 0);
      expect(b.elements).toHaveLength(7);
      expect(b.watermark).toBe(2_000); // partition 1 is behind

      cluster.up = false;
      first.onError!(new KafkaUnavailableError('Kafka unavailable at fake:1 (consume): ECONNRESET', { brokers: ['fake:1'] }));
      for (let t = 0; t < 30_000; t += 1_000) {
        clock.advanceBy(1_000); // backoff sleeps; each attempt fails
        await settle();
        b = await reader.poll(100, 0);
        // without the broker nothing is caught up: partition 1 may still have records from 2 s on
        expect(b.watermark).toBe(2_000);
      }
      expect(cluster.attempts).toBeGreaterThan(3);

      cluster.up = true;
      clock.advanceBy(5_000);
      await settle();
      const next = cluster.last;
      expect(next).not.toBe(first);
      expect(stats.reconnects).toBe(1);
      expect(next.assigned).toEqual([
        { topic: 't', partition: 0, startOffset: '5' },
        { topic: 't', partition: 1, startOffset: '2' },
      ]);
      await next.handler!(batch(1, 2, [3_000]));
      b = await reader.poll(100, 0);
      expect(b.elements.map((e) => e.timestamp)).toEqual([3_000]);
      expect(b.watermark).toBe(3_000);
      expect((reader.position!() as KafkaSourcePosition).partitions).toEqual([
        { topic: 't', partition: 0, offset: '5' },
        { topic: 't', partition: 1, offset: '3' },
      ]);
    } finally {
      await reader.close();
    }
  });

  it('with the broker up, caught-up partitions do become idle (the contrast)', async () => {
    const cluster = new FakeCluster();
    const clock = new VirtualClock(0);
    const { reader } = await open(cluster, clock);
    try {
      await cluster.last.handler!(batch(0, 0, [1_000, 2_000, 3_000, 4_000, 5_000]));
      await cluster.last.handler!(batch(1, 0, [1_000, 2_000]));
      expect((await reader.poll(100, 0)).watermark).toBe(2_000);
      clock.advanceBy(10_000);
      expect((await reader.poll(100, 0)).watermark).toBe(5_000);
    } finally {
      await reader.close();
    }
  });
});
