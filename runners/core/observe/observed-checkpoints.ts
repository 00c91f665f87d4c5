import type { Clock } from '../../../sdk/clock.js';
import type { CheckpointSample } from '../../../sdk/run-observer.js';
import type { CheckpointReport } from '../../../sdk/runner.js';
import type { BatchBoundary, RunCheckpoints } from '../checkpoint/checkpoint-coordinator.js';

/**
 * The run's checkpoints as the loop sees them (`RunCheckpoints`), timed for observers: each
 * checkpoint that starts at a boundary (or the final one, through {@link time}) becomes a
 * {@link CheckpointSample} with its duration on the run's clock, its size and sequence number from
 * the coordinator's report, and its outcome (`failed` with the error, which is thrown on as before).
 * Calls that take no checkpoint pass straight through.
 * @example
 * const observed = new ObservedCheckpoints(coordinator, () => coordinator.report(), clock);
 * await run.loop({ ..., checkpoints: observed });
 * observed.take() // [{ seq: 1, kind: 'periodic', bytes: 5120, durationMs: 12, outcome: 'completed', ... }]
 */
export class ObservedCheckpoints implements RunCheckpoints {
  private done: CheckpointSample[] = [];

  constructor(
    private readonly inner: RunCheckpoints,
    private readonly report: () => CheckpointReport | undefined,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.inner.enabled;
  }

  get restoredBatch(): BatchBoundary | undefined {
    return this.inner.restoredBatch;
  }

  nextDueAt(): number | undefined {
    return this.inner.nextDueAt();
  }

  get offsetLog(): RunCheckpoints['offsetLog'] {
    return this.inner.offsetLog;
  }

  get restoredPositions(): RunCheckpoints['restoredPositions'] {
    return this.inner.restoredPositions;
  }

  warn(message: string): void {
    this.inner.warn(message);
  }

  whenWritten(): Promise<void> | undefined {
    return this.inner.whenWritten();
  }

  atBoundary(batch?: BatchBoundary): Promise<void> | undefined {
    if (!this.inner.enabled) return undefined;
    const before = this.report()?.taken.length ?? 0;
    const startedAt = this.clock.now();
    const p = this.inner.atBoundary(batch);
    return p === undefined ? undefined : this.record('periodic', before, startedAt, p);
  }

  /** Runs `take` (which may take a checkpoint of `kind`, e.g. the final one) and records what it took, or how it failed. */
  time(kind: string, take: () => Promise<void>): Promise<void> {
    const before = this.report()?.taken.length ?? 0;
    const startedAt = this.clock.now();
    return this.record(kind, before, startedAt, take());
  }

  private async record(kind: string, before: number, startedAt: number, taking: Promise<void>): Promise<void> {
    try {
      await taking;
    } catch (e) {
      this.done.push({ kind, startedAt, durationMs: this.clock.now() - startedAt, outcome: 'failed', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      throw e;
    }
    const durationMs = this.clock.now() - startedAt;
    for (const t of this.report()?.taken.slice(before) ?? []) {
      this.done.push({ seq: t.seq, name: t.name, kind: t.kind, bytes: t.bytes, startedAt, durationMs, outcome: 'completed' });
    }
  }

  /** The checkpoints that ended since the last call. */
  take(): CheckpointSample[] {
    const out = this.done;
    this.done = [];
    return out;
  }
}
