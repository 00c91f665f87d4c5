import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClientFactory } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { createPlatformaticClientFactory } from '../../transforms/io/kafka/platformatic-client.js';
import { WireProducer } from '../../transforms/io/kafka/wire/wire-producer.js';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { readTopic } from '../kafka/read-topic.js';
import { cliChild, pairMultiset } from '../support/cli-child.js';

/**
 * The Netflow CLI Kafka → Kafka with --checkpointDir (issue #13, design step 13): killed with SIGKILL
 * (failpoints with action `crash`: nothing is flushed, aborted or closed, so open and prepared Kafka
 * transactions stay behind at the broker), rerun on both runners, and a read_committed reader of
 * the output topic sees exactly the pairs of an uninterrupted run without checkpoints.
 */

const PARTITIONS = 3;

const cli = cliChild;
const pairs = pairMultiset;

kafkaDescribe('the Netflow CLI Kafka → Kafka with --checkpointDir', (env) => {
  let kafka: KafkaClientFactory;
  /** read_committed through the default client (kafkajs 2.2.4 shows some aborted records: kafka-read-committed.test.ts). */
  const committedReader = (): KafkaClientFactory => createPlatformaticClientFactory({ brokers: env.brokers });
  let admin: KafkaAdmin;
  const topics: string[] = [];
  let input: string;
  let expected: string[];
  const job = ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--quiet'];
  const brokers = () => `--brokers=${env.brokers}`;
  const newTopic = (kind: string): string => {
    const t = `watershed-cli-eos-${kind}-${randomUUID()}`;
    topics.push(t);
    return t;
  };
  const committedPairs = async (topic: string, count: number) => pairs((await readTopic(committedReader(), topic, { partitions: PARTITIONS, count })).map((m) => m.value!.toString()));

  beforeAll(async () => {
    kafka = createKafkajsClientFactory({ brokers: env.brokers, logLevel: 'error' });
    admin = kafka.admin();
    await admin.connect();
    input = newTopic('in');
    await admin.createTopics([{ topic: input, partitions: PARTITIONS }]);
    const gen = cli(['generate', '--scenario=2', '--count=4000', `--output=kafka:${input}`, brokers()]);
    expect(gen.status, gen.stderr).toBe(0);
    // The uninterrupted run, without checkpoints (idempotent producer, no transactions).
    const plain = newTopic('plain');
    const clean = cli([`--input=kafka:${input}`, `--output=kafka:${plain}`, brokers(), ...job]);
    expect(clean.status, clean.stderr).toBe(0);
    const offsets = await admin.fetchTopicOffsets(plain);
    const count = offsets.reduce((n, o) => n + Number(o.high), 0);
    expected = await committedPairs(plain, count);
    expect(expected.length).toBe(count);
    expect(count).toBeGreaterThan(1000);
  }, 180_000);

  afterAll(async () => {
    if (!admin) return;
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  it('killed three times (an open transaction with records, a prepared one, one mid-commit) on both runners and rerun: every pair once', async () => {
    const output = newTopic('out');
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-kafka-eos-'));
    const ck = [`--input=kafka:${input}`, `--output=kafka:${output}`, brokers(), `--checkpointDir=${join(d, 'ck')}`, '--checkpointInterval=5ms', ...job];
    // At a barrier: the open transaction holds the pairs since the last checkpoint (aborted by the rerun's fencing, then replayed).
    const first = cli(['--runner=native', ...ck], 'checkpoint.barrier:4:crash');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    // The checkpoint is durable, its transaction prepared and not committed: the next run's recover commits it.
    const second = cli(['--runner=microbatch', '--batchInterval=asap', '--maxBatchSize=300', ...ck], 'checkpoint.written:2:crash');
    expect(second.signal, second.stderr).toBe('SIGKILL');
    const third = cli(['--runner=native', ...ck], 'sink.commit:3:crash');
    expect(third.signal, third.stderr).toBe('SIGKILL');
    const last = cli(['--runner=microbatch', '--batchInterval=asap', '--maxBatchSize=300', ...ck]);
    expect(last.status, last.stderr).toBe(0);
    expect(await committedPairs(output, expected.length)).toEqual(expected);
  }, 240_000);

  it('a prepared transaction fenced while the job was down: the rerun fails loudly with CheckpointRecoveryError, and writes nothing', async () => {
    const output = newTopic('out');
    const d = mkdtempSync(join(tmpdir(), 'ws-cli-kafka-eos-'));
    const jobName = `fenced-${randomUUID()}`;
    const ck = [`--input=kafka:${input}`, `--output=kafka:${output}`, brokers(), `--checkpointDir=${join(d, 'ck')}`, `--jobName=${jobName}`, '--checkpointInterval=5ms', ...job];
    await admin.createTopics([{ topic: output, partitions: PARTITIONS }]);
    // Killed when the first checkpoint holding pairs is durable and its transaction prepared, before the commit.
    const first = cli(['--runner=native', ...ck], 'sink.commit:1:crash');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    for (const slot of [0, 1]) {
      const intruder = new WireProducer({ brokers: env.brokers, transactionalId: `watershed-${jobName}.WritePairsToKafka.0.${slot}` });
      await intruder.connect(); // aborts the prepared transaction
      await intruder.disconnect();
    }
    const before = (await admin.fetchTopicOffsets(output)).map((o) => o.high);
    const rerun = cli(['--runner=native', ...ck]);
    expect(rerun.status, rerun.stderr).not.toBe(0);
    expect(rerun.stderr).toMatch(/CheckpointRecoveryError|cannot commit the output of a checkpoint/);
    expect(rerun.stderr).toMatch(/WritePairsToKafka/);
    expect(rerun.stderr).toMatch(/checkpoints\/ck-\d{12}/);
    expect(rerun.stderr).toMatch(/transactionTimeoutMs/);
    // Nothing new reached the topic (no record, no transaction marker), and no pair of the aborted transaction is visible.
    expect((await admin.fetchTopicOffsets(output)).map((o) => o.high)).toEqual(before);
    expect(await readTopic(committedReader(), output, { partitions: PARTITIONS, count: 0 })).toEqual([]);
  }, 180_000);
});
