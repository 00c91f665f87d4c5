import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { murmur2, partitionForKey } from '../../../../transforms/io/kafka/wire/murmur2.js';

describe('murmur2 (Kafka default partitioner)', () => {
  // Hash values the Java client computes for these keys (Kafka's own partitioner test vectors).
  const vectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, hash] of vectors) {
    it(`murmur2("${key}") = ${hash}, as in the Java client`, () => {
      expect(murmur2(Buffer.from(key))).toBe(hash);
    });
  }

  it('picks the same partition as kafkajs\' Java-compatible partitioner for 2,000 keys and 1..12 partitions', () => {
    const partitioner = kafkajs.Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2_000; i++) {
      const key = `key-${i}-${'é'.repeat(i % 3)}`;
      const partitions = 1 + (i % 12);
      const partitionMetadata = Array.from({ length: partitions }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      const theirs = partitioner({ topic: 't', partitionMetadata, message: { key, value: 'v' } });
      expect(partitionForKey(Buffer.from(key, 'utf8'), partitions)).toBe(theirs);
    }
  });
});
