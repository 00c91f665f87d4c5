import { describe, expect, it } from 'vitest';
import { KafkaSource } from '../../../../transforms/io/kafka/index.js';
import { inMemoryKafka } from '../../../support/in-memory-kafka.js';
import { progressOf } from '../../../support/source-reads.js';

describe('KafkaSource reports how much a bounded read has read', () => {
  it('bounded: offsets handed out of those up to the end offsets; a followed one: unknown', async () => {
    const rec = (t: number) => ({ value: JSON.stringify({ t }), timestamp: t });
    const client = inMemoryKafka({ flows: [[rec(1), rec(2), rec(3)], [rec(4)]] });
    const options = { client, brokers: 'in-memory:0', topics: 'flows', startAt: 'earliest' as const, timestamp: 'record-timestamp' as const };
    const bounded = await progressOf(new KafkaSource({ ...options, bounded: true }, (v) => v), 1);
    expect(bounded[0]).toEqual({ done: 0, total: 4 });
    expect(bounded.at(-1)).toEqual({ done: 4, total: 4 });
    const dones = bounded.map((p) => p!.done);
    expect([...dones].sort((a, b) => a - b)).toEqual(dones);
    const followed = await progressOf(new KafkaSource({ ...options, bounded: false }, (v) => v), 1, 3);
    expect(followed.every((p) => p === undefined)).toBe(true);
  });
});
