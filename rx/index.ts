/**
 * RxJS interop: an Observable as the input of a pipeline ({@link RxIO.read}, with event times and a
 * watermark policy), a PCollection's output, its late data and dead letters as Observables
 * ({@link RxIO.toObservable}), and a run's progress and per-step metrics as Observables
 * ({@link observeRun}). The only entry point that needs `rxjs`; `watershed/sdk` does not import it.
 * @example
 * import 'watershed/runners';
 * import { Pipeline, FixedWindows, seconds } from 'watershed/sdk';
 * import { Count, Window } from 'watershed/transforms';
 * import { RxIO, observeRun } from 'watershed/rx';
 *
 * const watch = observeRun();
 * const p = Pipeline.create({ observers: [watch] });
 * const counts = p.apply('Clicks', RxIO.read(clicks$, { timestamp: (c) => c.at }))
 *   .apply('PerMinute', Window.into<Click>(FixedWindows(seconds(60))))
 *   .apply('Count', Count.globally().withoutDefaults())
 *   .apply('Out', RxIO.toObservable<number>());
 * counts.values$.subscribe({ next: console.log, error: console.error });
 * await p.run();
 * @module watershed/rx
 */
export { RxIO } from './rx-io.js';
export { ObservableSource, DEFAULT_MAX_BUFFERED, type ObservableReadOptions, type ObservableWatermark } from './observable-source.js';
export { ObservableOutput, type ObservedRecord } from './observable-output.js';
export { RunObservables, observeRun, type RunProgress, type StepMetricsSample } from './run-observables.js';
export { ObservableOverflowError, ObservableSourceError, RunEndedError } from './errors.js';
export type { RunTotals } from '../runners/monitoring/run-totals.js';
