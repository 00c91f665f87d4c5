/**
 * `npm run test:crash`: the long SIGKILL harness (./crash-harness.ts), outside vitest, printing each
 * moment and verdict. Default: 20 kills of Netflow scenario 1 Kafka → Kafka, seed 1.
 *
 *   npm run test:crash -- [--kills=20] [--seed=1] [--job=scenario-1|small] [--killsPerChain=5]
 *
 * Uses the cluster in KAFKA_BROKERS, else starts a private broker (scripts/kafka-start.sh, free
 * ports, its own state dir, deleted at the end). Exits 0 when every chain committed exactly the
 * failure-free output, 1 otherwise, 2 on a bad flag.
 */
import { parseArgs } from 'node:util';
import { PrivateBroker } from '../kafka/private-broker.js';
import { runCrashHarness } from './crash-harness.js';
import { CRASH_JOBS } from './crash-job.js';

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
const job = CRASH_JOBS[values['job'] ?? 'scenario-1'];
if (job === undefined) {
  console.error(`--job=${values['job']}: use ${Object.keys(CRASH_JOBS).join(' or ')}`);
  process.exit(2);
}
const kills = positiveInt('kills', values['kills'] ?? '20');
const seed = positiveInt('seed', values['seed'] ?? '1');
const killsPerChain = positiveInt('killsPerChain', values['killsPerChain'] ?? '5');

let broker: PrivateBroker | undefined;
let brokers = process.env['KAFKA_BROKERS'];
if (!brokers) {
  broker = await PrivateBroker.create('crash');
  console.log(`[crash] starting a private broker on 127.0.0.1:${broker.port} ...`);
  brokers = await broker.start({ fresh: true });
}
const started = performance.now();
try {
  const report = await runCrashHarness({ brokers, job, kills, seed, killsPerChain, log: (l) => console.log(l) });
  console.log(`[crash] ${Math.round((performance.now() - started) / 1000)} s in all`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  broker?.dispose();
}
