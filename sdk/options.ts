import type { Clock } from './clock.js';
import { PipelineOptionsError } from './errors.js';
import { parseFlags, type AnyFlagValues, type FlagSpecs, type FlagValues } from './flags.js';
import type { RunObserver } from './run-observer.js';
import type { Duration } from './time.js';

/** What a run with checkpoints promises about its output: written once, or at least once. */
export type Guarantee = 'exactly-once' | 'at-least-once';

/**
 * How a pipeline runs. Parsed from command-line flags (`--runner=microbatch --batchInterval=500ms`)
 * or given as an object; the pipeline code stays the same for every runner. `A` is the type of
 * `args`, the parsed flag values.
 */
export interface PipelineOptions<A extends AnyFlagValues = AnyFlagValues> {
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
  /**
   * The progress line on stderr (records in and out, rate, watermark and lag, share done and time
   * left) is shown on a terminal anyway, on every runner; `progress` also prints it where stderr is
   * not a terminal, as a plain line every few seconds (for logs). `quiet` wins.
   */
  readonly progress: boolean;
  /** No progress line on stderr (programs may also leave out their own summary). */
  readonly quiet: boolean;
  /** Watch the run: each gets the graph, samples of counters and watermarks, and the end (see RunObserver). */
  readonly observers?: readonly RunObserver[];
  /**
   * Checkpoints: the directory (local file system) where the run writes its checkpoints and resumes
   * from the latest one. Undefined: no checkpoints (a failed run starts over).
   */
  readonly checkpointDir?: string;
  /** Checkpoints: processing time between two checkpoints. Default 10 s. */
  readonly checkpointInterval: Duration;
  /** Checkpoints: how many complete checkpoints to keep (at least 2, so a damaged newest one has a fallback). Default 3. */
  readonly keepCheckpoints: number;
  /**
   * Output guarantee with checkpoints: `exactly-once` (the default with a checkpoint directory; sinks
   * commit their output with each checkpoint) or `at-least-once`. Without a checkpoint directory a run
   * is at-least-once, and asking for `exactly-once` is a PipelineOptionsError.
   */
  readonly guarantee: Guarantee;
  /**
   * On stop (Ctrl-C, SIGTERM, with `stopOnSignals`): drain instead of stopping: advance every
   * watermark to the end, fire every window's last pane and every event-time timer, take a final
   * `drained` checkpoint (which cannot be resumed), then end with state DRAINED.
   */
  readonly drain: boolean;
  /**
   * The first SIGTERM or SIGINT stops the run gracefully (`PipelineRun.stop({drain})`: a final
   * checkpoint, or a drain) and prints `[watershed] stopping: ...`; a second one, a second or more
   * later, exits the process at once (code 143 / 130). The handlers are removed when the run ends.
   * Only for runs with `checkpointDir`, with `drain`, or reading an input that never ends: a run of
   * bounded inputs without either keeps the default behaviour (the process ends and publishes no
   * output file), since a drain would publish partial output as if it were complete.
   * Default true for `Pipeline.create(argv)` (a program's command line), false for an options object
   * (in-process use and tests).
   */
  readonly stopOnSignals: boolean;
  /** Checkpoints: a name for the job (in its job file, and in the ids of its transactional Kafka producers). */
  readonly jobName?: string;
  /** Resuming: drop the checkpointed state of steps the pipeline no longer has (instead of refusing to resume). */
  readonly allowNonRestoredState: boolean;
  /**
   * Instances of each keyed step (GroupByKey, Combine.perKey, stateful ParDo) and the steps after it,
   * 1..128; records go to the instance owning their key. Default 1, the one-engine run. Above 1 the
   * instances run in this thread, one after another (a correctness mode, slower than 1; worker threads
   * come later). Checkpoints (`checkpointDir`) hold what a run at 1 holds, so a job resumes at any
   * parallelism, whatever the one that wrote its checkpoint; a stage with a two-phase-commit sink runs one instance.
   */
  readonly parallelism: number;
  /**
   * The values of every flag given, the pipeline's and the program's own (declared with
   * `Pipeline.create(argv, { flags })`): a string per string flag, `true` per boolean flag.
   */
  readonly args: A;
}

/**
 * The pipeline's command-line flags; a program's own flags come on top (`Pipeline.create(argv, { flags })`).
 * A new one is a line here, its field in {@link PipelineOptions} and its conversion in `optionsFromFlags` (below).
 */
