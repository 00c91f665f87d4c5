import type { Clock } from '../../../sdk/clock.js';
import { CheckpointError } from '../../../sdk/errors.js';
import type { CheckpointingInfo } from '../../../sdk/io/two-phase-commit.js';
import type { PipelineGraph, ParDoPayload } from '../../../sdk/graph.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import type { CheckpointReport, TakenCheckpoint } from '../../../sdk/runner.js';
import { failpoint } from '../../../sdk/testing/failpoints.js';
import type { Engine } from '../engine.js';
import { ParDoOperator } from '../operators/par-do-operator.js';
import { newUuidV7 } from './checkpoint-id.js';
import { CheckpointRepository, type LoadedCheckpoint } from './checkpoint-repository.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { engineSnapshotOf } from './engine-snapshot.js';
import { FileCheckpointStore } from './file-checkpoint-store.js';
import type { CheckpointKind, StepEntry } from './manifest.js';

/** Checkpoints asked for by `PipelineRun.checkpoint()`, shared by the run handle and its coordinator. */
export interface CheckpointRequests {
  /** A checkpoint is due at the next boundary, whatever the interval. */
  pending: boolean;
}

/** Where a micro-batch run stands at a batch end (what its checkpoint records). */
export interface BatchBoundary {
  /** The last batch this checkpoint covers. */
  readonly batchId: number;
  /** The end of the next batch, when batches have a fixed interval. */
  readonly deadline?: number;
}

/**
 * What a runner's loop sees of checkpointing (`RunContext.checkpoints`). Without `checkpointDir` it
 * is {@link NO_CHECKPOINTS}, whose calls do nothing.
 */
export interface RunCheckpoints {
  /** True when the run takes checkpoints. */
  readonly enabled: boolean;
  /** Micro-batch: the batch boundary the restored checkpoint recorded (undefined: fresh, or a native checkpoint). */
  readonly restoredBatch: BatchBoundary | undefined;
  /**
   * Call at every quiescent point of the loop (after emitBatch → pass → finishBundles; micro-batch:
   * at the batch end). When `checkpointInterval` has elapsed on the run's clock since the last one,
   * takes a checkpoint: sinks pre-commit, the engine is captured, the file is written (awaited), the
   * sinks commit and the commit marker is written. Returns undefined when nothing is due (the common
   * case), so the loop awaits nothing then: `const c = run.checkpoints.atBoundary(); if (c) await c;`
   */
  atBoundary(batch?: BatchBoundary): Promise<void> | undefined;
  /** Processing time at which the next checkpoint is due (for a loop that waits), or undefined. */
  nextDueAt(): number | undefined;
}

/** The checkpoints of a run without `checkpointDir`: nothing is taken. */
export const NO_CHECKPOINTS: RunCheckpoints = {
  enabled: false,
  restoredBatch: undefined,
  atBoundary: () => undefined,
  nextDueAt: () => undefined,
};

/**
 * Takes the checkpoints of one run and restores the run from the latest usable one (design §d). The
 * write is synchronous in this version: the loop waits for the file to be durable and the sinks to
 * commit before it goes on. Never reads the wall clock: times and ids come from the run's clock.
 *
 * Order at start (see LoopRunner): `open` (store, job file, newest usable checkpoint, with a warning
 * per corrupt one skipped) → `new Engine(…, {checkpointing: coordinator.checkpointing})` →
 * `restoreInto(engine)` → `engine.open()` → `recover(engine)` (every two-phase-commit sink) → readers
 * open with `resumeFrom`. Then `atBoundary` at every loop boundary, and `final('finished')` when a
 * bounded run ends.
 *
 * Failpoints: `checkpoint.barrier` (before the sinks pre-commit), `checkpoint.written` (the file is
 * durable, the sinks have not committed), `checkpoint.committed` (the sinks committed, no marker yet).
 *
 * @example
 * const ck = await CheckpointCoordinator.open({ dir, options, clock, runner: 'native' });
 * const engine = new Engine(graph, { …, checkpointing: ck.checkpointing });
 * ck.restoreInto(engine); await engine.open(); await ck.recover(engine);
 * // loop: … await engine.finishBundles(); await ck.atBoundary();
 */
