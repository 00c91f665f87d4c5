/**
 * `npm run bench:netflow`: the Netflow job's speed and memory figures, each run in its own process:
 * - s1: the seed's scenario 1 (10,000 events in one 3 s window, ~2 M pairs) from the generator to an
 *   NDJSON file (the issue's target: under 2 s per runner on the 2-core machine);
 * - hot: the real hot key of ../shared/data/zeek-conn-portscan.log in 5 s windows (3,242 events in one
 *   window, 5.3 M pairs in all) to an NDJSON file: it must complete without running out of memory;
 * - s2: scenario 2 (50,000 events over 17 windows, ~4.5 M pairs) to an NDJSON file;
 * - kafka: scenario 1 from a Kafka topic to a Kafka topic on a local broker (the issue's target: under
 *   10 s), the seed's own setup; the output topic's record count is checked against the pairs computed.
 *   Uses KAFKA_BROKERS, else starts (and afterwards stops) the repo's local broker. `kafka` uses the
 *   default client (@platformatic/kafka consumer, wire producer); `kafka@<client>[/<producer>]` another
 *   (`kafka@kafkajs`: kafkajs consumer; `kafka@platformatic/platformatic`: @platformatic/kafka for both).
 * - kafka-vs-file: scenario 1 twice per runner in the same run, from the same events: file → file
 *   (the generator's events written once to an NDJSON file, read with `--input=ndjson:<file>`, pairs to
 *   `--output=ndjson:<out>`) and Kafka topic → Kafka topic (the same events in a topic), then the
 *   ratio Kafka→Kafka pipeline time / file→file pipeline time per runner against issue #14's target (≤ 1.5×).
 *   Both runs must compute the same number of pairs. Default client, as `kafka`.
 * Flags: --cases=s1,hot,s2,kafka,kafka@kafkajs,kafka@platformatic/platformatic,kafka-vs-file (default s1,hot),
 * --repeat=N (runs per case and runner; the table shows the fastest and the highest peak RSS), --count=N
 * (scenario 1's event count for s1, the kafka cases and kafka-vs-file; default the scenario's 10,000: for
 * quick checks), --keep (keep the output files in out/bench/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { generateNetflow } from '../pipelines/netflow/generator.js';
import { scenarioOptions } from '../pipelines/netflow/scenarios.js';
import { parseCommandLine } from '../sdk/command-line.js';
import { createKafkaClientFactory } from '../transforms/io/kafka/default-client.js';
import { ensureBroker } from './kafka-broker.js';
import type { NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    cases: { type: 'string', value: 's1,hot,s2,kafka', help: 'the cases to run (default s1,hot)' },
    repeat: { type: 'string', value: 'N', help: 'runs per case and runner (default 1)' },
    count: { type: 'string', value: 'N', help: "scenario 1's event count (default 10,000)" },
    keep: { type: 'boolean', help: 'keep the output files in out/bench/' },
  },
  { program: 'bench:netflow', usage: 'npm run bench:netflow -- [flags]' },
);
const repo = fileURLToPath(new URL('..', import.meta.url));
const out = join(repo, 'out', 'bench');
mkdirSync(out, { recursive: true });
const count = args.count === undefined ? undefined : Number(args.count);
if (count !== undefined && !(Number.isInteger(count) && count > 0)) throw new Error(`--count=${args.count}: expected a positive whole number`);
/** Scenario 1's generator settings, with --count applied. */
const scenario1 = scenarioOptions(1, count !== undefined ? { count } : {});
/** The combined case: file → file and Kafka → Kafka from the same events on each runner, and their ratio. */
const KAFKA_VS_FILE = 'kafka-vs-file';
/** Issue #14's target for Kafka → Kafka time over file → file time. */
const KAFKA_VS_FILE_TARGET = 1.5;
const cases: Record<string, string[]> = {
  s1: ['--scenario=1', ...(count !== undefined ? [`--count=${count}`] : [])],
  hot: ['--input=zeek:' + join(repo, '..', 'shared', 'data', 'zeek-conn-portscan.log'), '--window=5s'],
  s2: ['--scenario=2'],
  kafka: [],
  'kafka@kafkajs': [],
  'kafka@platformatic/platformatic': [],
  [KAFKA_VS_FILE]: [],
};
const chosen = (args.cases ?? 's1,hot').split(',');
const repeat = Number(args.repeat ?? 1);

interface Row {
  summary: NetflowRunSummary;
  processMs: number;
  bytes: number;
}

