/**
 * A small `npm run stress:kafka-read`: bounded KafkaIO.reads of one filled 3-partition topic under
 * constant backpressure (a small bufferSize pauses and resumes the partitions hundreds of times per
 * read), polled with random sizes and pauses or run through a pipeline on each runner, must hand out
 * every offset of every partition exactly once, in offset order, and finish. On both client
 * libraries. The 1 M-record version (bench/kafka-read-stress.ts) found the losses and the hang this
 * guards against; this one is too small to hit them reliably, but checks the same contract.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import '../../runners/index.js';
import { fillTopic, readAndCheck, type ReadVia } from '../../bench/kafka-read-check.js';
import type { KafkaAdmin } from '../../transforms/io/kafka/index.js';
import { KAFKA_CLIENTS } from './kafka-clients.js';
import { kafkaDescribe } from './kafka-test-env.js';

const RECORDS = 60_000;

for (const via of KAFKA_CLIENTS) kafkaDescribe(`bounded KafkaIO.reads under backpressure hand out every offset once, in order (${via.label} client)`, (env) => {
  let admin: KafkaAdmin;
  const topic = `watershed-stress-${randomUUID()}`;

  beforeAll(async () => {
    admin = via.factory(env.brokers, 'error').admin();
    await admin.connect();
    await fillTopic(env.brokers, topic, 3, RECORDS);
  });
  afterAll(async () => {
    await admin.deleteTopics([topic]).catch(() => undefined);
    await admin.disconnect();
  });

  const cases: Array<[ReadVia, number, number]> = [
    ['reader', 100, 1],
    ['reader', 100, 2],
    ['reader', 2_000, 3],
    ['native', 300, 0],
    ['microbatch', 300, 0],
  ];
  for (const [how, bufferSize, seed] of cases) {
    it(`${how}, bufferSize ${bufferSize}${how === 'reader' ? `, seed ${seed}` : ''}`, async () => {
      const r = await readAndCheck({ brokers: env.brokers, topic, client: via.client, via: how, bufferSize, seed, timeoutMs: 25_000 });
      expect(r.error).toBeUndefined();
      expect(r.finished).toBe(true);
      expect(r.partitions.map((p) => ({ expected: p.expected, lost: p.lost, duplicates: p.duplicates, outOfOrder: p.outOfOrder }))).toEqual(
        Array.from({ length: 3 }, () => ({ expected: RECORDS / 3, lost: 0, duplicates: 0, outOfOrder: 0 })),
      );
      expect(r.records).toBe(RECORDS);
      expect(r.pauses).toBeGreaterThan(bufferSize <= 300 ? 100 : 10); // backpressure did pause the partitions
    });
  }
});
