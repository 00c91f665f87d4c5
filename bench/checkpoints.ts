/**
 * `npm run bench:checkpoints` (also the last part of `npm run bench`): what checkpoints cost, on both
 * runners, each configuration in its own process.
 *
 * - throughput: Generate → Map → FixedWindows(1 s) → Count.perKey (1,000 keys) → sink, without
 *   checkpoints and with `--checkpointDir` every 10 s and every 1 s; elements per second (wall and
 *   CPU) and the ratio to the run without checkpoints.
 * - state-1m: 1,000,000 distinct keys in one 1 h window (Count.perKey), then 200,000 more elements
 *   of those keys; a checkpoint is requested when the millionth key has been counted, and one is taken
 *   every 1 s. Prints size (bytes, bytes per key), synchronous time (the pipeline waits: capture and
 *   encoding), write time (in the background: file, fsync, rename) and commit time.
 *
 * - kafka (bench/checkpoints-kafka.ts): Netflow scenario 1 Kafka → Kafka through the CLI, exactly-once
 *   with a 1 s checkpoint interval as a ratio to at-least-once without checkpoints (target ≥ 0.8×),
 *   checkpoints taken and size, and recovery time (restart to first committed output) after a SIGKILL.
 *   Needs a broker: KAFKA_BROKERS, else the repo's local one (scripts/kafka-start.sh).
 *
 * Flags: --elements=N (throughput, default 5,000,000), --keys=N (state-1m, default 1,000,000),
 * --repeat=N (throughput and kafka, best of N, default 1), --quick (1,000,000 elements and 200,000 keys),
 * --netflowCount=N (kafka: scenario 1's events, default 10,000), --only=throughput|state-1m|kafka,
 * --parallelism=N (throughput and state-1m: the Count's instances, default 1; design scale-out step 5).
 * Internal: --worker=<json> runs one configuration and prints one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import '../runners/index.js';
import { parseCommandLine } from '../sdk/command-line.js';
import { kv, type KV } from '../sdk/kv.js';
import { Pipeline } from '../sdk/pipeline.js';
import type { PipelineRun, TakenCheckpoint } from '../sdk/runner.js';
import { FixedWindows } from '../sdk/windows/fixed-windows.js';
import { Count } from '../transforms/combiners/count.js';
import { Generate } from '../transforms/io/generate.js';
import { MapElements } from '../transforms/map.js';
import { ParDo } from '../transforms/par-do.js';
import { Window } from '../transforms/window.js';
import { runKafkaCheckpointBench } from './checkpoints-kafka.js';

/** One configuration, run by a worker process. */
interface Job {
  readonly case: 'throughput' | 'state-1m';
  readonly runner: 'native' | 'microbatch';
  /** Checkpoint interval (e.g. '1s'), or none. */
  readonly interval?: string;
  readonly elements: number;
  readonly keys: number;
  /** Instances of the Count (`--parallelism`). */
  readonly parallelism?: number;
}

/** What a worker prints. */
interface Row {
  readonly job: Job;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly elementsPerSecond: number;
  readonly elementsPerCpuSecond: number;
  readonly checkpoints: readonly TakenCheckpoint[];
  /** state-1m: the checkpoint requested once every key was counted. */
  readonly requested?: number;
  readonly peakRssMb: number;
}

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    elements: { type: 'string', value: 'N', help: 'throughput: elements per run (default 5,000,000)' },
    keys: { type: 'string', value: 'N', help: 'state-1m: distinct keys (default 1,000,000)' },
    repeat: { type: 'string', value: 'N', help: 'throughput: runs per configuration, best kept (default 1)' },
    quick: { type: 'boolean', help: '1,000,000 elements, 200,000 keys' },
    only: { type: 'string', value: 'throughput|state-1m|kafka', help: 'one part only' },
    parallelism: { type: 'string', value: 'N', help: 'throughput and state-1m: instances of the Count (default 1)' },
    netflowCount: { type: 'string', value: 'N', help: "kafka: scenario 1's events (default 10,000)" },
    worker: { type: 'string', value: '<json>', hidden: true, help: 'internal: run one configuration' },
  },
  { program: 'bench:checkpoints', usage: 'npm run bench:checkpoints -- [flags]' },
);

