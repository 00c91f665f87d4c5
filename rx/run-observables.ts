import { AsyncSubject, ReplaySubject, Subject, map, type Observable } from 'rxjs';
import type { GraphStep, RunEnd, RunObserver, RunSample, RunStart, StepSample } from '../sdk/run-observer.js';
import { runTotals, type RunTotals } from '../runners/monitoring/run-totals.js';
import { RunEndedError } from './errors.js';

/** The whole run at a sample (records in and out, watermark and lag, share done): what the progress line shows. */
export type RunProgress = RunTotals;

/** Per step, by full step name: its counters, watermarks and buffer at a sample. */
export type StepMetricsSample = Readonly<Record<string, StepSample>>;

/**
 * A run's progress and per-step metrics as Observables: a {@link RunObserver} to give the pipeline
 * (`observers: [watch]`), whose Observables send a value per sample (every `sampleEveryMs` of the
 * run's clock, and once more at the end). Made by {@link observeRun}.
 *
 * `samples$`, `progress$` and `metrics$` are hot (subscribe before the run starts) and end with the
 * run: they complete when it ends DONE, STOPPED or DRAINED, and send a {@link RunEndedError} when it
 * fails or is cancelled (subscribe with an `error` handler). `started$` (the run's id and graph) and
 * `end$` (a {@link RunEnd}) send their one value also to a subscriber that comes later, and never error.
 * @example
 * const watch = observeRun({ sampleEveryMs: 1000 });
 * const p = Pipeline.create(process.argv.slice(2), { observers: [watch] });
 * watch.progress$.subscribe({ next: (s) => console.error(`${s.recordsIn} in`), error: () => {} });
 */
export class RunObservables implements RunObserver {
  readonly sampleEveryMs: number | undefined;
  private readonly sampled = new Subject<RunSample>();
  private readonly ended = new AsyncSubject<RunEnd>();
  private readonly start = new ReplaySubject<RunStart>(1);
  private graph: readonly GraphStep[] = [];
  /** Everything the runner samples (see {@link RunSample}). */
  readonly samples$: Observable<RunSample> = this.sampled.asObservable();
  /** The run's totals at each sample. */
  readonly progress$: Observable<RunProgress> = this.samples$.pipe(map((s) => runTotals(this.graph, s)));
  /** Each step's counters, watermarks and buffer at each sample, by step name. */
  readonly metrics$: Observable<StepMetricsSample> = this.samples$.pipe(map((s) => Object.fromEntries(s.steps.map((step) => [step.step, step]))));
  /** The run as it starts (its runner, id, graph), once; also to a subscriber that comes later. Completes with the run. */
  readonly started$: Observable<RunStart> = this.start.asObservable();
  /** How the run ended, once. */
  readonly end$: Observable<RunEnd> = this.ended.asObservable();
  private startedOnce = false;

  constructor(options: { readonly sampleEveryMs?: number } = {}) {
    this.sampleEveryMs = options.sampleEveryMs;
  }

  /** @throws Error when a second run starts with this observer: its Observables belong to one run. */
  started(run: RunStart): void {
    if (this.startedOnce) throw new Error('this observeRun() watches one run only; make a new one per run');
    this.startedOnce = true;
    this.graph = run.graph;
    this.start.next(run);
  }

  sample(sample: RunSample): void {
    this.sampled.next(sample);
  }

  finished(end: RunEnd): void {
    if (end.state === 'FAILED' || end.state === 'CANCELLED') {
      this.sampled.error(new RunEndedError(undefined, end.state === 'FAILED' ? 'failed' : 'cancelled', end.error));
    } else this.sampled.complete();
    this.start.complete();
    this.ended.next(end);
    this.ended.complete();
  }
}

/**
 * Watches a run as Observables: give the result to the pipeline as an observer, subscribe, run.
 * `sampleEveryMs` is processing time on the run's clock (default 500 ms).
 * @example
 * const watch = observeRun();
 * const p = Pipeline.create({ observers: [watch] });
 * watch.metrics$.subscribe({ next: (m) => console.log(m['Count']?.elementsOut), error: () => {} });
 * await p.run();
 */
export function observeRun(options: { readonly sampleEveryMs?: number } = {}): RunObservables {
  return new RunObservables(options);
}
