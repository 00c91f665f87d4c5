/**
 * The jobs the SIGKILL harness (./crash-harness.ts) kills:
 * - Netflow (the CLI, `bin/watershed.ts`): scenario 1 and a small 4,000-event job, Kafka → Kafka,
 *   and from an NDJSON file (`--input=ndjson:`, the checkpoint holds its byte offset) to a TextFile
 *   sink (`--output=ndjson:`, a folder of part files);
 * - the windowed count with early, on-time and late panes, accumulating, over 8 keys
 *   (./windowed-count-job.ts), Kafka → Kafka, Kafka → TextFile and file → TextFile. Its input is built
 *   so that its output does not depend on batching (./windowed-count-input.ts), so its reference is
 *   made on both runners, and they must agree.
 */
import { writeFileSync } from 'node:fs';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { runCli, type CrashIo, type CrashJob, type InputTarget } from './crash-job.js';
import { COUNT_MAX_BATCH, windowedCountEvents } from './windowed-count-input.js';

/**
 * A Netflow pair record without `ts_output` (the processing time it was written at, which differs
 * between any two runs): the last field of the job's JSON, cut off without parsing 2 M records.
 */
export function normalizePair(value: string): string {
  const at = value.lastIndexOf(',"ts_output":');
  if (at >= 0) return `${value.slice(0, at)}}`;
  const { ts_output: _drop, ...rest } = JSON.parse(value) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/** Netflow input through `watershed generate` with `generate` flags. */
const generateNetflow =
  (generate: readonly string[]) =>
  async (to: InputTarget): Promise<void> => {
    const out = to.kind === 'kafka' ? [`--output=kafka:${to.topic}`, `--brokers=${to.brokers}`] : [`--output=ndjson:${to.path}`];
    const gen = await runCli(['generate', ...generate, ...out]);
    if (gen.code !== 0) throw new Error(`generating the input failed (exit ${gen.code}):\n${gen.stderr.slice(-2000)}`);
  };

const netflow = (o: { name: string; description: string; generate: readonly string[]; flags: readonly string[]; microbatch: readonly string[]; checkpointInterval: string; io: CrashIo }): CrashJob => ({
  name: o.name,
  description: o.description,
  script: 'bin/watershed.ts',
  input: o.io,
  output: o.io,
  inputPartitions: 3,
  writeInput: generateNetflow(o.generate),
  flags: o.flags,
  microbatch: o.microbatch,
  checkpointInterval: o.checkpointInterval,
  normalize: normalizePair,
  runnerIndependent: false,
});

/** Windows of the windowed-count input (8 keys, ~320 events and ~170 panes a window). */
const COUNT_WINDOWS = 6;

async function writeCountInput(to: InputTarget): Promise<void> {
  const lines = windowedCountEvents({ windows: COUNT_WINDOWS, seed: 13 }).map((e) => JSON.stringify(e));
  if (to.kind === 'ndjson') {
    writeFileSync(to.path, `${lines.join('\n')}\n`);
    return;
  }
  const producer = createKafkajsClientFactory({ brokers: to.brokers, logLevel: 'nothing' }).producer();
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += 500) await producer.send(to.topic, lines.slice(i, i + 500).map((value) => ({ key: null, value })));
  } finally {
    await producer.disconnect();
  }
}

const count = (name: string, input: CrashIo, output: CrashIo): CrashJob => ({
  name,
  description: `windowed count, early/on-time/late panes accumulating, 8 keys, ${input === 'kafka' ? 'Kafka' : 'NDJSON file'} → ${output === 'kafka' ? 'Kafka' : 'TextFile parts'} (${COUNT_WINDOWS} windows of 10 s, bundles and batches of ${COUNT_MAX_BATCH})`,
  script: 'test/crash/windowed-count-job.ts',
  input,
  output,
  // One partition: the input order, and so which events are late, is the same in every run.
  inputPartitions: 1,
  writeInput: writeCountInput,
  flags: [`--bundleSize=${COUNT_MAX_BATCH}`],
  microbatch: ['--batchInterval=asap', `--maxBatchSize=${COUNT_MAX_BATCH}`],
  checkpointInterval: '20ms',
  normalize: (line) => line,
  runnerIndependent: true,
});

const SMALL = {
  generate: ['--scenario=2', '--count=4000'],
  flags: ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--quiet'],
  microbatch: ['--batchInterval=asap', '--maxBatchSize=300'],
  checkpointInterval: '20ms',
};
const S1 = { generate: ['--scenario=1'], flags: ['--quiet'], microbatch: ['--batchInterval=asap', '--maxBatchSize=1000'], checkpointInterval: '200ms' };

export const CRASH_JOBS: Readonly<Record<string, CrashJob>> = {
  /** The scenario: the seed's scenario 1 (10,000 events in one 3 s window: 2,022,137 pairs). */
  'scenario-1': netflow({ name: 'scenario-1', description: "Netflow scenario 1 Kafka → Kafka (10,000 events, one 3 s window, 2,022,137 pairs), the job's default flags", io: 'kafka', ...S1 }),
  /** Scenario 1 from an NDJSON file to a TextFile sink. */
  'scenario-1-file': netflow({ name: 'scenario-1-file', description: 'Netflow scenario 1 NDJSON file → TextFile parts (2,022,137 pairs)', io: 'ndjson', ...S1 }),
  /** Small enough for `npm test`: scenario 2's generator, 4,000 events, 1 s windows (112,697 pairs). */
  small: netflow({ name: 'small', description: 'Netflow scenario 2 generator, 4,000 events, Kafka → Kafka, 1 s windows (112,697 pairs), bundles of 100', io: 'kafka', ...SMALL }),
  'small-file': netflow({ name: 'small-file', description: 'Netflow scenario 2 generator, 4,000 events, NDJSON file → TextFile parts, 1 s windows (112,697 pairs)', io: 'ndjson', ...SMALL }),
  /** As `small` (Kafka → Kafka, exactly-once) at `--parallelism=2` (design scale-out step 5); in `npm test` with 2 kills (crash.test.ts), more by hand: `npx tsx test/crash/run-crash.ts --job=small-p2`. */
  'small-p2': netflow({ name: 'small-p2', description: 'Netflow scenario 2 generator, 4,000 events, Kafka → Kafka, 1 s windows (112,697 pairs), bundles of 100, --parallelism=2', io: 'kafka', ...SMALL, flags: [...SMALL.flags, '--parallelism=2'] }),
  /** As `small-file` at `--parallelism=2` (design scale-out step 5): the GroupByKey stage runs 2 instances, and checkpoints hold both. */
  'small-file-p2': netflow({ name: 'small-file-p2', description: 'Netflow scenario 2 generator, 4,000 events, NDJSON file → TextFile parts, 1 s windows (112,697 pairs), --parallelism=2', io: 'ndjson', ...SMALL, flags: [...SMALL.flags, '--parallelism=2'] }),
  count: count('count', 'kafka', 'kafka'),
  'count-text': count('count-text', 'kafka', 'ndjson'),
  'count-file': count('count-file', 'ndjson', 'ndjson'),
};

/** What `npm run test:crash` runs by default, 20 kills each. */
export const LONG_CRASH_JOBS = ['scenario-1', 'count', 'count-text', 'count-file', 'scenario-1-file'] as const;
