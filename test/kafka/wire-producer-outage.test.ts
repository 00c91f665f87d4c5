import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { KafkaUnavailableError } from '../../transforms/io/kafka/client.js';
import { BrokerConnection } from '../../transforms/io/kafka/wire/broker-connection.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { wireProducerWithSeams } from '../../transforms/io/kafka/wire/wire-producer-seams.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { kafkaTestTopics } from './kafka-test-topics.js';
import { readTopic, topicValues } from './read-topic.js';

/**
 * The wire producer's outage budget (issue #13, design §i) for transaction coordinator calls: a
 * coordinator that cannot be reached is waited for within `deliveryTimeoutMs`, not the much shorter
 * `requestTimeoutMs` that bounds the answers of a reachable one; after the budget the call fails
 * with a KafkaUnavailableError (code DELIVERY_TIMEOUT). The outage is made with the producer's
 * `openLeaderConnection` seam (the coordinator of a one-broker cluster is reached through it): its
 * connections are closed and new ones refused for a while.
 */
kafkaDescribe('WireProducer transaction calls while the coordinator cannot be reached', (env) => {
  const k = kafkaTestTopics(env);
  const newTopic = (): Promise<string> => k.newTopic('watershed-wire-outage', 3);

  /** A transactional producer whose leader/coordinator connections go down on `outage(ms)`: closed, and refused until `ms` passed. */
  const producer = (o: { requestTimeoutMs: number; deliveryTimeoutMs: number }) => {
    const open: BrokerConnection[] = [];
    let downUntil = 0;
    let refused = 0;
    const p = wireProducerWithSeams({
      brokers: env.brokers,
      transactionalId: `outage-${randomUUID()}`,
      ...o,
      openLeaderConnection: async (options) => {
        if (Date.now() < downUntil) {
          refused++;
          throw new KafkaUnavailableError(`connection refused (test outage)`, { brokers: [env.brokers] });
        }
        const c = await BrokerConnection.open(options);
        open.push(c);
        return c;
      },
    });
    const outage = (ms: number): void => {
      downUntil = Date.now() + ms;
      for (const c of open.splice(0)) c.close();
    };
    return { p, outage, refused: () => refused };
  };

  it('an unreachable coordinator for longer than requestTimeoutMs, within deliveryTimeoutMs: the commit waits for it and commits', async () => {
    const topic = await newTopic();
    const { p, outage, refused } = producer({ requestTimeoutMs: 1_000, deliveryTimeoutMs: 30_000 });
    await p.connect();
    try {
      p.beginTransaction();
      await p.send(topic, [{ key: 'a', value: 'one' }, { key: 'b', value: 'two' }]);
      outage(3_000);
      await p.commitTransaction();
      expect(refused()).toBeGreaterThan(1);
    } finally {
      await p.disconnect();
    }
    expect(topicValues(await readTopic(k.kafka, topic, { partitions: 3, count: 2 }))).toEqual(['one', 'two']);
  }, 60_000);

  it('records sent into a transaction during the outage (AddPartitionsToTxn waits too) commit with it', async () => {
    const topic = await newTopic();
    const { p, outage } = producer({ requestTimeoutMs: 1_000, deliveryTimeoutMs: 30_000 });
    await p.connect();
    try {
      p.beginTransaction();
      outage(2_500);
      await p.send(topic, [{ key: 'a', value: 'during' }]);
      await p.commitTransaction();
    } finally {
      await p.disconnect();
    }
    expect(topicValues(await readTopic(k.kafka, topic, { partitions: 3, count: 1 }))).toEqual(['during']);
  }, 60_000);

  it('an outage longer than deliveryTimeoutMs: the commit fails with KafkaUnavailableError DELIVERY_TIMEOUT naming the budget, and nothing is visible', async () => {
    const topic = await newTopic();
    const { p, outage } = producer({ requestTimeoutMs: 500, deliveryTimeoutMs: 2_000 });
    await p.connect();
    try {
      p.beginTransaction();
      await p.send(topic, [{ key: 'a', value: 'held' }]);
      outage(600_000);
      const error = await p.commitTransaction().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KafkaUnavailableError);
      expect(error).toMatchObject({ code: 'DELIVERY_TIMEOUT', retriable: true });
      expect((error as Error).message).toMatch(/^EndTxn\(commit\) failed: .*within the outage budget, deliveryTimeoutMs \(2000 ms/);
    } finally {
      await p.disconnect();
    }
    expect(await readTopic(k.kafka, topic, { partitions: 3, count: 0 })).toEqual([]);
  }, 60_000);
});