export class CheckpointCoordinator implements RunCheckpoints {
  readonly enabled = true;
  readonly checkpointing: CheckpointingInfo;
  /** Warnings for the run's result (corrupt checkpoints skipped, state dropped, sink notices). */
  readonly warnings: string[] = [];
  private readonly taken: TakenCheckpoint[] = [];
  private seq: number;
  private dueAt: number;
  private lastBatch: BatchBoundary | undefined;
  private engine: Engine | undefined;

  private constructor(
    private readonly repo: CheckpointRepository,
    private readonly restored: LoadedCheckpoint | undefined,
    private readonly restoredCommitted: boolean,
    highestSeq: number | undefined,
    checkpointing: CheckpointingInfo,
    private readonly options: PipelineOptions,
    private readonly clock: Clock,
    private readonly runner: string,
    private readonly requests: CheckpointRequests,
  ) {
    this.checkpointing = checkpointing;
    this.seq = highestSeq ?? 0;
    this.dueAt = clock.now() + options.checkpointInterval;
    const mb = restored?.manifest.microbatch;
    this.lastBatch = mb;
  }

  /**
   * Opens `options.checkpointDir` (or `store`): removes temporaries of crashed runs, reads or creates
   * the job file, and finds the newest usable checkpoint (corrupt newer ones become warnings).
   * @throws NoValidCheckpointError when checkpoints exist but none is usable; CheckpointVersionError;
   *   CheckpointError (code CHECKPOINT_DRAINED) for a drained job.
   */
  static async open(params: {
    readonly options: PipelineOptions;
    readonly clock: Clock;
    readonly runner: string;
    /** When given, exactly-once runs warn about terminal steps without two-phase commit. */
    readonly graph?: PipelineGraph;
    readonly store?: CheckpointStore;
    /** Set by `PipelineRun.checkpoint()`. */
    readonly requests?: CheckpointRequests;
  }): Promise<CheckpointCoordinator> {
    const { options, clock, runner } = params;
    const now = Math.max(0, Math.floor(clock.now()));
    const runId = newUuidV7(now);
    const store = params.store ?? (await FileCheckpointStore.open(options.checkpointDir!, { runId }));
    const repo = new CheckpointRepository(store);
    const job = await repo.openJob({ format: 1, jobId: newUuidV7(now), ...(options.jobName !== undefined ? { jobName: options.jobName } : {}), createdAt: now });
    const latest = await repo.loadLatest();
    const restored = latest.checkpoint;
    if (restored?.manifest.kind === 'drained') {
      throw new CheckpointError('CHECKPOINT_DRAINED', `${restored.name}: this job was drained, its windows are closed; start a new --checkpointDir`, { checkpoint: restored.name });
    }
    const committed = restored !== undefined && (await repo.isCommitted(restored.seq));
    const checkpointing: CheckpointingInfo = {
      guarantee: options.guarantee,
      jobId: job.jobId,
      ...(options.jobName ?? job.jobName ? { jobName: options.jobName ?? job.jobName } : {}),
      runId,
      subtask: 0,
    };
    const c = new CheckpointCoordinator(repo, restored, committed, latest.highestSeq, checkpointing, options, clock, runner, params.requests ?? { pending: false });
    for (const w of latest.warnings) c.warnings.push(w.message);
    if (params.graph && options.guarantee === 'exactly-once') {
      const plain = sinksWithoutTwoPhaseCommit(params.graph);
      if (plain.length > 0) {
        c.warnings.push(`exactly-once covers sinks with two-phase commit only: ${plain.map((s) => `'${s}'`).join(', ')} ha${plain.length === 1 ? 's' : 've'} none, so ${plain.length === 1 ? 'its' : 'their'} effects are at-least-once after a resume`);
      }
    }
    return c;
  }

  /** The virtual clock's time the restored checkpoint recorded (a TestStream run resumes there). */
  get restoredVirtualClock(): number | undefined {
    return this.restored?.manifest.virtualClock;
  }

