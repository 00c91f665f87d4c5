import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VirtualClock } from '../../sdk/clock.js';
import type { SourceReader } from '../../sdk/io/source.js';
import { KafkaSource, type KafkaAdmin, type KafkaClientFactory, type KafkaSourceOptions, type KafkaSourcePosition } from '../../transforms/io/kafka/index.js';
import { drain, emptyObserved, observe, openSource, takeThroughPump, throughCheckpoint, type Observed } from '../support/source-reads.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { kafkaDescribe } from './kafka-test-env.js';

const BASE = 1_700_000_000_000;
const PARTITIONS = 3;
const PER_PARTITION = 400;

interface Rec {
  p: number;
  i: number;
}

/** Per partition, the record numbers in the order they were read: a gap or a duplicate shows. */
function byPartition(o: Observed): number[][] {
  const out: number[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const [v] of o.elements) out[(v as Rec).p]!.push((v as Rec).i);
  return out;
}

/** Polls until `n` elements arrived (an unbounded read never says done). */
async function pollUntil(reader: SourceReader<unknown>, n: number, into: Observed = emptyObserved()): Promise<Observed> {
  const deadline = Date.now() + 30_000;
  while (into.elements.length < n && Date.now() < deadline) observe(into, await reader.poll(50, 100));
  return into;
}

