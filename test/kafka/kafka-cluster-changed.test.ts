/**
 * A Kafka read resumed from a checkpoint taken against another cluster (the broker was wiped and
 * formatted again, the input topic refilled to the same offsets) fails with KafkaClusterChangedError
 * naming the step and both cluster ids, instead of silently reading on at offsets of records that no
 * longer exist. Positions without a cluster id (older checkpoints) resume as before. The same for an
 * exactly-once KafkaIO.write fed from a file: its checkpointed transaction names the cluster, and a
 * resumed run on a wiped cluster fails before writing. Runs its own broker (./private-broker.ts),
 * wiped between the halves of each test: the shared one is never wiped.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { crashAt, writeLinesInput } from '../../capability-matrix/support/checkpoint-scenarios.js';
import { CheckpointError } from '../../sdk/errors.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { failpoints } from '../../sdk/testing/failpoints.js';
import { KafkaClusterChangedError, KafkaIO, KafkaSource, createKafkajsClientFactory, type KafkaSourcePosition } from '../../transforms/io/kafka/index.js';
import { TextFile } from '../../transforms/io/text-file.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { drain, openSource, throughCheckpoint } from '../support/source-reads.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { PrivateBroker, privateBrokerSkipReason } from './private-broker.js';

const skip = privateBrokerSkipReason();
const RECORDS = 30;

describe.skipIf(skip !== null)(`KafkaIO resumed against a wiped Kafka cluster${skip ? ` [SKIPPED: ${skip}]` : ''}`, () => {
  let broker: PrivateBroker;
  const topic = `watershed-cluster-${randomUUID()}`;

  /** The cluster id the broker reports now, through the default client's admin. */
  const clusterNow = async (client: (typeof KAFKA_CLIENTS)[number]): Promise<string | undefined> => {
    const admin = client.factory(broker.brokers, 'nothing').admin();
    await admin.connect();
    try {
      return await admin.clusterId();
    } finally {
      await admin.disconnect();
    }
  };
  /** Creates `topic` (1 partition) and writes records 0..RECORDS-1: the same offsets on every cluster. */
  const fill = async (): Promise<void> => {
    const kafka = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: 1 }]);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topic, Array.from({ length: RECORDS }, (_, i) => ({ value: JSON.stringify({ i }), timestamp: 1_700_000_000_000 + i })));
    await producer.disconnect();
  };
  const source = (client: (typeof KAFKA_CLIENTS)[number]['client']): KafkaSource<unknown, unknown> =>
    new KafkaSource<unknown, unknown>({ brokers: broker.brokers, client, topics: topic, startAt: 'earliest', bounded: true, logLevel: 'nothing' }, (v) => v);

  beforeAll(async () => {
    broker = await PrivateBroker.create('cluster');
    await broker.start({ fresh: true });
  }, 180_000);
  afterAll(() => broker?.dispose());
  afterEach(() => failpoints.reset());

  /** Stops the broker and starts it formatted anew: a new cluster id, no topics. */
  const wipe = async (): Promise<void> => {
    broker.stop();
    await broker.start({ fresh: true });
  };

  it('records the cluster id in the position; after a wipe the resume fails naming the step and both ids, an old position without one resumes as before', async () => {
    await fill();
    const before = new Map<string, KafkaSourcePosition>();
    for (const via of KAFKA_CLIENTS) {
      const oldId = await clusterNow(via);
      expect(oldId).toMatch(/^\S+$/);
      const reader = await openSource(source(via.client));
      const read = await drain(reader, 10);
      expect(read.elements).toHaveLength(RECORDS);
      const at = throughCheckpoint(reader.position!()) as KafkaSourcePosition;
      expect(at.cluster).toBe(oldId);
      before.set(via.label, at);
      // The same cluster: the checkpoint resumes (at its end, nothing left to read).
      expect((await drain(await openSource(source(via.client), at), 10)).elements).toEqual([]);
    }
    const oldId = before.get(KAFKA_CLIENTS[0]!.label)!.cluster!;

    await wipe();
    await fill(); // the topic refilled to the same offsets
    for (const via of KAFKA_CLIENTS) {
      const newId = await clusterNow(via);
      expect(newId).toMatch(/^\S+$/);
      expect(newId).not.toBe(oldId);
      const at = before.get(via.label)!;
      const resumed = openSource(source(via.client), at);
      await expect(resumed).rejects.toBeInstanceOf(KafkaClusterChangedError);
      await expect(resumed).rejects.toBeInstanceOf(CheckpointError);
      await expect(resumed).rejects.toMatchObject({ step: 'Read', checkpointCluster: oldId, brokerCluster: newId, code: 'KAFKA_CLUSTER_CHANGED' });
      await expect(resumed).rejects.toThrow(new RegExp(`step 'Read'.*cluster ${oldId}.*${broker.brokers} belong to cluster ${newId}.*offsets of '${topic}'.*--checkpointDir`));

      const { cluster: _, ...old } = at; // a checkpoint of a version that did not record the cluster
      const compat = await drain(await openSource(source(via.client), old), 10);
      expect(compat.elements).toEqual([]); // resumes at its offsets, as before: nothing checked
    }
  }, 300_000);

  // file → exactly-once Kafka: a crash with the checkpoint's transaction prepared (commitPrepared on resume),
  // and one after it committed (the resumed run's producers connect to another cluster).
  describe.each([
    { label: 'native', options: { runner: 'native', bundleSize: 40, bufferSize: 40 } as Partial<PipelineOptions> },
    { label: 'microbatch', options: { runner: 'microbatch', batchInterval: 'asap', maxBatchSize: 40 } as Partial<PipelineOptions> },
  ])('exactly-once KafkaIO.write on $label', ({ options }) => {
    it.each([
      { name: 'checkpoint.written', at: 3 },
      { name: 'checkpoint.barrier', at: 4 },
    ])('crash at $name #$at, the cluster wiped: the resumed run fails with KafkaClusterChangedError naming the step and both ids, and writes nothing', async (crash) => {
      const dir = mkdtempSync(join(tmpdir(), 'watershed-kafka-cluster-'));
      const input = writeLinesInput(dir);
      const output = `watershed-cluster-out-${randomUUID()}`;
      const ck: Partial<PipelineOptions> = { ...options, checkpointDir: join(dir, 'ck'), checkpointInterval: 1, jobName: `cluster-${randomUUID()}` };
      const run = () => {
        const p = Pipeline.create(ck);
        p.apply('Lines', TextFile.lines(input)).apply('Out', KafkaIO.write<string>({ brokers: broker.brokers, topic: output, serializer: (v) => v, batchSize: 25, logLevel: 'nothing' }));
        return p.run();
      };
      const oldId = await clusterNow(KAFKA_CLIENTS[0]!);
      const setup = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' }).admin();
      await setup.connect();
      await setup.createTopics([{ topic: output, partitions: 1 }]); // not auto-created by the first send
      await setup.disconnect();
      await crashAt(crash, run);
      await wipe();
      const newId = await clusterNow(KAFKA_CLIENTS[0]!);
      expect(newId).not.toBe(oldId);
      const error = await run().then(() => null, (e: unknown) => e);
      const changed = error instanceof KafkaClusterChangedError ? error : (error as { cause?: unknown } | null)?.cause;
      expect(changed, String(error)).toBeInstanceOf(KafkaClusterChangedError);
      expect(changed).toMatchObject({ step: 'Out', checkpointCluster: oldId, brokerCluster: newId });
      expect(String((changed as Error).message)).toMatch(/--checkpointDir/);
      const admin = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' }).admin();
      await admin.connect();
      try {
        const topics = await admin.listTopics();
        if (topics.includes(output)) expect((await admin.fetchTopicOffsets(output)).every((o) => o.high === '0')).toBe(true);
      } finally {
        await admin.disconnect();
      }
    }, 180_000);
  });

  it('the cluster wiped during a transaction: the next send fails saying the broker lost the transaction state', async () => {
    const createTopic = async (): Promise<string> => {
      const t = `watershed-cluster-txn-${randomUUID()}`;
      const admin = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' }).admin();
      await admin.connect();
      await admin.createTopics([{ topic: t, partitions: 1 }]);
      await admin.disconnect();
      return t;
    };
    const before = await createTopic();
    const producer = new WireProducer({ brokers: broker.brokers, transactionalId: `watershed-cluster-txn-${randomUUID()}` });
    try {
      await producer.connect();
      producer.beginTransaction();
      await producer.send(before, [{ value: Buffer.from('a') }]);
      await wipe();
      const after = await createTopic();
      const error = await producer
        .send(after, [{ value: Buffer.from('b') }])
        .then(() => producer.prepareTransaction())
        .then(() => null, (e: unknown) => e);
      expect(String(error)).toMatch(/AddPartitionsToTxn\(.*\) failed: INVALID_PRODUCER_ID_MAPPING \(the broker lost the transaction state of this producer: the cluster was wiped or replaced/);
    } finally {
      await producer.disconnect();
    }
  }, 180_000);
});
