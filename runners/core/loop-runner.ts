import { VirtualClock, type Clock } from '../../sdk/clock.js';
import { PipelineCancelledError, SourceError, UnresumableSourceError, WatershedError, type UnsupportedFeature } from '../../sdk/errors.js';
import type { PipelineGraph, ReadPayload } from '../../sdk/graph.js';
import { printable } from '../../sdk/internal/printable.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { RunObserver } from '../../sdk/run-observer.js';
import type { BatchMetrics, CheckpointReport, PipelineResult, PipelineRun, Runner, StopOptions } from '../../sdk/runner.js';
import { stopOnSignals } from '../../sdk/stop-on-signals.js';
import { CheckpointCoordinator, NO_CHECKPOINTS, type CheckpointRequests, type RunCheckpoints } from './checkpoint/checkpoint-coordinator.js';
import { newUuidV7 } from './checkpoint/checkpoint-id.js';
import { commonValidation, Engine, type EngineOptions, type Wiring } from './engine.js';
import type { FireMode } from './driver/window-driver.js';
import { ObservedCheckpoints } from './observe/observed-checkpoints.js';
import { StagedEngine } from './parallel/staged-engine.js';
import { RunMonitor } from './observe/run-monitor.js';
import { SourcePump } from './source-pump.js';
import { StopRequest } from './stop-request.js';
import { InMemoryStateBackend, type StateBackend } from './state/state-backend.js';
import { unreadSideOutputWarnings } from './unread-side-outputs.js';
import { WorkWaiter } from './work-waiter.js';

/** Everything a runner's loop needs for one run. */
export interface RunContext {
  readonly engine: Engine;
  readonly pumps: readonly SourcePump[];
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly options: PipelineOptions;
  readonly batches: BatchMetrics[];
  /**
   * Checkpoints of the run: the loop calls `atBoundary()` at every quiescent point (NO_CHECKPOINTS
   * without `checkpointDir`). The final checkpoint of a bounded run is taken by LoopRunner.
   */
  readonly checkpoints: RunCheckpoints;
  /**
   * Waits until a pump has data, `until` (processing time) passes, the run is cancelled or asked to
   * stop, or a pending checkpoint's write settles (so its sinks commit without waiting for input).
   */
  waitForWork(until: number | undefined): Promise<void>;
  /**
   * Call where the loop checks `signal`, at a quiescent point (between batches; micro-batch: also
   * while gathering). True when `PipelineRun.stop()` asked for a stop: the loop returns, finishing
   * nothing more (LoopRunner then takes the final checkpoint). A drain (or a stop without
   * checkpoints) instead ends every read at +∞ the first time it is seen (Engine.drainReads) and
   * returns false: the loop runs on as for bounded input that ended, until `engine.finished()`.
   */
  stopRequested(): boolean;
  /**
   * Call once per loop iteration with the rows it took (if any): every BREATHE_CALLS calls or
   * BREATHE_ROWS rows it yields a turn of the event loop, so an abort sent from a timer or a signal
   * handler reaches `signal` even when nothing in the run waits for I/O. Loops check `signal` after it.
   * Undefined when no turn is due: await only a promise, so that between turns the interleaving with
   * the source pumps (what an `asap` micro-batch gathers) is what it was without this call.
   */
  breathe(rows?: number): Promise<void> | undefined;
  /**
   * Yields one turn of the event loop now, without sleeping: a source pump woken by a take refills
   * its buffer meanwhile if its source has data ready (the micro-batch runner gathers a backlog so).
   */
  turn(): Promise<void>;
}

/** Loop iterations, or rows taken, between two turns of the event loop (see RunContext.breathe). */
const BREATHE_CALLS = 64;
const BREATHE_ROWS = 10_000;

/** How long a source poll may wait for data before returning empty (so timers and cancellation are served). */
const POLL_WAIT_MS = 100;

/**
 * What the runners share around their loops: validation, choosing the clock (a virtual one for
 * TestStream), building the engine, starting source pumps, cancellation, teardown and the result.
 * A runner supplies its execution model: fire mode, wiring and the loop.
 */
export abstract class LoopRunner implements Runner {
  abstract readonly name: string;
  /** Both loops call `checkpoints.atBoundary()` at their quiescent points. */
  readonly supportsCheckpoints = true;
  protected abstract readonly fireMode: FireMode;
  protected abstract readonly wiring: Wiring;

