import { cpus, loadavg } from 'node:os';
import { basename } from 'node:path';
import { match, P } from 'ts-pattern';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { LateRecord } from '../../sdk/graph.js';
import type { StepMetrics } from '../../sdk/metrics.js';
import type { ForwardJumpStats } from '../../sdk/io/forward-jump-guard.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { LineSourceStats, TextFile, type FileOutputSet } from '../../transforms/io/text-file.js';
import { Flatten } from '../../transforms/flatten.js';
import { ParDo } from '../../transforms/par-do.js';
import { MapElements } from '../../transforms/map.js';
import { WindowTransform } from '../../transforms/window.js';
import { KafkaIO, type KafkaReadStats } from '../../transforms/io/kafka/index.js';
import type { KafkaSecurityOptions } from '../../transforms/io/kafka/security.js';
import type { FeatureName, Scaling } from './features.js';
import { DEFAULT_GENERATOR_OPTIONS, type NetflowGeneratorOptions } from './generator.js';
import type { Histogram, HistogramSpec } from './histogram.js';
import { GeneratorStats, NetflowGenerator } from './io/generator-source.js';
import { NetflowKafka } from './io/netflow-kafka-source.js';
import { deadLetterRecord } from './io/dead-letter-output.js';
import { lateOutputRecord } from './io/late-output.js';
import { describeRecordSink, writeRecords, type RecordSink } from './io/record-sink.js';
import { SensorLog } from './io/sensor-log-sources.js';
import { compareByDistance, formatNetflowPair, NetflowJob, netflowPairEncoder, resolveNetflowJobOptions, type NetflowJobOptions, type NetflowPair, type WindowTopPairs } from './netflow-job.js';
import { CollectPairStats, PairStats, percentileOf, type PairStatsJson, type PairStatsOptions } from './pair-stats.js';
import { outputFilesOf, refuseOutputOntoInput } from './output-not-input.js';
import { outputTopicsOf, refuseOutputOntoInputTopic, refuseSharedOutputs } from './distinct-outputs.js';
import { scenarioOptions, type ScenarioId } from './scenarios.js';
import type { NetflowLine, SourcedLine } from './sourced-line.js';

/** Where the job's raw Netflow lines come from. */
export type NetflowInput =
  | { readonly kind: 'generator'; readonly options: Partial<NetflowGeneratorOptions>; readonly scenario?: ScenarioId }
  | { readonly kind: 'suricata'; readonly path: string }
  | { readonly kind: 'zeek'; readonly path: string }
  | { readonly kind: 'ndjson'; readonly path: string }
  | { readonly kind: 'kafka'; readonly topic: string };

/** Where the pairs go (a summary is always gathered). */
export type NetflowOutput = { readonly kind: 'stdout-summary' } | { readonly kind: 'ndjson'; readonly path: string } | { readonly kind: 'kafka'; readonly topic: string };

export interface NetflowAppConfig {
  readonly input: NetflowInput;
  readonly output: NetflowOutput;
  readonly job: NetflowJobOptions;
  /** File inputs: let windows fire while reading, dropping records further out of order (default: fire at end of input). */
  readonly maxOutOfOrdernessMs?: number;
  /**
   * With `maxOutOfOrdernessMs`: an event time more than this ahead of every earlier one is held from
   * the watermark until a second record confirms it (default 1 hour; `Infinity` = off). See ForwardJumpGuard.
   */
  readonly maxForwardJumpMs?: number;
  /** What to gather about the pairs (digests for comparisons, kept pairs, samples). */
  readonly stats?: PairStatsOptions;
  /** Testing the comparison: perturb this run's results (one distance changed, one pair dropped). */
  readonly injectDifference?: boolean;
  /**
   * Kafka input/output: the brokers, and whether the input topic is read up to its end offsets at
   * start and then finishes (the default: a replay of history, as in a Kappa architecture) or followed.
   * A followed read ends when `drain` aborts: it stops fetching, every open window fires (also the
   * last ones, which newer event time would otherwise have to close), the outputs are written, and
   * the run finishes. `brokerOutageTimeoutMs`: how long every Kafka read, write and transaction call
   * of the job waits for a broker that is down or restarting before the run fails (default 60 s);
   * `reconnectTimeoutMs` overrides it for the read.
   */
  readonly kafka?: {
    readonly brokers: string;
    readonly follow?: boolean;
    readonly drain?: AbortSignal;
    readonly reconnectTimeoutMs?: number;
    readonly brokerOutageTimeoutMs?: number;
    /** TLS and SASL for every Kafka client of the job (see transforms/io/kafka/security.ts). */
    readonly security?: KafkaSecurityOptions;
  };
  /**
   * Where every record rejected anywhere in the app goes (unreadable at the source, rejected by the
   * job, failing user code), one JSON object each with reason, step, origin and the raw record
   * (see `DeadLetterOutputRecord`). Default: counted and summarised only.
   */
  readonly deadLetters?: RecordSink;
  /** Where every record dropped as late goes, with its window, reason and origin (see `LateOutputRecord`). Default: counted only. */
  readonly lateOutput?: RecordSink;
}

