/**
 * `npm start -- netflow [flags]` (the default command): the Netflow job, in-process, on the chosen
 * runner. Its flags are declared in ./netflow-flags.ts (`npm start -- --help` lists them).
 */
import { PipelineOptionsError } from '../sdk/errors.js';
import { parseFlags, type AnyFlagValues } from '../sdk/flags.js';
import { Pipeline } from '../sdk/pipeline.js';
import { parseDuration, PIPELINE_FLAGS } from '../sdk/options.js';
import { FEATURE_NAMES, isFeatureName, parseFeatureList, type Scaling } from '../pipelines/netflow/features.js';
import { generatorOptionsProblem, type NetflowGeneratorOptions } from '../pipelines/netflow/generator.js';
import { resolveNetflowJobOptions, type NetflowJobOptions } from '../pipelines/netflow/netflow-job.js';
import { parseHistogramSpec } from '../pipelines/netflow/histogram.js';
import { parseRecordSink } from '../pipelines/netflow/io/record-sink.js';
import { generatorOptionsOf, parseInputSpec, parseOutputSpec, runNetflowApp, type NetflowAppConfig, type NetflowInput, type NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';
import { formatNetflowSummary } from '../pipelines/netflow/netflow-summary.js';
import { flagFile, outputFilesOf, refuseOutputOntoInput } from '../pipelines/netflow/output-not-input.js';
import { refuseSharedOutputs } from '../pipelines/netflow/distinct-outputs.js';
import { refuseOutputsInCheckpointDir } from '../pipelines/netflow/outputs-outside-checkpoints.js';
import { writesToStdout } from '../transforms/io/file-sink-target.js';
import { FileOutputSet } from '../transforms/io/file-output-set.js';
import type { ScenarioId } from '../pipelines/netflow/scenarios.js';
import { kafkaSecurityFromFlags } from './kafka-security-flags.js';
import { parseKafkaBrokers } from '../transforms/io/kafka/client.js';
import { kafkaTopicProblem } from '../pipelines/netflow/io/kafka-topic-name.js';
import { DashboardSession } from './dashboard/dashboard-session.js';
import { NETFLOW_FLAGS } from './netflow-flags.js';
import { checkWritablePath } from './writable-path.js';
import { OutputFileError } from './output-file-error.js';

/** The netflow command's flags: the pipeline's and its own. */
export const NETFLOW_COMMAND_FLAGS = { ...PIPELINE_FLAGS, ...NETFLOW_FLAGS };

/**
 * The generator settings of the default run (`npm start`): 10,000 events at 1,000/s (10 s of event
 * time, four 3 s windows) from 200 source IPs with Zipf skew 1 and up to 500 ms of disorder, with 2 %
 * IPv6 and 1 % malformed events, so the summary shows rejects and a long-tailed histogram.
 */
export const DEFAULT_DEMO_GENERATOR: Partial<NetflowGeneratorOptions> = {
  seed: 1,
  count: 10_000,
  eventsPerSecond: 1000,
  sourceIps: 200,
  keySkew: 1,
  maxJitterMs: 500,
  ipv6Share: 0.02,
  malformedShare: 0.01,
};

/** A decimal number (no hex, binary or octal forms, no surrounding blanks). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const num = (args: AnyFlagValues, flag: string): number | undefined => {
  const v = args[flag];
  if (v === undefined || typeof v !== 'string') return undefined;
  const x = Number(v);
  if (!DECIMAL.test(v) || !Number.isFinite(x)) throw new Error(`--${flag}: '${v}' is not a number`);
  return x;
};

/** The most a --seed can be: the generator's random numbers use a seed's low 32 bits. */
const MAX_SEED = 0xffff_ffff;

/**
 * `--seed`'s value: a whole number 0..2^32 - 1, in decimal digits. Anything else would be silently cut
 * to the low 32 bits of an integer (1.5, 4294967297 and 1 gave the same events).
 * @throws Error naming the flag and the value.
 */
function seedOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n <= MAX_SEED)) throw new Error(`--seed=${v}: expected a whole number from 0 to ${MAX_SEED} (the generator uses 32 bits of it)`);
  return n;
}

/** The flag that sets each generator option (for messages). */
const GENERATOR_OPTION_FLAGS: Partial<Record<keyof NetflowGeneratorOptions, string>> = {
  seed: 'seed', count: 'count', eventsPerSecond: 'rate', sourceIps: 'sourceIps', keySkew: 'keySkew', maxJitterMs: 'jitter', ipv6Share: 'ipv6Share', malformedShare: 'malformedShare',
};