  /**
   * @param systemClock the real clock, used unless the options bring a clock or a TestStream needs a virtual one
   * @param idleWait how a source pump waits after an empty poll, given the clock of the run
   * @param turn yields one turn of the event loop (see RunContext.breathe)
   * @param ownObservers the runner's own observers of a run besides `options.observers` (the progress line on stderr)
   */
  constructor(
    private readonly systemClock: () => Clock,
    private readonly idleWait: (clock: Clock) => Promise<void>,
    private readonly turn: () => Promise<void>,
    private readonly ownObservers: (options: PipelineOptions) => readonly RunObserver[] = () => [],
  ) {}

  /** Runner-specific checks on top of the shared ones. */
  protected validateMore(_graph: PipelineGraph, _options: PipelineOptions): UnsupportedFeature[] {
    return [];
  }

  /**
   * The engine a run drives: the whole graph in one `Engine`, or with `parallelism` above 1 a
   * `StagedEngine` (each keyed stage as that many instances, inline). Tests of a run as stages override it.
   */
  protected createEngine(graph: PipelineGraph, options: EngineOptions, parallelism = 1): Engine {
    return parallelism > 1 ? new StagedEngine(graph, options, { instances: parallelism }) : new Engine(graph, options);
  }

  /** The execution model. `prepared` is what {@link beforeReading} returned. */
  protected abstract loop(run: RunContext, prepared?: unknown): Promise<void>;

  /**
   * Called once the readers are open, before their pumps poll anything (the micro-batch runner holds
   * its sources at a logged position here, for replay). What it returns is handed to `loop`.
   */
  protected beforeReading(_run: { readonly engine: Engine; readonly pumps: readonly SourcePump[]; readonly checkpoints: RunCheckpoints }): Promise<unknown> | undefined {
    return undefined;
  }

  /** Elements a source may buffer ahead of the pipeline (the backpressure bound). */
  protected sourceBufferCapacity(options: PipelineOptions): number {
    return options.bufferSize;
  }

  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[] {
    const out = commonValidation(graph);
    const driver = graph.primitives.find((n) => n.payload?.kind === 'read' && (n.payload as ReadPayload).source.drivesClock);
    if (driver && options.clock && !options.clock.isVirtual) {
      out.push({ step: driver.fullName, feature: 'TestStream with a real clock', reason: 'a TestStream drives processing time, so the clock must be virtual' });
    }
    return [...out, ...this.validateMore(graph, options)];
  }

  start(graph: PipelineGraph, options: PipelineOptions, state: StateBackend = new InMemoryStateBackend()): PipelineRun {
    const controller = new AbortController();
    if (options.signal) {
      if (options.signal.aborted) controller.abort();
      else options.signal.addEventListener('abort', () => controller.abort(), { once: true });
    }
    const requests: CheckpointRequests = { pending: false };
    const stop = new StopRequest();
    // The id's time part: the start on the run's clock when it has one, else on the system clock (a
    // TestStream's virtual clock, made later, starts at 0).
    const runId = newUuidV7(idTime((options.clock ?? this.systemClock()).now()));
    const done = this.execute(graph, options, state, controller.signal, requests, stop, runId);
    const run = {
      runId,
      done,
      cancel: () => controller.abort(),
      checkpoint: () => {
        requests.pending = true;
      },
      stop: (o?: StopOptions) => {
        stop.ask(o);
        return done;
      },
    };
    if (options.stopOnSignals && stopsOnSignals(graph, options)) {
      const wall = this.systemClock();
      const signals = stopOnSignals(run, { drain: options.drain, checkpoints: options.checkpointDir !== undefined, now: () => wall.now() });
      void done.then(signals.dispose, signals.dispose);
    }
    return run;
  }

