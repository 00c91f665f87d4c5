/**
 * The job the SIGKILL harness (./crash-harness.ts) kills: the Netflow CLI reading a Kafka topic of
 * generated Netflow events and writing its pairs to another topic, exactly-once with
 * `--checkpointDir`, run as a child process so that SIGKILL is a real crash (nothing flushed,
 * aborted or closed). Also: starting such a process, and reading its output back with a
 * read_committed consumer as a sorted multiset.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** One size of the job. */
export interface CrashJob {
  readonly name: string;
  readonly description: string;
  /** Flags of `watershed generate` making the input. */
  readonly generate: readonly string[];
  /** Flags of the Netflow job (input, output, brokers and checkpoints are added). */
  readonly flags: readonly string[];
  /** Extra flags on the micro-batch runner. */
  readonly microbatch: readonly string[];
  readonly checkpointInterval: string;
}

export const CRASH_JOBS: Readonly<Record<string, CrashJob>> = {
  /** The scenario: the seed's scenario 1 (10,000 events in one 3 s window: 2,022,137 pairs). */
  'scenario-1': {
    name: 'scenario-1',
    description: "Netflow scenario 1 Kafka → Kafka (10,000 events, one 3 s window, 2,022,137 pairs), the job's default flags",
    generate: ['--scenario=1'],
    flags: ['--quiet'],
    microbatch: ['--batchInterval=asap', '--maxBatchSize=1000'],
    checkpointInterval: '200ms',
  },
  /** Small enough for `npm test`: scenario 2's generator, 4,000 events, 1 s windows (112,697 pairs). */
  small: {
    name: 'small',
    description: 'Netflow scenario 2 generator, 4,000 events, Kafka → Kafka, 1 s windows (112,697 pairs), bundles of 100',
    generate: ['--scenario=2', '--count=4000'],
    flags: ['--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=100', '--quiet'],
    microbatch: ['--batchInterval=asap', '--maxBatchSize=300'],
    checkpointInterval: '20ms',
  },
};

export type RunnerName = 'native' | 'microbatch';

/** The Netflow command line of `job` on `runner`, from `input` to `output`, checkpointed when `checkpointDir` is given. */
export function jobArgs(job: CrashJob, o: { runner: RunnerName; brokers: string; input: string; output: string; checkpointDir?: string }): string[] {
  return [
    `--runner=${o.runner}`,
    ...(o.runner === 'microbatch' ? job.microbatch : []),
    `--input=kafka:${o.input}`,
    `--output=kafka:${o.output}`,
    `--brokers=${o.brokers}`,
    ...(o.checkpointDir !== undefined ? [`--checkpointDir=${o.checkpointDir}`, `--checkpointInterval=${job.checkpointInterval}`] : []),
    ...job.flags,
  ];
}

/** How a CLI process ended. */
export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit. */
  readonly ms: number;
  readonly stderr: string;
}

/**
 * Runs `bin/watershed.ts args` in a child process. `failpoint` arms `WATERSHED_FAILPOINT` (e.g.
 * `sink.commit:2:crash`: the process SIGKILLs itself there); `killAfterMs` sends it SIGKILL after
 * that long, unless it has ended.
 */
export function runCli(args: readonly string[], o: { failpoint?: string; killAfterMs?: number } = {}): Promise<CliOutcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, WATERSHED_FAILPOINT: o.failpoint ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const timer = o.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), o.killAfterMs) : undefined;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: performance.now() - started, stderr });
    });
  });
}

/**
 * A pair record without `ts_output` (the processing time it was written at, which differs between
 * any two runs): the last field of the job's JSON, cut off without parsing 2 M records.
 */
export function normalizePair(value: string): string {
  const at = value.lastIndexOf(',"ts_output":');
  if (at >= 0) return `${value.slice(0, at)}}`;
  const { ts_output: _drop, ...rest } = JSON.parse(value) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * Every record of `topic` as a read_committed consumer sees it (aborted and open transactions never
 * show), normalized ({@link normalizePair}) and sorted: a multiset. Reads until `expected` records
 * arrived and then 1.5 s more (duplicates would show up then), or until 30 s pass without a record.
 */
export async function readCommittedPairs(brokers: string, topic: string, expected: number, partitions = 3): Promise<string[]> {
  const kafka = createKafkajsClientFactory({ brokers, logLevel: 'nothing' });
  const consumer = kafka.consumer({ readUncommitted: false, maxWaitTimeMs: 200, maxBytesPerPartition: 8 * 1024 * 1024 });
  const got: string[] = [];
  let failure: unknown = null;
  let lastAt = performance.now();
  await consumer.connect();
  try {
    await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, startOffset: 'earliest' as const })));
    await consumer.run(
      async (b) => {
        for (const m of b.messages) got.push(normalizePair(m.value?.toString() ?? '<null>'));
        lastAt = performance.now();
      },
      { onError: (e) => (failure = e) },
    );
    while (got.length < expected && failure === null && performance.now() - lastAt < 30_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_500));
  } finally {
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return got.sort();
}

/** How two sorted multisets differ: records only in `expected` (lost), only in `actual` (extra or duplicated). */
export interface PairDiff {
  readonly equal: boolean;
  readonly expected: number;
  readonly actual: number;
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly missingCount: number;
  readonly extraCount: number;
}

/** Compares two sorted multisets, keeping the first `keep` differences of each kind. */
export function diffSorted(expected: readonly string[], actual: readonly string[], keep = 10): PairDiff {
  const missing: string[] = [];
  const extra: string[] = [];
  let missingCount = 0;
  let extraCount = 0;
  let i = 0;
  let j = 0;
  while (i < expected.length || j < actual.length) {
    const e = expected[i];
    const a = actual[j];
    if (e !== undefined && a !== undefined && e === a) {
      i++;
      j++;
    } else if (a === undefined || (e !== undefined && e < a)) {
      if (missing.length < keep) missing.push(e!);
      missingCount++;
      i++;
    } else {
      if (extra.length < keep) extra.push(a);
      extraCount++;
      j++;
    }
  }
  return { equal: missingCount === 0 && extraCount === 0, expected: expected.length, actual: actual.length, missing, extra, missingCount, extraCount };
}