/** @throws Error naming the flag (`--count=-5: must be ...`) when the generator settings are out of range. */
function checkGeneratorFlags(input: NetflowInput, a: AnyFlagValues): void {
  if (input.kind !== 'generator') return;
  const problem = generatorOptionsProblem(generatorOptionsOf(input));
  if (problem === undefined) return;
  const flags = problem.options.map((o) => GENERATOR_OPTION_FLAGS[o]).filter((f): f is string => f !== undefined);
  const named = flags.length === 1 && a[flags[0]!] !== undefined ? `--${flags[0]}=${String(a[flags[0]!])}` : flags.map((f) => `--${f}`).join(' + ');
  throw new Error(`${named}: ${problem.detail}`);
}

/**
 * Parses `none`, `log1p` or `divide:<feature>=<divisor>,...` (each feature once, each divisor a
 * decimal number > 0).
 * @throws Error naming `--scaling` and the value otherwise.
 * @example parseScaling('divide:in_bytes=1000,out_bytes=10') // { divisors: { in_bytes: 1000, out_bytes: 10 } }
 */
export function parseScaling(text: string): Scaling {
  if (text === 'none' || text === 'log1p') return text;
  if (text.startsWith('divide:')) {
    const divisors: Record<string, number> = {};
    for (const part of text.slice(7).split(',')) {
      const [name, value, ...extra] = part.split('=');
      if (!name || !isFeatureName(name.trim())) throw new Error(`--scaling: unknown feature '${name}'; allowed: ${FEATURE_NAMES.join(', ')}`);
      const feature = name.trim();
      if (Object.hasOwn(divisors, feature)) throw new Error(`--scaling=${text}: ${feature} is given twice`);
      const divisor = value !== undefined && extra.length === 0 && DECIMAL.test(value) ? Number(value) : Number.NaN;
      if (!(divisor > 0 && Number.isFinite(divisor))) throw new Error(`--scaling=${text}: the divisor of ${feature} must be a decimal number > 0, got '${value ?? ''}'`);
      divisors[feature] = divisor;
    }
    return { divisors };
  }
  throw new Error(`--scaling=${text}: use none, log1p or divide:<feature>=<divisor>,...`);
}

/**
 * Builds the application config from command-line flags (the netflow command's, parsed strictly).
 * @throws PipelineOptionsError for unknown flags or a Kafka input/output without brokers; Error for bad values.
 */
