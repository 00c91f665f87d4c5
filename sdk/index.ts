/**
 * The model: {@link Pipeline} and {@link PCollection}, windows ({@link FixedWindows}, {@link SlidingWindows},
 * {@link Sessions}, {@link GlobalWindows}, {@link ProcessingTimeWindows}), triggers ({@link AfterWatermark}, {@link AfterProcessingTime},
 * {@link AfterCount}, ...), time ({@link seconds}, {@link minutes}, ...), {@link DoFn} with state and timers
 * ({@link StateSpec}, {@link TimerSpec}, {@link statefulDoFn}), the {@link Source} interface for inputs,
 * pipeline options and flags, and the typed errors.
 *
 * Transforms come from `watershed/transforms`; importing `watershed/runners` registers the runners.
 * @example
 * import 'watershed/runners';
 * import { Pipeline, FixedWindows, seconds } from 'watershed/sdk';
 * import { Count, Create, Window } from 'watershed/transforms';
 *
 * const p = Pipeline.create(process.argv.slice(2)); // --runner=native|microbatch
 * p.apply('Words', Create.timestamped([{ value: 'a', timestamp: 0 }, { value: 'b', timestamp: 61_000 }]))
 *   .apply('PerMinute', Window.into<string>(FixedWindows(seconds(60))))
 *   .apply('Count', Count.perElement<string>());
 * await p.run();
 * @module watershed/sdk
 */
export * from './time.js';
export * from './window.js';
export * from './pane.js';
export * from './windowed-value.js';
export * from './kv.js';
export * from './windows/index.js';
export * from './triggers/index.js';
export * from './windowing-strategy.js';
export * from './combine-fn.js';
export * from './dofn.js';
export * from './state.js';
export * from './side-input.js';
export * from './errors.js';
export * from './clock.js';
export * from './metrics.js';
export * from './dead-letter.js';
export * from './io/source.js';
export * from './io/two-phase-commit.js';
export * from './io/watermark-estimator.js';
export * from './io/forward-jump-guard.js';
export * from './graph.js';
export * from './ptransform.js';
export * from './pcollection.js';
export * from './pipeline.js';
export * from './options.js';
export * from './flags.js';
export * from './command-line.js';
export * from './runner.js';
export * from './run-observer.js';