  /** The restored checkpoint marks a bounded run that finished: there is nothing left to do. */
  get alreadyFinished(): boolean {
    return this.restored?.manifest.kind === 'finished';
  }

  get restoredBatch(): BatchBoundary | undefined {
    return this.restored?.manifest.microbatch;
  }

  /**
   * Puts the restored checkpoint (if any) into a new engine, before any input and before its readers
   * open (so they get `resumeFrom`). Steps whose state was dropped (`allowNonRestoredState`) become warnings.
   * @throws CheckpointMismatchError naming every step whose state does not fit this pipeline.
   */
  restoreInto(engine: Engine): void {
    this.engine = engine;
    // The clock may have moved to the restored virtual time since open().
    this.dueAt = this.clock.now() + this.options.checkpointInterval;
    if (this.restored === undefined) return;
    const { dropped } = engine.restore(engineSnapshotOf(this.restored.file), { allowNonRestoredState: this.options.allowNonRestoredState, checkpoint: this.restored.name });
    if (dropped.length > 0) {
      this.warnings.push(`${this.restored.name}: dropped the state of ${dropped.map((s) => `'${s}'`).join(', ')} (--allowNonRestoredState)`);
    }
  }

  /**
   * After `engine.open()`, before any input: every two-phase-commit sink recovers, committing the
   * restored checkpoint's handle unless its commit marker exists, and cleaning up after a crashed run.
   * Called on a fresh start too (no handle).
   */
  async recover(engine: Engine): Promise<void> {
    this.engine = engine;
    const restored = this.restored;
    const steps = restored?.manifest.steps;
    for (const op of sinks(engine)) {
      await op.recover(steps?.[op.step]?.committable ?? undefined, {
        committed: this.restoredCommitted,
        restoredSeq: restored?.seq,
        warn: (m) => this.warnings.push(`step '${op.step}': ${m}`),
      });
    }
    // Every sink committed the restored checkpoint's handle: record it before anything new is written,
    // so a crash from here on never commits that handle again (a Kafka sink fences its producers
    // once it starts writing, after which the stored epoch of the handle is stale).
    if (restored !== undefined && !this.restoredCommitted) {
      await this.repo.markCommitted({ seq: restored.seq, checkpointId: restored.manifest.checkpointId, committedAt: this.clock.now() });
    }
  }

  nextDueAt(): number | undefined {
    return this.dueAt;
  }

  atBoundary(batch?: BatchBoundary): Promise<void> | undefined {
    if (batch !== undefined) this.lastBatch = batch;
    const engine = this.requireEngine();
    // A finished run takes its final checkpoint instead (LoopRunner).
    if ((this.clock.now() < this.dueAt && !this.requests.pending) || engine.finished()) return undefined;
    return this.takeAtBoundary(engine);
  }

  private async takeAtBoundary(engine: Engine): Promise<void> {
    // Micro-batch: passes between batches (virtual clock jumps) may leave bundles open.
    await engine.finishBundles();
    // A finishBundle output waiting in a stage is processed by the next pass: checkpoint after it.
    if (engine.hasStagedInput()) return;
    await this.take('periodic');
  }

  /**
   * Takes a last checkpoint of `kind` and commits it, so no output stays pending (a bounded run that
   * finished: `finished`). Call at a quiescent point.
   */
  async final(kind: CheckpointKind): Promise<void> {
    await this.requireEngine().finishBundles();
    await this.take(kind);
  }

  /** Where the run resumed from and the checkpoints it took. */
  report(): CheckpointReport {
    const r = this.restored;
    return {
      ...(r ? { restoredFrom: { name: r.name, seq: r.seq, kind: r.manifest.kind, takenBy: r.manifest.takenBy } } : {}),
      taken: [...this.taken],
    };
  }

  /** The run fails or is cancelled: every sink drops its open (not pre-committed) work. Best effort. */
  async abort(engine: Engine): Promise<void> {
    for (const op of sinks(engine)) {
      try {
        await op.abort();
      } catch {
        // best effort: the next run's recover cleans up as after a crash
      }
    }
  }