export function netflowConfigFromArgs(argv: readonly string[]): NetflowAppConfig {
  const a = parseFlags(argv, NETFLOW_COMMAND_FLAGS, { program: 'netflow' }).values;
  const scenarioFlag = a['scenario'];
  let scenario: ScenarioId | undefined;
  if (scenarioFlag !== undefined) {
    if (scenarioFlag !== '1' && scenarioFlag !== '2') throw new Error(`--scenario=${scenarioFlag}: the seed has scenarios 1 and 2`);
    scenario = Number(scenarioFlag) as ScenarioId;
  }
  const generator: Partial<NetflowGeneratorOptions> = scenario ? {} : { ...DEFAULT_DEMO_GENERATOR };
  const set = <K extends keyof NetflowGeneratorOptions>(k: K, v: number | undefined) => {
    if (v !== undefined) (generator as Record<string, number>)[k] = v;
  };
  set('seed', seedOf(a['seed']));
  set('count', num(a, 'count'));
  set('eventsPerSecond', num(a, 'rate'));
  set('sourceIps', num(a, 'sourceIps'));
  set('keySkew', num(a, 'keySkew'));
  set('maxJitterMs', a['jitter'] === undefined ? undefined : parseDuration(a['jitter'], 'jitter'));
  set('ipv6Share', num(a, 'ipv6Share'));
  set('malformedShare', num(a, 'malformedShare'));
  const input = parseInputSpec(a['input'] ?? 'generator', generator, scenario);
  if (scenario && input.kind !== 'generator') throw new Error('--scenario applies to --input=generator only');
  // Kafka-input flags on another input would be ignored: a file is read to its end, whatever --follow says.
  for (const flag of ['follow', 'reconnectTimeout'] as const) {
    if (a[flag] !== undefined && input.kind !== 'kafka') throw new Error(`--${flag} applies to --input=kafka:<topic> only (a file or the generator is read to its end)`);
  }
  // Watermark flags where nothing would use them are refused (the value is checked first): they were silently ignored.
  const maxOutOfOrdernessMs = a['maxOutOfOrderness'] === undefined ? undefined : parseDuration(a['maxOutOfOrderness'], 'maxOutOfOrderness');
  const maxForwardJumpMs = a['maxForwardJump'] === undefined ? undefined : a['maxForwardJump'] === 'off' ? Number.POSITIVE_INFINITY : parseDuration(a['maxForwardJump'], 'maxForwardJump');
  for (const flag of ['maxOutOfOrderness', 'maxForwardJump'] as const) {
    if (a[flag] !== undefined && input.kind === 'generator') throw new Error(`--${flag} applies to file and Kafka inputs only (the generator does not use it)`);
  }
  if (maxForwardJumpMs !== undefined && maxOutOfOrdernessMs === undefined && input.kind !== 'kafka') {
    throw new Error('--maxForwardJump needs --maxOutOfOrderness with a file input (without it, windows fire at the end of the file and no watermark moves ahead)');
  }
  const output = parseOutputSpec(a['output'] ?? 'stdout-summary');
  const histogram = a['histogram'] === undefined ? undefined : a['histogram'] === 'none' ? (false as const) : parseHistogramSpec(a['histogram']);
  const top = num(a, 'top') ?? 5;
  // 1e308 is a whole number to JavaScript, and 9007199254740993 reads as ...992: neither is a count of pairs.
  if (top > Number.MAX_SAFE_INTEGER) throw new Error(`--top=${String(a['top'])}: expected a whole number >= 0, at most 2^53 - 1`);
  const keepPairs = num(a, 'keepPairs');
  if (keepPairs !== undefined && !(Number.isSafeInteger(keepPairs) && keepPairs >= 0)) throw new Error(`--keepPairs=${String(a['keepPairs'])}: expected a whole number >= 0`);
  checkGeneratorFlags(input, a);
  const brokers = a['brokers'] ?? process.env['KAFKA_BROKERS'];
  const security = kafkaSecurityFromFlags(a);
  const deadLetters = a['deadLetters'] !== undefined ? parseRecordSink('deadLetters', a['deadLetters']) : undefined;
  const lateOutput = a['lateOutput'] !== undefined ? parseRecordSink('lateOutput', a['lateOutput']) : undefined;
  // A topic name the broker would refuse: refused here, before anything connects.
  for (const [flag, end] of [['input', input], ['output', output], ['deadLetters', deadLetters], ['lateOutput', lateOutput]] as const) {
    const problem = end?.kind === 'kafka' ? kafkaTopicProblem(end.topic) : undefined;
    if (problem !== undefined) throw new PipelineOptionsError(`--${flag}=${String(a[flag])}: ${problem}`);
  }
  // Every Kafka end needs brokers, the record sinks too (else the run fails as it builds, with a stack trace).
  const kafkaFlag = [
    ['input', input.kind],
    ['output', output.kind],
    ['deadLetters', deadLetters?.kind],
    ['lateOutput', lateOutput?.kind],
  ].find(([, kind]) => kind === 'kafka')?.[0] as 'input' | 'output' | 'deadLetters' | 'lateOutput' | undefined;
  // Parsed whatever the input, so a bad value is refused even where it would be ignored; and refused without Kafka.
  const brokerOutageTimeoutMs = a['brokerOutageTimeout'] === undefined ? undefined : parseDuration(a['brokerOutageTimeout'], 'brokerOutageTimeout');
  if (brokerOutageTimeoutMs !== undefined && kafkaFlag === undefined) {
    throw new PipelineOptionsError('--brokerOutageTimeout applies to Kafka inputs and outputs only (--input, --output, --deadLetters or --lateOutput kafka:<topic>)');
  }
  // A broker list the client cannot use fails here, before anything connects (it failed the run's source, exit 1).
  if (brokers && (a['brokers'] !== undefined || kafkaFlag !== undefined)) {
    try {
      parseKafkaBrokers(brokers);
    } catch (e) {
      throw new PipelineOptionsError(`${a['brokers'] !== undefined ? '--brokers' : 'KAFKA_BROKERS'}=${brokers}: ${(e as Error).message}`);
    }
  }
  if (!brokers && kafkaFlag !== undefined) {
    throw new PipelineOptionsError(`--${kafkaFlag}=${String(a[kafkaFlag])} needs --brokers=host:port (or KAFKA_BROKERS; npm run kafka:start prints it)`);
  }
  const job: NetflowJobOptions = {
    windowMs: a['window'] === undefined ? undefined : parseDuration(a['window'], 'window'),
    features: a['features'] === undefined ? undefined : parseFeatureList(a['features']),
    scaling: a['scaling'] === undefined ? undefined : parseScaling(a['scaling']),
    allowedLatenessMs: a['allowedLateness'] === undefined ? undefined : parseDuration(a['allowedLateness'], 'allowedLateness'),
    topN: top,
    ...(histogram !== undefined ? { histogram } : {}),
  };
  // A 0 ms window or a top-N of -1 is refused now, naming its flag, not when the run builds the job.
  if (job.windowMs !== undefined && !(Number.isInteger(job.windowMs) && job.windowMs > 0)) throw new Error(`--window=${String(a['window'])}: must be a positive whole number of ms, got ${job.windowMs}`);
  if (!(Number.isInteger(top) && top >= 0)) throw new Error(`--top=${String(a['top'])}: expected a whole number >= 0, at most 2^53 - 1`);
  resolveNetflowJobOptions(job); // and whatever else the job refuses
  return {
    input,
    output,
    job,
    ...(maxOutOfOrdernessMs !== undefined ? { maxOutOfOrdernessMs } : {}),
    ...(maxForwardJumpMs !== undefined ? { maxForwardJumpMs } : {}),
    stats: { digests: a['digests'] === true, ...(keepPairs !== undefined ? { keepPairsUpTo: keepPairs } : {}) },
    ...(a['inject-difference'] === true ? { injectDifference: true } : {}),
    ...(deadLetters !== undefined ? { deadLetters } : {}),
    ...(lateOutput !== undefined ? { lateOutput } : {}),
    ...(brokers
      ? {
          kafka: {
            brokers,
            follow: a['follow'] === true,
            ...(security.ssl || security.sasl ? { security } : {}),
            ...(a['reconnectTimeout'] !== undefined ? { reconnectTimeoutMs: parseDuration(a['reconnectTimeout'] as string, 'reconnectTimeout') } : {}),
            ...(brokerOutageTimeoutMs !== undefined ? { brokerOutageTimeoutMs } : {}),
          },
        }
      : {}),
  };
}