/** Size in bytes of an NDJSON output: a file, or a part folder (when checkpointing is on) summed over its files. */
function outputBytes(path: string): number {
  const st = statSync(path);
  return st.isDirectory() ? readdirSync(path, { recursive: true, withFileTypes: true }).reduce((sum, e) => sum + (e.isFile() ? statSync(join(e.parentPath, e.name)).size : 0), 0) : st.size;
}

/**
 * One run of the Netflow CLI in its own process: from the case's input (or `ndjsonInput` when given)
 * to an NDJSON file in out/bench/, or Kafka to Kafka when `kafka` is given.
 */
function runOnce(name: string, runner: string, kafka?: { brokers: string; input: string; output: string }, ndjsonInput?: string): Row {
  const file = join(out, `${name.replace(/[@/:]/g, '-')}-${runner}.ndjson`);
  const stats = join(out, `${name.replace(/[@/:]/g, '-')}-${runner}.summary.json`);
  const io = kafka
    ? [`--input=kafka:${kafka.input}`, `--output=kafka:${kafka.output}`, `--brokers=${kafka.brokers}`]
    : [...(ndjsonInput !== undefined ? [`--input=ndjson:${ndjsonInput}`] : []), `--output=ndjson:${file}`];
  const t0 = Date.now();
  const [client, producer] = (name.split('@')[1] ?? '').split('/'); // the client library and producer of a kafka@<client>[/<producer>] case
  const env = { ...process.env, ...(client ? { WATERSHED_KAFKA_CLIENT: client } : {}), ...(producer ? { WATERSHED_KAFKA_PRODUCER: producer } : {}) };
  execFileSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', 'netflow', ...(cases[name] ?? []), `--runner=${runner}`, ...io, `--statsOut=${stats}`, '--quiet'], { cwd: repo, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const processMs = Date.now() - t0;
  const summary = JSON.parse(readFileSync(stats, 'utf8')) as NetflowRunSummary;
  const bytes = kafka ? 0 : outputBytes(file);
  if (!kafka && args.keep !== true) rmSync(file, { recursive: true });
  return { summary, processMs, bytes };
}

