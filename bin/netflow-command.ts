/**
 * `npm start -- netflow [flags]` (the default command): the Netflow job, in-process, on the chosen runner.
 *
 *   --runner=native|microbatch   --batchInterval=1s|asap   (and the other pipeline flags)
 *   --input=generator|suricata:<path>|zeek:<path>|ndjson:<path>|kafka:<topic>
 *   --output=stdout-summary|ndjson:<path>|kafka:<topic>
 *   --brokers=127.0.0.1:19092 (or KAFKA_BROKERS)  --follow (keep reading the input topic; default: read to its end, then finish;
 *   Ctrl-C drains: open windows fire and are written, then the run ends)  --reconnectTimeout=60s (how long a lost broker is waited for)
 *   --scenario=1|2  --seed=N  --count=N  --rate=N  --sourceIps=N  --keySkew=X  --jitter=ms  --ipv6Share=X  --malformedShare=X
 *   --window=3s  --features=traffic|original|duration,in_bytes,...  --scaling=none|log1p|divide:in_bytes=1000,...
 *   --allowedLateness=0s  --top=5  --histogram=log|log:<k>|linear:<width>|none  --maxOutOfOrderness=<duration> (file inputs)
 *   --statsOut=<file.json> (the run summary as JSON)  --digests (per key-window digests, for comparisons)  --keepPairs=N  --quiet
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PipelineOptionsError } from '../sdk/errors.js';
import { Pipeline } from '../sdk/pipeline.js';
import { parseArgs, parseDuration } from '../sdk/options.js';
import { FEATURE_NAMES, isFeatureName, parseFeatureList, type Scaling } from '../pipelines/netflow/features.js';
import type { NetflowGeneratorOptions } from '../pipelines/netflow/generator.js';
import { parseHistogramSpec } from '../pipelines/netflow/histogram.js';
import { parseInputSpec, parseOutputSpec, runNetflowApp, type NetflowAppConfig, type NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';
import { formatNetflowSummary } from '../pipelines/netflow/netflow-summary.js';
import { drainOnSignals } from './drain-on-signal.js';
import type { ScenarioId } from '../pipelines/netflow/scenarios.js';

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

/** Flags the netflow command understands, besides the pipeline's own. */
export const NETFLOW_FLAGS = [
  'input', 'output', 'scenario', 'seed', 'count', 'rate', 'sourceIps', 'keySkew', 'jitter', 'ipv6Share', 'malformedShare',
  'window', 'features', 'scaling', 'allowedLateness', 'top', 'histogram', 'maxOutOfOrderness', 'statsOut', 'digests', 'keepPairs', 'quiet', 'inject-difference',
  'brokers', 'follow', 'reconnectTimeout',
] as const;

const num = (args: Record<string, string>, flag: string): number | undefined => {
  const v = args[flag];
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new Error(`--${flag}: '${v}' is not a number`);
  return x;
};

/** Parses `none`, `log1p` or `divide:<feature>=<divisor>,...`. @throws Error otherwise. */
export function parseScaling(text: string): Scaling {
  if (text === 'none' || text === 'log1p') return text;
  if (text.startsWith('divide:')) {
    const divisors: Record<string, number> = {};
    for (const part of text.slice(7).split(',')) {
      const [name, value] = part.split('=');
      if (!name || !isFeatureName(name.trim())) throw new Error(`--scaling: unknown feature '${name}'; allowed: ${FEATURE_NAMES.join(', ')}`);
      divisors[name.trim()] = Number(value);
    }
    return { divisors };
  }
  throw new Error(`--scaling=${text}: use none, log1p or divide:<feature>=<divisor>,...`);
}

/** Builds the application config from command-line flags. @throws Error for bad flags. */
export function netflowConfigFromArgs(argv: readonly string[]): NetflowAppConfig {
  const a = parseArgs(argv);
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
  set('seed', num(a, 'seed'));
  set('count', num(a, 'count'));
  set('eventsPerSecond', num(a, 'rate'));
  set('sourceIps', num(a, 'sourceIps'));
  set('keySkew', num(a, 'keySkew'));
  set('maxJitterMs', a['jitter'] === undefined ? undefined : parseDuration(a['jitter'], 'jitter'));
  set('ipv6Share', num(a, 'ipv6Share'));
  set('malformedShare', num(a, 'malformedShare'));
  const input = parseInputSpec(a['input'] ?? 'generator', generator, scenario);
  if (scenario && input.kind !== 'generator') throw new Error('--scenario applies to --input=generator only');
  const output = parseOutputSpec(a['output'] ?? 'stdout-summary');
  const histogram = a['histogram'] === undefined ? undefined : a['histogram'] === 'none' ? (false as const) : parseHistogramSpec(a['histogram']);
  const top = num(a, 'top') ?? 5;
  const keepPairs = num(a, 'keepPairs');
  return {
    input,
    output,
    job: {
      windowMs: a['window'] === undefined ? undefined : parseDuration(a['window'], 'window'),
      features: a['features'] === undefined ? undefined : parseFeatureList(a['features']),
      scaling: a['scaling'] === undefined ? undefined : parseScaling(a['scaling']),
      allowedLatenessMs: a['allowedLateness'] === undefined ? undefined : parseDuration(a['allowedLateness'], 'allowedLateness'),
      topN: top,
      ...(histogram !== undefined ? { histogram } : {}),
    },
    ...(a['maxOutOfOrderness'] !== undefined ? { maxOutOfOrdernessMs: parseDuration(a['maxOutOfOrderness'], 'maxOutOfOrderness') } : {}),
    stats: { digests: a['digests'] === 'true', ...(keepPairs !== undefined ? { keepPairsUpTo: keepPairs } : {}) },
    ...(a['inject-difference'] === 'true' ? { injectDifference: true } : {}),
    ...(a['brokers'] !== undefined || process.env['KAFKA_BROKERS']
      ? {
          kafka: {
            brokers: a['brokers'] ?? process.env['KAFKA_BROKERS']!,
            follow: a['follow'] === 'true',
            ...(a['reconnectTimeout'] !== undefined ? { reconnectTimeoutMs: parseDuration(a['reconnectTimeout'], 'reconnectTimeout') } : {}),
          },
        }
      : {}),
  };
}

/** Runs the netflow command; returns the summary (also written to --statsOut when given). */
export async function netflowCommand(flags: readonly string[]): Promise<NetflowRunSummary> {
  const args = parseArgs(flags);
  let config: NetflowAppConfig;
  try {
    config = netflowConfigFromArgs(flags);
  } catch (e) {
    throw e instanceof PipelineOptionsError ? e : new PipelineOptionsError((e as Error).message);
  }
  const p = Pipeline.create([...flags]);
  // A followed Kafka input never ends by itself: Ctrl-C drains it, so the last windows are written too.
  const drain = config.input.kind === 'kafka' && config.kafka?.follow ? drainOnSignals(`the Kafka read of '${config.input.topic}'`) : undefined;
  let summary: NetflowRunSummary;
  try {
    summary = await runNetflowApp(p, drain ? { ...config, kafka: { ...config.kafka!, drain: drain.signal } } : config);
  } finally {
    drain?.dispose();
  }
  if (args['statsOut']) {
    mkdirSync(dirname(args['statsOut']), { recursive: true });
    writeFileSync(args['statsOut'], JSON.stringify(summary));
  }
  if (args['quiet'] !== 'true') console.log(formatNetflowSummary(summary));
  return summary;
}
