import type { VirtualClock } from '../../sdk/clock.js';
import { sourceBatchSize } from '../../sdk/io/source.js';
import type { Wiring } from '../core/engine.js';
import type { FireMode } from '../core/driver/window-driver.js';
import { LoopRunner, type RunContext } from '../core/loop-runner.js';
import { consoleObservers } from '../monitoring/console-observers.js';
import { eventLoopTurn, idleWait, SystemClock } from '../system-clock.js';

/**
 * The native streaming runner (Flink-like). Each element is pushed through the whole graph as it
 * arrives; triggers are evaluated after every element; watermarks propagate downstream as soon as a
 * source's watermark moves; event-time timers fire as the watermark passes them and processing-time
 * timers as the clock does. A bounded buffer (`--bufferSize`) sits between each source and the first
 * step; `--bundleSize` elements make a bundle (DoFn.startBundle/finishBundle).
 *
 * @example node app.js --runner=native
 */
export class NativeRunner extends LoopRunner {
  readonly name = 'native';
  protected readonly fireMode: FireMode = 'immediate';
  protected readonly wiring: Wiring = 'direct';

  constructor() {
    super(() => new SystemClock(), idleWait, eventLoopTurn, consoleObservers);
  }

  protected async loop(run: RunContext): Promise<void> {
    const { engine, pumps, clock, signal } = run;
    const reads = engine.reads;
    let rows = 0;
    while (!signal.aborted) {
      const turn = run.breathe(rows);
      if (turn) await turn;
      // A stop ends the loop here, between source batches; a drain ends every read and goes on to the end.
      if (signal.aborted || run.stopRequested()) return;
      rows = 0;
      let progressed = false;
      for (let i = 0; i < reads.length; i++) {
        const read = reads[i]!;
        if (read.done) continue;
        const batch = pumps[i]!.take();
        if (!batch) continue;
        progressed = true;
        rows += sourceBatchSize(batch);
        const r = engine.emitBatch(read, batch, pumps[i]!.position);
        if (r) await r;
        if (batch.advanceClockTo !== undefined) (clock as VirtualClock).advanceTo(batch.advanceClockTo);
        await engine.pass({ watermarks: true, processingTime: clock.now() });
        await engine.finishBundles();
        // A quiescent point: nothing is between operators (design §d). A finished run takes its final checkpoint instead (LoopRunner).
        const c = run.checkpoints.atBoundary();
        if (c) await c;
      }
      if (engine.finished()) return;
      if (!progressed) {
        await engine.pass({ watermarks: true, processingTime: clock.now() });
        await engine.finishBundles();
        if (engine.finished()) return;
        // an idle pipeline checkpoints too, so sinks do not hold output while the input is quiet
        const c = run.checkpoints.atBoundary();
        if (c) await c;
        await run.waitForWork(clock.isVirtual ? undefined : earliest(engine.nextProcessingTimer(), run.checkpoints.nextDueAt()));
      }
    }
  }
}

/** The earlier of two optional instants. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}
