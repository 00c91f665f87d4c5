import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { DEFAULT_GENERATOR_OPTIONS, generateNetflow } from '../../pipelines/netflow/generator.js';
import { buildGenerateApp } from '../../pipelines/netflow/netflow-generate.js';
import { runNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import { readNetflowEventTime } from '../../pipelines/netflow/netflow-event-time.js';
import { parseFlow } from '../../pipelines/netflow/parse-flow.js';
import { referencePairs } from '../../pipelines/netflow/reference.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { KafkaIO, Serde } from '../../transforms/io/kafka/index.js';
import { RUNNERS } from '../support/runners.js';
import { kafkaDescribe } from './kafka-test-env.js';
import { kafkaTestTopics } from './kafka-test-topics.js';

/** The seed's setup: Netflow JSON in one topic, pair JSON out to another, on each runner. */
kafkaDescribe('the Netflow job from Kafka to Kafka', (env) => {
  const k = kafkaTestTopics(env);
  const raw = [...generateNetflow({ seed: 11, count: 1200, eventsPerSecond: 400, sourceIps: 20, ipv6Share: 0.02, malformedShare: 0.01 })].map((e) => e.raw);
  const expected = (() => {
    const records = raw.map((r) => parseFlow(r)).flatMap((r) => (r.ok ? [r.record] : []));
    const out: string[] = [];
    for (const pairs of referencePairs(records).values()) for (const p of pairs) out.push(pairKey(p.eventid_1, p.eventid_2, p.distance));
    return out.sort();
  })();


  for (const { label, options } of RUNNERS) {
    it(`${label}: every pair of every key and window reaches the output topic, equal to a plain computation`, async () => {
      const input = `watershed-netflow-in-${randomUUID()}`;
      const output = `watershed-netflow-out-${randomUUID()}`;
      await k.createTopics([input, output], 3);
      await k.produce(input, raw.map((value) => ({ value })), 400);

      const summary = await runNetflowApp(Pipeline.create(options), {
        input: { kind: 'kafka', topic: input },
        output: { kind: 'kafka', topic: output },
        job: {},
        kafka: { brokers: env.brokers },
      });
      // truncated JSON (no readable event time) is dead-lettered by the read; the rest enters the job
      const unreadable = raw.filter((r) => !readNetflowEventTime(r).ok).length;
      expect(unreadable).toBeGreaterThan(0);
      expect(summary.metrics['Kafka']!.deadLettered).toBe(unreadable);
      expect(summary.eventsIn).toBe(1200 - unreadable);

      const read = Pipeline.create({ runner: 'native' });
      const probe = read
        .apply('Pairs', KafkaIO.read<string | null>({ brokers: env.brokers, topics: output, startAt: 'earliest', bounded: true, deserializer: Serde.string() }))
        .apply(Capture.records<string | null>());
      await read.run();
      const got = probe
        .values()
        .map((v) => JSON.parse(v!) as { eventid_1: string | number; eventid_2: string | number; distance: number; ts_output: number })
        .map((p) => pairKey(String(p.eventid_1), String(p.eventid_2), p.distance))
        .sort();
      expect(expected.length).toBeGreaterThan(1000);
      expect(got.length).toBe(expected.length);
      expect(got).toEqual(expected);
    }, 120_000);
  }

  it('generate writes the generator events to a topic, one record per event, as the job reads them', async () => {
    const topic = await k.newTopic('watershed-netflow-gen', 3);
    const options = { seed: 11, count: 1200, eventsPerSecond: 400, sourceIps: 20, ipv6Share: 0.02, malformedShare: 0.01 };
    const p = Pipeline.create({ runner: 'microbatch' });
    const stats = buildGenerateApp(p, { ...DEFAULT_GENERATOR_OPTIONS, ...options }, { kind: 'kafka', topic, brokers: env.brokers });
    await p.run();
    expect(stats.events).toBe(1200);
    const read = Pipeline.create({ runner: 'native' });
    const probe = read.apply('Events', KafkaIO.read<string | null>({ brokers: env.brokers, topics: topic, startAt: 'earliest', bounded: true, deserializer: Serde.string() })).apply(Capture.records<string | null>());
    await read.run();
    expect(probe.values().slice().sort()).toEqual(raw.slice().sort());
  }, 60_000);
});

function pairKey(a: string, b: string, distance: number): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `${x}|${y}|${distance.toFixed(6)}`;
}
