import { formatInstant, type Instant } from './time.js';
import { formatWindow, type BoundedWindow } from './window.js';

/**
 * The base of every error Watershed throws. Branch on `instanceof` or `code`, never on messages.
 * `retriable` says whether running again may help (a broker down: yes; a bug in user code: no).
 */
export class WatershedError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** Shortens any value for an error message: JSON, cut to `max` characters. */
export function shorten(value: unknown, max = 200): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * User code (a DoFn, CombineFn, key or timestamp function) threw while processing an element.
 * Names the step, the element (shortened), its window and timestamp; the original error is `cause`.
 * `retriable` follows the cause when it says (a sink whose broker stayed away: running again may help).
 */
export class UserCodeError extends WatershedError {
  readonly step: string;
  readonly element: string;
  readonly window: string | undefined;
  readonly timestamp: Instant | undefined;
  constructor(step: string, phase: string, cause: unknown, element?: unknown, window?: BoundedWindow, timestamp?: Instant) {
    const el = element === undefined ? undefined : shorten(element);
    const msg =
      `step '${step}' failed in ${phase}` +
      (el !== undefined ? ` on element ${el}` : '') +
      (window ? ` in window ${formatWindow(window)}` : '') +
      (timestamp !== undefined ? ` at ${formatInstant(timestamp)}` : '') +
      `: ${cause instanceof Error ? cause.message : String(cause)}`;
    const retriable = typeof cause === 'object' && cause !== null && (cause as { retriable?: unknown }).retriable === true;
    super('USER_CODE', msg, { cause, retriable });
    this.step = step;
    this.element = el ?? '';
    this.window = window ? formatWindow(window) : undefined;
    this.timestamp = timestamp;
  }
}

/** Two transforms got the same full step name; step names are identities (state and checkpoints use them). */
export class DuplicateStepNameError extends WatershedError {
  readonly step: string;
  constructor(step: string, kind: string) {
    const leaf = step.split('/').pop();
    super(
      'DUPLICATE_STEP_NAME',
      `step name '${step}' is already used in this pipeline. Step names identify state and checkpoints, so each must be unique: ` +
        `give this ${kind} its own name, e.g. pcoll.apply('${leaf}2', ...) or a name that says what it does.`,
    );
    this.step = step;
  }
}

/** The pipeline was built wrongly (types of windows, keyed input, ...). Thrown at construction. */
export class PipelineConstructionError extends WatershedError {
  constructor(message: string) {
    super('PIPELINE_CONSTRUCTION', message);
  }
}

/**
 * A source was given an option under its name and under a deprecated alias at once (e.g. KafkaIO's
 * `timestamp` and `eventTime`): which one was meant cannot be told, so neither is picked. Thrown when
 * the read is applied (naming the step) or when a source is constructed directly (`step` undefined).
 * @example new ConflictingOptionsError('KafkaIO.read(clicks)', 'timestamp', 'eventTime', 'Clicks').message
 * // "step 'Clicks' (KafkaIO.read(clicks)): both 'timestamp' and its deprecated alias 'eventTime' are given; give only 'timestamp'"
 */
export class ConflictingOptionsError extends PipelineConstructionError {
  /** The step the read was applied as; undefined when the source was constructed directly. */
  readonly step: string | undefined;
  /** The source's name, e.g. `KafkaIO.read(clicks)` or `Observable`. */
  readonly source: string;
  /** The option's name (`timestamp`). */
  readonly option: string;
  /** Its deprecated alias that was given too (`eventTime`, `timestampFn`). */
  readonly alias: string;
  constructor(source: string, option: string, alias: string, step?: string) {
    super(`${step === undefined ? `source ${source}` : `step '${step}' (${source})`}: both '${option}' and its deprecated alias '${alias}' are given; give only '${option}'`);
    this.step = step;
    this.source = source;
    this.option = option;
    this.alias = alias;
  }
}

/** What a runner cannot honour, listed before it runs anything. */
export interface UnsupportedFeature {
  readonly step: string;
  readonly feature: string;
  readonly reason: string;
}

/** A runner refused the pipeline: it lists every feature it cannot honour instead of ignoring them. */
export class UnsupportedFeaturesError extends WatershedError {
  readonly runner: string;
  readonly features: readonly UnsupportedFeature[];
  constructor(runner: string, features: readonly UnsupportedFeature[]) {
    super(
      'UNSUPPORTED_FEATURES',
      `runner '${runner}' cannot run this pipeline:\n` + features.map((f) => `  - ${f.step}: ${f.feature} (${f.reason})`).join('\n'),
    );
    this.runner = runner;
    this.features = features;
  }
}

