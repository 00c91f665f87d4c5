import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KafkaClientError, type KafkaAdmin, type KafkaClientFactory, type KafkaMessage, type KafkaTransactionalProducerPort } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { platformaticContext } from '../../transforms/io/kafka/platformatic/context.js';
import { PlatformaticTransactionalProducer } from '../../transforms/io/kafka/platformatic/transactional-producer.js';
import { kafkaDescribe } from './kafka-test-env.js';

const PARTITIONS = 3;

/**
 * Reads `topic` from the beginning until `count` records arrived, then a little longer (records that
 * should not be there would show up then). `readUncommitted` reads aborted and open transactions too.
 */
async function readAll(kafka: KafkaClientFactory, topic: string, count: number, readUncommitted = false): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ readUncommitted, maxWaitTimeMs: 200 });
  const got: KafkaMessage[] = [];
  let failure: unknown = null;
  await consumer.connect();
  try {
    await consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, startOffset: 'earliest' as const })));
    await consumer.run(async (b) => void got.push(...b.messages), { onError: (e) => (failure = e) });
    const deadline = Date.now() + 30_000;
    while (got.length < count && failure === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 700));
  } finally {
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return got;
}

/** The committed offsets of `group` for `topic`, once `ready` holds for them (commit markers are written just after EndTxn answers), or as they are after 15 s. */
async function committedOffsetsOnce(admin: KafkaAdmin, group: string, topic: string, ready: (o: Array<{ partition: number; offset: string | null }>) => boolean) {
  let got = await admin.fetchCommittedOffsets(group, topic);
  for (const deadline = Date.now() + 15_000; !ready(got) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 100));
    got = await admin.fetchCommittedOffsets(group, topic);
  }
  return got;
}

const values = (ms: readonly KafkaMessage[]): string[] => ms.map((m) => m.value!.toString()).sort();
const range = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

