import type { VirtualClock } from '../../sdk/clock.js';
import { sourceBatchSize } from '../../sdk/io/source.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { Instant } from '../../sdk/time.js';
import type { Wiring } from '../core/engine.js';
import type { FireMode } from '../core/driver/window-driver.js';
import { LoopRunner, type RunContext } from '../core/loop-runner.js';
import { consoleObservers } from '../monitoring/console-observers.js';
import { eventLoopTurn, idleWait, SystemClock } from '../system-clock.js';

/**
 * The micro-batch runner (Spark Structured Streaming-like). Input is gathered for `--batchInterval`
 * of processing time (or, with `--batchInterval=asap`, whatever is available when the previous batch
 * ends; a backlog also starts the next batch at once, up to `--maxBatchSize` rows). Each batch then
 * runs through the graph stage by stage over arrays. Triggers, the watermark and timers are evaluated
 * once per batch, at its end; so processing-time and count triggers fire at batch boundaries and
 * early panes are coarser than on the native runner, while event-time results are the same.
 *
 * With a TestStream, a scripted watermark step also ends the batch, and batch boundaries fall on
 * multiples of the interval of the virtual clock.
 *
 * @example node app.js --runner=microbatch --batchInterval=500ms
 */
export class MicroBatchRunner extends LoopRunner {
  readonly name = 'microbatch';
  protected readonly fireMode: FireMode = 'deferred';
  protected readonly wiring: Wiring = 'staged';

  constructor() {
    super(() => new SystemClock(), idleWait, eventLoopTurn, consoleObservers);
  }

  /** A batch is planned from what the source has read ahead, up to `--maxBatchSize` rows. */
  protected override sourceBufferCapacity(options: PipelineOptions): number {
    return Math.max(options.bufferSize, options.maxBatchSize);
  }

  protected async loop(run: RunContext): Promise<void> {
    const { engine, pumps, clock, signal, options } = run;
    const reads = engine.reads;
    const interval = options.batchInterval === 'asap' ? undefined : options.batchInterval;
    const virtual = clock.isVirtual;
    // A resumed run continues the batch numbering and the batch boundaries of the run it resumes.
    const restored = run.checkpoints.restoredBatch;
    let deadline: Instant | undefined = interval === undefined ? undefined : (restored?.deadline ?? clock.now() + interval);
    let batchId = restored === undefined ? 0 : restored.batchId + 1;
    while (!signal.aborted) {
      const turn = run.breathe();
      if (turn) await turn;
      if (signal.aborted) return;
      const startedAt = clock.now();
      let rows = 0;
      let carry: Instant | undefined;
      let endBatch = false;
      // gather
      for (;;) {
        const before = rows;
        for (let i = 0; i < reads.length && !endBatch; i++) {
          const read = reads[i]!;
          for (let b = read.done ? undefined : pumps[i]!.take(); b; b = read.done ? undefined : pumps[i]!.take()) {
            const r = engine.emitBatch(read, b, pumps[i]!.position);
            if (r) await r;
            rows += sourceBatchSize(b);
            if (b.advanceClockTo !== undefined) {
              if (deadline !== undefined && b.advanceClockTo < deadline) (clock as VirtualClock).advanceTo(b.advanceClockTo);
              else {
                carry = b.advanceClockTo;
                if (deadline !== undefined) (clock as VirtualClock).advanceTo(deadline);
                endBatch = true;
                break;
              }
            }
            if (b.barrier || rows >= options.maxBatchSize) {
              endBatch = true;
              break;
            }
          }
        }
        const turn = run.breathe(rows - before);
        if (turn) await turn;
        if (endBatch || signal.aborted) break;
        const allDone = reads.every((r) => r.done);
        if (allDone) break;
        if (interval === undefined ? rows > 0 : !virtual && clock.now() >= deadline!) break;
        // A due checkpoint ends the batch, so an idle query still commits what its sinks hold.
        const checkpointDue = run.checkpoints.nextDueAt();
        if (!virtual && checkpointDue !== undefined && clock.now() >= checkpointDue) break;
        const backlog = pumps.some((p) => p.hasData);
        if (!backlog) await run.waitForWork(virtual ? undefined : earliest(deadline ?? engine.nextProcessingTimer(), checkpointDue));
      }
      // process the batch as a whole, then move the watermark and fire what is due
      await engine.pass({ flush: true, watermarks: true, processingTime: clock.now() });
      await engine.finishBundles();
      const watermark = engine.sourceWatermark();
      // Observers (the progress line, the dashboard) see the batches through this list.
      run.batches.push({ batchId, inputRows: rows, durationMs: clock.now() - startedAt, watermark, startedAt });
      batchId++;
      // next batch boundary
      if (interval !== undefined) {
        // The first boundary after now: a batch ended early by a watermark step keeps its deadline.
        deadline = firstBoundaryAfter(deadline!, clock.now(), interval);
        if (virtual && carry !== undefined) deadline = await this.boundariesUpTo(run, deadline, carry, interval);
      }
      if (carry !== undefined) (clock as VirtualClock).advanceTo(carry);
      // The batch end is a quiescent point (design §e). The offset log of §e is not written yet.
      // A cancelled run is abandoned without a checkpoint.
      const c = signal.aborted ? undefined : run.checkpoints.atBoundary({ batchId: batchId - 1, ...(deadline !== undefined ? { deadline } : {}) });
      if (c) await c;
      if (engine.finished()) return;
    }
  }

  /**
   * A TestStream step moves the virtual clock to `carry`: runs the batch boundaries from `deadline`
   * up to `carry` at which something falls due without new input (a processing-time timer or trigger,
   * an input going idle, input left waiting in a stage), jumping over the others, so a clock that jumps by years costs what is due in
   * between, not one pass per interval. Stops when the run is aborted.
   * @returns the first boundary after `carry`
   */
  private async boundariesUpTo(run: RunContext, deadline: Instant, carry: Instant, interval: number): Promise<Instant> {
    const { engine, clock, signal } = run;
    while (deadline <= carry && !signal.aborted) {
      // input left waiting (outputs of finishBundle) is processed at the first boundary, as before a jump
      const due = engine.hasStagedInput() ? deadline : engine.nextTimedWork(clock.now());
      if (due === undefined) break;
      const boundary = firstBoundaryAtOrAfter(deadline, due, interval);
      if (boundary > carry) break;
      (clock as VirtualClock).advanceTo(boundary);
      await engine.pass({ flush: true, watermarks: true, processingTime: boundary });
      deadline = boundary + interval;
      const turn = run.breathe();
      if (turn) await turn;
    }
    return firstBoundaryAfter(deadline, carry, interval);
  }
}

/** The first of `deadline`, `deadline + interval`, ... after `t`. */
function firstBoundaryAfter(deadline: Instant, t: Instant, interval: number): Instant {
  return deadline > t ? deadline : deadline + (Math.floor((t - deadline) / interval) + 1) * interval;
}

/** The first of `deadline`, `deadline + interval`, ... at or after `t`. */
function firstBoundaryAtOrAfter(deadline: Instant, t: Instant, interval: number): Instant {
  return deadline >= t ? deadline : deadline + Math.ceil((t - deadline) / interval) * interval;
}

/** The earlier of two optional instants. */
function earliest(a: Instant | undefined, b: Instant | undefined): Instant | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