  /**
   * The checkpoint is complete: each reader with `checkpointComplete` hears the position the checkpoint
   * holds for it (a Kafka read commits its offsets to its consumer group, for monitoring). Best effort:
   * a failure becomes one warning per step, and the run goes on.
   */
  private async notifySources(engine: Engine, steps: Readonly<Record<string, StepEntry>>): Promise<void> {
    for (const r of engine.reads) {
      const position = steps[r.node.fullName]?.source?.position;
      if (r.reader?.checkpointComplete === undefined || position === undefined || position === null) continue;
      try {
        await r.reader.checkpointComplete(position);
      } catch (e) {
        const warning = `step '${r.node.fullName}': could not report a completed checkpoint to its source (${e instanceof Error ? e.message : String(e)}); the checkpoint is complete all the same`;
        if (!this.warnings.includes(warning)) this.warnings.push(warning);
      }
    }
  }

  private requireEngine(): Engine {
    if (this.engine === undefined) throw new Error('CheckpointCoordinator: restoreInto(engine) first');
    return this.engine;
  }

  private async take(kind: CheckpointKind): Promise<void> {
    const engine = this.requireEngine();
    this.requests.pending = false;
    const seq = ++this.seq;
    const takenAt = this.clock.now();
    const id = newUuidV7(Math.max(0, Math.floor(takenAt)));
    failpoint('checkpoint.barrier', `checkpoint ${seq}`);
    const ops = sinks(engine);
    const handles = new Map<string, unknown>();
    for (const op of ops) {
      const h = await op.preCommit({ seq, id });
      if (h !== undefined) handles.set(op.step, h);
    }
    const snap = engine.capture();
    const steps: Record<string, StepEntry> = {};
    for (const [step, e] of Object.entries(snap.steps)) steps[step] = handles.has(step) ? { ...e, committable: handles.get(step) } : e;
    const written = await this.repo.writeCheckpoint(
      {
        jobId: this.checkpointing.jobId,
        runId: this.checkpointing.runId,
        checkpointId: id,
        seq,
        kind,
        takenBy: this.runner,
        takenAt,
        ...(this.clock.isVirtual ? { virtualClock: takenAt } : {}),
        keyGroups: snap.keyGroups,
        keyHash: snap.keyHash,
        ...(this.lastBatch !== undefined ? { microbatch: this.lastBatch } : {}),
        steps,
      },
      snap.segments,
    );
    failpoint('checkpoint.written', `checkpoint ${seq}`);
    for (const op of ops) if (handles.has(op.step)) await op.commit(handles.get(op.step));
    failpoint('checkpoint.committed', `checkpoint ${seq}`);
    await this.repo.markCommitted({ seq, checkpointId: id, committedAt: this.clock.now() });
    await this.notifySources(engine, steps);
    await this.repo.prune(this.options.keepCheckpoints);
    this.taken.push({ name: written.name, seq, kind, bytes: written.bytes });
    this.dueAt = this.clock.now() + this.options.checkpointInterval;
  }
}

/** The engine's steps whose DoFn has two-phase commit (the sinks a checkpoint commits). */
function sinks(engine: Engine): ParDoOperator[] {
  return engine.slots.map((s) => s.op).filter((op): op is ParDoOperator => op instanceof ParDoOperator && op.commitsWithCheckpoints);
}

/**
 * The terminal ParDo steps (nothing reads their outputs) whose DoFn has no two-phase commit: under
 * exactly-once their effects (writes, in-memory collectors) are at-least-once, since a resumed run
 * replays the input after its checkpoint through them.
 * @example sinksWithoutTwoPhaseCommit(graph) // ['Summary', 'Out']
 */
export function sinksWithoutTwoPhaseCommit(graph: PipelineGraph): string[] {
  const read = new Set<unknown>();
  for (const n of graph.primitives) for (const pc of [...n.inputs, ...n.sideInputs.map((v) => v.pcollection)]) read.add(pc);
  return graph.primitives
    .filter((n) => n.payload?.kind === 'pardo' && (n.payload as ParDoPayload).fn.twoPhaseCommit === undefined)
    .filter((n) => Object.values(n.outputs).every((pc) => !read.has(pc)))
    .map((n) => n.fullName);
}