if (args.worker !== undefined) {
  console.log(JSON.stringify(await runJob(JSON.parse(args.worker) as Job)));
} else {
  await main();
}

/** Runs one configuration in this process. */
async function runJob(job: Job): Promise<Row> {
  const dir = job.interval !== undefined ? mkdtempSync(join(tmpdir(), 'watershed-bench-ck-')) : undefined;
  const p = Pipeline.create({
    runner: job.runner,
    ...(job.parallelism !== undefined ? { parallelism: job.parallelism } : {}),
    ...(job.runner === 'microbatch' ? { batchInterval: 'asap' as const } : {}),
    ...(dir !== undefined ? { checkpointDir: dir, checkpointInterval: parseInterval(job.interval!) } : {}),
  });
  let run: PipelineRun | undefined;
  let requested = false;
  let outputs = 0;
  const sink = ParDo<KV<number, number>, never>({
    process() {
      outputs++;
    },
  });
  if (job.case === 'throughput') {
    p.apply('Generate', Generate.of({ count: job.elements, element: (i) => ({ id: i, user: i % job.keys }), timestamp: (i) => Math.floor(i / 100) }))
      .apply('KeyByUser', MapElements((e: { id: number; user: number }) => kv(e.user, e)))
      .apply('Fixed1s', Window.into(FixedWindows(1000)))
      .apply('Count', Count.perKey())
      .apply('Sink', sink);
  } else {
    // Keys 0..keys-1 once each, then `elements - keys` more of them; all in the first hour.
    const hour = 3_600_000;
    p.apply('Generate', Generate.of({ count: job.elements, element: (i) => i % job.keys, timestamp: (i) => Math.floor((i * (hour - 1)) / job.elements) }))
      .apply(
        'KeyByIp',
        MapElements((k: number) => {
          if (k === job.keys - 1 && !requested) {
            requested = true;
            run?.checkpoint?.(); // every key is in the window state: checkpoint at the next boundary
          }
          return kv(k, 1);
        }),
      )
      .apply('Hour', Window.into(FixedWindows(hour)))
      .apply('Count', Count.perKey())
      .apply('Sink', sink);
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  run = p.start();
  const result = await run.done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  if (outputs === 0) throw new Error('the benchmark produced no output');
  const taken = result.checkpoints?.taken ?? [];
  // The requested checkpoint is the biggest one (all keys); periodic ones may hold fewer.
  const biggest = taken.reduce<TakenCheckpoint | undefined>((a, b) => (a === undefined || b.bytes > a.bytes ? b : a), undefined);
  return {
    job,
    seconds,
    cpuSeconds,
    elementsPerSecond: job.elements / seconds,
    elementsPerCpuSecond: job.elements / cpuSeconds,
    checkpoints: taken,
    ...(job.case === 'state-1m' && biggest ? { requested: biggest.seq } : {}),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function parseInterval(s: string): number {
  const m = /^(\d+)(ms|s)$/.exec(s);
  if (!m) throw new Error(`interval ${s}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

async function main(): Promise<void> {
  const quick = args.quick === true;
  const elements = Number(args.elements ?? (quick ? 1_000_000 : 5_000_000));
  const keys = Number(args.keys ?? (quick ? 200_000 : 1_000_000));
  const repeat = Number(args.repeat ?? 1);
  const parallelism = Number(args.parallelism ?? 1);
  const at = parallelism > 1 ? { parallelism } : {};
  const only = args.only;
  if (only !== undefined && !['throughput', 'state-1m', 'kafka'].includes(only)) throw new Error(`--only=${only}: use throughput, state-1m or kafka`);
  const script = fileURLToPath(import.meta.url);
  const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
  const work = (job: Job): Row => {
    const out = execFileSync(tsx, [script, `--worker=${JSON.stringify(job)}`], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    return JSON.parse(out.trim().split('\n').pop()!) as Row;
  };
  const best = (job: Job): Row => Array.from({ length: repeat }, () => work(job)).reduce((a, b) => (b.elementsPerCpuSecond > a.elementsPerCpuSecond ? b : a));
  const m = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
  const ms = (x: number) => `${Math.round(x)} ms`;
  const mb = (x: number) => `${(x / 1e6).toFixed(1)} MB`;

  if (only === undefined || only === 'throughput') {
    console.log(`Checkpoint overhead: Generate → Map → FixedWindows(1 s) → Count.perKey (1,000 keys), ${elements.toLocaleString('en-US')} elements, one process per run, best of ${repeat} by CPU, parallelism ${parallelism}`);
    console.log('runner       checkpoints   wall elements/s   CPU elements/s   vs none (wall, CPU)   taken   bytes (max)    sync ms (max)   write ms (max)');
    for (const runner of ['native', 'microbatch'] as const) {
      const none = best({ case: 'throughput', runner, elements, keys: 1000, ...at });
      for (const interval of [undefined, '10s', '1s']) {
        const r = interval === undefined ? none : best({ case: 'throughput', runner, interval, elements, keys: 1000, ...at });
        const c = r.checkpoints;
        console.log(
          `${runner.padEnd(12)} ${(interval ?? 'none').padEnd(11)} ${m(r.elementsPerSecond).padStart(16)} ${m(r.elementsPerCpuSecond).padStart(16)}   ${(r.elementsPerSecond / none.elementsPerSecond).toFixed(2)}x, ${(r.elementsPerCpuSecond / none.elementsPerCpuSecond).toFixed(2)}x ${String(c.length).padStart(9)}   ${(c.length ? `${Math.round(Math.max(...c.map((x) => x.bytes)) / 1000)} kB` : '-').padStart(12)}   ${(c.length ? ms(Math.max(...c.map((x) => x.syncMs))) : '-').padStart(13)}   ${(c.length ? ms(Math.max(...c.map((x) => x.writeMs))) : '-').padStart(14)}`,
        );
      }
    }
  }
  if (only === undefined || only === 'state-1m') {
    const total = keys + Math.round(keys / 5);
    console.log(`\nCheckpoint size and duration: ${keys.toLocaleString('en-US')} keys of window state (Count.perKey, one 1 h window, ${total.toLocaleString('en-US')} elements), checkpoints every 1 s and one when every key is counted, parallelism ${parallelism}`);
    console.log('runner       run s   taken   biggest (all keys)   bytes/key   sync ms   write ms   commit ms   final checkpoint (window closed)');
    for (const runner of ['native', 'microbatch'] as const) {
      const r = work({ case: 'state-1m', runner, interval: '1s', elements: total, keys, ...at });
      const big = r.checkpoints.find((c) => c.seq === r.requested);
      const last = r.checkpoints.at(-1);
      console.log(
        `${runner.padEnd(12)} ${r.seconds.toFixed(1).padStart(5)}   ${String(r.checkpoints.length).padStart(5)}   ${(big ? mb(big.bytes) : '-').padStart(18)}   ${(big ? (big.bytes / keys).toFixed(1) : '-').padStart(9)}   ${(big ? ms(big.syncMs) : '-').padStart(7)}   ${(big ? ms(big.writeMs) : '-').padStart(8)}   ${(big ? ms(big.commitMs) : '-').padStart(9)}   ${last ? `${last.bytes.toLocaleString('en-US')} bytes` : '-'}`,
      );
    }
  }
  if (only === undefined || only === 'kafka') {
    await runKafkaCheckpointBench({ ...(args.netflowCount !== undefined ? { count: Number(args.netflowCount) } : {}), repeat });
  }
}
