/**
 * What the SIGKILL harness (./crash-harness.ts) kills: a job run as a child process (so that SIGKILL
 * is a real crash: nothing flushed, aborted or closed), from an input (a Kafka topic or an NDJSON
 * file) to an output (a Kafka topic written exactly-once, or a TextFile sink: one file without
 * checkpoints, a folder of part files with them). The jobs themselves are in ./crash-jobs.ts.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Where a job reads from or writes to. */
export type CrashIo = 'kafka' | 'ndjson';

/** Where the harness put a job's input. */
export type InputTarget = { readonly kind: 'kafka'; readonly topic: string; readonly brokers: string } | { readonly kind: 'ndjson'; readonly path: string };

/** One job the harness can kill. */
export interface CrashJob {
  readonly name: string;
  readonly description: string;
  /** The program the child runs, relative to the repo (`bin/watershed.ts` for Netflow, or a job script). */
  readonly script: string;
  readonly input: CrashIo;
  readonly output: CrashIo;
  /** Partitions of the input topic the harness creates (Kafka input). */
  readonly inputPartitions: number;
  /** Writes the job's input: to the topic the harness created, or to a file. */
  readonly writeInput: (to: InputTarget) => Promise<void>;
  /** Flags on both runners (input, output, brokers and checkpoints are added). */
  readonly flags: readonly string[];
  /** Extra flags on the micro-batch runner. */
  readonly microbatch: readonly string[];
  readonly checkpointInterval: string;
  /** An output record (a Kafka value, a line) in comparable form: fields that differ between any two runs dropped. */
  readonly normalize: (record: string) => string;
  /**
   * The failure-free output does not depend on the runner or on batching: the reference run is made on
   * both runners and they must agree (chains mix runners). False for Netflow, whose reference is native.
   */
  readonly runnerIndependent: boolean;
}

export type RunnerName = 'native' | 'microbatch';

/** The command line of `job` on `runner`, from `input` to `output` (flag values such as `kafka:<topic>`), checkpointed when `checkpointDir` is given. */
export function jobArgs(job: CrashJob, o: { runner: RunnerName; brokers?: string; input: string; output: string; checkpointDir?: string }): string[] {
  return [
    `--runner=${o.runner}`,
    ...(o.runner === 'microbatch' ? job.microbatch : []),
    `--input=${o.input}`,
    `--output=${o.output}`,
    ...(o.brokers !== undefined ? [`--brokers=${o.brokers}`] : []),
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
 * Runs `script args` (a TypeScript program of the repo, default the CLI `bin/watershed.ts`) in a
 * child process. `failpoint` arms `WATERSHED_FAILPOINT` (e.g. `sink.commit:2:crash`: the process
 * SIGKILLs itself there); `killAfterMs` sends it SIGKILL after that long, unless it has ended.
 */
export function runCli(args: readonly string[], o: { failpoint?: string; killAfterMs?: number; script?: string } = {}): Promise<CliOutcome> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', o.script ?? 'bin/watershed.ts', ...args], {
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
