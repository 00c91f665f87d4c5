import type { Clock } from './clock.js';
import { PipelineOptionsError } from './errors.js';
import type { Duration } from './time.js';

/**
 * How a pipeline runs. Parsed from command-line flags (`--runner=microbatch --batchInterval=500ms`)
 * or given as an object; the pipeline code stays the same for every runner.
 */
export interface PipelineOptions {
  /** The registered runner to use: `native` (default) or `microbatch`. */
  readonly runner: string;
  /** Micro-batch: processing time gathered per batch, or 'asap' to start each batch when the previous ends. */
  readonly batchInterval: Duration | 'asap';
  /** Micro-batch: most elements per batch (bounds memory for fast bounded inputs). */
  readonly maxBatchSize: number;
  /** Native: elements per bundle between finishBundle calls. */
  readonly bundleSize: number;
  /** Native: capacity of the buffer between a source and the first step (backpressure bound). */
  readonly bufferSize: number;
  /**
   * A source that produces nothing for this long (processing time) stops holding back the watermark
   * of steps that also read active inputs (Flink's idleness). Default: never.
   */
  readonly idleTimeout: Duration;
  /** Processing time; defaults to the system clock (virtual when the pipeline reads a TestStream). */
  readonly clock?: Clock;
  /** Cancels the run. */
  readonly signal?: AbortSignal;
  /** Prints progress (micro-batch progress reports) to stderr. */
  readonly progress: boolean;
  /** Every flag given, including ones only the user's program understands. */
  readonly args: Readonly<Record<string, string>>;
}

/** The command-line flags {@link optionsFrom} reads (a program's own flags come on top). */
export const PIPELINE_FLAGS = ['runner', 'batchInterval', 'maxBatchSize', 'bundleSize', 'bufferSize', 'idleTimeout', 'progress'] as const;

export const DEFAULT_OPTIONS: PipelineOptions = {
  runner: 'native',
  batchInterval: 1000,
  maxBatchSize: 100_000,
  bundleSize: 1000,
  bufferSize: 10_000,
  progress: false,
  idleTimeout: Number.POSITIVE_INFINITY,
  args: {},
};

/**
 * Parses a duration: `250ms`, `3s`, `2m`, `1h`, or a plain number of milliseconds.
 * @throws PipelineOptionsError for anything else.
 */
export function parseDuration(text: string, flag = 'duration'): Duration {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new PipelineOptionsError(`--${flag}: '${text}' is not a duration (use e.g. 500ms, 3s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** Splits `--key=value`, `--key value` and `--flag` arguments into a record. */
export function parseArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) out[a.slice(2)] = argv[++i]!;
    else out[a.slice(2)] = 'true';
  }
  return out;
}

const positiveInt = (v: string, flag: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new PipelineOptionsError(`--${flag}: expected a whole number >= 1, got '${v}'`);
  return n;
};

/**
 * Builds options from argv and/or an object (the object wins).
 * @throws PipelineOptionsError for malformed values.
 * @example optionsFrom(['--runner=microbatch', '--batchInterval=500ms'])
 */
export function optionsFrom(argv: readonly string[] = [], overrides: Partial<PipelineOptions> = {}): PipelineOptions {
  const args = parseArgs(argv);
  const fromArgs: Partial<Record<keyof PipelineOptions, unknown>> = {};
  if (args['runner']) fromArgs.runner = args['runner'];
  if (args['batchInterval']) fromArgs.batchInterval = args['batchInterval'] === 'asap' ? 'asap' : parseDuration(args['batchInterval'], 'batchInterval');
  if (args['maxBatchSize']) fromArgs.maxBatchSize = positiveInt(args['maxBatchSize'], 'maxBatchSize');
  if (args['bundleSize']) fromArgs.bundleSize = positiveInt(args['bundleSize'], 'bundleSize');
  if (args['bufferSize']) fromArgs.bufferSize = positiveInt(args['bufferSize'], 'bufferSize');
  if (args['idleTimeout']) fromArgs.idleTimeout = parseDuration(args['idleTimeout'], 'idleTimeout');
  if (args['progress']) fromArgs.progress = args['progress'] !== 'false';
  const merged = { ...DEFAULT_OPTIONS, ...(fromArgs as Partial<PipelineOptions>), ...overrides, args: { ...args, ...(overrides.args ?? {}) } };
  if (merged.batchInterval !== 'asap' && !(merged.batchInterval > 0)) {
    throw new PipelineOptionsError(`batchInterval must be > 0 ms or 'asap', got ${merged.batchInterval}`);
  }
  return merged;
}