/**
 * Runs the netflow command; returns the summary (also written to --statsOut when given).
 * @throws PipelineOptionsError before anything runs for bad flags or an unwritable --statsOut;
 * OutputInCheckpointDirError (one) for an output file inside --checkpointDir.
 */
export async function netflowCommand(flags: readonly string[]): Promise<NetflowRunSummary> {
  let config: NetflowAppConfig;
  try {
    config = netflowConfigFromArgs(flags);
  } catch (e) {
    throw e instanceof PipelineOptionsError ? e : new PipelineOptionsError((e as Error).message);
  }
  // Checked first (flag values), before the dashboard's server starts.
  const { options } = Pipeline.create(flags, { flags: NETFLOW_FLAGS, program: 'netflow' });
  const { statsOut, quiet, report, reportData } = options.args;
  const outputFiles = [
    ...outputFilesOf(config.output),
    ...outputFilesOf(config.deadLetters, 'deadLetters'),
    ...outputFilesOf(config.lateOutput, 'lateOutput'),
    ...flagFile('statsOut', statsOut),
    ...flagFile('report', report),
    ...flagFile('reportData', reportData),
  ];
  refuseOutputOntoInput(config.input, outputFiles);
  refuseSharedOutputs(outputFiles);
  refuseOutputsInCheckpointDir(outputFiles.filter((f) => !writesToStdout(f.path)), options.checkpointDir);
  if (statsOut !== undefined) checkWritablePath(statsOut, 'statsOut');
  // A file output that cannot be written (a directory, a file in the way of its folder) is refused before the run.
  // With --checkpointDir a file output is a folder of part files, which a run before (killed, stopped) left there.
  const partFolders = options.checkpointDir !== undefined;
  for (const f of [...outputFilesOf(config.output), ...outputFilesOf(config.deadLetters, 'deadLetters'), ...outputFilesOf(config.lateOutput, 'lateOutput')]) {
    if (!writesToStdout(f.path)) checkWritablePath(f.path, '', f.what, partFolders);
  }
  // --ui, --report: observes the run (see ./dashboard/).
  const dashboard = await DashboardSession.open(parseFlags(flags, NETFLOW_COMMAND_FLAGS, { program: 'netflow' }).values);
  const p = Pipeline.create(flags, { flags: NETFLOW_FLAGS, program: 'netflow', ...(dashboard ? { observers: dashboard.observers } : {}) });
  // Ctrl-C or SIGTERM stops the run gracefully (Pipeline.create(argv) sets stopOnSignals): with
  // --checkpointDir a final checkpoint, resumed by the same command; else (or with --drain) a drain, so
  // a followed Kafka input, which never ends by itself, writes its last windows too.
  // The run's files (pairs, dead letters, late records, --statsOut) are published as one set once all
  // are complete: a failure before leaves every existing one as it was (never a mix of two runs).
  // (--statsOut onto a pipe or /dev/stdout is written after them; --report, a report of the run, after all.)
  const files = new FileOutputSet();
  let summary: NetflowRunSummary;
  try {
    summary = await runNetflowApp(p, config, files);
    if (statsOut !== undefined) await files.write(statsOut, JSON.stringify(summary), (e) => new OutputFileError('--statsOut', statsOut, e));
    await files.publish();
  } catch (e) {
    await files.discard();
    throw e;
  } finally {
    await dashboard?.close();
  }
  // Pairs written to stdout keep it to themselves: the summary goes to stderr then.
  if (!quiet) (config.output.kind === 'ndjson' && writesToStdout(config.output.path) ? console.error : console.log)(formatNetflowSummary(summary));
  return summary;
}
