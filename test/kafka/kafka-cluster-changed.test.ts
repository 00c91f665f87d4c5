/**
 * A Kafka read resumed from a checkpoint taken against another cluster (the broker was wiped and
 * formatted again, the input topic refilled to the same offsets) fails with KafkaClusterChangedError
 * naming the step and both cluster ids, instead of silently reading on at offsets of records that no
 * longer exist. Positions without a cluster id (older checkpoints) resume as before. Runs its own
 * broker (./private-broker.ts), wiped between the two halves: the shared one is never wiped.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../sdk/errors.js';
import { KafkaClusterChangedError, KafkaSource, createKafkajsClientFactory, type KafkaSourcePosition } from '../../transforms/io/kafka/index.js';
import { drain, openSource, throughCheckpoint } from '../support/source-reads.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { PrivateBroker, privateBrokerSkipReason } from './private-broker.js';

const skip = privateBrokerSkipReason();
const RECORDS = 30;

describe.skipIf(skip !== null)(`KafkaIO.read resumed against a wiped Kafka cluster${skip ? ` [SKIPPED: ${skip}]` : ''}`, () => {
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

    broker.stop();
    await broker.start({ fresh: true }); // wiped: a new cluster, the topic refilled to the same offsets
    await fill();
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
});