for (const via of KAFKA_CLIENTS) kafkaDescribe(`KafkaIO.read positions and resume on a real broker (${via.label} client)`, (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  const topics: string[] = [];
  let topic: string;

  const produce = async (t: string, from: number, count: number): Promise<void> => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let p = 0; p < PARTITIONS; p++) {
        const msgs = Array.from({ length: count }, (_, k) => ({ partition: p, value: JSON.stringify({ p, i: from + k }), timestamp: BASE + (from + k) * 10 + p }));
        await producer.send(t, msgs);
      }
    } finally {
      await producer.disconnect();
    }
  };

  beforeAll(async () => {
    kafka = via.factory(env.brokers, 'error');
    admin = kafka.admin();
    await admin.connect();
    topic = `watershed-positions-${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    await produce(topic, 0, PER_PARTITION);
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  const source = (t: string, o: Partial<KafkaSourceOptions<unknown>> = {}): KafkaSource<unknown, unknown> =>
    new KafkaSource<unknown, unknown>({ brokers: env.brokers, client: via.client, topics: t, startAt: 'earliest', bounded: true, bufferSize: 5_000, logLevel: 'nothing', ...o }, (v) => v);

  it('a bounded read resumed from the position of the batches taken through a read-ahead pump reads exactly the rest, per partition', async () => {
    const whole = await drain(await openSource(source(topic)), 50);
    const expected = Array.from({ length: PARTITIONS }, () => Array.from({ length: PER_PARTITION }, (_, i) => i));
    expect(byPartition(whole)).toEqual(expected);
    for (const take of [0, 3, 11]) {
      const { taken, position, readerPosition, takenAll } = await takeThroughPump(source(topic), take, 50);
      expect(takenAll).toBe(false);
      expect(readerPosition).not.toEqual(position); // the reader had fetched ahead of what the pump handed over
      const p = position as KafkaSourcePosition;
      expect(p.partitions.map((x) => x.end)).toEqual(['400', '400', '400']);
      const rest = await drain(await openSource(source(topic), position), 50);
      const got = byPartition(taken).map((xs, i) => [...xs, ...byPartition(rest)[i]!]);
      expect(got).toEqual(expected);
    }
  });

  it('a resumed bounded read ends where the interrupted one would have, and restores the event-time maximum per partition', async () => {
    const t = `watershed-positions-grow-${randomUUID()}`;
    topics.push(t);
    await admin.createTopics([{ topic: t, partitions: PARTITIONS }]);
    await produce(t, 0, 100);
    const { taken, position } = await takeThroughPump(source(t, { watermark: { maxOutOfOrderness: 0 } }), 2, 40);
    const p = position as KafkaSourcePosition;
    const seen = byPartition(taken);
    for (let i = 0; i < PARTITIONS; i++) {
      if (seen[i]!.length > 0) expect(p.splits[`${t}/${i}`]).toBe(BASE + Math.max(...seen[i]!) * 10 + i);
    }
    await produce(t, 100, 50); // written after the interrupted read started: beyond its end
    const reader = await openSource(source(t, { watermark: { maxOutOfOrderness: 0 } }), position);
    expect((reader.position!() as KafkaSourcePosition).splits).toEqual(p.splits);
    const rest = await drain(reader, 40);
    expect(byPartition(taken).map((xs, i) => [...xs, ...byPartition(rest)[i]!])).toEqual(Array.from({ length: PARTITIONS }, () => Array.from({ length: 100 }, (_, i) => i)));
  });

  it('an unbounded read resumes from the offsets per partition; stopAt holds a reader at a position until lifted', async () => {
    const unbounded = (): KafkaSource<unknown, unknown> => source(topic, { bounded: false });
    const first = await openSource(unbounded(), undefined, new VirtualClock(0));
    const part = await pollUntil(first, 500);
    const at = throughCheckpoint(first.position!()) as KafkaSourcePosition;
    await first.close();
    expect(at.partitions.every((x) => x.end === undefined)).toBe(true);
    const second = await openSource(unbounded(), at);
    const rest = await pollUntil(second, PARTITIONS * PER_PARTITION - part.elements.length);
    await second.close();
    const all = byPartition(part).map((xs, i) => [...xs, ...byPartition(rest)[i]!]);
    expect(all).toEqual(Array.from({ length: PARTITIONS }, () => Array.from({ length: PER_PARTITION }, (_, i) => i)));

    const held = await openSource(unbounded());
    held.stopAt!(at);
    const upTo = await pollUntil(held, part.elements.length);
    for (let k = 0; k < 5; k++) observe(upTo, await held.poll(50, 50));
    expect(byPartition(upTo)).toEqual(byPartition(part));
    expect(held.position!()).toEqual(at);
    held.stopAt!(undefined);
    await pollUntil(held, PARTITIONS * PER_PARTITION, upTo);
    await held.close();
    expect(upTo.elements.length).toBe(PARTITIONS * PER_PARTITION);
  });

  it('checkpointComplete commits the position offsets to the consumer group, where startAt committed picks them up', async () => {
    const groupId = `watershed-positions-group-${randomUUID()}`;
    const reader = await openSource(source(topic, { bounded: false, groupId }));
    const part = await pollUntil(reader, 300);
    const at = throughCheckpoint(reader.position!()) as KafkaSourcePosition;
    await reader.checkpointComplete!(at);
    await reader.close();
    for (const t of [topic]) {
      const committed = await admin.fetchCommittedOffsets(groupId, t);
      expect(committed.sort((a, b) => a.partition - b.partition)).toEqual(at.partitions.map((x) => ({ partition: x.partition, offset: x.offset })));
    }
    const rest = await drain(await openSource(source(topic, { startAt: 'committed', groupId })), 50);
    expect(byPartition(part).map((xs, i) => [...xs, ...byPartition(rest)[i]!])).toEqual(Array.from({ length: PARTITIONS }, () => Array.from({ length: PER_PARTITION }, (_, i) => i)));
  });

  it('a position beyond a partition end (the topic was created again) fails clearly', async () => {
    const bad: KafkaSourcePosition = { partitions: [{ topic, partition: 0, offset: '999999' }], splits: {} };
    await expect(openSource(source(topic), bad)).rejects.toMatchObject({ name: 'SourcePositionError', problem: 'truncated' });
    await expect(openSource(source(topic), [{ topic, partition: 0, offset: '1' }])).rejects.toMatchObject({ problem: 'malformed' });
  });
});
