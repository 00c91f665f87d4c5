import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateNetflow } from '../../pipelines/netflow/generator.js';
import { runNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import { formatNetflowSummary } from '../../pipelines/netflow/netflow-summary.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { createKafkajsClientFactory, type KafkaAdmin, type KafkaClientFactory } from '../../transforms/io/kafka/index.js';
import { RUNNERS } from '../support/runners.js';
import { kafkaDescribe } from './kafka-test-env.js';

/**
 * One record dated 2099 in a Kafka input: the read holds it from its partition's watermark (the
 * forward-jump guard, `--maxForwardJump`), and the summary says so, as it does for a file input.
 * Before, the Kafka read counted it but the summary and --statsOut left it out.
 */
kafkaDescribe('the Netflow summary of a Kafka input with one record dated far ahead', (env) => {
  let kafka: KafkaClientFactory;
  let admin: KafkaAdmin;
  const topics: string[] = [];
  const raw = [...generateNetflow({ seed: 5, count: 300, eventsPerSecond: 100, sourceIps: 10, ipv6Share: 0, malformedShare: 0 })].map((e) => e.raw);
  const outlier = raw.map((r, i) => (i === 50 ? r.replace(/"eventtime":[0-9.]+/, '"eventtime":4102444000.000') : r)); // 2099-12-31

  beforeAll(async () => {
    kafka = createKafkajsClientFactory({ brokers: env.brokers, logLevel: 'error' });
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  const topicOf = async (values: readonly string[]): Promise<string> => {
    const topic = `watershed-netflow-held-${randomUUID()}`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send(topic, values.map((value) => ({ value, partition: 0 })));
    await producer.disconnect();
    return topic;
  };

  for (const { label, options } of RUNNERS) {
    it(`${label}: the summary and --statsOut's JSON count the held record`, async () => {
      expect(outlier[50]).toContain('"eventtime":4102444000.000');
      const run = async (topic: string) =>
        runNetflowApp(Pipeline.create(options), { input: { kind: 'kafka', topic }, output: { kind: 'stdout-summary' }, job: {}, kafka: { brokers: env.brokers }, maxOutOfOrdernessMs: 1000 });
      const clean = await run(await topicOf(raw));
      expect(clean.heldFromWatermark).toBeUndefined();
      const s = await run(await topicOf(outlier));
      expect(s.heldFromWatermark?.held).toBe(1);
      expect(s.heldFromWatermark!.largestLead).toBeGreaterThan(70 * 365 * 86_400_000);
      expect(formatNetflowSummary(s)).toMatch(/1 record ahead of event time by up to 8\d years held from the watermark/);
      expect(JSON.parse(JSON.stringify(s)).heldFromWatermark).toEqual(s.heldFromWatermark); // what --statsOut writes
    }, 60_000);
  }
});