/**
 * Bad pipeline options or command line: a malformed value, an unknown runner, a missing value, a
 * repeated flag, a stray argument. A command line exits with 2 on it.
 */
export class PipelineOptionsError extends WatershedError {
  constructor(message: string) {
    super('PIPELINE_OPTIONS', message);
  }
}

/**
 * Flags the program does not know (misspelt, short like `-x`, or never declared), each with the
 * closest known flag when one is near: `flags[i]` as given, `suggestions[i]` like `--runner` or undefined.
 */
export class UnknownFlagError extends PipelineOptionsError {
  readonly flags: readonly string[];
  readonly suggestions: readonly (string | undefined)[];
  constructor(message: string, flags: readonly string[], suggestions: readonly (string | undefined)[]) {
    super(message);
    this.flags = flags;
    this.suggestions = suggestions;
  }
}

/** The run was cancelled through its AbortSignal or handle. */
export class PipelineCancelledError extends WatershedError {
  constructor() {
    super('CANCELLED', 'the pipeline run was cancelled');
  }
}

/**
 * A DoFn emitted to an output tag its ParDo did not declare: a programming error. The runner reports
 * it as a UserCodeError naming the step and element, and never routes it to a dead-letter output.
 */
export class UndeclaredOutputError extends Error {
  readonly tag: string;
  constructor(tag: string) {
    super(`output tag '${tag}' is not declared; declare it with ParDo(fn).withOutputs('${tag}')`);
    this.name = 'UndeclaredOutputError';
    this.tag = tag;
  }
}

/**
 * One call of a DoFn's `process` (or of an `onTimer` callback) both returned or yielded outputs and
 * called `ctx.output` / `ctx.outputWithTimestamp`: a programming error (see `DoFnOutput`: a callback
 * emits one way or the other). The runner reports it as a UserCodeError naming the step, the element
 * and the window, and never routes it to a dead-letter output.
 * @example
 * // fails: *process(x, ctx) { ctx.output(x); yield x; }
 */
export class MixedOutputError extends Error {
  readonly callback: string;
  constructor(callback: string) {
    super(`${callback} both returned or yielded outputs and called ctx.output; emit one way: return/yield every output, or call ctx.output for every output`);
    this.name = 'MixedOutputError';
    this.callback = callback;
  }
}