export const PIPELINE_FLAGS = {
  runner: { type: 'string', value: 'native|microbatch', help: 'the runner (default native)' },
  batchInterval: { type: 'string', value: '1s|asap', help: 'micro-batch: processing time per batch, or start each batch when the last ends' },
  maxBatchSize: { type: 'string', value: 'N', help: 'micro-batch: most elements per batch (default 100000)' },
  bundleSize: { type: 'string', value: 'N', help: 'native: elements per bundle (default 1000)' },
  bufferSize: { type: 'string', value: 'N', help: 'rows each source reads ahead of the pipeline, the backpressure bound (default 10000)' },
  idleTimeout: { type: 'string', value: '<duration>', help: 'a silent input stops holding the watermark back after this long' },
  progress: { type: 'boolean', help: 'the progress line also where stderr is not a terminal, as a plain line every 5 s (on a terminal it is shown anyway)' },
  quiet: { type: 'boolean', help: 'no progress line on stderr; the CLI commands also leave out their summary' },
  checkpointDir: { type: 'string', value: '<dir>', help: 'write checkpoints here and resume from the latest one' },
  checkpointInterval: { type: 'string', value: '<duration>', help: 'time between checkpoints (default 10s)' },
  keepCheckpoints: { type: 'string', value: 'N', help: 'complete checkpoints kept, at least 2 (default 3)' },
  guarantee: { type: 'string', value: 'exactly-once|at-least-once', help: 'output guarantee with checkpoints (default exactly-once)' },
  drain: { type: 'boolean', help: 'on Ctrl-C or SIGTERM, drain: fire every window\'s last pane and every timer, commit, end (not resumable)' },
  jobName: { type: 'string', value: '<name>', help: 'the job\'s name in its checkpoints and transactional ids' },
  allowNonRestoredState: { type: 'boolean', help: 'resume even if checkpointed steps are gone (their state is dropped)' },
  parallelism: { type: 'string', value: 'N', help: 'instances of each keyed step, 1..128, run inline in this thread (default 1; a checkpoint restores at any N)' },
} as const satisfies FlagSpecs;

export type PipelineFlags = typeof PIPELINE_FLAGS;

export const DEFAULT_OPTIONS: PipelineOptions = {
  runner: 'native',
  batchInterval: 1000,
  maxBatchSize: 100_000,
  bundleSize: 1000,
  bufferSize: 10_000,
  progress: false,
  quiet: false,
  idleTimeout: Number.POSITIVE_INFINITY,
  checkpointInterval: 10_000,
  keepCheckpoints: 3,
  guarantee: 'at-least-once',
  drain: false,
  stopOnSignals: false,
  allowNonRestoredState: false,
  parallelism: 1,
  args: {},
};

/** The most instances of a keyed step: one per key group of a job (`DEFAULT_KEY_GROUPS`). */
export const MAX_PARALLELISM = 128;

/** The fewest checkpoints a run keeps: one to resume from and one to fall back on. */
export const MIN_KEEP_CHECKPOINTS = 2;

/** Options that mean nothing without a checkpoint directory. */
const NEEDS_CHECKPOINT_DIR = ['checkpointInterval', 'keepCheckpoints', 'jobName', 'allowNonRestoredState'] as const;

/** How `Pipeline.create(argv, init)` (and `optionsFrom` below) reads a command line. */
export interface PipelineInit<F extends FlagSpecs = FlagSpecs> extends Partial<Omit<PipelineOptions, 'args'>> {
  /**
   * The program's own flags, parsed together with the pipeline's under the same strict rules; their
   * values land in `options.args`. A flag that neither declares fails the run before it starts.
   */
  readonly flags?: F;
  /** Options for what the command line leaves out (the command line wins over these; the other fields of `init` win over it). */
  readonly defaults?: Partial<Omit<PipelineOptions, 'args'>>;
  /** The program, named in flag errors. */
  readonly program?: string;
}

/**
 * Parses a duration: `250ms`, `3s`, `2m`, `1h`, or a plain number of milliseconds (digits and a
 * unit, with no blank or other character around or between them), up to 2^53 - 1 ms
 * (past it a number of ms no longer holds every ms: `9007199254740993` would silently become ...992).
 * @throws PipelineOptionsError naming `--<flag>` for anything else, and for a duration past 2^53 - 1 ms.
 * @example parseDuration('1.5s', 'window') // 1500
 * @example parseDuration('9007199254741s', 'window') // throws PipelineOptionsError
 */