  private async execute(
    graph: PipelineGraph,
    options: PipelineOptions,
    state: StateBackend,
    signal: AbortSignal,
    requests: CheckpointRequests,
    stop: StopRequest,
    runId: string,
  ): Promise<PipelineResult> {
    const drivesClock = graph.primitives.some((n) => n.payload?.kind === 'read' && (n.payload as ReadPayload).source.drivesClock);
    const clock = options.clock ?? (drivesClock ? new VirtualClock(0) : this.systemClock());
    const startedAt = clock.now();
    // Restore sequence (design §d): checkpoint found → engine restored → opened → sinks recover → readers resume.
    const coordinator = options.checkpointDir !== undefined ? await CheckpointCoordinator.open({ options, clock, runner: this.name, graph, requests, yieldTurn: this.turn, runId }) : undefined;
    const restoredClock = coordinator?.restoredVirtualClock;
    if (restoredClock !== undefined && clock instanceof VirtualClock) clock.advanceTo(restoredClock);
    const engine = this.createEngine(
      graph,
      {
        clock,
        state,
        fireMode: this.fireMode,
        wiring: this.wiring,
        idleTimeout: options.idleTimeout,
        ...(coordinator ? { checkpointing: coordinator.checkpointing } : {}),
      },
      options.parallelism,
    );
    const pumps: SourcePump[] = [];
    const batches: BatchMetrics[] = [];
    // Observers (dashboard, progress line): sampled at loop iterations, see observe/run-monitor.ts.
    const observers = [...this.ownObservers(options), ...(options.observers ?? [])];
    const observed = coordinator && observers.length > 0 ? new ObservedCheckpoints(coordinator, () => coordinator.report(), clock) : undefined;
    const monitor = RunMonitor.of(observers, { runner: this.name, runId, graph, engine, pumps, clock, batches, ...(observed ? { checkpoints: observed } : {}) });
    let failure: unknown;
    let waiter: WorkWaiter | undefined;
    let skipped = false;
    try {
      try {
        coordinator?.restoreInto(engine);
      } finally {
        // After the restore, so that a resumed run's first sample holds its restored counters (rates start from there).
        monitor?.started();
      }
      await engine.open();
      await coordinator?.recover(engine);
      if (coordinator?.alreadyFinished) {
        const from = coordinator.report().restoredFrom!;
        coordinator.warnings.push(
          from.kind === 'drained'
            ? `the job in ${options.checkpointDir} was drained (${from.name}), and the run that drained it ended before committing its last output: committed now; nothing else to do. Use a new --checkpointDir to start it again`
            : `the job in ${options.checkpointDir} already finished (${from.name}); nothing to do. Use a new --checkpointDir to run it again`,
        );
        skipped = true;
      }
      for (const r of skipped ? [] : engine.reads) {
        // Refused before it is opened: opening it may already start it (subscribe to an Observable).
        if (coordinator && r.source.notResumable !== undefined) throw new UnresumableSourceError(r.node.fullName, r.source.name, r.source.notResumable);
        try {
          // A restored read (Engine restore sets `position`) continues where its checkpoint left it.
          r.reader = await r.source.open({ step: r.node.fullName, clock, signal, resumeFrom: r.position });
        } catch (e) {
          throw e instanceof WatershedError ? e : new SourceError(r.node.fullName, e);
        }
        if (coordinator && typeof r.reader.position !== 'function') throw new UnresumableSourceError(r.node.fullName, r.source.name);
        const pump = new SourcePump(r.reader, this.sourceBufferCapacity(options), options.bundleSize, POLL_WAIT_MS, r.node.fullName, () => this.idleWait(clock));
        r.position = pump.position; // a checkpoint before the first batch keeps the start (or resume) position
        pumps.push(pump);
      }
      const checkpoints = observed ?? coordinator ?? NO_CHECKPOINTS;
      const preparing = skipped ? undefined : this.beforeReading({ engine, pumps, checkpoints });
      const prepared = preparing ? await preparing : undefined;
      for (const p of pumps) p.start();
      // only the sources still being read matter: a finished source's pump has ended for good
      waiter = new WorkWaiter(clock, pumps, (i) => !engine.reads[i]!.done, signal, POLL_WAIT_MS);
      const w = waiter;
      stop.onAsk = () => w.interrupt();
      const waitForWork = (until: number | undefined): Promise<void> => {
        if (stop.phase === 'asked') return Promise.resolve(); // the loop honours it first
        // An observed run is sampled while it waits too (an idle input still shows time passing); only a real clock is waited on.
        const sample = monitor && !clock.isVirtual ? monitor.nextSampleAt : undefined;
        const deadline = sample === undefined ? until : until === undefined ? sample : Math.min(until, sample);
        // A pending checkpoint's write settles once: racing it keeps nothing alive past that.
        const written = coordinator?.whenWritten();
        return written ? Promise.race([w.wait(deadline), written]) : w.wait(deadline);
      };
      // Without checkpoints there is nowhere to keep open windows: a stop drains.
      const drains = (): boolean => stop.drain || coordinator === undefined;
      const stopRequested = (): boolean => {
        if (stop.phase !== 'asked') return stop.phase === 'stopping';
        if (!drains()) {
          stop.honour('stopping');
          return true;
        }
        if (engine.drainReads() === 0) stop.honour('moot');
        else {
          stop.honour('draining');
          for (const p of pumps) p.stop(); // what they read ahead lies after the final checkpoint's positions
        }
        return false;
      };
      let calls = 0;
      let rows = 0;
      const breathe = (n = 0): Promise<void> | undefined => {
        monitor?.tick();
        rows += n;
        if (++calls < BREATHE_CALLS && rows < BREATHE_ROWS) return undefined;
        calls = 0;
        rows = 0;
        return this.turn();
      };
      if (!skipped) await this.loop({ engine, pumps, clock, signal, options, batches, checkpoints, waitForWork, breathe, turn: this.turn, stopRequested }, prepared);
      // A stopped run, and one that drained or finished, commits what its sinks still hold, so nothing stays hidden.
      if (coordinator && !skipped && !signal.aborted) {
        const final = (kind: 'final' | 'drained' | 'finished') => (observed ? observed.time(kind, () => coordinator.final(kind)) : coordinator.final(kind));
        if (stop.phase === 'stopping') await final('final');
        else if (engine.finished()) await final(stop.phase === 'draining' ? 'drained' : 'finished');
      }
    } catch (e) {
      failure = e;
    } finally {
      // No write of this run may go on after it ends (a rerun would race it); a pending checkpoint stays uncommitted, as after a crash.
      await coordinator?.settle();
      if (coordinator && (failure !== undefined || signal.aborted)) await coordinator.abort(engine);
      waiter?.close();
      for (const p of pumps) p.stop();
      try {
        // Cancellation first: a cancelled loop may also have ended with an error.
        await engine.close(signal.aborted ? 'cancelled' : failure !== undefined ? 'failed' : 'done');
      } catch (e) {
        failure ??= e;
      }
    }
    // Printed for failed runs too: which checkpoint was skipped or resumed matters most then.
    // escaped (see printable): a warning names paths and steps, which may hold control characters
    for (const w of coordinator?.warnings ?? []) process.stderr.write(`[checkpoint] ${printable(w)}\n`);
    if (coordinator && failure instanceof WatershedError && failure.retriable && !signal.aborted) process.stderr.write(`[checkpoint] ${printable(resumeHint(coordinator.report()))}\n`);
    if (failure !== undefined) {
      monitor?.ended({ state: 'FAILED', at: clock.now(), error: failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure) });
      throw failure;
    }
    const finishedAt = clock.now();
    const unread = unreadSideOutputWarnings(graph, engine.metrics);
    if (!options.quiet) for (const w of unread) process.stderr.write(`[watershed] ${printable(w)}\n`);
    const warnings = [...(coordinator?.warnings ?? []), ...unread];
    const result: PipelineResult = {
      runner: this.name,
      runId,
      state: signal.aborted ? 'CANCELLED' : stop.phase === 'stopping' ? 'STOPPED' : stop.phase === 'draining' ? 'DRAINED' : 'DONE',
      metrics: engine.metrics,
      ...(batches.length || this.wiring === 'staged' ? { batches } : {}),
      ...(coordinator ? { checkpoints: coordinator.report() } : {}),
      ...(coordinator || warnings.length > 0 ? { warnings } : {}),
      startedAt,
      finishedAt,
    };
    monitor?.ended({ state: result.state, at: finishedAt, result });
    return result;
  }
}

