import { expect, it } from 'vitest';
import { generateNetflow } from '../../pipelines/netflow/generator.js';
import { runNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import { parseFlow } from '../../pipelines/netflow/parse-flow.js';
import { referencePairs } from '../../pipelines/netflow/reference.js';
import { NetflowKafka } from '../../pipelines/netflow/io/netflow-kafka-source.js';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import type { KafkaDeadLetterRecord, KafkaOutgoingMessage } from '../../transforms/io/kafka/index.js';
import { RUNNERS } from '../support/runners.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { kafkaTestTopics } from './kafka-test-topics.js';

/**
 * Issue #12, point 2: one record among 3,000 valid ones whose event time cannot be read (a
 * tombstone, a value that is not JSON, a JSON event without a usable `eventtime`) must go to the
 * read's dead letters and leave event time alone: before the fix such a record took the producer's
 * clock (the record timestamp, years after the 2017 events) as event time, the partition's
 * watermark leapt ahead, and about two thirds of the valid records were dropped as late.
 */
kafkaDescribe('the Netflow job from Kafka with one unreadable record among valid ones', (env) => {
  const k = kafkaTestTopics(env);
  const raw = [...generateNetflow({ seed: 5, count: 3000, eventsPerSecond: 400, sourceIps: 10 })].map((e) => e.raw);
  const expectedPairs = (() => {
    const records = raw.map((r) => parseFlow(r)).flatMap((r) => (r.ok ? [r.record] : []));
    let n = 0;
    for (const pairs of referencePairs(records).values()) n += pairs.length;
    return n;
  })();
  const BAD: { label: string; value: string | null; reason: string }[] = [
    { label: 'a tombstone', value: null, reason: 'null-value' },
    { label: 'a value that is not JSON', value: 'not json at all', reason: 'malformed-json' },
    { label: 'an event without eventtime', value: '{"eventid":"x1","src_ip4":167772161}', reason: 'invalid-event-time' },
    { label: 'an event time in milliseconds (year 49,000)', value: '{"eventid":"x2","eventtime":1490024708000}', reason: 'invalid-event-time' },
  ];


  async function topicWith(bad: Buffer | string | null | undefined): Promise<string> {
    const topic = await k.newTopic('watershed-netflow-bad', 1);
    const messages: KafkaOutgoingMessage[] = raw.map((value) => ({ value }));
    if (bad !== undefined) messages.splice(1000, 0, { value: bad });
    await k.produce(topic, messages);
    return topic;
  }

  for (const { label, options } of RUNNERS) {
    it(`${label}: without a bad record, every pair of the 3,000 events`, async () => {
      const topic = await topicWith(undefined);
      const summary = await runNetflowApp(Pipeline.create(options), { input: { kind: 'kafka', topic }, output: { kind: 'stdout-summary' }, job: { histogram: false }, kafka: { brokers: env.brokers } });
      expect(expectedPairs).toBeGreaterThan(100_000);
      expect(summary.pairs.pairs).toBe(expectedPairs);
      expect(summary.lateDropped).toBe(0);
      expect(summary.metrics['Kafka']!.deadLettered).toBe(0);
    }, 120_000);

    it(`${label}: an event the job rejects (a bad address) dated 2099 is rejected by Parse with its offset and moves no watermark: the pairs are unchanged`, async () => {
      const rejected = JSON.stringify({ ...JSON.parse(raw[0]!), eventid: 'x3', src_ip4: 'no address', eventtime: 4102444000 });
      const topic = await topicWith(rejected);
      const summary = await runNetflowApp(Pipeline.create(options), { input: { kind: 'kafka', topic }, output: { kind: 'stdout-summary' }, job: { histogram: false }, kafka: { brokers: env.brokers } });
      expect(summary.lateDropped).toBe(0);
      expect(summary.pairs.pairs).toBe(expectedPairs);
      expect(summary.metrics['Kafka']!.deadLettered).toBe(0);
      expect(summary.rejected).toEqual({ 'invalid-ip': 1 });
      expect(summary.eventsIn).toBe(3001);
    }, 120_000);

    it(`${label}: an event that is not valid UTF-8 goes to the read's dead letters (invalid-utf8) with its exact bytes, and the pairs are unchanged`, async () => {
      const bytes = Buffer.concat([Buffer.from(raw[0]!.slice(0, -1)), Buffer.from(',"note":"caf\xe9"}', 'latin1')]);
      const topic = await topicWith(bytes);
      const summary = await runNetflowApp(Pipeline.create(options), { input: { kind: 'kafka', topic }, output: { kind: 'stdout-summary' }, job: { histogram: false }, kafka: { brokers: env.brokers } });
      expect(summary.pairs.pairs).toBe(expectedPairs);
      expect(summary.metrics['Kafka']!.deadLettered).toBe(1);
      expect(summary.sourceRejected).toEqual({ 'invalid-utf8': 1 });
      const read = Pipeline.create(options);
      const dead = read.apply('Kafka', NetflowKafka.read({ brokers: env.brokers, topic })).deadLetters().apply('Dead', Capture.records());
      await read.run();
      const letters = dead.values() as DeadLetter[];
      expect(letters.map((d) => [d.reason, d.origin])).toEqual([['invalid-utf8', { topic, partition: 0, offset: '1000' }]]);
      expect(Buffer.from((letters[0]!.element as KafkaDeadLetterRecord).value!, 'base64')).toEqual(bytes);
    }, 120_000);

    for (const bad of BAD) {
      it(`${label}: ${bad.label} goes to the read's dead letters (${bad.reason}) and the pairs are unchanged`, async () => {
        const topic = await topicWith(bad.value);
        const summary = await runNetflowApp(Pipeline.create(options), { input: { kind: 'kafka', topic }, output: { kind: 'stdout-summary' }, job: { histogram: false }, kafka: { brokers: env.brokers } });
        expect(summary.pairs.pairs).toBe(expectedPairs);
        expect(summary.lateDropped).toBe(0);
        expect(summary.metrics['Kafka']!.deadLettered).toBe(1);
        expect(summary.eventsIn).toBe(3000);
        // the dead letter: its reason, where it came from, its raw bytes
        const read = Pipeline.create(options);
        const lines = read.apply('Kafka', NetflowKafka.read({ brokers: env.brokers, topic }));
        const dead = lines.deadLetters().apply('Dead', Capture.records());
        const count = lines.apply('Lines', Capture.records());
        await read.run();
        expect(count.values()).toHaveLength(3000);
        const letters = dead.values() as DeadLetter[];
        expect(letters.map((d) => [d.step, d.reason, d.origin])).toEqual([['Kafka', bad.reason, { topic, partition: 0, offset: '1000' }]]);
        const element = letters[0]!.element as KafkaDeadLetterRecord;
        expect(element.value === null ? null : Buffer.from(element.value, 'base64').toString('utf8')).toBe(bad.value);
      }, 120_000);
    }
  }
});
