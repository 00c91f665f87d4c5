/**
 * The sink side of exactly-once output: two-phase commit driven by checkpoints.
 *
 * A sink that implements {@link TwoPhaseCommit} (as `DoFn.twoPhaseCommit`) writes what it receives
 * where nobody sees it yet (a hidden file, an open Kafka transaction), and the runner's checkpoint
 * coordinator decides when it becomes visible:
 *
 * 1. at a checkpoint barrier, after `finishBundle`, `preCommit` makes everything written since the
 *    previous `preCommit` durable but still invisible, starts over with new pending work, and returns a
 *    handle of it (the *committable*: plain JSON data, stored in the checkpoint);
 * 2. once the checkpoint holding that handle is durable, `commit(handle)` makes it visible;
 * 3. when a run resumes from a checkpoint, `recover` commits the handle that checkpoint holds (unless
 *    its commit marker says it was already committed) and removes whatever a crashed run left after it,
 *    since the replay from the checkpoint writes that again.
 *
 * A crash between 1 and 2 therefore shows nothing of the pending work until the next run's `recover`
 * commits it, and a crash before the checkpoint is durable shows nothing of it ever (it is replayed).
 * Without checkpointing (`SetupContext.checkpointing` undefined) none of these is called.
 */

/** What a sink is told about checkpointing at setup (`SetupContext.checkpointing`). */
export interface CheckpointingInfo {
  /** `exactly-once`: output becomes visible only through `commit`; `at-least-once`: it may be visible at once. */
  readonly guarantee: 'exactly-once' | 'at-least-once';
  /** The job's id: the same for every run resuming the same checkpoint directory. */
  readonly jobId: string;
  readonly jobName?: string;
  /** This run's id (each attempt has its own): for names that must not collide with a crashed run's. */
  readonly runId: string;
  /** Index of this parallel instance of the step (0 today: one instance per step). */
  readonly subtask: number;
}

/** The checkpoint a `preCommit` belongs to. `seq` grows with every checkpoint of the job (across runs). */
export interface CheckpointRef {
  readonly seq: number;
  readonly id: string;
}

/** What `recover` is told about the checkpoint the run resumes from. */
export interface RecoverContext {
  /** The restored checkpoint's commit marker exists: its handle was committed already. */
  readonly committed: boolean;
  /** The restored checkpoint's `seq`, or undefined on a fresh start (no checkpoint yet). */
  readonly restoredSeq: number | undefined;
  /**
   * Newer checkpoints the run skipped as corrupt to resume from an older one, newest first, each with
   * `committed` true when its commit marker says its output was published. The replay from the
   * restored checkpoint writes that output again: a sink that can take output back (files) removes it,
   * one that cannot (a Kafka topic) should refuse with a CheckpointRecoveryError rather than publish
   * it twice. Undefined or empty when nothing was skipped.
   */
  readonly skipped?: readonly SkippedCheckpoint[];
  /** Reports something the user should know (it goes to the run's warnings), e.g. output moved aside. */
  warn(message: string): void;
}

/** A corrupt checkpoint a resuming run skipped (`RecoverContext.skipped`). */
export interface SkippedCheckpoint {
  /** Its name in the checkpoint directory, e.g. `checkpoints/ck-000000000007`. */
  readonly checkpoint: string;
  /** Its sequence number (the `<seq>` of `ck-<seq>`). */
  readonly seq: number;
  /** Its commit marker exists: every sink published its output. */
  readonly committed: boolean;
}

/**
 * Two-phase commit of a sink's output (see the module comment for the protocol). Calls never overlap
 * and come at loop boundaries, when no element is in flight. An error fails the run, as a
 * UserCodeError naming the step and the phase (typed Watershed errors pass unchanged).
 * @example
 * const sink: DoFn<string, never> = {
 *   process(line) { pending.push(line); },
 *   twoPhaseCommit: {
 *     async preCommit({ seq }) { if (!pending.length) return undefined; await store.prepare(seq, pending); pending = []; return { seq }; },
 *     async commit({ seq }) { await store.publish(seq); },            // publishing twice is a no-op
 *     async recover(handle, { committed }) { if (handle && !committed) await store.publish(handle.seq); await store.dropUnpublished(); },
 *     async abort() { pending = []; },
 *   },
 * };
 */
export interface TwoPhaseCommit<C = unknown> {
  /**
   * After finishBundle at a checkpoint: make everything written since the previous preCommit durable
   * but invisible, and start new pending work. Returns the handle of the pending work (plain JSON data:
   * no bigints, Maps or undefined inside), or undefined when nothing was written since.
   */
  preCommit(checkpoint: CheckpointRef): Promise<C | undefined>;
  /**
   * The checkpoint holding `handle` is durable: make its work visible. Idempotent: committing a handle
   * that is already visible succeeds. @throws CheckpointRecoveryError when the work is gone (neither
   * pending nor visible), since its output would be lost.
   */
  commit(handle: C): Promise<void>;
  /**
   * Once per run, after setup and before any element: commit `pending` (the handle the restored
   * checkpoint holds) unless `ctx.committed`, then abort or remove whatever a crashed run left after
   * that checkpoint. Called on a fresh start too (`pending` undefined, `restoredSeq` undefined).
   */
  recover(pending: C | undefined, ctx: RecoverContext): Promise<void>;
  /** The run fails or is cancelled without a final checkpoint: drop the open (not pre-committed) work. Best effort. */
  abort?(): Promise<void>;
}
