import { afterEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../../../sdk/clock.js';
import type { KafkaBatch } from '../../../../transforms/io/kafka/client.js';
import { KafkaSource, type KafkaSourcePosition } from '../../../../transforms/io/kafka/kafka-source.js';
import { FakeCluster } from './fake-kafka.js';

const batch = (partition: number, first: number, timestamps: number[]): KafkaBatch => ({
  topic: 't',
  partition,
  highWatermark: String(first + timestamps.length),
  messages: timestamps.map((ts, i) => ({ topic: 't', partition, offset: String(first + i), timestamp: ts, key: null, value: Buffer.from(JSON.stringify({ ts })), headers: {} })),
});

const source = (cluster: FakeCluster, bounded = false): KafkaSource<unknown, unknown> =>
  new KafkaSource<unknown, unknown>({ brokers: 'fake:1', client: cluster, topics: 't', startAt: 'latest', bounded, logLevel: 'nothing', watermark: { maxOutOfOrderness: 0 } }, (v) => v);

describe('KafkaIO.read resumed from a position (fake client)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('assigns the checkpointed offsets; a partition not in the position starts at startAt; offsets deleted by retention are skipped with a warning', async () => {
    const cluster = new FakeCluster();
    cluster.topics.set('t', [
      { partition: 0, low: '10', high: '50' }, // retention deleted offsets 4..9 since the checkpoint
      { partition: 1, low: '0', high: '30' },
      { partition: 2, low: '0', high: '7' }, // added after the checkpoint
    ]);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const at: KafkaSourcePosition = {
      partitions: [
        { topic: 't', partition: 0, offset: '4' },
        { topic: 't', partition: 1, offset: '12' },
      ],
      splits: { 't/0': 5_000, 't/1': 9_000 },
    };
    const reader = await source(cluster).open({ step: 'Read', clock: new VirtualClock(0), signal: new AbortController().signal, resumeFrom: at });
    try {
      expect(cluster.last.assigned).toEqual([
        { topic: 't', partition: 0, startOffset: '10' },
        { topic: 't', partition: 1, startOffset: '12' },
        { topic: 't', partition: 2, startOffset: '7' },
      ]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringContaining('offsets 4..9 of t/0 were deleted by retention')]);
      expect(reader.position!()).toEqual({
        partitions: [
          { topic: 't', partition: 0, offset: '10' },
          { topic: 't', partition: 1, offset: '12' },
          { topic: 't', partition: 2, offset: '7' },
        ],
        splits: { 't/0': 5_000, 't/1': 9_000 },
      });
      // The restored maxima hold the watermark where the interrupted read had it (partition 2's first two
      // records confirm each other: one alone is held by the forward-jump guard).
      await cluster.last.handler!(batch(2, 7, [20_000, 20_001]));
      const b = await reader.poll(10, 0);
      expect(b.watermark).toBe(5_000);
    } finally {
      await reader.close();
    }
  });

  it('stopAt holds each partition at its offset; other partitions go on; lifting releases the rest', async () => {
    const cluster = new FakeCluster();
    cluster.topics.set('t', [
      { partition: 0, low: '0', high: '0' },
      { partition: 1, low: '0', high: '0' },
    ]);
    const reader = await source(cluster).open({ step: 'Read', clock: new VirtualClock(0), signal: new AbortController().signal });
    try {
      reader.stopAt!({ partitions: [{ topic: 't', partition: 0, offset: '2' }, { topic: 't', partition: 1, offset: '3' }], splits: {} });
      await cluster.last.handler!(batch(0, 0, [1, 2, 3, 4]));
      await cluster.last.handler!(batch(1, 0, [10, 20, 30, 40]));
      const b = await reader.poll(100, 0);
      expect(b.elements.map((e) => e.timestamp)).toEqual([1, 2, 10, 20, 30]);
      expect((await reader.poll(100, 0)).elements).toEqual([]);
      expect((reader.position!() as KafkaSourcePosition).partitions.map((p) => p.offset)).toEqual(['2', '3']);
      reader.stopAt!(undefined);
      expect((await reader.poll(100, 0)).elements.map((e) => e.timestamp)).toEqual([3, 4, 40]);
    } finally {
      await reader.close();
    }
  });
});
