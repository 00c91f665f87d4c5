import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitOnUsageError, parseCommandLine } from '../sdk/command-line.js';
import { printableLines } from '../sdk/internal/printable.js';
import { generate, REPORT_FILES, runnerList, selectRunners } from './generate.js';
import { writeReportFiles } from './write-report-files.js';

/**
 * `npm run capability-matrix [-- --runner=native,microbatch]`: runs the conformance suite on every
 * registered runner (or those given) and writes capability-matrix/report.md, report.json and
 * report.html. Commit the result: report-up-to-date.test.ts fails when it is stale.
 *
 * The Kafka row needs a broker: env KAFKA_BROKERS, or else one started here with
 * scripts/kafka-start.sh on port 19292 (state in .kafka/matrix, formatted fresh each time: its topics
 * are throw-away) and stopped at the end. Without a broker it fails and writes nothing. The report
 * files are written as one set (all to hidden files first, then renamed: see writeReportFiles), so a
 * failed run leaves the reports of the last run, all three.
 */

const USAGE = `npm run capability-matrix [-- --runner=native,microbatch]

Runs the conformance suite on every registered runner (or those given) and writes
capability-matrix/report.md, report.json and report.html: Beam-style what/where/when/how rows by runner.
The Kafka rows use the broker in KAFKA_BROKERS, else one started here (port 19292) and stopped at the end.`;

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseCommandLine(
  process.argv.slice(2),
  { runner: { type: 'string', value: 'native,microbatch', help: 'only these runners (the committed report covers every registered runner)' } },
  { program: 'capability-matrix', usage: USAGE },
);
// A bad --runner is a usage error (one line, exit 2), before a broker is started or anything runs.
let runners: string[];
let only: string[] | undefined;
try {
  only = values.runner === undefined ? undefined : runnerList(values.runner);
  runners = selectRunners(only);
} catch (e) {
  exitOnUsageError(e);
  throw e;
}

const root = join(here, '..');
const brokerEnv = { ...process.env, KAFKA_PORT: '19292', KAFKA_CONTROLLER_PORT: '19293', KAFKA_STATE_DIR: join(root, '.kafka', 'matrix'), KAFKA_FRESH: '1' };
let startedBroker = false;

/** Starts the suite's own broker; returns its address or throws with the script's output. */
function startBroker(): string {
  process.stderr.write('KAFKA_BROKERS is unset: starting a broker for the Kafka cases (scripts/kafka-start.sh, port 19292)\n');
  const r = spawnSync('bash', [join(root, 'scripts', 'kafka-start.sh')], { env: brokerEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  const m = /^KAFKA_BROKERS=(\S+)$/.exec(last);
  if (r.status !== 0 || !m) {
    throw new Error(
      `no Kafka broker for the capability matrix: scripts/kafka-start.sh failed (exit ${r.status ?? r.signal}); nothing was written.\n` +
        `${(r.stderr ?? '').trim()}\nSet KAFKA_BROKERS=host:port to use a running broker.`,
    );
  }
  startedBroker = true;
  return m[1]!;
}

try {
  if (!process.env['KAFKA_BROKERS']) process.env['KAFKA_BROKERS'] = startBroker();
  const { suite, files } = await generate(runners, undefined, (runner, cap) => process.stderr.write(`  ${runner.padEnd(12)} ${cap.id}\n`));
  // the set whole (hidden files, then renames): a crash or a full disk mid-write leaves the committed reports
  await writeReportFiles(here, files);
  const tally = (r: string) => {
    const counts: Record<string, number> = {};
    for (const c of suite.capabilities) counts[c.cells[r]!.verdict] = (counts[c.cells[r]!.verdict] ?? 0) + 1;
    return Object.entries(counts)
      .map(([v, k]) => `${k} ${v}`)
      .join(', ');
  };
  for (const r of runners) process.stdout.write(`${r}: ${tally(r)}\n`);
  process.stdout.write(`wrote ${REPORT_FILES.map((f) => `capability-matrix/${f}`).join(', ')}\n`);
  if (only) process.stdout.write('note: --runner limits the columns; the committed report covers every registered runner (run without --runner before committing).\n');
} catch (e) {
  // escaped as the CLI's errors are (a runner name, a script's output): no control character reaches the terminal
  process.stderr.write(`${printableLines(e instanceof Error ? e.message : String(e))}\n`);
  process.exitCode = 1;
} finally {
  if (startedBroker) {
    const r = spawnSync('bash', [join(root, 'scripts', 'kafka-stop.sh')], { env: brokerEnv, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) process.stderr.write(`kafka-stop.sh failed (exit ${r.status ?? r.signal}): ${printableLines((r.stderr ?? '').trim())}\n`);
  }
}