/** How KafkaIO reaches the cluster: the brokers ({@link kafkaBrokers}) and the config's TLS and SASL. */
function kafkaConnection(config: NetflowAppConfig): { brokers: string; brokerOutageTimeoutMs?: number } & KafkaSecurityOptions {
  const outage = config.kafka?.brokerOutageTimeoutMs;
  return { brokers: kafkaBrokers(config), ...config.kafka?.security, ...(outage !== undefined ? { brokerOutageTimeoutMs: outage } : {}) };
}

/** The brokers for Kafka input/output: the config's, else KAFKA_BROKERS. @throws Error when neither is set. */
function kafkaBrokers(config: NetflowAppConfig): string {
  const b = config.kafka?.brokers ?? process.env['KAFKA_BROKERS'];
  if (!b) throw new Error('Kafka input/output needs brokers: pass --brokers=127.0.0.1:19092 or set KAFKA_BROKERS (npm run kafka:start prints it)');
  return b;
}

/** Thrown for an input or output that is planned but not built yet. */
export class NotAvailableError extends Error {
  override readonly name = 'NotAvailableError';
}

/** Everything a run of the job reports: the summary printed, and the data of the comparison report. */
export interface NetflowRunSummary {
  readonly runner: string;
  readonly runnerOptions: Readonly<Record<string, unknown>>;
  readonly input: string;
  readonly output: string;
  readonly job: {
    readonly windowMs: number;
    readonly features: readonly FeatureName[];
    readonly scaling: Scaling;
    readonly allowedLatenessMs: number;
    readonly topN: number;
    readonly histogram: HistogramSpec | false;
  };
  /** Raw lines that entered the job. */
  readonly eventsIn: number;
  /** Records that passed DropIPv6 and Parse (paired or dropped as late). */
  readonly recordsParsed: number;
  /** Records that reached their group (IP x window): `eventsIn` = rejected + `recordsPaired` + `lateDropped`. */
  readonly recordsPaired: number;
  /** Rejected by the job, per reason (from the steps' `rejected.<reason>` counters). */
  readonly rejected: Readonly<Record<string, number>>;
  /** A few rejected records per reason, as dead letters. */
  readonly rejectedExamples: readonly DeadLetter[];
  /** Input lines the source skipped as not flows (headers, other event types), per reason. */
  readonly sourceSkipped: Readonly<Record<string, number>>;
  /** Input lines the source could not read (dead-lettered at the Read step), per reason. */
  readonly sourceRejected: Readonly<Record<string, number>>;
  readonly lateDropped: number;
  /** File inputs: records held from the watermark by the forward-jump guard (present when there were any). */
  readonly heldFromWatermark?: ForwardJumpStats;
  /**
   * Records an output step refused, per step (its dead letters; from KafkaIO.write: over `maxRecordBytes`,
   * `record-too-large`): pairs (`WritePairsToKafka`) and late records (`WriteLate`) go to --deadLetters
   * with the other dead letters; dead letters the dead-letter topic refused (`WriteDeadLetters`) are lost.
   */
  readonly outputRejected: Readonly<Record<string, number>>;
  /** Where dead letters and late records were written (when asked for), and how many. */
  readonly deadLetterOutput: { readonly to: string; readonly records: number } | null;
  readonly lateOutput: { readonly to: string; readonly records: number } | null;
  /** Panes of (source IP, window) groups the GroupByKey emitted. */
  readonly groups: number;
  readonly pairs: PairStatsJson;
  /** The seed's "total computation time": last minus first output time (ms). */
  readonly computationMs: number | null;
  readonly latencyMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null; readonly max: number | null };
  readonly throughput: { readonly eventsPerSecond: number; readonly pairsPerSecond: number };
  /** Most distant pairs per window (panes merged), windows in order. */
  readonly top: readonly WindowTopPairs[];
  readonly histogram: Histogram | null;
  /**
   * Per-step metrics. After a resume (`resumedFrom`) they are totals since the job's first start, and so
   * are the counts taken from them: `eventsIn`, `recordsParsed`, `recordsPaired`, `rejected`, `lateDropped`,
   * `groups`, the records written to `deadLetterOutput`/`lateOutput`, and the pairs out
   * (`metrics.PairStats.elementsIn`). What is gathered in the process (`pairs`: windows, latency, output
   * times; `top`, `histogram`, examples, `sourceSkipped`/`sourceRejected`, throughput) covers this run only.
   */
  readonly metrics: Readonly<Record<string, StepMetrics>>;
  /** The checkpoint the run resumed from (`--checkpointDir`), e.g. `checkpoints/ck-000000000004`; absent on a fresh start. */
  readonly resumedFrom?: string;
  readonly batches: number | null;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly wallMs: number;
  readonly cpuMs: { readonly user: number; readonly system: number; readonly total: number };
  /** Peak resident set size of the whole process so far (MB). */
  readonly peakRssMb: number;
  /** The machine: CPUs and the 1-minute load average when the run started (other work skews timings). */
  readonly machine: { readonly cpus: number; readonly loadAverage: number };
}

