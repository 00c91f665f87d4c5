/**
 * Runs the Kafka example (pipelines/examples/kafka-clicks.ts) on both runners against the test run's
 * private broker (test/kafka/global-setup.ts starts one for a test file named like this one), with the
 * command the README gives, and checks what it prints: the dead letter of the seeded record without an
 * event time, and the counts it read back from its output topic.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { EXAMPLE_RUNNERS, runExample } from './run-example.js';

kafkaDescribe('the Kafka example', (env) => {
  for (const runner of EXAMPLE_RUNNERS) {
    it(`kafka-clicks.ts runs from topic to topic on the ${runner} runner`, async () => {
      const run = randomUUID();
      const [inTopic, outTopic] = [`example-clicks-${run}`, `example-counts-${run}`];
      const { lines } = await runExample('kafka-clicks.ts', [`--runner=${runner}`, `--brokers=${env.brokers}`, `--in=${inTopic}`, `--out=${outTopic}`]);
      expect(lines).toEqual(
        [
          'dead letter (invalid-event-time): event time yesterday is not a finite number',
          `job: DONE on the ${runner} runner, ${inTopic} -> ${outTopic}`,
          'ann [2026-01-01T09:00:00.000Z, 2026-01-01T09:01:00.000Z): 2',
          'ann [2026-01-01T09:01:00.000Z, 2026-01-01T09:02:00.000Z): 1',
          'bob [2026-01-01T09:00:00.000Z, 2026-01-01T09:01:00.000Z): 1',
        ].sort(),
      );
    }, 120_000);
  }
});
