import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import '../../runners/index.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { KafkaIO, type KafkaAdmin, type KafkaClientFactory } from '../../transforms/io/kafka/index.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { ParDo } from '../../transforms/par-do.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { readTopic, topicValues } from './read-topic.js';

/**
 * Reading topics written in transactions (the output of exactly-once KafkaIO.write) with each client:
 * read_committed never hands out aborted records, also when one producer aborted several
 * transactions (a sink fenced after each of two crashes), and a bounded KafkaIO.read ends although
 * the last offset before its end is a transaction marker, which is never delivered.
 */

for (const via of KAFKA_CLIENTS) kafkaDescribe(`reading transactional topics (${via.label} client)`, (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  const topics: string[] = [];

  /** One partition: committed a0-a1, aborted b0-b2, aborted c0 (same producer), committed d0, then fenced e0, committed f0-f1. */
  const writeMixed = async (): Promise<string> => {
    const topic = `watershed-read-committed-${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: 1 }]);
    const id = `read-committed-${randomUUID()}`;
    const p = new WireProducer({ brokers: env.brokers, transactionalId: id });
    await p.connect();
    const txn = async (values: string[], end: 'commit' | 'abort'): Promise<void> => {
      p.beginTransaction();
      await p.send(topic, values.map((value) => ({ value: JSON.stringify(value) })));
      await (end === 'commit' ? p.commitTransaction() : p.abortTransaction());
    };
    await txn(['a0', 'a1'], 'commit');
    await txn(['b0', 'b1', 'b2'], 'abort');
    await txn(['c0'], 'abort');
    await txn(['d0'], 'commit');
    p.beginTransaction();
    await p.send(topic, [{ value: JSON.stringify('e0') }]);
    await p.disconnect(); // left open: the next producer with the id aborts it
    const q = new WireProducer({ brokers: env.brokers, transactionalId: id });
    await q.connect();
    q.beginTransaction();
    await q.send(topic, ['f0', 'f1'].map((v) => ({ value: JSON.stringify(v) })));
    await q.commitTransaction();
    await q.disconnect();
    return topic;
  };
  const committed = ['"a0"', '"a1"', '"d0"', '"f0"', '"f1"'];

  beforeAll(async () => {
    kafka = via.factory(env.brokers, 'error');
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  it('a read_committed consumer sees only committed records, none of several aborted transactions of one producer', async () => {
    const topic = await writeMixed();
    expect(topicValues(await readTopic(kafka, topic, { partitions: 1, count: committed.length, graceMs: 1000 }))).toEqual(committed);
  });

  /**
   * The layout a SIGKILL crash chain left (found by the crash harness, seen in the broker's log with
   * DumpLogSegments): producer X's open transaction interleaved with producer Y's, Y committing in
   * between; then both fenced by new producers with their ids (the restarted run), which writes ABORT
   * markers for both open transactions. Committed: y0, y1 only.
   */
  const writeInterleavedFenced = async (): Promise<string> => {
    const topic = `watershed-read-committed-${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: 1 }]);
    const [idX, idY] = [`x-${randomUUID()}`, `y-${randomUUID()}`];
    const x = new WireProducer({ brokers: env.brokers, transactionalId: idX });
    const y = new WireProducer({ brokers: env.brokers, transactionalId: idY });
    await x.connect();
    await y.connect();
    const send = (p: WireProducer, v: string) => p.send(topic, [{ value: JSON.stringify(v) }]);
    x.beginTransaction();
    await send(x, 'x0');
    await send(x, 'x1');
    await x.commitTransaction(); // committed before: x0, x1
    y.beginTransaction();
    await send(y, 'y0');
    x.beginTransaction();
    await send(x, 'x2');
    await send(y, 'y1');
    await send(x, 'x3');
    await y.commitTransaction(); // y0, y1 committed while x's transaction is open
    await send(x, 'x4');
    y.beginTransaction();
    await send(y, 'y2');
    await x.disconnect();
    await y.disconnect();
    for (const id of [idY, idX]) {
      const fence = new WireProducer({ brokers: env.brokers, transactionalId: id });
      await fence.connect(); // aborts the open transaction of the id (y2; x2-x4)
      await fence.disconnect();
    }
    return topic;
  };

  // kafkajs 2.2.4 hands out x2-x4 (a known limitation, README "Kafka"): `it.fails` keeps that documented and
  // turns red once a kafkajs release filters them; the default client (@platformatic/kafka) must not.
  (via.client === 'kafkajs' ? it.fails : it)('a transaction aborted by fencing, interleaved with another producer committing in between, stays invisible', async () => {
    const topic = await writeInterleavedFenced();
    expect(topicValues(await readTopic(kafka, topic, { partitions: 1, count: 4, graceMs: 1000 }))).toEqual(['"x0"', '"x1"', '"y0"', '"y1"']);
  });

  it(`KafkaIO.read warns once per step if it reads through kafkajs, never through the default client (here: ${via.label})`, async () => {
    const topic = await writeMixed();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (let run = 0; run < 2; run++) {
        const p = Pipeline.create({ runner: 'native' });
        p.apply('WarnRead', KafkaIO.read<string>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true }))
          .apply('Drop', ParDo<string, never>({ process: () => undefined }));
        expect((await p.run()).state).toBe('DONE');
      }
      const lines = warn.mock.calls.map((c) => String(c[0])).filter((l) => /read_committed filter/.test(l));
      expect(lines).toEqual(via.client === 'kafkajs' ? [expect.stringMatching(/^\[watershed\] WarnRead: reading through kafkajs/)] : []);
    } finally {
      warn.mockRestore();
    }
  });

  it('a bounded KafkaIO.read of a topic ending in a commit marker finishes, with exactly the committed records', async () => {
    const topic = await writeMixed();
    const got: string[] = [];
    const p = Pipeline.create({ runner: 'native' });
    p.apply('In', KafkaIO.read<string>({ brokers: env.brokers, client: via.client, topics: topic, startAt: 'earliest', bounded: true, logLevel: 'nothing' }))
      .apply('Collect', ParDo<string, never>({ process: (v) => void got.push(JSON.stringify(v)) }));
    const result = await p.run();
    expect(result.state).toBe('DONE');
    expect(got.sort()).toEqual(committed);
  });
});
