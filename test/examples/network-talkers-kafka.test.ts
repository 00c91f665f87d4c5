/**
 * pipelines/examples/network-talkers.ts from a Kafka topic to Kafka topics, exactly-once with a
 * checkpoint directory, on both runners, against the test run's private broker (the global setup starts
 * one for a test file named like this one): `--copyTo` fills the input topic from a slice of the shared
 * Zeek log, the job runs topic to topic, and a read_committed read of its output topics must give the
 * sessions and top talkers a plain loop over the slice gives (nothing is late with a 10 h bound).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import '../../runners/index.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { KafkaIO } from '../../transforms/io/kafka/index.js';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { expectedSessions, expectedTop, writeSlice } from './network-talkers-oracle.js';
import { EXAMPLE_RUNNERS, runExample } from './run-example.js';

const tmp = mkdtempSync(join(tmpdir(), 'watershed-talkers-kafka-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every record of `topic`, read to its end offsets (read_committed), as parsed JSON. */
async function readTopic(brokers: string, topic: string): Promise<Record<string, unknown>[]> {
  const p = Pipeline.create({ runner: 'native' });
  const out = p.apply('Read', KafkaIO.read<Record<string, unknown>>({ brokers, topics: topic, startAt: 'earliest', bounded: true })).apply('Out', Capture.records());
  await p.run();
  return out.values();
}

kafkaDescribe('network-talkers.ts from Kafka to Kafka', (env) => {
  for (const runner of EXAMPLE_RUNNERS) {
    it(`exactly-once with checkpoints on the ${runner} runner gives the sessions and top talkers of the slice`, async () => {
      const run = randomUUID();
      const topic = (what: string) => `talkers-${what}-${run}`;
      const common = (step: string) => [`--brokers=${env.brokers}`, `--deadLetters=ndjson:${join(tmp, `dead-${step}-${run}.ndjson`)}`];
      const copied = await runExample('network-talkers.ts', ['--runner=native', `--input=zeek:${writeSlice(join(tmp, `slice-${run}.log`))}`, `--copyTo=kafka:${topic('conns')}`, ...common('copy')]);
      expect(copied.lines).toEqual(['DONE on the native runner']);
      const job = await runExample('network-talkers.ts', [
        `--runner=${runner}`, `--input=kafka:${topic('conns')}`, '--maxOutOfOrderness=10h',
        `--sessions=kafka:${topic('sessions')}`, `--top=kafka:${topic('top')}`, `--late=ndjson:${join(tmp, `late-${run}.ndjson`)}`,
        `--checkpointDir=${join(tmp, `ck-${run}`)}`, '--checkpointInterval=200ms', ...common('job'),
      ]);
      expect(job.lines).toEqual([`DONE on the ${runner} runner`]);
      const sessions = await readTopic(env.brokers, topic('sessions'));
      const onTime = sessions.filter((s) => s['pane'] === 'ON_TIME').map(({ host, session, count, bytes, distinctPorts }) => JSON.stringify({ host, session, count, bytes, distinctPorts }));
      expect(onTime.sort()).toEqual(expectedSessions());
      expect((await readTopic(env.brokers, topic('top'))).map((t) => JSON.stringify(t)).sort()).toEqual(expectedTop());
    }, 180_000);
  }
});