export function parseDuration(text: string, flag = 'duration'): Duration {
  // Digits and a unit, nothing else: no blanks, tabs, newlines or other control characters around them.
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new PipelineOptionsError(`--${flag}: '${text}' is not a duration (use e.g. 500ms, 3s, 2m)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const ms = n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
  if (!(ms <= Number.MAX_SAFE_INTEGER)) throw new PipelineOptionsError(`--${flag}: '${text}' is more than 2^53 - 1 ms (about 285,000 years): past it a number of ms loses precision`);
  return ms;
}

/** A whole number >= 1 written in decimal digits (no 0x/1e forms, blanks or sign), up to 2^53 - 1. */
const positiveInt = (v: string, flag: string): number => {
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new PipelineOptionsError(`--${flag}: expected a whole number >= 1, got '${v}'`);
  return n;
};

/** A duration flag that must be above 0 ms (0 would batch or checkpoint continuously). @throws PipelineOptionsError naming the flag and the value. */
const aboveZero = (v: string, flag: string, or = ''): Duration => {
  const ms = parseDuration(v, flag);
  if (ms === 0) throw new PipelineOptionsError(`--${flag}=${v}: expected a duration above 0 ms${or}`);
  return ms;
};

/** Typed options from parsed pipeline flags (only those given). @throws PipelineOptionsError for malformed values. */
export function optionsFromFlags(values: FlagValues<PipelineFlags>): Partial<PipelineOptions> {
  const o: { -readonly [K in keyof PipelineOptions]?: PipelineOptions[K] } = {};
  if (values.runner !== undefined) o.runner = values.runner;
  if (values.batchInterval !== undefined) o.batchInterval = values.batchInterval === 'asap' ? 'asap' : aboveZero(values.batchInterval, 'batchInterval', " (or 'asap')");
  if (values.maxBatchSize !== undefined) o.maxBatchSize = positiveInt(values.maxBatchSize, 'maxBatchSize');
  if (values.bundleSize !== undefined) o.bundleSize = positiveInt(values.bundleSize, 'bundleSize');
  if (values.bufferSize !== undefined) o.bufferSize = positiveInt(values.bufferSize, 'bufferSize');
  if (values.idleTimeout !== undefined) o.idleTimeout = parseDuration(values.idleTimeout, 'idleTimeout');
  if (values.progress !== undefined) o.progress = values.progress;
  if (values.quiet !== undefined) o.quiet = values.quiet;
  if (values.checkpointDir !== undefined) o.checkpointDir = values.checkpointDir;
  if (values.checkpointInterval !== undefined) o.checkpointInterval = aboveZero(values.checkpointInterval, 'checkpointInterval');
  if (values.keepCheckpoints !== undefined) o.keepCheckpoints = positiveInt(values.keepCheckpoints, 'keepCheckpoints');
  if (values.guarantee !== undefined) {
    if (values.guarantee !== 'exactly-once' && values.guarantee !== 'at-least-once') {
      throw new PipelineOptionsError(`--guarantee: expected exactly-once or at-least-once, got '${values.guarantee}'`);
    }
    o.guarantee = values.guarantee;
  }
  if (values.drain !== undefined) o.drain = values.drain;
  if (values.jobName !== undefined) {
    // It goes into the job file and Kafka transactional ids: no control characters, no blanks around it.
    if (/\p{Cc}/u.test(values.jobName) || values.jobName.trim() !== values.jobName) {
      throw new PipelineOptionsError(`--jobName: '${values.jobName}' has a control character or blanks around it; give a plain name`);
    }
    o.jobName = values.jobName;
  }
  if (values.allowNonRestoredState !== undefined) o.allowNonRestoredState = values.allowNonRestoredState;
  if (values.parallelism !== undefined) o.parallelism = positiveInt(values.parallelism, 'parallelism');
  return o;
}

/**
 * Complete options from an object: defaults for what it leaves out. With a checkpoint directory the
 * guarantee defaults to exactly-once.
 * @throws PipelineOptionsError for an unusable batch interval or checkpoint interval, fewer than 2
 * checkpoints to keep, an unknown guarantee, exactly-once without a checkpoint directory, and
 * checkpoint options (interval, keep, job name, allowNonRestoredState) without a checkpoint directory.
 * @example completeOptions({ checkpointDir: 'ck' }).guarantee // 'exactly-once'
 */
export function completeOptions<A extends AnyFlagValues>(given: Partial<PipelineOptions<A>>): PipelineOptions<A> {
  const dir = given.checkpointDir;
  if (dir !== undefined && (typeof dir !== 'string' || dir === '')) throw new PipelineOptionsError(`--checkpointDir must be a non-empty path, got ${JSON.stringify(dir)}`);
  const guarantee = given.guarantee ?? (dir !== undefined ? 'exactly-once' : 'at-least-once');
  const merged = { ...DEFAULT_OPTIONS, ...given, guarantee, args: given.args ?? {} } as PipelineOptions<A>;
  if (merged.batchInterval !== 'asap' && !(merged.batchInterval > 0)) {
    throw new PipelineOptionsError(`--batchInterval must be > 0 ms or 'asap', got ${merged.batchInterval}`);
  }
  if (!(merged.checkpointInterval > 0) || !Number.isFinite(merged.checkpointInterval)) {
    throw new PipelineOptionsError(`--checkpointInterval must be a finite duration > 0 ms, got ${merged.checkpointInterval}`);
  }
  if (!Number.isInteger(merged.keepCheckpoints) || merged.keepCheckpoints < MIN_KEEP_CHECKPOINTS) {
    throw new PipelineOptionsError(
      `--keepCheckpoints must be a whole number >= ${MIN_KEEP_CHECKPOINTS} (one to resume from, one to fall back on if it is damaged), got ${merged.keepCheckpoints}`,
    );
  }
  if (!Number.isInteger(merged.parallelism) || merged.parallelism < 1 || merged.parallelism > MAX_PARALLELISM) {
    throw new PipelineOptionsError(`--parallelism: expected a whole number from 1 to ${MAX_PARALLELISM} (the key groups of a job), got ${merged.parallelism}`);
  }
  if (merged.guarantee !== 'exactly-once' && merged.guarantee !== 'at-least-once') {
    throw new PipelineOptionsError(`--guarantee must be 'exactly-once' or 'at-least-once', got ${JSON.stringify(merged.guarantee)}`);
  }
  if (dir === undefined) {
    if (merged.guarantee === 'exactly-once') {
      throw new PipelineOptionsError('exactly-once output needs checkpoints: give --checkpointDir=<dir> (or --guarantee=at-least-once)');
    }
    const stray = NEEDS_CHECKPOINT_DIR.filter((name) => given[name] !== undefined && given[name] !== false);
    if (stray.length > 0) throw new PipelineOptionsError(`${stray.map((n) => `--${n}`).join(', ')} need${stray.length === 1 ? 's' : ''} --checkpointDir=<dir>`);
  }
  return merged;
}

/**
 * Refuses what the chosen runner cannot honour, before anything runs, so that nobody believes a
 * run is protected when it is not: `checkpointDir` on a runner without checkpoints.
 * @throws PipelineOptionsError naming the option and the runner.
 */
export function refuseUnwiredCheckpointOptions(options: PipelineOptions, runner: { readonly name: string; readonly supportsCheckpoints?: boolean }): void {
  if (options.checkpointDir !== undefined && runner.supportsCheckpoints !== true) {
    throw new PipelineOptionsError(
      `--checkpointDir: the ${runner.name} runner does not take checkpoints, so this run could not resume; run without --checkpointDir or on the native or microbatch runner`,
    );
  }
}

const OWN_FLAGS_HINT = "a program's own flags are declared with Pipeline.create(argv, { flags })";

/**
 * Builds options from a command line, strictly: the pipeline's flags ({@link PIPELINE_FLAGS}) and the
 * program's own (`init.flags`), in `--flag=value` or `--flag value` form (see {@link parseFlags}).
 * `init.defaults` fill what the command line leaves out; the other fields of `init` win over it.
 * @throws UnknownFlagError for a flag neither declares, with the closest known one.
 * @throws PipelineOptionsError for malformed values, missing values, repeated flags and stray words.
 * @example optionsFrom(['--runner', 'microbatch', '--input=x.log'], { flags: { input: { type: 'string' } } }).args.input // 'x.log'
 */
export function optionsFrom<const F extends FlagSpecs = Record<never, never>>(argv: readonly string[] = [], init: PipelineInit<F> = {}): PipelineOptions<FlagValues<PipelineFlags & F>> {
  const { flags: own = {} as F, defaults = {}, program, ...overrides } = init;
  for (const [name, spec] of Object.entries(own)) {
    if (Object.hasOwn(PIPELINE_FLAGS, name) && spec !== PIPELINE_FLAGS[name as keyof PipelineFlags]) {
      throw new PipelineOptionsError(`--${name} is a pipeline flag (options.${name}); give the program's own flag another name`);
    }
  }
  const { values } = parseFlags(argv, { ...PIPELINE_FLAGS, ...own }, { program, hint: OWN_FLAGS_HINT });
  const args = values as FlagValues<PipelineFlags & F>;
  // A program's command line: Ctrl-C and SIGTERM stop the run gracefully unless the program says otherwise.
  return completeOptions({ stopOnSignals: true, ...defaults, ...optionsFromFlags(values), ...overrides, args });
}