interface Handles {
  readonly stats: PairStats;
  readonly rejected: { counts: Record<string, number>; examples: DeadLetter[] };
  readonly tops: WindowTopPairs[];
  readonly histograms: Histogram[];
  readonly lineStats?: LineSourceStats;
  readonly generatorStats?: GeneratorStats;
  /** Kafka input: the read's counters (records read, reconnects, ...), live during the run. */
  readonly kafkaReadStats?: KafkaReadStats;
  readonly description: { input: string; output: string };
  /** Records sent to --deadLetters and --lateOutput (counted as they are written). */
  readonly sideOutputs: { deadLetters: number; late: number };
  /** Records the Kafka read could not read, by reason. */
  readonly sourceRejected: Record<string, number>;
}

/** A short description of an input, e.g. `generator (scenario 1, seed 1, 10000 events)`. */
export function describeInput(input: NetflowInput): string {
  return match(input)
    .with({ kind: 'generator' }, (i) => {
      const o = generatorOptionsOf(i);
      return `generator (${i.scenario ? `scenario ${i.scenario}, ` : ''}seed ${o.seed}, ${o.count} events, event-time rate ${o.eventsPerSecond}/s, ${o.sourceIps} source IPs, skew ${o.keySkew}, jitter ${o.maxJitterMs} ms, IPv6 ${o.ipv6Share}, malformed ${o.malformedShare})`;
    })
    .with({ kind: 'kafka' }, (i) => `kafka topic ${i.topic}`)
    .with({ kind: P.union('suricata', 'zeek', 'ndjson') }, (i) => `${i.kind} ${i.path}`)
    .exhaustive();
}

/** The generator settings of a generator input (scenario base plus overrides). */
export function generatorOptionsOf(input: Extract<NetflowInput, { kind: 'generator' }>): NetflowGeneratorOptions {
  return { ...(input.scenario ? scenarioOptions(input.scenario) : DEFAULT_GENERATOR_OPTIONS), ...input.options };
}

/**
 * Adds the whole application to `p`: the input, the Netflow job (step `Netflow`), the pair output,
 * and in-process collectors for the summary. Run `p`, then call {@link summarizeNetflowRun}.
 * Kafka input and output use `config.kafka.brokers` (or the KAFKA_BROKERS environment variable).
 * @throws OutputIsInputError when an output file (pairs, dead letters, late records) is the input file,
 *   OutputsCollideError when two of them are the same file, OutputIsInputTopicError when an output
 *   topic is the input topic.
 * With `publishWith`, the file outputs (pairs, dead letters, late records) are not renamed into place
 * when the run ends but added to that set, for the caller to publish together with its own files.
 */
