import type { VirtualClock } from '../../sdk/clock.js';
import { sourceBatchSize } from '../../sdk/io/source.js';
import type { Instant } from '../../sdk/time.js';
import type { Wiring } from '../core/engine.js';
import type { FireMode } from '../core/driver/window-driver.js';
import { LoopRunner, type RunContext } from '../core/loop-runner.js';
import { BatchOffsets } from './batch-offsets.js';
import { consoleObservers } from '../monitoring/console-observers.js';
import { eventLoopTurn, idleWait, SystemClock } from '../system-clock.js';

/**
 * The micro-batch runner (Spark Structured Streaming-like). Input is gathered for `--batchInterval`
 * of processing time (or, with `--batchInterval=asap`, whatever is available when the previous batch
 * ends; a backlog also starts the next batch at once, up to `--maxBatchSize` rows). Each source reads
 * ahead at most `--bufferSize` rows, as on the native runner: a backlogged batch is gathered as the
 * buffers refill, so its input is never held in full before it runs (and `--bufferSize` is the
 * backpressure bound). Each batch then
 * runs through the graph stage by stage over arrays. Triggers, the watermark and timers are evaluated
 * once per batch, at its end; so processing-time and count triggers fire at batch boundaries and
 * early panes are coarser than on the native runner, while event-time results are the same.
 *
 * With a TestStream, a scripted watermark step also ends the batch, and batch boundaries fall on
 * multiples of the interval of the virtual clock. Processing-time timers and triggers fire at
 * boundaries only (every clock step with `asap`): a watermark step between two boundaries ends its
 * batch for event time. A clock step that reaches a boundary fires what is due there before the
 * input the script puts at that instant, as the native runner does at every clock step (see
 * TestStream, "One processing instant").
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

  /** With checkpointing: reads the offset log and holds the sources for replay before they are polled. */
  protected override beforeReading(run: Parameters<LoopRunner['beforeReading']>[0]): Promise<BatchOffsets | undefined> | undefined {
    return run.checkpoints.offsetLog === undefined ? undefined : BatchOffsets.open(run);
  }

  protected async loop(run: RunContext, prepared?: unknown): Promise<void> {
    const { engine, pumps, clock, signal, options } = run;
    // The offset log (design §e), with checkpointing only: logged batches are replayed as they were.
    const offsets = prepared as BatchOffsets | undefined;
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
      // A stop ends the loop at a batch end; a drain ends every read and runs the batches left to the end.
      if (signal.aborted || run.stopRequested()) return;
      const startedAt = clock.now();
      let rows = 0;
      let carry: Instant | undefined;
      let endBatch = false;
      let endedByWatermarkStep = false;
      offsets?.begin(batchId);
      // gather
      for (;;) {
        const before = rows;
        // a source whose buffer was full when taken from has more ready than was read ahead
        let backlogged = false;
        for (let i = 0; i < reads.length && !endBatch; i++) {
          const read = reads[i]!;
          const pump = pumps[i]!;
          while (!read.done) {
            if (pump.full) backlogged = true;
            const b = pump.take();
            if (!b) break;
            const r = engine.emitBatch(read, b, pump.position);
            if (r) await r;
            rows += sourceBatchSize(b);
            offsets?.took(i);
            if (b.advanceClockTo !== undefined) {
              if (deadline !== undefined && b.advanceClockTo < deadline) (clock as VirtualClock).advanceTo(b.advanceClockTo);
              else {
                carry = b.advanceClockTo;
                if (deadline !== undefined) (clock as VirtualClock).advanceTo(deadline);
                endBatch = true;
                break;
              }
            }
            if (b.barrier || (rows >= options.maxBatchSize && !offsets?.replaying)) {
              endBatch = true;
              endedByWatermarkStep = b.barrier === true;
              break;
            }
          }
        }
        const turn = run.breathe(rows - before);
        if (turn) await turn;
        // A stop or drain asked for ends the gathering: the batch so far is processed as usual.
        if (endBatch || signal.aborted || run.stopRequested()) break;
        const allDone = reads.every((r) => r.done);
        if (allDone) break;
        if (offsets?.replaying) {
          // a replayed batch ends where it was logged to end (its sources are held there), whatever the time
          if (offsets.reached()) break;
          if (!offsets.offTrack(rows) && !pumps.some((p) => p.hasData)) await run.waitForWork(undefined);
          continue;
        }
        if (interval !== undefined && !virtual && clock.now() >= deadline!) break;
        // A backlog (a source buffer was full: they hold --bufferSize rows, so a batch is not read
        // ahead in full) goes on filling the batch, up to --maxBatchSize, as the buffers refill.
        if (backlogged) {
          if (!pumps.some((p) => p.hasData)) await run.turn();
          if (pumps.some((p) => p.hasData)) continue;
        }
        // asap: the batch is what was ready
        if (interval === undefined && rows > 0) break;
        // A due checkpoint ends the batch, so an idle query still commits what its sinks hold.
        const checkpointDue = run.checkpoints.nextDueAt();
        if (!virtual && checkpointDue !== undefined && clock.now() >= checkpointDue) break;
        const backlog = pumps.some((p) => p.hasData);
        if (!backlog) await run.waitForWork(virtual ? undefined : earliest(deadline ?? engine.nextProcessingTimer(), checkpointDue));
      }
      // The input is fixed: log it before it runs (replaying: take the logged time and watermarks).
      const processingTime = offsets ? offsets.processingTime(clock.now()) : clock.now();
      if (offsets && !signal.aborted) await offsets.fixed(batchId, startedAt, processingTime, rows);
      // process the batch as a whole, then move the watermark and fire what is due; a TestStream
      // watermark step between two boundaries ends the batch for event time only
      const betweenBoundaries = virtual && endedByWatermarkStep && interval !== undefined && (deadline! - clock.now()) % interval !== 0;
      await engine.pass(betweenBoundaries ? { flush: true, watermarks: true } : { flush: true, watermarks: true, processingTime });
      await engine.finishBundles();
      const watermark = engine.sourceWatermark();
      const replayed = offsets?.replaying === true;
      // Observers (the progress line, the dashboard) see the batches through this list.
      run.batches.push({ batchId, inputRows: rows, durationMs: clock.now() - startedAt, watermark, startedAt, ...(replayed ? { replayed } : {}) });
      offsets?.end();
      batchId++;
      // next batch boundary
      if (interval !== undefined) {
        // The first boundary after now: a batch ended early by a watermark step keeps its deadline.
        deadline = firstBoundaryAfter(deadline!, clock.now(), interval);
        if (virtual && carry !== undefined) deadline = await this.boundariesUpTo(run, deadline, carry, interval);
      }
      if (carry !== undefined) {
        const due = interval === undefined ? engine.nextTimedWork(clock.now()) : undefined;
        (clock as VirtualClock).advanceTo(carry);
        // asap: every clock step is a boundary; what falls due there fires before the input scripted at that instant
        if (interval === undefined && (engine.hasStagedInput() || (due !== undefined && due <= carry))) await engine.pass({ flush: true, watermarks: true, processingTime: carry });
      }
      // The batch end is a quiescent point (design §e).
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
