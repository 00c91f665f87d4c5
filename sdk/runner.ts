import { PipelineOptionsError, type UnsupportedFeature } from './errors.js';
import { nearestFlag } from './flags.js';
import type { PipelineGraph } from './graph.js';
import type { StepMetrics } from './metrics.js';
import type { PipelineOptions } from './options.js';
import type { Instant } from './time.js';

/** One micro-batch, as the micro-batch runner reports it (like Spark's progress reports). */
export interface BatchMetrics {
  readonly batchId: number;
  readonly inputRows: number;
  /** Processing-time duration of the batch, from the runner's clock. */
  readonly durationMs: number;
  /** The watermark after the batch. */
  readonly watermark: Instant;
  readonly startedAt: Instant;
  /** Micro-batch with checkpoints: the batch re-ran a batch of the offset log, with its logged input (after a resume). */
  readonly replayed?: boolean;
}

/** One checkpoint a run wrote and committed. */
export interface TakenCheckpoint {
  /** e.g. `checkpoints/ck-000000000042`. */
  readonly name: string;
  readonly seq: number;
  readonly kind: 'periodic' | 'final' | 'drained' | 'finished';
  readonly bytes: number;
  /**
   * Processing time (the run's clock; 0 on a virtual clock that did not move) the checkpoint held the
   * pipeline at its barrier: the sinks' pre-commit, capture and encoding.
   */
  readonly syncMs: number;
  /** Processing time of the write (file, fsync, rename) in the background, while the pipeline ran on. */
  readonly writeMs: number;
  /** Processing time of the sinks' commits once the file was durable. */
  readonly commitMs: number;
}

/** What a run with `checkpointDir` did with checkpoints. */
export interface CheckpointReport {
  /** The checkpoint the run resumed from (undefined: a fresh start). */
  readonly restoredFrom?: {
    readonly name: string;
    readonly seq: number;
    readonly kind: string;
    readonly takenBy: string;
    /**
     * The counters the run started from, per step (what the checkpoint held; zeros for a checkpoint
     * written before counters were saved). `PipelineResult.metrics` are totals since the job's first
     * start; minus these, they are what this run did.
     * @example result.metrics['Read']!.elementsIn - result.checkpoints!.restoredFrom!.metrics['Read']!.elementsIn // read by this run
     */
    readonly metrics: Readonly<Record<string, StepMetrics>>;
  };
  /** The checkpoints this run wrote, in order (each one committed). */
  readonly taken: readonly TakenCheckpoint[];
}

/**
 * How a run ended: `DONE` (bounded input consumed), `CANCELLED` (`cancel()` or the `signal` option:
 * abandoned, no final checkpoint), `STOPPED` (`stop()`: input stopped, final checkpoint taken and
 * committed; the same command resumes it), `DRAINED` (`stop({drain: true})`: input stopped, every
 * window and event-time timer fired, its output committed; cannot be resumed).
 */
export type PipelineState = 'DONE' | 'CANCELLED' | 'STOPPED' | 'DRAINED';

/** How `PipelineRun.stop` ends a run. */
export interface StopOptions {
  /**
   * Drain: move every unfinished input's watermark to the end of time, so every window fires its
   * last pane and every event-time timer fires, then take a final `drained` checkpoint. Without
   * `checkpointDir` a stop always drains (there is nowhere to keep the open windows).
   */
  readonly drain?: boolean;
}

/** What `pipeline.run()` resolves with. */
export interface PipelineResult {
  readonly runner: string;
  /** The run's id (see {@link PipelineRun.runId}). */
  readonly runId?: string;
  readonly state: PipelineState;
  /**
   * Per step, by full step name. For a run resumed from a checkpoint, totals since the job's first
   * start (see {@link CheckpointReport.restoredFrom}): the counters are saved in every checkpoint and
   * restored with the state, so elements read again after the checkpoint are counted once.
   */
  readonly metrics: Readonly<Record<string, StepMetrics>>;
  /** Micro-batch runner only. */
  readonly batches?: readonly BatchMetrics[];
  /** With `checkpointDir`: where the run resumed from and what it wrote. */
  readonly checkpoints?: CheckpointReport;
  /**
   * What the user should know about the run, e.g. a corrupt newest checkpoint skipped, state dropped with
   * `allowNonRestoredState`, parts moved aside (printed to stderr with a `[checkpoint]` prefix), and records
   * sent to a dead-letter or late-data output that nothing reads, per step with their count (printed with a
   * `[watershed]` prefix unless `quiet`): `step 'Count' dropped 2 records as late, and nothing reads them: ...`.
   */
  readonly warnings?: readonly string[];
  readonly startedAt: Instant;
  readonly finishedAt: Instant;
}