export function buildNetflowApp(p: Pipeline, config: NetflowAppConfig, publishWith?: FileOutputSet): Handles {
  const outputFiles = [...outputFilesOf(config.output), ...outputFilesOf(config.deadLetters, 'deadLetters'), ...outputFilesOf(config.lateOutput, 'lateOutput')];
  refuseOutputOntoInput(config.input, outputFiles);
  refuseSharedOutputs(outputFiles);
  refuseOutputOntoInputTopic(config.input, [...outputTopicsOf(config.output), ...outputTopicsOf(config.deadLetters, 'deadLetters'), ...outputTopicsOf(config.lateOutput, 'lateOutput')]);
  const lineStats = new LineSourceStats();
  const generatorStats = new GeneratorStats();
  const watermark =
    config.maxOutOfOrdernessMs === undefined
      ? 'end-of-input'
      : { maxOutOfOrderness: config.maxOutOfOrdernessMs, ...(config.maxForwardJumpMs !== undefined ? { maxForwardJump: config.maxForwardJumpMs } : {}) };
  const input = config.input;
  const fileRead = (lines: PCollection<NetflowLine>) => ({ lines, read: lines as PCollection<unknown> });
  /** `read`: the read step's output, whose dead letters are the records the source could not read. */
  const { lines, read, kafkaReadStats }: { lines: PCollection<NetflowLine>; read?: PCollection<unknown>; kafkaReadStats?: KafkaReadStats } = match(input)
    .with({ kind: 'generator' }, (i) => fileRead(p.apply('Generator', NetflowGenerator.read(generatorOptionsOf(i), generatorStats))))
    .with({ kind: 'suricata' }, (i) => fileRead(p.apply('SuricataEve', SensorLog.suricataEve(i.path, { watermark, stats: lineStats }))))
    .with({ kind: 'zeek' }, (i) => fileRead(p.apply('ZeekConn', SensorLog.zeekConn(i.path, { watermark, stats: lineStats }))))
    // Stamped with each line's eventtime, as the sensor-log readers do, so --maxOutOfOrderness applies.
    .with({ kind: 'ndjson' }, (i) => fileRead(p.apply('NdjsonFile', SensorLog.netflowNdjson(i.path, { watermark, stats: lineStats }))))
    .with({ kind: 'kafka' }, (i) => {
      // Record values are the raw Netflow lines with their origin (topic, partition, offset); event
      // time from each record's `eventtime` (records without a readable one go to the read's dead
      // letters), watermarks per partition.
      const kafkaRead = NetflowKafka.read({
        ...kafkaConnection(config),
        topic: i.topic,
        follow: config.kafka?.follow === true,
        maxOutOfOrdernessMs: config.maxOutOfOrdernessMs ?? 5000,
        ...(config.maxForwardJumpMs !== undefined ? { maxForwardJumpMs: config.maxForwardJumpMs } : {}),
        ...(config.kafka?.drain ? { drain: config.kafka.drain } : {}),
        ...(config.kafka?.reconnectTimeoutMs !== undefined ? { reconnectTimeoutMs: config.kafka.reconnectTimeoutMs } : {}),
      });
      return { ...fileRead(p.apply('Kafka', kafkaRead)), kafkaReadStats: kafkaRead.stats };
    })
    .exhaustive();

  const job = lines.apply('Netflow', NetflowJob.of(config.job));
  let pairs = job.pairs;
  if (config.injectDifference) pairs = pairs.apply('InjectDifference', injectDifference());

  /** Dead letters of the output steps (a Kafka sink's `record-too-large`, a file sink's `unencodable`), and the step re-windowing them for --deadLetters. */
  const sinkRejects: { name: string; letters: PCollection<DeadLetter> }[] = [];
  const output = config.output;
  switch (output.kind) {
    case 'stdout-summary':
      break;
    case 'ndjson': {
      // A pair the encoder cannot write is a dead letter of the step (`unencodable`), as a Kafka sink's too-large record.
      const written = pairs.apply('WritePairs', TextFile.writeEncoded<NetflowPair>(output.path, netflowPairEncoder(), undefined, { publishWith }));
      sinkRejects.push({ name: 'PairsNotWritten', letters: written.deadLetters() });
      break;
    }
    case 'kafka': {
      // One record per pair, the seed's JSON as value; a pair over the record limit is a dead letter of the step.
      const written = pairs.apply('WritePairsToKafka', KafkaIO.write<NetflowPair>({ ...kafkaConnection(config), topic: output.topic, encoder: netflowPairEncoder({ lineEnd: false }) }));
      sinkRejects.push({ name: 'PairsNotWritten', letters: written.deadLetters() });
      break;
    }
  }

  const stats = new PairStats(config.stats);
  pairs.apply('PairStats', CollectPairStats(stats));

  const rejected = { counts: {} as Record<string, number>, examples: [] as DeadLetter[] };
  job.rejected.apply('RejectedSummary', ParDo<DeadLetter, never>({
    process(d) {
      const n = (rejected.counts[d.reason] = (rejected.counts[d.reason] ?? 0) + 1);
      if (n <= 3) rejected.examples.push(d);
    },
  }));
  const tops: WindowTopPairs[] = [];
  job.top?.apply('TopSummary', ParDo<WindowTopPairs, never>({ process: (t) => void tops.push(t) }));
  const histograms: Histogram[] = [];
  job.histogram?.apply('HistogramSummary', ParDo<Histogram, never>({ process: (h) => void histograms.push(h) }));

  // Records a Kafka read could not read, by reason (file readers count theirs in lineStats).
  const sourceRejected: Record<string, number> = {};
  if (input.kind === 'kafka' && read) {
    read.deadLetters().apply('SourceRejectedSummary', ParDo<DeadLetter, never>({
      process: (d) => void (sourceRejected[d.reason] = (sourceRejected[d.reason] ?? 0) + 1),
    }));
  }

  const sideOutputs = { deadLetters: 0, late: 0 };
  if (config.lateOutput) {
    const written = job.late
      .apply('LateRecords', MapElements((l: LateRecord) => (sideOutputs.late++, lateOutputRecord(l))))
      .apply('WriteLate', writeRecords(config.lateOutput, () => kafkaConnection(config), publishWith));
    const refused = deadLettersIfAny(written);
    if (refused) sinkRejects.push({ name: 'LateNotWritten', letters: refused });
  }
  if (config.deadLetters) {
    // Every dead letter of the app: the source's (unreadable records), the job's, and the output steps'.
    const sourceLetters = read ? deadLettersIfAny(read) : undefined;
    // The sinks' dead letters are in their input's windows (pairs: the job's windows): re-windowed as the job's rejects.
    const sinkLetters = sinkRejects.map((r) => r.letters.apply(r.name, inWindowingOf<DeadLetter>(job.rejected)));
    const [first, ...rest] = [...(sourceLetters ? [sourceLetters] : []), job.rejected, ...sinkLetters];
    const letters = rest.length ? first!.apply('AllDeadLetters', Flatten.with(...rest)) : job.rejected;
    letters
      .apply('DeadLetterRecords', MapElements((d: DeadLetter) => (sideOutputs.deadLetters++, deadLetterRecord(d))))
      .apply('WriteDeadLetters', writeRecords(config.deadLetters, () => kafkaConnection(config), publishWith));
  }

  const outDescription = output.kind === 'ndjson' ? `ndjson ${output.path}` : output.kind;
  return {
    sideOutputs,
    sourceRejected,
    stats,
    rejected,
    tops,
    histograms,
    ...(input.kind === 'generator' ? { generatorStats } : { lineStats }),
    ...(kafkaReadStats ? { kafkaReadStats } : {}),
    description: { input: describeInput(input), output: outDescription },
  };
}

