/**
 * The Kafka part of the checkpoint bench (bench/checkpoints.ts, `npm run bench`): Netflow scenario 1
 * Kafka → Kafka through the CLI, per runner, each run in its own process, in the same bench run:
 * - at-least-once without checkpoints (no `--checkpointDir`; idempotent producer, no transactions);
 * - exactly-once with `--checkpointDir` and `--checkpointInterval=1s` (transactions committed per
 *   checkpoint): its throughput as a ratio to the first (issue #13's target: ≥ 0.8×), the checkpoints it
 *   took and the size of the newest kept, and the time from its start to its first committed record;
 * - recovery: the exactly-once run again, SIGKILLed half-way through (half the exactly-once run's
 *   process time: scenario 1 emits its pairs when its one window closes, so this is mostly mid-output),
 *   then the same command started again: the time from that restart to the first record it commits (a
 *   read_committed consumer of the output topic, from the offsets the topic had when the restart
 *   began), and the restarted run's length.
 * Throughput is events per second of the job's own pipeline time (`--statsOut` summary), best of `repeat`.
 *
 * @example await runKafkaCheckpointBench({ count: 10_000, repeat: 1 }); // prints a table
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';
import { generateNetflow } from '../pipelines/netflow/generator.js';
import { scenarioOptions } from '../pipelines/netflow/scenarios.js';
import type { KafkaAdmin, KafkaClientFactory } from '../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../transforms/io/kafka/kafkajs-client.js';
import { ensureBroker } from './kafka-broker.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** Issue #13's target: exactly-once with 1 s checkpoints at ≥ 0.8× the throughput of at-least-once without. */
const EOS_TARGET = 0.8;
const PARTITIONS = 3;

/** How one CLI run went. */
interface RunOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly processMs: number;
  /** From spawn to the first record a read_committed consumer saw (undefined: none). */
  readonly firstOutputMs?: number;
  readonly summary?: NetflowRunSummary;
  readonly stderr: string;
}

/**
 * Runs the Netflow CLI with `args`, watching `output` from `from` (per-partition offsets) with a
 * read_committed consumer for the first record.
 */