/** A running pipeline. */
export interface PipelineRun {
  /**
   * This run's id: a uuid v7 whose time part is when the run started (processing time), so ids sort
   * roughly by start. The same id is in the result, in what observers get at the start
   * (`RunStart.runId`), and with `checkpointDir` in every checkpoint the run writes (its manifest's
   * `runId`) and in its temporary file names. Undefined on runners that give no ids.
   * @example const run = p.start(); console.error(`run ${run.runId}`); // run 019ae4f2-7c1b-7...
   */
  readonly runId?: string;
  /** Resolves when the run ends (bounded input consumed, cancelled, stopped or drained); rejects with a typed error. */
  readonly done: Promise<PipelineResult>;
  /** Abandons the run: stops reading, lets in-flight work finish, resolves `done` with state CANCELLED (no final checkpoint; sinks abort their open work). */
  cancel(): void;
  /**
   * With `checkpointDir`: takes a checkpoint at the run's next quiescent point, whatever the interval
   * (for deterministic tests). Does nothing without `checkpointDir`. Undefined on runners without checkpoints.
   * @example const run = p.start(); run.checkpoint?.(); await run.done;
   */
  checkpoint?(): void;
  /**
   * Ends the run gracefully: it stops taking input, finishes the bundle or batch in progress, takes
   * and commits a final checkpoint (`final`), closes, and `done` resolves with state `STOPPED`; the
   * same pipeline with the same `checkpointDir` resumes from there. With `{drain: true}` (and always
   * without `checkpointDir`) it drains instead: every open window fires its last pane and every
   * event-time timer fires, a `drained` checkpoint is committed, and the state is `DRAINED`. A run
   * that ends by itself first resolves as usual (`DONE`). Returns `done`. Calling it again only
   * returns `done` (a drain asked for before the stop took effect still drains).
   * Undefined on runners that cannot stop gracefully.
   * @example const run = p.start(); setTimeout(() => run.stop?.({ drain: true }), 5000); const r = await run.done; // r.state === 'DRAINED'
   */
  stop?(options?: StopOptions): Promise<PipelineResult>;
}

/**
 * An execution engine. A runner checks a pipeline before running it and lists every feature it
 * cannot honour instead of ignoring them.
 */
export interface Runner {
  readonly name: string;
  /** True when the runner takes checkpoints and resumes from them (`checkpointDir`); others refuse the option. */
  readonly supportsCheckpoints?: boolean;
  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[];
  start(graph: PipelineGraph, options: PipelineOptions): PipelineRun;
}

const registry = new Map<string, () => Runner>();

/**
 * Makes a runner selectable by `--runner=<name>`. Runner packages call this when imported; the SDK
 * never imports a runner itself.
 */
export function registerRunner(name: string, factory: () => Runner): void {
  registry.set(name, factory);
}

export function registeredRunners(): string[] {
  return [...registry.keys()].sort();
}

/**
 * @throws PipelineOptionsError naming the closest registered runner and all of them when `name` is not
 * one of them (`unknown runner 'microbach' (did you mean microbatch?). Registered runners: microbatch, native.`),
 * or saying to import 'watershed/runners' when none is registered.
 */
export function resolveRunner(name: string): Runner {
  const f = registry.get(name);
  if (!f) {
    const known = registeredRunners();
    const near = nearestFlag(name, known);
    throw new PipelineOptionsError(
      `unknown runner '${name}'${near ? ` (did you mean ${near}?)` : ''}. ` +
        (known.length ? `Registered runners: ${known.join(', ')}.` : `No runner is registered: import 'watershed/runners' before running.`),
    );
  }
  return f();
}