/** The dead letters of the step that made `pc`, or undefined when that step has none (a TextFile sink). */
function deadLettersIfAny(pc: PCollection<unknown>): PCollection<DeadLetter> | undefined {
  return pc.producer.outputs['deadLetter'] ? pc.deadLetters() : undefined;
}

/** Re-windows a collection as `like` is windowed (window function, trigger, panes, lateness, ...), so the two can be flattened. */
function inWindowingOf<T>(like: PCollection<unknown>): WindowTransform<T> {
  const w = like.windowing;
  return new WindowTransform<T>({ windowFn: w.windowFn, trigger: w.trigger, accumulationMode: w.accumulationMode, allowedLateness: w.allowedLateness, timestampCombiner: w.timestampCombiner, onTimeBehavior: w.onTimeBehavior });
}

/** Testing the comparison: changes the first pair's distance a little and drops the second pair. */
function injectDifference() {
  let seen = 0;
  return ParDo<NetflowPair, NetflowPair>({
    process(p, ctx) {
      seen++;
      if (seen === 2) return;
      ctx.output(seen === 1 ? { ...p, distance: p.distance * (1 + 1e-9) + 1e-9 } : p);
    },
  });
}

/**
 * Builds the application on `p`, runs it, and summarises the run (with the process's CPU time and
 * peak memory, which are clean figures only when the process runs nothing else). With `publishWith`
 * the file outputs wait in that set (see {@link buildNetflowApp}).
 */
