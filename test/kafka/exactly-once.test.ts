import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CheckpointRecoveryError } from '../../sdk/errors.js';
import { KafkaClientError, type KafkaAdmin, type KafkaClientFactory, type PreparedKafkaTransaction } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { createPlatformaticClientFactory } from '../../transforms/io/kafka/platformatic-client.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { readTopic, topicValues } from './read-topic.js';

/**
 * The Kafka transaction coordinator behaviour exactly-once KafkaIO.write relies on (design
 * docs/design/checkpoints.md §g and "Risks"), checked against the broker we ship (Kafka 3.9):
 * a prepared transaction is committed from another producer object with its stored producer id and
 * epoch (EndTxn without InitProducerId); a retried commit answers NONE; a transaction the coordinator
 * aborted (timeout) or a producer with the same id fenced cannot be committed, and says so with a
 * CheckpointRecoveryError naming the step, the checkpoint and the transaction timeout.
 */

const PARTITIONS = 3;
const range = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

kafkaDescribe('prepared Kafka transactions (wire producer, Kafka 3.9 coordinator)', (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  /** Its fetchTopicOffsets answers with the last stable offset (read_committed ListOffsets). */
  let lsoAdmin: KafkaAdmin;
  const topics: string[] = [];
  const producers: WireProducer[] = [];
  const newTopic = async (): Promise<string> => {
    const topic = `watershed-eos-${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    return topic;
  };
  const producer = async (transactionalId: string, transactionTimeoutMs?: number): Promise<WireProducer> => {
    const p = new WireProducer({ brokers: env.brokers, transactionalId, ...(transactionTimeoutMs !== undefined ? { transactionTimeoutMs } : {}) });
    producers.push(p);
    await p.connect();
    return p;
  };
  /** Writes `values` in a transaction and leaves it prepared; the producer object is then dropped (as in a crash). */
  const prepared = async (id: string, topic: string, values: readonly string[], transactionTimeoutMs?: number): Promise<PreparedKafkaTransaction> => {
    const p = await producer(id, transactionTimeoutMs);
    p.beginTransaction();
    await p.send(topic, values.map((value, i) => ({ key: `k${i % 5}`, value })));
    const handle = await p.prepareTransaction();
    expect(handle).toBeDefined();
    await p.disconnect(); // does not end the transaction
    return handle!;
  };
  const lso = async (topic: string): Promise<number> => (await lsoAdmin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
  const commit = (handle: PreparedKafkaTransaction) =>
    WireProducer.commitPrepared(handle, { brokers: env.brokers, step: 'WriteOut', checkpoint: 'checkpoints/ck-000000000007', transactionTimeoutMs: 1234 });

  beforeAll(async () => {
    kafka = createKafkajsClientFactory({ brokers: env.brokers, logLevel: 'error' });
    admin = kafka.admin();
    await admin.connect();
    lsoAdmin = createPlatformaticClientFactory({ brokers: env.brokers }).admin();
    await lsoAdmin.connect();
  });

  afterAll(async () => {
    for (const p of producers) await p.disconnect().catch(() => undefined);
    await lsoAdmin?.disconnect();
    if (!admin) return;
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  it('a prepared transaction stays invisible to read_committed readers until commitPrepared commits it from another producer object', async () => {
    const topic = await newTopic();
    const values = range('prepared', 120);
    const handle = await prepared(`eos-${randomUUID()}`, topic, values);
    expect(handle).toMatchObject({ producerId: expect.stringMatching(/^\d+$/), producerEpoch: expect.any(Number) });
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle); // plain JSON: a checkpoint can hold it
    expect(await lso(topic)).toBe(0); // open: read_committed readers stop before it
    expect(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 0 })).toEqual([]);
    expect(topicValues(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 120, readUncommitted: true }))).toEqual([...values].sort());
    await commit(handle);
    expect(topicValues(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 120 }))).toEqual([...values].sort());
  });

  it('a commit retried after it succeeded answers NONE: commitPrepared twice commits once', async () => {
    const topic = await newTopic();
    const values = range('twice', 40);
    const handle = await prepared(`eos-${randomUUID()}`, topic, values);
    await commit(handle);
    await commit(handle);
    expect(topicValues(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 40 }))).toEqual([...values].sort());
  });

  it('a prepared transaction committed by its own producer: commitPrepared afterwards answers NONE as well', async () => {
    const topic = await newTopic();
    const p = await producer(`eos-${randomUUID()}`);
    p.beginTransaction();
    await p.send(topic, [{ key: 'a', value: 'own' }]);
    const handle = (await p.prepareTransaction())!;
    await expect(p.send(topic, [{ value: 'late' }])).rejects.toMatchObject({ code: 'INVALID_TXN_STATE' }); // prepared: no more sends
    await p.commitTransaction();
    await commit(handle);
    expect(topicValues(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 1 }))).toEqual(['own']);
  });

  it('an empty transaction prepares to nothing, and the producer can begin the next one at once', async () => {
    const p = await producer(`eos-${randomUUID()}`);
    p.beginTransaction();
    expect(await p.prepareTransaction()).toBeUndefined();
    p.beginTransaction();
    await p.abortTransaction();
  });

  it('fenced: a new producer with the same id aborts the prepared transaction; commitPrepared fails with CheckpointRecoveryError naming step, checkpoint and timeout', async () => {
    const topic = await newTopic();
    const id = `eos-${randomUUID()}`;
    const handle = await prepared(id, topic, range('fenced', 30));
    await producer(id); // InitProducerId: aborts the open transaction, bumps the epoch
    const error = await commit(handle).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointRecoveryError);
    const e = error as CheckpointRecoveryError;
    expect(e.step).toBe('WriteOut');
    expect(e.checkpoint).toBe('checkpoints/ck-000000000007');
    expect(e.message).toMatch(/transactionTimeoutMs = 1234 ms/);
    expect(e.message).toContain(id);
    expect(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']).toContain((e.cause as KafkaClientError).code);
    expect(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 0 })).toEqual([]);
  });

  it('expired: the coordinator aborts a prepared transaction open longer than transactionTimeoutMs; commitPrepared then fails with CheckpointRecoveryError', async () => {
    const topic = await newTopic();
    const handle = await prepared(`eos-${randomUUID()}`, topic, range('expired', 30), 1000);
    // The coordinator looks for timed-out transactions every 10 s (broker default); its abort marker moves the LSO.
    const deadline = Date.now() + 40_000;
    while ((await lso(topic)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await lso(topic), 'the coordinator aborted the transaction').toBeGreaterThan(0);
    const error = await commit(handle).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointRecoveryError);
    expect((error as Error).message).toMatch(/stayed open longer than transactionTimeoutMs = 1234 ms/);
    expect(await readTopic(kafka, topic, { partitions: PARTITIONS, count: 0 })).toEqual([]);
  }, 60_000);

  it('an unknown transactional id (never used, or expired) fails with CheckpointRecoveryError too', async () => {
    const error = await commit({ transactionalId: `eos-never-${randomUUID()}`, producerId: '999999', producerEpoch: 0 }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointRecoveryError);
  });

  it('a handle that is not one (damaged checkpoint entry) is refused before any I/O', async () => {
    await expect(commit({ transactionalId: 'x', producerId: '-1', producerEpoch: 0 })).rejects.toThrow(TypeError);
  });
});
