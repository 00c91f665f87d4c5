import type { Clock } from '../../../sdk/clock.js';
import type { PipelineGraph } from '../../../sdk/graph.js';
import { DEFAULT_SAMPLE_EVERY_MS, type RunEnd, type RunObserver, type RunSample, type StepSample } from '../../../sdk/run-observer.js';
import type { BatchMetrics } from '../../../sdk/runner.js';
import type { Engine } from '../engine.js';
import type { SourcePump } from '../source-pump.js';
import { describeGraph } from './graph-steps.js';
import type { ObservedCheckpoints } from './observed-checkpoints.js';
import { RecentSideOutputs } from './recent-side-outputs.js';

/** What a monitor reads: the run's parts, shared with the loop (arrays filled as the run goes). */
export interface MonitoredRun {
  readonly runner: string;
  readonly runId?: string;
  readonly graph: PipelineGraph;
  readonly engine: Engine;
  /** One per read of the engine, in the same order (filled once the sources are open). */
  readonly pumps: readonly SourcePump[];
  readonly clock: Clock;
  /** The loop's batch list (micro-batch); the monitor reports the ones added since its last sample. */
  readonly batches: readonly BatchMetrics[];
  readonly checkpoints?: ObservedCheckpoints;
}

/**
 * Feeds a run's observers (`PipelineOptions.observers`): the graph and a first sample at start, then a sample whenever
 * the loop calls {@link tick} and the smallest `sampleEveryMs` of the observers has passed on the
 * run's clock, then a last sample and the end. A sample reads counters, watermarks and buffer fill
 * the engine keeps anyway, so the cost is one clock read per loop iteration plus a walk over the
 * steps a few times a second; records dropped as late or dead-lettered are kept by reference (at
 * most a few per step) for their examples. Never reads the wall clock: time comes from `clock`.
 *
 * An observer that throws is dropped (with one line on stderr) and the run goes on.
 * @example
 * const monitor = RunMonitor.of(observers, { runner: 'native', graph, engine, pumps, clock, batches });
 * monitor?.started();
 * // in the loop: monitor?.tick();
 * monitor?.ended({ state: 'DONE', at: clock.now(), result });
 */
export class RunMonitor {
  private readonly recent = new RecentSideOutputs();
  private readonly every: number;
  private next: number;
  private batchesSeen = 0;

  /** A monitor for `observers`, or undefined when there are none (the loop then pays nothing). */
  static of(observers: readonly RunObserver[], run: MonitoredRun): RunMonitor | undefined {
    return observers.length === 0 ? undefined : new RunMonitor([...observers], run);
  }

  private constructor(
    private readonly observers: RunObserver[],
    private readonly run: MonitoredRun,
  ) {
    const asked = observers.map((o) => o.sampleEveryMs).filter((ms): ms is number => ms !== undefined && ms > 0);
    this.every = asked.length > 0 ? Math.min(...asked) : DEFAULT_SAMPLE_EVERY_MS;
    this.next = run.clock.now() + this.every;
    run.engine.tapSideOutputs((step, kind, value) => this.recent.keep(step, kind, value));
  }

  /**
   * Tells every observer the run started, with its graph, and takes a first sample (where rates start
   * from): all zeros, or for a run resumed from a checkpoint the counters restored from it.
   */
  started(): void {
    const { runner, runId, graph, clock } = this.run;
    const start = { runner, ...(runId !== undefined ? { runId } : {}), startedAt: clock.now(), graph: describeGraph(graph), virtualClock: clock.isVirtual };
    this.each((o) => o.started?.(start));
    this.sampleNow();
  }

  /** Processing time at which the next sample is due (a waiting loop wakes up for it). */
  get nextSampleAt(): number {
    return this.next;
  }

  /** Call once per loop iteration: samples when the interval has passed. */
  tick(): void {
    if (this.run.clock.now() >= this.next) this.sampleNow();
  }

  /** Takes a sample now and hands it to every observer. */
  sampleNow(): void {
    const s = this.sample();
    this.next = s.at + this.every;
    this.each((o) => o.sample(s));
  }

  /** A last sample, then the end, to every observer. */
  ended(end: RunEnd): void {
    this.sampleNow();
    this.each((o) => o.finished?.(end));
  }

  private sample(): RunSample {
    const { engine, pumps, clock, batches } = this.run;
    const at = clock.now();
    const steps: StepSample[] = [];
    engine.reads.forEach((r, i) => {
      const m = r.metrics;
      const pump = pumps[i];
      const progress = r.reader?.progress?.();
      steps.push({
        step: r.node.fullName,
        elementsIn: m.elementsIn,
        elementsOut: m.elementsOut,
        lateDropped: m.lateDropped,
        deadLettered: m.deadLettered,
        counters: { ...m.counters },
        inputWatermark: r.watermark,
        outputWatermark: r.watermark,
        buffered: pump?.bufferedElements ?? 0,
        ...(pump ? { capacity: pump.bufferCapacity } : {}),
        done: r.done,
        ...(progress ? { progress } : {}),
      });
    });
    for (const s of engine.stepViews()) {
      const m = engine.metrics[s.step]!;
      steps.push({
        step: s.step,
        elementsIn: m.elementsIn,
        elementsOut: m.elementsOut,
        lateDropped: m.lateDropped,
        deadLettered: m.deadLettered,
        counters: { ...m.counters },
        inputWatermark: s.inputWm,
        outputWatermark: s.outputWm,
        buffered: s.buffered,
      });
    }
    const newBatches = batches.slice(this.batchesSeen);
    this.batchesSeen = batches.length;
    return { at, steps, batches: newBatches, checkpoints: this.run.checkpoints?.take() ?? [], examples: this.recent.take(at) };
  }

  private each(call: (o: RunObserver) => void): void {
    for (const o of [...this.observers]) {
      try {
        call(o);
      } catch (e) {
        this.observers.splice(this.observers.indexOf(o), 1);
        process.stderr.write(`[observer] an observer of the run threw and is dropped; the run goes on: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
  }
}