export async function runNetflowApp(p: Pipeline, config: NetflowAppConfig, publishWith?: FileOutputSet): Promise<NetflowRunSummary> {
  const handles = buildNetflowApp(p, config, publishWith);
  const load = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const result = await p.run();
  const cpu = process.cpuUsage(cpu0);
  return { ...summarizeNetflowRun(p, config, handles, result, { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 }), machine: { cpus: cpus().length, loadAverage: load } };
}

/** The summary of a finished run. */
export function summarizeNetflowRun(p: Pipeline, config: NetflowAppConfig, h: Handles, result: PipelineResult, cpu: { userMs: number; systemMs: number }): NetflowRunSummary {
  const job = resolveNetflowJobOptions(config.job);
  const m = result.metrics;
  const step = (suffix: string): StepMetrics | undefined => m[`Netflow/${suffix}`];
  const rejected: Record<string, number> = {};
  for (const [name, sm] of Object.entries(m)) {
    if (!name.startsWith('Netflow/')) continue;
    for (const [c, n] of Object.entries(sm.counters)) if (c.startsWith('rejected.')) rejected[c.slice('rejected.'.length)] = (rejected[c.slice('rejected.'.length)] ?? 0) + n;
    // A line that made a step of the job throw is dead-lettered by the step (user code), not counted by reason.
    if (sm.deadLettered > 0) rejected['user-code'] = (rejected['user-code'] ?? 0) + sm.deadLettered;
  }
  const stats = h.stats.toJSON();
  const wallMs = Math.max(1, result.finishedAt - result.startedAt);
  const eventsIn = step('DropIPv6')?.elementsIn ?? 0;
  // A resumed run's metrics are totals since the job's first start; its throughput is of what this run did.
  const restoredFrom = result.checkpoints?.restoredFrom;
  const eventsThisRun = eventsIn - (restoredFrom?.metrics['Netflow/DropIPv6']?.elementsIn ?? 0);
  const parse = step('Parse');
  const recordsParsed = parse ? parse.elementsIn - sumValues(parse.counters, 'rejected.') - parse.deadLettered : 0;
  const lateDropped = step('GroupByKey')?.lateDropped ?? 0;
  // Records held from the watermark by --maxForwardJump: counted by the Kafka read, or by the file reader.
  const held = config.input.kind === 'kafka' ? h.kafkaReadStats?.heldFromWatermark : h.lineStats?.heldFromWatermark;
  const latency = stats.latency;
  const o = p.options;
  return {
    runner: result.runner,
    runnerOptions: o.runner === 'microbatch' ? { batchInterval: o.batchInterval, maxBatchSize: o.maxBatchSize } : { bundleSize: o.bundleSize, bufferSize: o.bufferSize },
    input: h.description.input,
    output: h.description.output,
    job: { windowMs: job.windowMs, features: job.features, scaling: job.scaling, allowedLatenessMs: job.allowedLatenessMs, topN: job.topN, histogram: job.histogram },
    eventsIn,
    recordsParsed,
    recordsPaired: recordsParsed - lateDropped,
    rejected: sortedRecord(rejected),
    rejectedExamples: h.rejected.examples,
    sourceSkipped: sortedRecord(h.lineStats?.skipped ?? {}),
    sourceRejected: sortedRecord(config.input.kind === 'kafka' ? h.sourceRejected : (h.lineStats?.deadLettered ?? {})),
    lateDropped,
    ...(held !== undefined && held.held > 0 ? { heldFromWatermark: { ...held } } : {}),
    outputRejected: Object.fromEntries(OUTPUT_STEPS.flatMap((name) => (m[name]?.deadLettered ? [[name, m[name].deadLettered]] : []))),
    deadLetterOutput: config.deadLetters ? { to: describeRecordSink(config.deadLetters), records: m['DeadLetterRecords']?.elementsIn ?? h.sideOutputs.deadLetters } : null,
    lateOutput: config.lateOutput ? { to: describeRecordSink(config.lateOutput), records: m['LateRecords']?.elementsIn ?? h.sideOutputs.late } : null,
    groups: step('GroupByKey')?.elementsOut ?? 0,
    pairs: stats,
    computationMs: stats.firstOutput === null ? null : stats.lastOutput! - stats.firstOutput,
    latencyMs: { p50: percentileOf(latency, 50), p95: percentileOf(latency, 95), p99: percentileOf(latency, 99), max: latency.length ? latency[latency.length - 1]![0] : null },
    throughput: { eventsPerSecond: (eventsThisRun * 1000) / wallMs, pairsPerSecond: (stats.pairs * 1000) / wallMs },
    top: mergeTops(h.tops, job.topN),
    histogram: h.histograms.length ? h.histograms[h.histograms.length - 1]! : null,
    metrics: m,
    ...(restoredFrom ? { resumedFrom: restoredFrom.name } : {}),
    batches: result.batches ? result.batches.length : null,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    wallMs,
    cpuMs: { user: cpu.userMs, system: cpu.systemMs, total: cpu.userMs + cpu.systemMs },
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    machine: { cpus: cpus().length, loadAverage: loadavg()[0]! },
  };
}