/** A source failed to open or read. Names the Read step; `retriable` follows the cause when it says. */
export class SourceError extends WatershedError {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    const retriable = typeof cause === 'object' && cause !== null && (cause as { retriable?: unknown }).retriable === true;
    super('SOURCE', `source step '${step}' failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, retriable });
    this.step = step;
  }
}

/**
 * The base of every checkpoint error (writing, reading, resuming). `checkpoint` names the checkpoint
 * (e.g. `checkpoints/ck-000000000042`) or file the error is about, when there is one.
 */
export class CheckpointError extends WatershedError {
  readonly checkpoint: string | undefined;
  constructor(code: string, message: string, options: { checkpoint?: string; cause?: unknown; retriable?: boolean } = {}) {
    super(code, message, options);
    this.checkpoint = options.checkpoint;
  }
}

/** Why a source cannot continue from a checkpointed position. */
export type SourcePositionProblem =
  /** The position is not one this source writes (another source's, or damaged). */
  | 'malformed'
  /** The input is shorter than the position: it was truncated or rewritten. */
  | 'truncated'
  /** The input's content before the position differs: it was replaced by another file. */
  | 'replaced'
  /** The last line was read before its terminator was written, and the file grew since. */
  | 'partial-line-grew'
  /** The input cannot be read again from a position (a pipe or a device). */
  | 'not-resumable';

/**
 * A source was asked to resume from a checkpointed position it cannot continue from, because the
 * input changed under it (a file replaced or truncated) or the position is not its own. Resuming
 * anyway would skip or repeat input, so the run fails before reading anything.
 * @example new SourcePositionError('flows.ndjson', 'replaced', 'the first 65,536 bytes differ from the checkpointed file')
 */
export class SourcePositionError extends CheckpointError {
  readonly input: string;
  readonly problem: SourcePositionProblem;
  constructor(input: string, problem: SourcePositionProblem, detail: string) {
    super('SOURCE_POSITION', `cannot resume reading ${input} (${problem}): ${detail}`);
    this.input = input;
    this.problem = problem;
  }
}

/** What is wrong with a corrupt checkpoint file. */
export type CorruptCheckpointReason =
  /** Shorter than its recorded length, or its end marker is missing: the write was cut short. */
  | 'truncated'
  /** It does not start like a checkpoint file. */
  | 'bad-magic'
  /** The checksum over the file does not match: some bytes changed. */
  | 'crc32c-mismatch'
  /** The manifest (or job file) is not the JSON this version writes. */
  | 'bad-manifest'
  /** A state segment fails its own checksum or cannot be decoded. */
  | 'bad-segment';

/**
 * A checkpoint file is damaged: truncated, overwritten or not a checkpoint at all. When resuming, the
 * checkpoint repository skips such a file with a warning and uses the previous checkpoint.
 * @example new CorruptCheckpointError('checkpoints/ck-000000000042', 'truncated', 'file has 1,024 bytes, its trailer says 2,048')
 */
export class CorruptCheckpointError extends CheckpointError {
  readonly reason: CorruptCheckpointReason;
  readonly detail: string;
  constructor(checkpoint: string, reason: CorruptCheckpointReason, detail: string, options: { cause?: unknown } = {}) {
    super('CORRUPT_CHECKPOINT', `checkpoint ${checkpoint} is corrupt (${reason}): ${detail}`, { ...options, checkpoint });
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * A checkpoint was written in a format version this Watershed does not read (a newer or older
 * release wrote it). It is not skipped like a corrupt file, since resuming from an older checkpoint
 * instead would replay output the newer one already committed.
 */
export class CheckpointVersionError extends CheckpointError {
  readonly found: number;
  readonly supported: number;
  constructor(checkpoint: string, found: number, supported: number) {
    super(
      'CHECKPOINT_VERSION',
      `checkpoint ${checkpoint} has format version ${found}, but this Watershed reads version ${supported}: ` +
        `resume it with the Watershed release that wrote it, or start the job with a new --checkpointDir`,
      { checkpoint },
    );
    this.found = found;
    this.supported = supported;
  }
}

/**
 * Checkpoints exist but none is usable: every one is corrupt. Lists each with its defect. The run does
 * not start over silently: move the directory away to start afresh, or restore a copy.
 */
export class NoValidCheckpointError extends CheckpointError {
  readonly location: string;
  readonly defects: readonly CorruptCheckpointError[];
  constructor(location: string, defects: readonly CorruptCheckpointError[]) {
    super(
      'NO_VALID_CHECKPOINT',
      `no usable checkpoint in ${location}: ` +
        defects.map((d) => `${d.checkpoint} (${d.reason}: ${d.detail})`).join('; ') +
        `. Nothing was resumed; move the directory away to start the job afresh, or restore a copy of it`,
    );
    this.location = location;
    this.defects = defects;
  }
}

/**
 * Writing a checkpoint (or its commit marker) failed: disk full, permissions, a vanished directory.
 * A failed checkpoint fails the run; the next run resumes from the last complete checkpoint.
 */
export class CheckpointWriteError extends CheckpointError {
  readonly location: string;
  constructor(checkpoint: string, location: string, cause: unknown) {
    super('CHECKPOINT_WRITE', `cannot write checkpoint ${checkpoint} to ${location}: ${cause instanceof Error ? cause.message : String(cause)}`, { checkpoint, cause });
    this.location = location;
  }
}

/** Why one step of a checkpoint does not fit the pipeline resuming it. */
export interface StepMismatch {
  readonly step: string;
  /** `no-home`: the pipeline has no step of that name; `changed`: it has one, of another kind or configuration. */
  readonly problem: 'no-home' | 'changed';
  /** `changed`: the step's kind and fingerprint in the checkpoint and in the pipeline. */
  readonly from?: string;
  readonly to?: string;
  /**
   * Why the step's state could not be carried over when Watershed knows how to carry over such a
   * change and this checkpoint's state did not fit (e.g. a CoGroupByKey join written before its
   * expansion changed, whose inputs were renamed since). Absent otherwise.
   */
  readonly reason?: string;
}

/**
 * A checkpoint does not fit the pipeline resuming it: state of steps it no longer has, or of steps
 * whose kind or windowing, state or side inputs changed. Lists every such step at once (`mismatches`,
 * names in `steps`); nothing was restored. `stepsWithoutState` names the pipeline's steps the
 * checkpoint has nothing for (a renamed step shows up in both lists). `allowNonRestoredState` drops
 * the state of the steps listed instead.
 * @example
 * // CheckpointMismatchError: checkpoint ck-000000000042 does not fit this pipeline: state of step 'Count' has no home
 * // (steps without state in the checkpoint: 'CountPerUser'); step 'Sum' changed: combine FixedWindows(3000ms)|… → combine FixedWindows(5000ms)|…. …
 */
export class CheckpointMismatchError extends CheckpointError {
  readonly mismatches: readonly StepMismatch[];
  readonly steps: readonly string[];
  readonly stepsWithoutState: readonly string[];
  constructor(checkpoint: string, mismatches: readonly StepMismatch[], stepsWithoutState: readonly string[]) {
    const q = (s: string) => `'${s}'`;
    const parts = mismatches.map((m) =>
      m.problem === 'no-home'
        ? `state of step ${q(m.step)} has no home` + (stepsWithoutState.length ? ` (steps without state in the checkpoint: ${stepsWithoutState.map(q).join(', ')})` : '')
        : `step ${q(m.step)} changed: ${m.from} → ${m.to}` + (m.reason !== undefined ? ` (${m.reason})` : ''),
    );
    super(
      'CHECKPOINT_MISMATCH',
      `checkpoint ${checkpoint} does not fit this pipeline: ${parts.join('; ')}. ` +
        `Run the pipeline that wrote it, use a new --checkpointDir, or pass --allowNonRestoredState to drop the state of the steps listed`,
      { checkpoint },
    );
    this.mismatches = mismatches;
    this.steps = mismatches.map((m) => m.step);
    this.stepsWithoutState = stepsWithoutState;
  }
}

/**
 * A run with a checkpoint directory reads a source whose reader has no `position()`: its progress
 * cannot be checkpointed, so a resumed run would read it again from the start (duplicates) or skip
 * it. Raised when the run starts, before any input is read. Names the Read step and the source, and
 * `reason` when the source says why it can never be resumed ({@link Source.notResumable}: it is then
 * refused before it is opened).
 * @example new UnresumableSourceError('Events', 'my-socket-source')
 */
export class UnresumableSourceError extends CheckpointError {
  readonly step: string;
  readonly source: string;
  readonly reason: string | undefined;
  constructor(step: string, source: string, reason?: string) {
    super(
      'SOURCE_NOT_RESUMABLE',
      reason === undefined
        ? `step '${step}' reads source '${source}', whose reader has no position(): a run with --checkpointDir cannot resume it. ` +
            `Give the reader position() and honour SourceContext.resumeFrom, or run without --checkpointDir`
        : `step '${step}' reads source '${source}', which a run with --checkpointDir could not resume: ${reason}. Run without --checkpointDir`,
    );
    this.step = step;
    this.source = source;
    this.reason = reason;
  }
}

/**
 * A sink cannot finish the two-phase commit of a checkpoint's output: the pending work a checkpoint
 * holds is gone (neither pending nor visible), or its published form is not what was pre-committed.
 * The output of that checkpoint would be lost or wrong, so the run fails loudly instead of going on.
 * Names the step and the checkpoint's work.
 * @example new CheckpointRecoveryError('Out', 'part-0-000000000042.ndjson: neither the part nor its in-progress file exists')
 */
export class CheckpointRecoveryError extends CheckpointError {
  readonly step: string;
  constructor(step: string, detail: string, options: { checkpoint?: string; cause?: unknown } = {}) {
    super('CHECKPOINT_RECOVERY', `step '${step}' cannot commit the output of a checkpoint: ${detail}`, options);
    this.step = step;
  }
}

/**
 * The newest checkpoint of the directory was taken by a drain (`--drain`, `stop({drain: true})`):
 * every watermark reached the end of time and every window fired its last pane, so resuming would
 * treat all further input as late. The run refuses to start; nothing was read or written.
 * @example new DrainedCheckpointError('checkpoints/ck-000000000007', 'ck')
 */
export class DrainedCheckpointError extends CheckpointError {
  readonly location: string;
  constructor(checkpoint: string, location: string) {
    super(
      'CHECKPOINT_DRAINED',
      `${location}/${checkpoint}: this job was drained (its windows are closed and its watermarks at the end of time), so it cannot be resumed; start it with a new --checkpointDir`,
      { checkpoint },
    );
    this.location = location;
  }
}

/**
 * A sink cannot give the guarantee the run asks for: e.g. exactly-once output to a pipe, FIFO or
 * terminal, which shows every byte as soon as it is written and so cannot hold output back until its
 * checkpoint completes. Raised when the step is set up, before anything is written.
 * @example new UnsupportedGuaranteeError('Out', '/dev/stdout', 'exactly-once', 'a pipe or terminal shows output at once')
 */
export class UnsupportedGuaranteeError extends CheckpointError {
  readonly step: string;
  readonly target: string;
  readonly guarantee: string;
  /** `remedy`: what to do instead (default: at-least-once, or a path on a file system). */
  constructor(step: string, target: string, guarantee: string, why: string, remedy = 'Use --guarantee=at-least-once, or write to a path on a file system') {
    super('UNSUPPORTED_GUARANTEE', `step '${step}' cannot write ${target} ${guarantee}: ${why}. ${remedy}`);
    this.step = step;
    this.target = target;
    this.guarantee = guarantee;
  }
}

/**
 * Two outputs of one run name the same file (or, with checkpointing, the same folder of parts): each
 * would replace the other's file when the run ends (or interleave with it, for a pipe, or take its part
 * names), so one output's records would be lost. Refused before the run: by the command line, naming
 * its flags, and by `Pipeline.run()`/`start()`, naming the two sink steps and their paths. Nothing was
 * run or written.
 * @example new OutputsCollideError("step 'Out' writing out.ndjson", "step 'Errors' writing ./out.ndjson").message
 *   // "step 'Out' writing out.ndjson and step 'Errors' writing ./out.ndjson are the same file: ..."
 */
export class OutputsCollideError extends PipelineOptionsError {
  constructor(
    /** The first output, as named in the message (a flag and its path, or a step and its path). */
    readonly first: string,
    /** The second output, the same file as the first. */
    readonly second: string,
  ) {
    super(`${first} and ${second} are the same file: one output would replace the other's records. Give each output its own path.`);
  }
}