async function runWatched(kafka: KafkaClientFactory, args: readonly string[], output: string, from: readonly string[], statsOut: string, killAfterMs?: number): Promise<RunOutcome> {
  const consumer = kafka.consumer({ readUncommitted: false, maxWaitTimeMs: 50 });
  await consumer.connect();
  let firstAt: number | undefined;
  await consumer.assign(from.map((offset, partition) => ({ topic: output, partition, startOffset: offset })));
  await consumer.run(async (b) => {
    if (firstAt === undefined && b.messages.length > 0) firstAt = performance.now();
  });
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', 'netflow', ...args, `--statsOut=${statsOut}`, '--quiet'], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  });
  clearTimeout(timer);
  const processMs = performance.now() - t0;
  // The last transaction commits as the run ends: give the consumer a moment to see it.
  for (let i = 0; i < 100 && firstAt === undefined && code === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await consumer.disconnect();
  let summary: NetflowRunSummary | undefined;
  try {
    summary = JSON.parse(readFileSync(statsOut, 'utf8')) as NetflowRunSummary;
  } catch {
    summary = undefined; // killed: no summary
  }
  rmSync(statsOut, { force: true });
  return { code, signal, processMs, ...(firstAt !== undefined ? { firstOutputMs: firstAt - t0 } : {}), ...(summary ? { summary } : {}), stderr };
}

/** The topic's end offsets, per partition (where a watcher of new records starts). */
async function endOffsets(admin: KafkaAdmin, topic: string): Promise<string[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.sort((a, b) => a.partition - b.partition).map((p) => String(p.high));
}

/** The highest checkpoint number in `dir` and the newest checkpoint file's size. */
function checkpointsIn(dir: string): { taken: number; newestBytes: number } {
  const names = readdirSync(join(dir, 'checkpoints')).filter((n) => /^ck-\d{12}$/.test(n)).sort();
  const newest = names.at(-1);
  return { taken: newest ? Number(newest.slice(3)) : 0, newestBytes: newest ? statSync(join(dir, 'checkpoints', newest)).size : 0 };
}

const fail = (what: string, r: RunOutcome): never => {
  throw new Error(`${what}: exit ${r.code ?? r.signal}\n${r.stderr.split('\n').slice(-12).join('\n')}`);
};

/** Runs the Kafka checkpoint bench and prints its table. `count`: scenario 1's events (default 10,000). */
export async function runKafkaCheckpointBench(o: { count?: number; repeat: number }): Promise<void> {
  const broker = ensureBroker();
  const kafka = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  const work = mkdtempSync(join(tmpdir(), 'watershed-bench-eos-'));
  const topics: string[] = [];
  const newTopic = async (kind: string): Promise<string> => {
    const t = `watershed-bench-eos-${kind}-${randomUUID()}`;
    topics.push(t);
    await admin.createTopics([{ topic: t, partitions: PARTITIONS }]);
    return t;
  };
  try {
    const input = await newTopic('in');
    const producer = kafka.producer();
    await producer.connect();
    const events = [...generateNetflow(scenarioOptions(1, o.count !== undefined ? { count: o.count } : {}))].map((e) => ({ key: null, value: e.raw }));
    for (let i = 0; i < events.length; i += 5000) await producer.send(input, events.slice(i, i + 5000));
    await producer.disconnect();
    const io = (output: string): string[] => [`--input=kafka:${input}`, `--output=kafka:${output}`, `--brokers=${broker.brokers}`];
    const stats = (): string => join(work, `stats-${randomUUID()}.json`);
    const n = (x: number) => Math.round(x).toLocaleString('en-US');
    const rate = (r: RunOutcome) => r.summary!.eventsIn / (r.summary!.wallMs / 1000);

    console.log(
      `\nExactly-once Kafka → Kafka: Netflow scenario 1 (${n(events.length)} events), exactly-once with --checkpointInterval=1s vs at-least-once without checkpoints; ` +
        `recovery after a SIGKILL half-way through; one process per run, best of ${o.repeat} by pipeline time`,
    );
    console.log('runner       at-least-once ev/s   exactly-once ev/s   ratio (target ≥ 0.8)   checkpoints   newest ck   start→first output   kill at       restart→first output   restarted run');
    for (const runner of ['native', 'microbatch'] as const) {
      const flags = [`--runner=${runner}`, ...(runner === 'microbatch' ? ['--batchInterval=asap'] : [])];
      const best = async (make: () => Promise<RunOutcome>): Promise<RunOutcome> => {
        let b: RunOutcome | undefined;
        for (let i = 0; i < o.repeat; i++) {
          const r = await make();
          if (!b || rate(r) > rate(b)) b = r;
        }
        return b!;
      };
      const alo = await best(async () => {
        const out = await newTopic('alo');
        const r = await runWatched(kafka, [...flags, ...io(out)], out, Array(PARTITIONS).fill('0'), stats());
        return r.code === 0 && r.summary ? r : fail(`${runner} at-least-once run`, r);
      });
      let ck = { taken: 0, newestBytes: 0 };
      const eos = await best(async () => {
        const out = await newTopic('eos');
        const dir = join(work, `ck-${randomUUID()}`);
        const r = await runWatched(kafka, [...flags, ...io(out), `--checkpointDir=${dir}`, '--checkpointInterval=1s'], out, Array(PARTITIONS).fill('0'), stats());
        if (r.code !== 0 || !r.summary) fail(`${runner} exactly-once run`, r);
        ck = checkpointsIn(dir);
        return r;
      });

      // Recovery: killed half-way through, then restarted.
      const out = await newTopic('recovery');
      const dir = join(work, `ck-${randomUUID()}`);
      const killAt = eos.processMs / 2;
      const args = [...flags, ...io(out), `--checkpointDir=${dir}`, '--checkpointInterval=1s'];
      const killed = await runWatched(kafka, args, out, Array(PARTITIONS).fill('0'), stats(), killAt);
      const wasKilled = killed.signal === 'SIGKILL';
      if (!wasKilled && killed.code !== 0) fail(`${runner} run to kill`, killed);
      const restarted = await runWatched(kafka, args, out, await endOffsets(admin, out), stats());
      if (restarted.code !== 0) fail(`${runner} restarted run`, restarted);
      const ms = (x: number | undefined) => (x === undefined ? '-' : `${n(x)} ms`);
      console.log(
        `${runner.padEnd(12)} ${n(rate(alo)).padStart(18)}   ${n(rate(eos)).padStart(17)}   ${`${(rate(eos) / rate(alo)).toFixed(2)}x ${rate(eos) / rate(alo) >= EOS_TARGET ? 'ok' : 'BELOW'}`.padStart(20)}   ${String(ck.taken).padStart(11)}   ${`${n(ck.newestBytes / 1000)} kB`.padStart(9)}   ${ms(eos.firstOutputMs).padStart(18)}   ${(wasKilled ? ms(killed.processMs) : 'ended first').padEnd(12)}  ${ms(restarted.firstOutputMs).padStart(20)}   ${ms(restarted.processMs).padStart(13)}`,
      );
    }
    console.log('(pipeline time from --statsOut; start/restart→first output from spawn, Node start-up included, to the first record a read_committed consumer sees)');
  } finally {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    broker.stop();
  }
}
