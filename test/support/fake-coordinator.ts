import { Engine, type Wiring } from '../../runners/core/engine.js';
import type { FireMode } from '../../runners/core/driver/window-driver.js';
import { ParDoOperator } from '../../runners/core/operators/par-do-operator.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import type { CheckpointingInfo } from '../../sdk/io/two-phase-commit.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { Instant } from '../../sdk/time.js';

/** The two runners' ways of driving operators (native: direct and immediate; micro-batch: staged and deferred). */
export const WIRINGS: readonly { readonly label: string; readonly wiring: Wiring; readonly fireMode: FireMode }[] = [
  { label: 'native', wiring: 'direct', fireMode: 'immediate' },
  { label: 'microbatch', wiring: 'staged', fireMode: 'deferred' },
];

/** What a checkpoint of the fake coordinator holds: each sink's handle, by step. */
export interface FakeCheckpoint {
  readonly seq: number;
  readonly id: string;
  readonly handles: Record<string, unknown>;
}

/**
 * Stands in for the checkpoint coordinator (not built yet): builds an Engine the way a runner does,
 * feeds it source batches by hand, and drives the sinks' two-phase commit through their
 * ParDoOperators, as the coordinator will: `checkpoint` (preCommit at a loop boundary), `commit`
 * (the checkpoint is durable), `recover` (a run resumes). A "crash" is dropping the instance without
 * commit or close.
 */
export class FakeCoordinator {
  readonly engine: Engine;
  readonly warnings: string[] = [];
  private opened = false;

  constructor(pipeline: Pipeline, w: { wiring: Wiring; fireMode: FireMode }, readonly checkpointing: CheckpointingInfo | undefined) {
    this.engine = new Engine(pipeline.graph(), { clock: new VirtualClock(0), state: new InMemoryStateBackend(), wiring: w.wiring, fireMode: w.fireMode, checkpointing });
  }

  /** The operators of the ParDo steps with two-phase commit. */
  sinks(): ParDoOperator[] {
    return this.engine.slots.map((s) => s.op).filter((op): op is ParDoOperator => op instanceof ParDoOperator && op.commitsWithCheckpoints);
  }

  /** Opens the engine (DoFn setup), then recovers every sink from `restored` (undefined: a fresh start). */
  async start(restored?: { checkpoint: FakeCheckpoint; committed: boolean }): Promise<void> {
    await this.engine.open();
    this.opened = true;
    for (const op of this.sinks()) {
      await op.recover(restored?.checkpoint.handles[op.step], {
        committed: restored?.committed ?? false,
        restoredSeq: restored?.checkpoint.seq,
        warn: (m) => this.warnings.push(m),
      });
    }
  }

  /** One source batch of `values` (at `timestamp`) through the graph, then the bundles finish: a loop boundary. */
  async feed(values: readonly unknown[], timestamp: Instant = 0, done = false): Promise<void> {
    if (!this.opened) throw new Error('start() first');
    const read = this.engine.reads[0]!;
    await this.engine.emitBatch(read, { elements: values.map((value) => ({ value, timestamp })), watermark: timestamp, done });
    await this.engine.pass({ flush: true, watermarks: true });
    await this.engine.finishBundles();
  }

  /** A checkpoint barrier: every sink's preCommit; returns the checkpoint (its handles by step). */
  async checkpoint(seq: number): Promise<FakeCheckpoint> {
    const handles: Record<string, unknown> = {};
    for (const op of this.sinks()) {
      const h = await op.preCommit({ seq, id: `ck-${seq}` });
      if (h !== undefined) handles[op.step] = h;
    }
    // What the checkpoint file would hold: JSON.
    return JSON.parse(JSON.stringify({ seq, id: `ck-${seq}`, handles })) as FakeCheckpoint;
  }

  /** The checkpoint is durable: every sink commits its handle. */
  async commit(ck: FakeCheckpoint): Promise<void> {
    for (const op of this.sinks()) await op.commit(ck.handles[op.step]);
  }

  /** Ends the run (DoFn teardown) with `outcome`. */
  async close(outcome: 'done' | 'failed' | 'cancelled' = 'done'): Promise<void> {
    await this.engine.close(outcome);
  }
}

/** Checkpointing info for a test run. */
export function checkpointingFor(runId: string, guarantee: CheckpointingInfo['guarantee'] = 'exactly-once'): CheckpointingInfo {
  return { guarantee, jobId: 'job-1', runId, subtask: 0 };
}
