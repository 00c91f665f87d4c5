import { debuglog } from 'node:util';
import type { Clock } from '../../../sdk/clock.js';
import { CheckpointRecoveryError, DrainedCheckpointError } from '../../../sdk/errors.js';
import type { CheckpointingInfo, SkippedCheckpoint } from '../../../sdk/io/two-phase-commit.js';
import type { PipelineGraph, ParDoPayload } from '../../../sdk/graph.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import type { CheckpointReport, TakenCheckpoint } from '../../../sdk/runner.js';
import { failpoint } from '../../../sdk/testing/failpoints.js';
import type { Engine } from '../engine.js';
import { ParDoOperator } from '../operators/par-do-operator.js';
import { newUuidV7 } from './checkpoint-id.js';
import { CheckpointRepository, type LoadedCheckpoint, type WrittenCheckpoint } from './checkpoint-repository.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { engineSnapshotOf } from './engine-snapshot.js';
import { FileCheckpointStore } from './file-checkpoint-store.js';
import type { CheckpointKind, StepEntry } from './manifest.js';
import { OffsetLog } from './offset-log.js';
import { ownField, setOwnField } from '../../../sdk/internal/own-field.js';

/** `NODE_DEBUG=watershed-checkpoint`: one stderr line per restore, recover, barrier, commit and marker (the trail of a crash chain). */
const trace = debuglog('watershed-checkpoint');

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
   * at the batch end). When `checkpointInterval` has elapsed on the run's clock since the last
   * barrier, starts a checkpoint: the sinks pre-commit and the engine is captured and encoded here,
   * then the file is written in the background while the loop goes on. At a later boundary, once the
   * file is durable, the sinks commit and the commit marker is written; while the write is pending
   * each boundary yields one turn of the event loop, so a source that never waits for I/O cannot
   * starve the write. At most one checkpoint is pending: when the next falls due before the write
   * ended, that boundary waits for it (the only time the loop waits). Returns undefined when there is nothing to
   * do (the common case), so the loop awaits nothing then: `const c = run.checkpoints.atBoundary(); if (c) await c;`
   * @throws CheckpointWriteError (from a later boundary) when the background write failed.
   */
  atBoundary(batch?: BatchBoundary): Promise<void> | undefined;
  /** Processing time at which the next checkpoint is due (for a loop that waits), or undefined. */
  nextDueAt(): number | undefined;
  /**
   * Micro-batch: the offset log (design §e) in the checkpoint store; undefined without checkpointing.
   * The coordinator prunes it as checkpoints are pruned; the micro-batch loop writes and replays it.
   */
  readonly offsetLog: OffsetLog | undefined;
  /** The source position per Read step the restored checkpoint holds (undefined: a fresh start). */
  readonly restoredPositions: Readonly<Record<string, unknown>> | undefined;
  /** Adds a warning to the run's result (printed to stderr with `[checkpoint]` at the end). */
  warn(message: string): void;
  /**
   * Resolves when the pending checkpoint's write has settled (a waiting loop wakes up to commit it);
   * undefined when none is pending or it has settled already.
   */
  whenWritten(): Promise<void> | undefined;
}

/** The checkpoints of a run without `checkpointDir`: nothing is taken. */
export const NO_CHECKPOINTS: RunCheckpoints = {
  enabled: false,
  restoredBatch: undefined,
  atBoundary: () => undefined,
  nextDueAt: () => undefined,
  offsetLog: undefined,
  restoredPositions: undefined,
  warn: () => {},
  whenWritten: () => undefined,
};

/** A checkpoint whose file is being written in the background: captured and pre-committed, not yet committed. */
interface PendingCheckpoint {
  readonly seq: number;
  readonly id: string;
  readonly kind: CheckpointKind;
  /** Micro-batch: the last batch the checkpoint covers (its manifest's `microbatch.batchId`). */
  readonly batchId: number | undefined;
  /** The sinks' handles, by step. */
  readonly handles: ReadonlyMap<string, unknown>;
  /** The manifest's step entries (source positions the completed checkpoint reports to its readers). */
  readonly steps: Readonly<Record<string, StepEntry>>;
  /** Settles (never rejects) when the write has succeeded or failed. */
  readonly settled: Promise<void>;
  written?: WrittenCheckpoint;
  failure?: unknown;
  done: boolean;
  /** The run's clock at the barrier, when capture and encoding ended, and when the write settled (durations in the report). */
  readonly times: { barrier: number; captured: number; written?: number };
}