/** Sets up the kafka case: a broker, scenario 1's events in an input topic; returns per-run topics and a cleanup. */
async function kafkaSetup(): Promise<{ brokers: string; input: string; newOutput: () => string; count: (topic: string) => Promise<number>; done: () => Promise<void> }> {
  const broker = ensureBroker();
  const kafka = createKafkaClientFactory({ brokers: broker.brokers, client: 'kafkajs', logLevel: 'error' });
  const admin = kafka.admin();
  await admin.connect();
  const input = `netflow-bench-in-${randomUUID()}`;
  const topics = [input];
  await admin.createTopics([{ topic: input, partitions: 3 }]);
  const producer = kafka.producer();
  await producer.connect();
  const events = [...generateNetflow(scenario1)].map((e) => ({ value: e.raw }));
  await producer.send(input, events);
  await producer.disconnect();
  return {
    brokers: broker.brokers,
    input,
    newOutput: () => {
      const t = `netflow-bench-out-${randomUUID()}`;
      topics.push(t);
      return t;
    },
    count: async (topic) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
    done: async () => {
      await admin.deleteTopics(topics).catch(() => undefined);
      await admin.disconnect();
      broker.stop();
    },
  };
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** Prints one table row: the fastest of `rows` and the highest peak RSS among them. */
function printRow(label: string, runner: string, rows: Row[], toTopic: boolean): Row {
  const best = rows.reduce((a, b) => (b.summary.wallMs < a.summary.wallMs ? b : a));
  const rss = Math.max(...rows.map((r) => r.summary.peakRssMb));
  const s = best.summary;
  console.log(
    `${label.padEnd(20)} ${runner.padEnd(11)} ${n(s.eventsIn).padStart(7)} ${n(s.pairs.pairs).padStart(10)} ${`${n(s.wallMs)} ms`.padStart(10)} ${`${n(s.computationMs ?? 0)} ms`.padStart(12)} ${`${n(best.processMs)} ms`.padStart(9)} ${`${n(s.cpuMs.total)} ms`.padStart(10)} ${`${n(rss)} MB`.padStart(9)} ${toTopic ? '   topic' : `${n(best.bytes / 1e6)} MB`.padStart(8)}`,
  );
  return best;
}

/** The ratio lines of the kafka-vs-file case, printed after the table. */
const ratios: string[] = [];

/**
 * kafka-vs-file: writes scenario 1's events once to an NDJSON file and once to a topic, then per runner
 * runs file → file and Kafka → Kafka (alternating, `repeat` times each) and records the ratio of their
 * best pipeline times. @throws Error if the two runs compute different pair counts or the topic holds
 * another number of records than the job computed.
 */
async function kafkaVsFile(): Promise<void> {
  const input = join(out, `${KAFKA_VS_FILE}-input.ndjson`);
  writeFileSync(input, [...generateNetflow(scenario1)].map((e) => `${e.raw}\n`).join(''));
  const k = await kafkaSetup();
  try {
    for (const runner of ['native', 'microbatch']) {
      const files: Row[] = [];
      const topics: Row[] = [];
      for (let i = 0; i < repeat; i++) {
        files.push(runOnce(`${KAFKA_VS_FILE}:file`, runner, undefined, input));
        const output = k.newOutput();
        const row = runOnce(`${KAFKA_VS_FILE}:kafka`, runner, { brokers: k.brokers, input: k.input, output });
        const written = await k.count(output);
        if (written !== row.summary.pairs.pairs) throw new Error(`${KAFKA_VS_FILE} on ${runner}: output topic holds ${written} records, the job computed ${row.summary.pairs.pairs} pairs`);
        if (row.summary.pairs.pairs !== files[i]!.summary.pairs.pairs) {
          throw new Error(`${KAFKA_VS_FILE} on ${runner}: Kafka → Kafka computed ${row.summary.pairs.pairs} pairs, file → file ${files[i]!.summary.pairs.pairs}`);
        }
        topics.push(row);
      }
      const file = printRow(`${KAFKA_VS_FILE}:file`, runner, files, false).summary;
      const kafka = printRow(`${KAFKA_VS_FILE}:kafka`, runner, topics, true).summary;
      const ratio = kafka.wallMs / file.wallMs;
      ratios.push(
        `${runner.padEnd(11)} Kafka → Kafka ${n(kafka.wallMs)} ms / file → file ${n(file.wallMs)} ms = ${ratio.toFixed(2)}x ` +
          `(target ≤ ${KAFKA_VS_FILE_TARGET}x: ${ratio <= KAFKA_VS_FILE_TARGET ? 'met' : 'missed'}); CPU time ${(kafka.cpuMs.total / file.cpuMs.total).toFixed(2)}x`,
      );
    }
  } finally {
    await k.done();
    if (args.keep !== true) rmSync(input);
  }
}

console.log(`Netflow job to an NDJSON file, one process per run (${repeat} run${repeat > 1 ? 's' : ''} each; best time, highest RSS)\n`);
console.log('case                 runner       events      pairs   pipeline  computation   process   CPU time  peak RSS   output');
for (const name of chosen) {
  if (!cases[name]) throw new Error(`unknown case ${name}; cases: ${Object.keys(cases).join(', ')}`);
  if (name === KAFKA_VS_FILE) {
    await kafkaVsFile();
    continue;
  }
  if (name === 'hot' && !existsSync(cases.hot![0]!.slice('--input=zeek:'.length))) {
    console.log('hot   (skipped: ../shared/data/zeek-conn-portscan.log not found)');
    continue;
  }
  const k = name.startsWith('kafka') ? await kafkaSetup() : undefined;
  for (const runner of ['native', 'microbatch']) {
    const rows: Row[] = [];
    for (let i = 0; i < repeat; i++) {
      if (!k) {
        rows.push(runOnce(name, runner));
        continue;
      }
      const output = k.newOutput();
      const row = runOnce(name, runner, { brokers: k.brokers, input: k.input, output });
      const written = await k.count(output);
      if (written !== row.summary.pairs.pairs) throw new Error(`kafka case on ${runner}: output topic holds ${written} records, the job computed ${row.summary.pairs.pairs} pairs`);
      rows.push(row);
    }
    printRow(name, runner, rows, k !== undefined);
  }
  await k?.done();
}
console.log('\npipeline = the run from start to end (Pipeline.run); computation = last minus first output time (the seed\'s measure);');
console.log('process = the whole child process including Node and TypeScript loader start-up; peak RSS of the whole process.');
if (ratios.length > 0) console.log(`\n${KAFKA_VS_FILE}, same events, same run (pipeline times, best of ${repeat}):\n${ratios.join('\n')}`);
