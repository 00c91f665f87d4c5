/**
 * scripts/kafka-start.sh restarts on the data it already has (issue #12, point 6): a broker that
 * crashed (kill -9) comes back with its topics and records; only --fresh / KAFKA_FRESH=1 wipes them.
 * Runs its own broker (./private-broker.ts), never the shared one.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { PrivateBroker, privateBrokerSkipReason } from './private-broker.js';

const skip = privateBrokerSkipReason();

/** Every record value of `topic`, read from the earliest offsets (sorted). */
async function readAll(brokers: string, topic: string, expected: number): Promise<string[]> {
  const kafka = createKafkajsClientFactory({ brokers, logLevel: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const consumer = kafka.consumer();
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.assign(offsets.map((o) => ({ topic, partition: o.partition, startOffset: 'earliest' })));
    await consumer.run(async (batch) => {
      for (const m of batch.messages) values.push(m.value?.toString() ?? '');
    });
    const deadline = Date.now() + 30_000;
    while (values.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await consumer.disconnect();
  }
  return values.sort();
}

describe.skipIf(skip !== null)(`scripts/kafka-start.sh on existing data${skip ? ` [SKIPPED: ${skip}]` : ''}`, () => {
  const brokers: PrivateBroker[] = [];
  afterAll(() => {
    for (const b of brokers) b.dispose();
  });
  const newBroker = async (name: string): Promise<PrivateBroker> => {
    const b = await PrivateBroker.create(name);
    brokers.push(b);
    return b;
  };

  it('keeps records whose timestamps (event times) are years old: no deletion by age at the retention check', async () => {
    const broker = await newBroker('retention');
    // Retention checks every 500 ms, the first 30 s after the broker starts (Kafka's initial delay): with the
    // former log.retention.hours=24 the records below were gone at that first check.
    const address = await broker.start({ env: { KAFKA_RETENTION_CHECK_MS: '500' } });
    const startedAt = Date.now();
    const topic = `watershed-old-${randomUUID()}`;
    const kafka = createKafkajsClientFactory({ brokers: address, logLevel: 'nothing' });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics([{ topic, partitions: 1 }]);
      const producer = kafka.producer();
      await producer.connect();
      const eventTime = Date.UTC(2023, 10, 14); // an old capture replayed: the record timestamp is its event time
      await producer.send(topic, Array.from({ length: 20 }, (_, i) => ({ value: `old-${i}`, partition: 0, timestamp: eventTime + i })));
      await producer.disconnect();
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt + 36_000 - Date.now()))); // past the first retention checks
      expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, low: '0', high: '20' }]);
    } finally {
      await admin.disconnect();
    }
    expect(await readAll(address, topic, 20)).toHaveLength(20);
  }, 180_000);

  it('after kill -9, a plain start restarts on the data (same cluster id, topic and records there); --fresh wipes them', async () => {
    const broker = await newBroker('restart');
    const address = await broker.start();
    const clusterIdFile = join(broker.stateDir, 'cluster.id');
    const clusterId = readFileSync(clusterIdFile, 'utf8').trim();
    expect(clusterId).not.toBe('');

    const topic = `watershed-restart-${randomUUID()}`;
    const sent = Array.from({ length: 60 }, (_, i) => `record-${String(i).padStart(3, '0')}`);
    const kafka = createKafkajsClientFactory({ brokers: address, logLevel: 'nothing' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics([{ topic, partitions: 3 }]);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topic, sent.map((value) => ({ value })));
    await producer.disconnect();

    await broker.kill9();
    expect(existsSync(join(broker.stateDir, 'broker.pid'))).toBe(true); // left behind by the crash

    const restart = await broker.run();
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.brokers).toBe(address);
    expect(restart.stderr).toContain('removing stale pid file');
    expect(restart.stderr).toContain('restarting on the existing data');
    expect(readFileSync(clusterIdFile, 'utf8').trim()).toBe(clusterId);
    expect(existsSync(join(broker.stateDir, 'broker.log.1'))).toBe(true); // the crashed broker's log is kept
    expect(await readAll(address, topic, sent.length)).toEqual(sent);

    await broker.kill9();
    await broker.start({ fresh: true });
    const after = kafka.admin();
    await after.connect();
    try {
      expect(await after.listTopics()).not.toContain(topic);
    } finally {
      await after.disconnect();
    }
    expect(readFileSync(clusterIdFile, 'utf8').trim()).not.toBe(clusterId);
  }, 300_000);

  it('refuses a data dir that holds files but no meta.properties, and leaves the files alone', async () => {
    const broker = await newBroker('refuse');
    mkdirSync(join(broker.stateDir, 'data'), { recursive: true });
    writeFileSync(join(broker.stateDir, 'data', 'precious.txt'), 'keep me');
    const outcome = await broker.run();
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('not a formatted Kafka log dir');
    expect(outcome.stderr).toContain('--fresh');
    expect(readFileSync(join(broker.stateDir, 'data', 'precious.txt'), 'utf8')).toBe('keep me');
    expect(broker.pid()).toBeNull();
  }, 60_000);

  it('rejects an unknown argument or KAFKA_FRESH value, naming what is accepted', async () => {
    const broker = await newBroker('flags');
    const misspelt = await broker.run(['--frsh']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toContain("unknown argument '--frsh' (known: --fresh, --help)");
    const badEnv = await broker.run([], { KAFKA_FRESH: 'yes' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain("KAFKA_FRESH must be 1 or 0, got 'yes'");
  }, 60_000);
});