/**
 * Takes the checkpoints of one run and restores the run from the latest usable one (design §d). A
 * checkpoint is captured and encoded synchronously at a quiescent point; its file is written
 * (temporary file, fsync, rename, fsync of the directory) in the background while processing goes
 * on, and the sinks commit at the first boundary after the file is durable. At most one checkpoint
 * is pending: one falling due earlier waits for the pending write, commits it, then is taken. Never reads the wall
 * clock: times and ids come from the run's clock, turns of the event loop from `yieldTurn`.
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
 * const ck = await CheckpointCoordinator.open({ dir, options, clock, runner: 'native', yieldTurn });
 * const engine = new Engine(graph, { …, checkpointing: ck.checkpointing });
 * ck.restoreInto(engine); await engine.open(); await ck.recover(engine);
 * // loop: … await engine.finishBundles(); const c = ck.atBoundary(); if (c) await c;
 * // end: await ck.final('finished'), or on failure: await ck.settle(); await ck.abort(engine);
 */
export class CheckpointCoordinator implements RunCheckpoints {
  readonly enabled = true;
  readonly checkpointing: CheckpointingInfo;
  /** Warnings for the run's result (corrupt checkpoints skipped, state dropped, sink notices). */
  readonly warnings: string[] = [];
  /** Newer checkpoints skipped as corrupt, newest first (what every sink's `recover` is told). */
  private readonly skipped: SkippedCheckpoint[] = [];
  readonly offsetLog: OffsetLog;
  private readonly taken: TakenCheckpoint[] = [];
  /** The micro-batch `batchId` of each checkpoint this run knows (restored or taken; undefined: none), to prune the offset log. */
  private readonly batchOfSeq = new Map<number, number | undefined>();
  private seq: number;
  private dueAt: number;
  private lastBatch: BatchBoundary | undefined;
  private engine: Engine | undefined;
  private pending: PendingCheckpoint | undefined;
  /** The engine's counters right after the restore (what `report().restoredFrom.metrics` gives). */
  private restoredMetrics: Record<string, StepMetrics> | undefined;

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
    private readonly yieldTurn: () => Promise<void>,
  ) {
    this.checkpointing = checkpointing;
    this.offsetLog = new OffsetLog(repo.store);
    if (restored !== undefined) this.batchOfSeq.set(restored.seq, restored.manifest.microbatch?.batchId);
    this.seq = highestSeq ?? 0;
    this.dueAt = clock.now() + options.checkpointInterval;
    const mb = restored?.manifest.microbatch;
    this.lastBatch = mb;
  }

  /**
   * Opens `options.checkpointDir` (or `store`): removes temporaries of crashed runs, reads or creates
   * the job file, and finds the newest usable checkpoint (corrupt newer ones become warnings).
   * @throws NoValidCheckpointError when checkpoints exist but none is usable; CheckpointVersionError;
   *   DrainedCheckpointError when the newest checkpoint is a drained one whose output was committed (the
   *   job cannot be resumed; one not committed yet is restored, committed and nothing else is done).
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
    /** One turn of the event loop (a `setImmediate`), taken at each boundary while a write is pending. Default: a resolved promise. */
    readonly yieldTurn?: () => Promise<void>;
    /** The run's id (a uuid v7); default a new one from the clock. */
    readonly runId?: string;
  }): Promise<CheckpointCoordinator> {
    const { options, clock, runner } = params;
    const now = Math.max(0, Math.floor(clock.now()));
    const runId = params.runId ?? newUuidV7(now);
    const store = params.store ?? (await FileCheckpointStore.open(options.checkpointDir!, { runId }));
    const repo = new CheckpointRepository(store);
    const jobWarnings: string[] = [];
    const job = await repo.openJob({ format: 1, jobId: newUuidV7(now), ...(options.jobName !== undefined ? { jobName: options.jobName } : {}), createdAt: now }, (m) => jobWarnings.push(m));
    const latest = await repo.loadLatest();
    const restored = latest.checkpoint;
    const committed = restored !== undefined && (await repo.isCommitted(restored.seq));
    // A drained checkpoint not committed yet (the job died after writing it) still holds the drain's last
    // panes: this run commits them (see `alreadyFinished`) and reads nothing; once committed, it is refused.
    if (restored?.manifest.kind === 'drained' && committed) throw new DrainedCheckpointError(restored.name, store.location);
    trace('open: restored %s (committed: %s), highest seq %d', restored?.name ?? 'nothing', committed, latest.highestSeq);
    const checkpointing: CheckpointingInfo = {
      guarantee: options.guarantee,
      jobId: job.jobId,
      ...(options.jobName ?? job.jobName ? { jobName: options.jobName ?? job.jobName } : {}),
      runId,
      subtask: 0,
    };
    const c = new CheckpointCoordinator(repo, restored, committed, latest.highestSeq, checkpointing, options, clock, runner, params.requests ?? { pending: false }, params.yieldTurn ?? (() => Promise.resolve()));
    c.warnings.push(...jobWarnings);
    for (const w of latest.warnings) {
      c.warnings.push(w.message);
      c.skipped.push({ checkpoint: w.checkpoint, seq: w.seq, committed: w.committed });
    }
    if (params.graph && options.guarantee === 'exactly-once') {
      const plain = sinksWithoutTwoPhaseCommit(params.graph);
      if (plain.length > 0) {
        c.warnings.push(`exactly-once covers sinks with two-phase commit only: ${plain.map((s) => `'${s}'`).join(', ')} ha${plain.length === 1 ? 's' : 've'} none, so ${plain.length === 1 ? 'its' : 'their'} effects are at-least-once after a resume (a ParDo whose output nothing reads counts as a sink: if it only computes, write its output to a sink or remove it)`);
      }
    }
    return c;
  }

  /** The virtual clock's time the restored checkpoint recorded (a TestStream run resumes there). */
  get restoredVirtualClock(): number | undefined {
    return this.restored?.manifest.virtualClock;
  }

  /**
   * The restored checkpoint marks a bounded run that finished, or a drain whose output this run's
   * `recover` commits: there is nothing left to do.
   */
  get alreadyFinished(): boolean {
    const kind = this.restored?.manifest.kind;
    return kind === 'finished' || kind === 'drained';
  }

  get restoredBatch(): BatchBoundary | undefined {
    return this.restored?.manifest.microbatch;
  }

  get restoredPositions(): Readonly<Record<string, unknown>> | undefined {
    const steps = this.restored?.manifest.steps;
    if (steps === undefined) return undefined;
    const out: Record<string, unknown> = {};
    for (const [step, e] of Object.entries(steps)) if (e.source !== undefined && e.source.position !== null) setOwnField(out, step, e.source.position);
    return out;
  }

  warn(message: string): void {
    this.warnings.push(message);
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
    const { dropped, migrated } = engine.restore(engineSnapshotOf(this.restored.file), { allowNonRestoredState: this.options.allowNonRestoredState, checkpoint: this.restored.name });
    this.refuseDroppedPendingOutput(engine, dropped);
    this.restoredMetrics = structuredClone(engine.metrics);
    if (migrated.length > 0) {
      this.warnings.push(`${this.restored.name}: moved the state of ${migrated.map((s) => `'${s}'`).join(', ')} (a CoGroupByKey join checkpointed before its expansion changed) into today's form`);
    }
    if (dropped.length > 0) {
      this.warnings.push(`${this.restored.name}: dropped the state of ${dropped.map((s) => `'${s}'`).join(', ')} (--allowNonRestoredState)`);
    }
  }

  /**
   * A sink step whose state `allowNonRestoredState` dropped (renamed or removed) may hold the restored
   * checkpoint's output, durable but not committed (the job died between the checkpoint's write and its
   * commit): no sink of this pipeline would ever commit it, so that output would be lost. Refused.
   * @throws CheckpointRecoveryError naming the step and the checkpoint.
   */
  private refuseDroppedPendingOutput(engine: Engine, dropped: readonly string[]): void {
    const restored = this.restored!;
    if (this.restoredCommitted || dropped.length === 0) return;
    const sinkSteps = new Set(sinks(engine).map((op) => op.step));
    for (const step of dropped) {
      if (ownField(restored.manifest.steps, step)?.committable === undefined || sinkSteps.has(step)) continue;
      throw new CheckpointRecoveryError(
        step,
        `${restored.name} holds its output, not yet committed, and this pipeline has no sink step '${step}': --allowNonRestoredState ` +
          `would drop that output. Run the pipeline that wrote the checkpoint once (its output is committed as the run starts; stop ` +
          `it with SIGTERM), then start the changed one`,
        { checkpoint: restored.name },
      );
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
      trace('recover %s: handle %j, committed %s', op.step, steps?.[op.step]?.committable, this.restoredCommitted);
      await op.recover(steps?.[op.step]?.committable ?? undefined, {
        committed: this.restoredCommitted,
        restoredSeq: restored?.seq,
        skipped: this.skipped,
        warn: (m) => this.warnings.push(`step '${op.step}': ${m}`),
      });
    }
    // Every sink committed the restored checkpoint's handle: record it before anything new is written,
    // so a crash from here on never commits that handle again (a Kafka sink fences its producers
    // once it starts writing, after which the stored epoch of the handle is stale).
    if (restored !== undefined && !this.restoredCommitted) {
      await this.repo.markCommitted({ seq: restored.seq, checkpointId: restored.manifest.checkpointId, committedAt: this.clock.now() });
      trace('recover: marked %s committed', restored.name);
    }
  }

  nextDueAt(): number | undefined {
    return this.dueAt;
  }

  whenWritten(): Promise<void> | undefined {
    const p = this.pending;
    return p === undefined || p.done ? undefined : p.settled;
  }

  atBoundary(batch?: BatchBoundary): Promise<void> | undefined {
    if (batch !== undefined) this.lastBatch = batch;
    const engine = this.requireEngine();
    const p = this.pending;
    if (p !== undefined) {
      // Written: commit it (and take the next one if due). Not yet, but the next is due: wait for the
      // write, so at most one is pending and none is skipped. Otherwise let the write go on: one turn
      // of the event loop, since a loop that only resolves microtasks would never see it end.
      return p.done || this.due(engine) ? this.completeAtBoundary(p, engine) : this.yieldTurn();
    }
    return this.due(engine) ? this.beginAtBoundary(engine) : undefined;
  }

  /** A periodic checkpoint is due (a finished run takes its final checkpoint instead, see LoopRunner). */
  private due(engine: Engine): boolean {
    return (this.clock.now() >= this.dueAt || this.requests.pending) && !engine.finished();
  }

  private async completeAtBoundary(p: PendingCheckpoint, engine: Engine): Promise<void> {
    await this.complete(p);
    if (this.due(engine)) await this.beginAtBoundary(engine);
  }

  private async beginAtBoundary(engine: Engine): Promise<void> {
    // Micro-batch: passes between batches (virtual clock jumps) may leave bundles open.
    await engine.finishBundles();
    // A finishBundle output waiting in a stage is processed by the next pass: checkpoint after it.
    if (engine.hasStagedInput()) return;
    await this.begin('periodic');
  }

  /**
   * Takes a last checkpoint of `kind` and commits it, after committing a pending one, so no output
   * stays pending: `finished` (a bounded run ended), `final` (a stop), `drained` (a drain). Waits for
   * its write. Call at a quiescent point.
   * @throws CheckpointWriteError when a write failed.
   */
  async final(kind: CheckpointKind): Promise<void> {
    const engine = this.requireEngine();
    await engine.finishBundles();
    if (this.pending !== undefined) await this.complete(this.pending);
    const p = await this.begin(kind);
    await this.complete(p);
  }

  /**
   * Waits until the pending write (if any) has settled, without committing it: a failed or cancelled
   * run calls this before it ends, so no write of its own goes on after it (a rerun would race it).
   * The checkpoint stays uncommitted, as after a crash; the next run's recover commits it.
   */
  async settle(): Promise<void> {
    await this.pending?.settled;
  }

  /** Where the run resumed from and the checkpoints it took. */
  report(): CheckpointReport {
    const r = this.restored;
    return {
      ...(r ? { restoredFrom: { name: r.name, seq: r.seq, kind: r.manifest.kind, takenBy: r.manifest.takenBy, metrics: this.restoredMetrics ?? {} } } : {}),
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
   * Deletes the offset entries of batches at or before the oldest kept checkpoint's batch: no resume,
   * not even a fallback past a corrupt newer checkpoint, replays them. Prunes nothing while the
   * oldest kept checkpoint is one this run has not seen (its batch is not known without reading it).
   */
  private async pruneOffsetLog(): Promise<void> {
    const oldest = (await this.repo.seqs())[0];
    if (oldest === undefined || !this.batchOfSeq.has(oldest)) return;
    for (const seq of this.batchOfSeq.keys()) if (seq < oldest) this.batchOfSeq.delete(seq);
    const batchId = this.batchOfSeq.get(oldest);
    if (batchId !== undefined) await this.offsetLog.pruneThrough(batchId);
  }

  /**
   * The checkpoint is complete: each reader with `checkpointComplete` hears the position the checkpoint
   * holds for it (a Kafka read commits its offsets to its consumer group, for monitoring). Best effort:
   * a failure becomes one warning per step, and the run goes on.
   */
  private async notifySources(engine: Engine, steps: Readonly<Record<string, StepEntry>>): Promise<void> {
    for (const r of engine.reads) {
      const position = ownField(steps, r.node.fullName)?.source?.position;
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

  /**
   * The synchronous part of a checkpoint, at a quiescent point: barrier, the sinks' pre-commit, the
   * engine's capture and the file's encoding; then starts the write in the background.
   */
  private async begin(kind: CheckpointKind): Promise<PendingCheckpoint> {
    const engine = this.requireEngine();
    this.requests.pending = false;
    const seq = ++this.seq;
    const takenAt = this.clock.now();
    const times: PendingCheckpoint['times'] = { barrier: takenAt, captured: takenAt };
    const id = newUuidV7(Math.max(0, Math.floor(takenAt)));
    failpoint('checkpoint.barrier', `checkpoint ${seq}`);
    const ops = sinks(engine);
    const handles = new Map<string, unknown>();
    for (const op of ops) {
      const h = await op.preCommit({ seq, id });
      if (h !== undefined) handles.set(op.step, h);
    }
    trace('barrier %d (%s): handles %j', seq, kind, Object.fromEntries(handles));
    const snap = engine.capture();
    const steps: Record<string, StepEntry> = {};
    for (const [step, e] of Object.entries(snap.steps)) steps[step] = handles.has(step) ? { ...e, committable: handles.get(step) } : e;
    // Encodes everything before it returns (writeCheckpoint's contract): the state may change from here on.
    const write = this.repo.writeCheckpoint(
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
    // The next one is due an interval after this barrier (not after the write: it runs alongside), and
    // never sooner than min(hold, interval) after this hold ended: with state whose capture takes longer
    // than the interval, every boundary would checkpoint and processing would all but stop. The pause is
    // bounded by the interval so that a hold lengthened by a busy machine or a slow broker does not space
    // out small intervals' checkpoints (tests of every crash point rely on a checkpoint at every boundary).
    times.captured = this.clock.now();
    const held = times.captured - takenAt;
    this.dueAt = Math.max(takenAt + this.options.checkpointInterval, times.captured + Math.min(held, this.options.checkpointInterval));
    const p: PendingCheckpoint = {
      seq,
      id,
      kind,
      batchId: this.lastBatch?.batchId,
      handles,
      steps,
      done: false,
      times,
      settled: write.then(
        (w) => {
          p.written = w;
          p.done = true;
          p.times.written = this.clock.now();
        },
        (e: unknown) => {
          p.failure = e;
          p.done = true;
        },
      ),
    };
    this.pending = p;
    return p;
  }

  /**
   * The second part, at a boundary after the write: once the file is durable, the sinks commit, the
   * commit marker is written and old checkpoints are pruned.
   * @throws CheckpointWriteError when the write failed (the run fails; the next run resumes from the last complete checkpoint).
   */
  private async complete(p: PendingCheckpoint): Promise<void> {
    await p.settled;
    this.pending = undefined;
    if (p.failure !== undefined) throw p.failure;
    const written = p.written!;
    failpoint('checkpoint.written', `checkpoint ${p.seq}`);
    const committing = this.clock.now();
    for (const op of sinks(this.requireEngine())) if (p.handles.has(op.step)) await op.commit(p.handles.get(op.step));
    const commitMs = this.clock.now() - committing;
    trace('committed %d (%s)', p.seq, written.name);
    failpoint('checkpoint.committed', `checkpoint ${p.seq}`);
    await this.repo.markCommitted({ seq: p.seq, checkpointId: p.id, committedAt: this.clock.now() });
    trace('marked %d committed', p.seq);
    await this.notifySources(this.requireEngine(), p.steps);
    this.batchOfSeq.set(p.seq, p.batchId);
    await this.repo.prune(this.options.keepCheckpoints);
    await this.pruneOffsetLog();
    const { barrier, captured, written: writtenAt = captured } = p.times;
    this.taken.push({ name: written.name, seq: p.seq, kind: p.kind, bytes: written.bytes, syncMs: captured - barrier, writeMs: writtenAt - captured, commitMs });
  }
}

/** The engine's steps whose DoFn has two-phase commit (the sinks a checkpoint commits). */
function sinks(engine: Engine): ParDoOperator[] {
  return engine.operators().filter((op): op is ParDoOperator => op instanceof ParDoOperator && op.commitsWithCheckpoints);
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