/** A uuid v7's time part from a clock reading: whole ms in 0..2^48-1. */
function idTime(ms: number): number {
  return Math.min(2 ** 48 - 1, Math.max(0, Math.floor(ms)));
}

/**
 * Whether a run with `stopOnSignals` takes SIGTERM and SIGINT: with a checkpoint directory (a stop
 * is resumable), with `drain`, or when an input never ends (a drain is the only way to end it). A
 * run of bounded inputs without either keeps the default behaviour (the process ends, and no output
 * file is published, as after a failure): a drain would publish partial output as if complete.
 */
function stopsOnSignals(graph: PipelineGraph, options: PipelineOptions): boolean {
  const endless = graph.primitives.some((n) => n.payload?.kind === 'read' && !(n.payload as ReadPayload).source.bounded);
  return options.checkpointDir !== undefined || options.drain || endless;
}

/**
 * The line for a run that failed on an error that may pass (a broker outage that outlasted its
 * budget, say): the same command resumes from the last complete checkpoint.
 */
export function resumeHint(report: CheckpointReport): string {
  const last = report.taken.at(-1)?.name ?? report.restoredFrom?.name;
  const from = last !== undefined ? `the last complete checkpoint (${last}, or one written as the run failed)` : 'the last complete checkpoint, if one was written';
  return `the run failed on an error that may pass (e.g. a broker outage longer than its budget): run the same command again to resume from ${from}`;
}

/** Thrown inside loops when the signal aborts mid-way (converted to a CANCELLED result). */
export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new PipelineCancelledError();
}