/** The app's output steps (sinks), whose dead letters are records they refused. */
const OUTPUT_STEPS = ['WritePairs', 'WritePairsToKafka', 'WriteLate', 'WriteDeadLetters'] as const;

function sumValues(r: Record<string, number>, prefix: string): number {
  let s = 0;
  for (const [k, v] of Object.entries(r)) if (k.startsWith(prefix)) s += v;
  return s;
}

function sortedRecord(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Merges the panes of each window into its top-N, windows in order. */
export function mergeTops(tops: readonly WindowTopPairs[], n: number): WindowTopPairs[] {
  const byWindow = new Map<number, WindowTopPairs>();
  for (const t of tops) {
    const prev = byWindow.get(t.window_start);
    const pairs = prev ? [...prev.pairs, ...t.pairs].sort((a, b) => compareByDistance(b, a)).slice(0, n) : t.pairs;
    byWindow.set(t.window_start, { window_start: t.window_start, window_end: t.window_end, pairs });
  }
  return [...byWindow.values()].sort((a, b) => a.window_start - b.window_start);
}

/** Parses `generator`, `suricata:<path>`, `zeek:<path>`, `ndjson:<path>` or `kafka:<topic>`. @throws Error otherwise. */
export function parseInputSpec(text: string, generator: Partial<NetflowGeneratorOptions> = {}, scenario?: ScenarioId): NetflowInput {
  if (text === 'generator') return scenario ? { kind: 'generator', options: generator, scenario } : { kind: 'generator', options: generator };
  const i = text.indexOf(':');
  const kind = i > 0 ? text.slice(0, i) : '';
  const rest = i > 0 ? text.slice(i + 1) : '';
  if (rest !== '' && (kind === 'suricata' || kind === 'zeek' || kind === 'ndjson')) return { kind, path: stdPath(rest, '/dev/stdin') };
  if (rest !== '' && kind === 'kafka') return { kind, topic: rest };
  throw new Error(`--input=${text}: use generator, suricata:<path>, zeek:<path>, ndjson:<path> or kafka:<topic>`);
}

/**
 * `-` as a path is the standard stream (`ndjson:-` writes to stdout, reads from stdin), as in most Unix tools;
 * a file named `-` is `./-`.
 */
export function stdPath(path: string, stream: '/dev/stdin' | '/dev/stdout'): string {
  return path === '-' ? stream : path;
}

/** Parses `stdout-summary`, `ndjson:<path>` (`ndjson:-`: stdout) or `kafka:<topic>`. @throws Error otherwise. */
export function parseOutputSpec(text: string): NetflowOutput {
  if (text === 'stdout-summary') return { kind: 'stdout-summary' };
  if (text.startsWith('ndjson:') && text.length > 7) return { kind: 'ndjson', path: stdPath(text.slice(7), '/dev/stdout') };
  if (text.startsWith('kafka:') && text.length > 6) return { kind: 'kafka', topic: text.slice(6) };
  throw new Error(`--output=${text}: use stdout-summary, ndjson:<path> or kafka:<topic>`);
}

/** A name for a comparison from its input, e.g. `scenario-1-seed-1`, `zeek-conn-portscan`. */
export function defaultRunName(input: NetflowInput): string {
  if (input.kind === 'generator') {
    const o = generatorOptionsOf(input);
    return `${input.scenario ? `scenario-${input.scenario}` : `generator-${o.count}`}-seed-${o.seed}`;
  }
  if (input.kind === 'kafka') return `kafka-${input.topic}`;
  return basename(input.path).replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_.-]/g, '_');
}
