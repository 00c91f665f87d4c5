/**
 * `npm run test:crash`: the long SIGKILL harness (./crash-harness.ts), outside vitest, printing each
 * moment and verdict. Default: 20 kills of each job in LONG_CRASH_JOBS (./crash-jobs.ts): Netflow
 * scenario 1 Kafka → Kafka and NDJSON file → TextFile parts, and the windowed count with early and
 * late panes Kafka → Kafka, Kafka → TextFile parts and file → TextFile parts; seed 1.
 *
 *   npm run test:crash -- [--kills=20] [--seed=1] [--job=count,count-file|all] [--killsPerChain=5]
 *
 * Uses the cluster in KAFKA_BROKERS, else starts a private broker when a job needs Kafka
 * (scripts/kafka-start.sh, free ports, its own state dir, deleted at the end). Exits 0 when every
 * chain of every job committed exactly the failure-free output, 1 otherwise, 2 on a bad flag.
 */
import { parseArgs } from 'node:util';
import { PrivateBroker } from '../kafka/private-broker.js';
import { runCrashHarness, type CrashReport } from './crash-harness.js';
import { CRASH_JOBS, LONG_CRASH_JOBS } from './crash-jobs.js';

const positiveInt = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    console.error(`--${name}=${v}: a whole number`);
    process.exit(2);
  }
  return n;
};

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({ options: { kills: { type: 'string' }, seed: { type: 'string' }, job: { type: 'string' }, killsPerChain: { type: 'string' } }, strict: true, allowPositionals: false }));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const names = values['job'] === 'all' ? Object.keys(CRASH_JOBS) : (values['job']?.split(',') ?? [...LONG_CRASH_JOBS]);
const jobs = names.map((name) => {
  const job = CRASH_JOBS[name];
  if (job === undefined) {
    console.error(`--job=${name}: use ${Object.keys(CRASH_JOBS).join(', ')} (comma-separated), or all`);
    process.exit(2);
  }
  return job;
});
const kills = positiveInt('kills', values['kills'] ?? '20');
const seed = positiveInt('seed', values['seed'] ?? '1');
const killsPerChain = positiveInt('killsPerChain', values['killsPerChain'] ?? '5');

let broker: PrivateBroker | undefined;
let brokers = process.env['KAFKA_BROKERS'];
if (!brokers && jobs.some((j) => j.input === 'kafka' || j.output === 'kafka')) {
  broker = await PrivateBroker.create('crash');
  console.log(`[crash] starting a private broker on 127.0.0.1:${broker.port} ...`);
  brokers = await broker.start({ fresh: true });
}
const started = performance.now();
const reports: CrashReport[] = [];
try {
  for (const job of jobs) {
    const t0 = performance.now();
    const report = await runCrashHarness({ ...(brokers ? { brokers } : {}), job, kills, seed, killsPerChain, log: (l) => console.log(l) });
    console.log(`[crash] ${job.name}: ${report.ok ? 'PASS' : 'FAIL'} in ${Math.round((performance.now() - t0) / 1000)} s\n`);
    reports.push(report);
  }
  console.log(`[crash] ${reports.map((r) => `${r.job} ${r.ok ? 'PASS' : 'FAIL'} (${r.kills} kills)`).join(', ')}; ${Math.round((performance.now() - started) / 1000)} s in all`);
  process.exitCode = reports.every((r) => r.ok) ? 0 : 1;
} finally {
  broker?.dispose();
}
