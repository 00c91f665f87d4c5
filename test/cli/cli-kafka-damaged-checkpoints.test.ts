import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaClientFactory } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { createPlatformaticClientFactory } from '../../transforms/io/kafka/platformatic-client.js';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { readTopic } from '../kafka/read-topic.js';
import { cliChild as cli, pairMultiset as pairs } from '../support/cli-child.js';

/**
 * A checkpoint directory damaged while the job was down (a production incident rather than a crash
 * at a failpoint), Netflow CLI Kafka → Kafka, exactly-once: the job is killed with SIGKILL mid-run,
 * something in its directory is lost or corrupt, and the same command runs again. Either the output
 * a read_committed reader sees equals an uninterrupted run's, or the rerun refuses with a typed
 * error naming the file and writes nothing: never a topic with records twice or held back.
 */

const PARTITIONS = 3;

kafkaDescribe('the Netflow CLI Kafka → Kafka with a damaged checkpoint directory', (env) => {
  let admin: KafkaAdmin;
  const committedReader = (): KafkaClientFactory => createPlatformaticClientFactory({ brokers: env.brokers });
  const topics: string[] = [];
  let input: string;
  let expected: string[];
  const job = ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--quiet'];
  const brokers = () => `--brokers=${env.brokers}`;
  const newTopic = (kind: string): string => {
    const t = `watershed-cli-damaged-${kind}-${randomUUID()}`;
    topics.push(t);
    return t;
  };
  const committedPairs = async (topic: string, count: number) => pairs((await readTopic(committedReader(), topic, { partitions: PARTITIONS, count })).map((m) => m.value!.toString()));
  const offsets = async (topic: string) => (await admin.fetchTopicOffsets(topic)).map((o) => o.high);
  /** A job with its own output topic and checkpoint directory. */
  const newJob = async () => {
    const output = newTopic('out');
    await admin.createTopics([{ topic: output, partitions: PARTITIONS }]);
    const dir = join(mkdtempSync(join(tmpdir(), 'ws-cli-damaged-')), 'ck');
    return { output, dir, args: [`--input=kafka:${input}`, `--output=kafka:${output}`, brokers(), `--checkpointDir=${dir}`, '--checkpointInterval=10ms', ...job] };
  };

  beforeAll(async () => {
    admin = createKafkajsClientFactory({ brokers: env.brokers, logLevel: 'error' }).admin();
    await admin.connect();
    input = newTopic('in');
    // One input partition: the watermark follows it alone, so windows fire (and pairs go out) all through the run, and
    // every transaction holds pairs.
    await admin.createTopics([{ topic: input, partitions: 1 }]);
    const gen = cli(['generate', '--scenario=2', '--count=4000', `--output=kafka:${input}`, brokers()]);
    expect(gen.status, gen.stderr).toBe(0);
    const plain = newTopic('plain');
    const clean = cli([`--input=kafka:${input}`, `--output=kafka:${plain}`, brokers(), ...job]);
    expect(clean.status, clean.stderr).toBe(0);
    const count = (await offsets(plain)).reduce((n, o) => n + Number(o), 0);
    expected = await committedPairs(plain, count);
    expect(expected.length).toBe(count);
    expect(count).toBeGreaterThan(10_000);
  }, 180_000);

  afterAll(async () => {
    if (!admin) return;
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect();
  });

  it('job.json lost while the job was down: the rerun takes the job id back from its checkpoints, so it fences the killed run\'s open transaction, and every pair is visible once', async () => {
    const { output, dir, args } = await newJob();
    // Killed at the barrier of checkpoint 3 (early, so a run on a fast machine gets there): the transaction open since checkpoint 2 holds pairs.
    const first = cli(['--runner=native', ...args], 'checkpoint.barrier:3:crash');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const jobId = (JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as { jobId: string }).jobId;
    rmSync(join(dir, 'job.json'));
    const rerun = cli(['--runner=microbatch', '--batchInterval=asap', '--maxBatchSize=300', ...args]);
    expect(rerun.status, rerun.stderr).toBe(0);
    // Before: a new job id, new transactional ids; the killed run's open transaction stayed open (until
    // the broker's 15-minute transaction timeout) and held back read_committed readers (40,520 of 112,697 pairs).
    expect(await committedPairs(output, expected.length)).toEqual(expected);
    expect(rerun.stderr).toContain(`job.json was missing: written again with job id ${jobId}`);
  }, 240_000);

  it('the newest checkpoint, whose output was committed, corrupt: the rerun refuses with CheckpointRecoveryError naming it and writes nothing; with the file restored it resumes, every pair once', async () => {
    const { output, dir, args } = await newJob();
    // Killed at the barrier of checkpoint 3 (early, so a run on a fast machine gets there): checkpoint 2 is the newest, committed (its marker written).
    const first = cli(['--runner=native', ...args], 'checkpoint.barrier:3:crash');
    expect(first.signal, first.stderr).toBe('SIGKILL');
    const newest = readdirSync(join(dir, 'checkpoints')).sort().at(-1)!;
    expect(readdirSync(join(dir, 'commits'))).toContain(newest);
    const file = join(dir, 'checkpoints', newest);
    const copy = join(dir, '..', `${newest}.copy`);
    copyFileSync(file, copy);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0xff; // one flipped byte in a segment
    writeFileSync(file, bytes);
    const before = await offsets(output);
    const refused = cli(['--runner=native', ...args]);
    // Before: resumed from the checkpoint before it with a warning, and the topic held that checkpoint's pairs twice (33,223 in a trial).
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`CheckpointRecoveryError: step 'WritePairsToKafka' .*checkpoints/${newest} is corrupt and its output was already committed`));
    expect(refused.stderr).toContain(`commits/${newest}`);
    expect(await offsets(output)).toEqual(before); // not one record, not one transaction marker
    copyFileSync(copy, file);
    rmSync(copy);
    const resumed = cli(['--runner=microbatch', '--batchInterval=asap', '--maxBatchSize=300', ...args]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(await committedPairs(output, expected.length)).toEqual(expected);
  }, 240_000);
});