/**
 * A sink could not write its output: the disk is full (ENOSPC), the file or its folder is not
 * writable (EACCES), an I/O error (EIO), the reader of a pipe went away (EPIPE). Names the sink step
 * and the path; the file system's error is `cause` (its `code` says which). Retriable for ENOSPC (free
 * space, run again). What the sink had not published is removed; an existing file at `path` is as it was.
 * @example new SinkWriteError('Out', '/dev/full', enospc).message // "step 'Out' cannot write /dev/full: ENOSPC: no space left on device, write"
 */
export class SinkWriteError extends WatershedError {
  readonly step: string;
  readonly path: string;
  constructor(step: string, path: string, cause: unknown) {
    super('SINK_WRITE', `step '${step}' cannot write ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      retriable: typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'ENOSPC',
    });
    this.step = step;
    this.path = path;
  }
}

/**
 * An output is inside the checkpoint directory, is it, or (a folder of part files, as a file output
 * is with checkpoints) holds it: the checkpoint store owns that folder (it sweeps files it left
 * unfinished and refuses to resume from a folder of files it does not know), and a sink moves aside
 * older parts in its folder, so one would destroy the other. Thrown before anything runs, by the
 * command line for its flags and by `Pipeline.run()`/`start()` for a sink step (a PipelineOptionsError:
 * the command line exits with 2). Nothing was run or written.
 * @example new OutputInCheckpointDirError('--output=ndjson:ck/pairs.ndjson', 'ck/pairs.ndjson', '--checkpointDir=ck', 'inside').message
 *   // "--output=ndjson:ck/pairs.ndjson is inside --checkpointDir=ck: ..."
 */
export class OutputInCheckpointDirError extends PipelineOptionsError {
  constructor(
    /** The output, as named in the message (a flag and its value, or a step and its path). */
    readonly output: string,
    /** The output's path. */
    readonly path: string,
    /** The checkpoint directory, as named in the message (`--checkpointDir=ck`, `the checkpoint directory ck`). */
    readonly checkpointDir: string,
    /** How the two paths meet. */
    readonly relation: 'inside' | 'is' | 'holds',
  ) {
    const how = relation === 'inside' ? 'is inside' : relation === 'is' ? 'is' : 'is a folder of parts holding';
    super(`${output} ${how} ${checkpointDir}: the checkpoint store owns that folder (it sweeps files it does not know or refuses to resume), so one would destroy the other. Give the output a path outside it.`);
  }
}

/**
 * A sink's output path cannot be used as it is: e.g. with checkpointing a TextFile sink writes a
 * folder of part files, and `path` exists as a regular file. Nothing was written or removed.
 */
export class SinkTargetError extends WatershedError {
  readonly step: string;
  readonly path: string;
  constructor(step: string, path: string, detail: string) {
    super('SINK_TARGET', `step '${step}' cannot write ${path}: ${detail}`);
    this.step = step;
    this.path = path;
  }
}