for (const kind of ['wire', 'platformatic'] as const) kafkaDescribe(`transactions against a real broker (${kind} producer)`, (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  const topics: string[] = [];
  const producers: KafkaTransactionalProducerPort[] = [];
  const newTopic = async (): Promise<string> => {
    const topic = `watershed-txn-${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    return topic;
  };
  const producer = async (transactionalId: string, compression: 'none' | 'lz4' = 'lz4', requestTimeoutMs?: number): Promise<KafkaTransactionalProducerPort> => {
    const timeout = requestTimeoutMs !== undefined ? { requestTimeoutMs } : {};
    const p =
      kind === 'wire'
        ? new WireProducer({ brokers: env.brokers, transactionalId, compression, ...timeout })
        : new PlatformaticTransactionalProducer(platformaticContext({ brokers: env.brokers, ...timeout }), { compression }, transactionalId);
    producers.push(p);
    await p.connect();
    return p;
  };

  /** Aborts the open transaction, commits one record in the next, and checks that only it is visible. */
  const abortThenCommitOne = async (p: KafkaTransactionalProducerPort, topic: string, value: string): Promise<void> => {
    await p.abortTransaction();
    p.beginTransaction();
    await p.send(topic, [{ key: 'k', value }]);
    await p.commitTransaction();
    expect(values(await readAll(kafka, topic, 1))).toEqual([value]);
  };

  beforeAll(async () => {
    kafka = createKafkajsClientFactory({ brokers: env.brokers, logLevel: 'error' });
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const p of producers) await p.disconnect().catch(() => undefined);
    if (!admin) return;
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  it('a committed transaction: every record of send and sendBlock appears exactly once to a read_committed reader', async () => {
    const topic = await newTopic();
    const p = await producer(`txn-${randomUUID()}`);
    p.beginTransaction();
    const keyed = range('keyed', 300);
    const sends = [p.send(topic, keyed.map((v, i) => ({ key: `k${i % 7}`, value: v })))];
    const block = range('block', 200);
    const bytes = Buffer.from(block.join(''), 'utf8');
    const offsets = [0];
    for (const v of block) offsets.push(offsets[offsets.length - 1]! + Buffer.byteLength(v));
    sends.push(p.sendBlock(topic, { values: bytes, offsets }));
    await Promise.all(sends);
    await p.commitTransaction();
    const got = await readAll(kafka, topic, 500);
    expect(values(got)).toEqual([...keyed, ...block].sort());
  });

  it('an aborted transaction is invisible to read_committed readers (though written), and the next one commits', async () => {
    const topic = await newTopic();
    const p = await producer(`txn-${randomUUID()}`);
    p.beginTransaction();
    await p.send(topic, range('aborted', 100).map((value, i) => ({ key: `k${i % 5}`, value })));
    await p.abortTransaction();
    p.beginTransaction();
    await p.send(topic, range('kept', 50).map((value, i) => ({ key: `k${i % 5}`, value })));
    await p.commitTransaction();
    expect(values(await readAll(kafka, topic, 50))).toEqual(range('kept', 50).sort());
    expect(values(await readAll(kafka, topic, 150, true))).toEqual([...range('aborted', 100), ...range('kept', 50)].sort());
  });

  it('consumer offsets sent to a transaction become the group committed offsets only when it commits', async () => {
    const input = await newTopic();
    const output = await newTopic();
    const group = `watershed-txn-group-${randomUUID()}`;
    const p = await producer(`txn-${randomUUID()}`);
    p.beginTransaction();
    await p.send(output, [{ key: 'a', value: 'out-1' }]);
    await p.sendOffsetsToTransaction(group, [
      { topic: input, partition: 0, offset: '42' },
      { topic: input, partition: 2, offset: '7' },
    ]);
    const before = await admin.fetchCommittedOffsets(group, input);
    expect(before.every((o) => o.offset === null)).toBe(true);
    await p.commitTransaction();
    const after = await committedOffsetsOnce(admin, group, input, (o) => o[0]!.offset !== null);
    expect(after).toEqual([
      { partition: 0, offset: '42' },
      { partition: 1, offset: null },
      { partition: 2, offset: '7' },
    ]);
    expect(values(await readAll(kafka, output, 1))).toEqual(['out-1']);
  });

  it('an offsets call not awaited is still part of the commit, even in a transaction without records', async () => {
    const input = await newTopic();
    const group = `watershed-txn-group-${randomUUID()}`;
    const p = await producer(`txn-${randomUUID()}`);
    p.beginTransaction();
    void p.sendOffsetsToTransaction(group, [{ topic: input, partition: 1, offset: '5' }]);
    await p.commitTransaction();
    const got = await committedOffsetsOnce(admin, group, input, (o) => o[1]!.offset !== null);
    expect(got[1]).toEqual({ partition: 1, offset: '5' });
  });

  it('a failed offsets call fails the commit (records must not be committed without their offsets)', async () => {
    const output = await newTopic();
    const p = await producer(`txn-${randomUUID()}`, 'lz4', 1500);
    p.beginTransaction();
    await p.send(output, [{ key: 'k', value: 'needs-offsets' }]);
    const missing = `watershed-txn-missing-${randomUUID()}`;
    const offsets = p.sendOffsetsToTransaction(`watershed-txn-group-${randomUUID()}`, [{ topic: missing, partition: 0, offset: '1' }]);
    await expect(offsets).rejects.toBeInstanceOf(KafkaClientError);
    await expect(p.commitTransaction()).rejects.toThrow(/TxnOffsetCommit/);
    await p.abortTransaction();
    expect(await readAll(kafka, output, 0)).toEqual([]);
  });

  it('a second producer with the same transactional id fences the first: its open transaction is aborted and it cannot commit', async () => {
    const topic = await newTopic();
    const id = `txn-${randomUUID()}`;
    const first = await producer(id);
    first.beginTransaction();
    await first.send(topic, range('zombie', 20).map((value) => ({ key: 'z', value })));
    const second = await producer(id);
    const error = await first.commitTransaction().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaClientError);
    expect(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']).toContain((error as KafkaClientError).code);
    expect((error as Error).message).toMatch(/fenced/);
    second.beginTransaction();
    await second.send(topic, range('live', 10).map((value) => ({ key: 'z', value })));
    await second.commitTransaction();
    expect(values(await readAll(kafka, topic, 10))).toEqual(range('live', 10).sort());
  });

  it('a failed send fails the commit; abort starts a new epoch and the producer goes on', async () => {
    const topic = await newTopic();
    const p = await producer(`txn-${randomUUID()}`, 'none');
    p.beginTransaction();
    const ok = p.send(topic, [{ key: 'k', value: 'before' }]);
    const big = p.send(topic, [{ key: 'k', value: 'x'.repeat(2 * 1024 * 1024) }]).then(() => null, (e: unknown) => e);
    await ok;
    expect(((await big) as KafkaClientError).code).toBe('MESSAGE_TOO_LARGE');
    await expect(p.commitTransaction()).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
    await abortThenCommitOne(p, topic, 'after');
  });

  it('a send refused before it went out (no such partition) still fails the commit, and abort clears it', async () => {
    const topic = await newTopic();
    const p = await producer(`txn-${randomUUID()}`);
    p.beginTransaction();
    await p.send(topic, [{ key: 'k', value: 'kept-out' }]);
    await expect(p.send(topic, [{ value: 'nowhere', partition: PARTITIONS + 4 }])).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await expect(p.commitTransaction()).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    await abortThenCommitOne(p, topic, 'in');
  });

  it('refuses sends outside a transaction, nested or missing transactions, and transactions on a plain producer', async () => {
    const topic = await newTopic();
    const p = await producer(`txn-${randomUUID()}`);
    await expect(p.send(topic, [{ value: 'x' }])).rejects.toMatchObject({ code: 'INVALID_TXN_STATE' });
    await expect(p.commitTransaction()).rejects.toThrow(/no open transaction/);
    await expect(p.abortTransaction()).rejects.toThrow(/no open transaction/);
    p.beginTransaction();
    expect(() => p.beginTransaction()).toThrow(/already open/);
    await p.commitTransaction(); // an empty transaction commits without asking the coordinator
    const plain = new WireProducer({ brokers: env.brokers });
    producers.push(plain);
    await plain.connect();
    expect(() => plain.beginTransaction()).toThrow(/no transactionalId/);
  });
});
