import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import '../../runners/index.js';
import type { DeadLetterOutputRecord } from '../../pipelines/netflow/io/dead-letter-output.js';
import type { LateOutputRecord } from '../../pipelines/netflow/io/late-output.js';
import { runNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { KafkaIO, Serde } from '../../transforms/io/kafka/index.js';
import { DISORDER_BASE_S, disorderData } from '../pipelines/netflow/disorder-data.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { kafkaTestTopics } from './kafka-test-topics.js';

/** Polls of 50 records (micro-batches of about 200 rows), so the watermark follows the topic closely and the stragglers are late. */
const CONFIGS: readonly { label: string; options: Partial<PipelineOptions> }[] = [
  { label: 'native(bundle=50)', options: { runner: 'native', bundleSize: 50 } },
  { label: 'microbatch(asap, 200 rows)', options: { runner: 'microbatch', batchInterval: 'asap', maxBatchSize: 200, bundleSize: 50 } },
];

/** The Netflow job from Kafka with --deadLetters and --lateOutput to Kafka topics: origins are topic, partition and offset. */
kafkaDescribe('the Netflow job from Kafka: dead letters and late records to Kafka', (env) => {
  const k = kafkaTestTopics(env);
  const data = disorderData();
  const flows = data.ndjson.split('\n').filter((l) => l !== '');
  const bad: [value: string, reason: string][] = [
    ['{"eventid":"t1","eventtime":1490024760,"src_ip4":"10.0.0.1"', 'malformed-json'],
    [JSON.stringify({ eventid: 'v6', src_ip6: '2001:db8::1', dst_ip6: '2001:db8::2', eventtime: DISORDER_BASE_S + 70 }), 'ipv6'],
  ];
  const values = [...flows, ...bad.map((b) => b[0])];
  /** Offsets of the stragglers: the records are produced in order to one partition, offsets from 0. */
  const stragglerOffsets = data.stragglerLines.map((line) => String(line - data.headerLines - 1));


  const readTopic = async <T>(topic: string): Promise<T[]> => {
    const p = Pipeline.create({ runner: 'native' });
    const probe = p.apply('Read', KafkaIO.read<string | null>({ brokers: env.brokers, topics: topic, startAt: 'earliest', bounded: true, deserializer: Serde.string() })).apply(Capture.records<string | null>());
    await p.run();
    return probe.values().map((v) => JSON.parse(v!) as T);
  };

  for (const { label, options } of CONFIGS) {
    it(`${label}: every rejected and late record reaches its topic with topic, partition and offset, and the counts add up`, async () => {
      const id = randomUUID();
      const [input, dlq, late] = [`watershed-nf-in-${id}`, `watershed-nf-dlq-${id}`, `watershed-nf-late-${id}`];
      await k.createTopics([input, dlq, late], 1);
      await k.produce(input, values.map((value) => ({ value })));

      const s = await runNetflowApp(Pipeline.create(options), {
        input: { kind: 'kafka', topic: input },
        output: { kind: 'stdout-summary' },
        job: { windowMs: 3000 },
        maxOutOfOrdernessMs: 1000,
        kafka: { brokers: env.brokers },
        deadLetters: { kind: 'kafka', topic: dlq },
        lateOutput: { kind: 'kafka', topic: late },
      });

      const dead = (await readTopic<DeadLetterOutputRecord>(dlq)).sort((a, b) => Number((a.origin as { offset: string }).offset) - Number((b.origin as { offset: string }).offset));
      expect(dead.map((d) => [d.reason, d.origin, d.raw])).toEqual(bad.map(([value, reason], i) => [reason, { topic: input, partition: 0, offset: String(flows.length + i) }, value]));
      const lateRecords = await readTopic<LateOutputRecord>(late);
      expect(lateRecords.map((l) => l.eventid).sort()).toEqual(data.stragglers);
      expect(lateRecords.map((l) => l.origin).sort((a, b) => Number((a as { offset: string }).offset) - Number((b as { offset: string }).offset))).toEqual(stragglerOffsets.map((offset) => ({ topic: input, partition: 0, offset })));
      expect(lateRecords.every((l) => l.reason === 'past-allowed-lateness' && l.windowEnd! - l.windowStart! === 3000)).toBe(true);

      const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
      // Records without a readable event time are rejected by the Kafka read itself, the rest by the job.
      const sourceRejected = Object.values(s.sourceRejected).reduce((a, b) => a + b, 0);
      expect(sourceRejected).toBe(bad.filter(([, reason]) => reason === 'malformed-json').length);
      expect(s.eventsIn + sourceRejected).toBe(values.length);
      expect(rejected + sourceRejected).toBe(bad.length);
      expect(s.lateDropped).toBe(data.stragglers.length);
      expect(rejected + s.recordsPaired + s.lateDropped).toBe(s.eventsIn);
      expect(s.deadLetterOutput).toEqual({ to: `kafka topic ${dlq}`, records: bad.length });
      expect(s.lateOutput).toEqual({ to: `kafka topic ${late}`, records: data.stragglers.length });
    }, 120_000);
  }
});
