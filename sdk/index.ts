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
export { GLOBAL_WINDOW, formatWindow, intervalWindow, isIntervalWindow, type BoundedWindow, type GlobalWindow, type IntervalWindow } from './window.js';
export type { PaneInfo, PaneTiming } from './pane.js';
export * from './windowed-value.js';
export { kv, type KV, type StateKey } from './kv.js';
export { type AssignContext, type MergeResult, type TimeDomain, type WindowFn } from './windows/window-fn.js';
export { GlobalWindows } from './windows/global-windows.js';
export { FixedWindows } from './windows/fixed-windows.js';
export { SlidingWindows } from './windows/sliding-windows.js';
export { Sessions, mergeOverlappingIntervals } from './windows/sessions.js';
export { ProcessingTimeWindows } from './windows/processing-time-windows.js';
export type { Trigger, TriggerContext, TriggerState } from './triggers/trigger.js';
export { AfterWatermark, type AfterWatermarkFactory, type AfterWatermarkTrigger } from './triggers/after-watermark.js';
export * from './triggers/after-processing-time.js';
export * from './triggers/after-count.js';
export * from './triggers/repeatedly.js';
export * from './triggers/after-each.js';
export * from './triggers/after-first.js';
export * from './triggers/after-all.js';
export * from './triggers/or-finally.js';
export * from './triggers/define-trigger.js';
export * from './triggers/never.js';
export * from './triggers/default-trigger.js';
export type { AccumulationMode, OnTimeBehavior, TimestampCombiner, WindowingStrategy } from './windowing-strategy.js';
export * from './combine-fn.js';
export {
  statefulDoFn,
  type BundleContext,
  type DoFn,
  type DoFnOutput,
  type FinishBundleContext,
  type InferredOutput,
  type KeyOf,
  type OnTimerContext,
  type OutputContext,
  type OutputTags,
  type ProcessContext,
  type RunOutcome,
  type SetupContext,
  type TeardownContext,
} from './dofn.js';
export * from './state.js';
export { View, type PCollectionView } from './side-input.js';
export {
  CheckpointError,
  CheckpointMismatchError,
  CheckpointRecoveryError,
  CheckpointVersionError,
  CheckpointWriteError,
  ConflictingOptionsError,
  CorruptCheckpointError,
  DrainedCheckpointError,
  DuplicateStepNameError,
  MixedOutputError,
  NoValidCheckpointError,
  PipelineCancelledError,
  PipelineConstructionError,
  PipelineOptionsError,
  OutputInCheckpointDirError,
  OutputsCollideError,
  SinkTargetError,
  SinkWriteError,
  SourceError,
  SourcePositionError,
  UndeclaredOutputError,
  UnknownFlagError,
  UnresumableSourceError,
  UnsupportedFeaturesError,
  UnsupportedGuaranteeError,
  UserCodeError,
  WatershedError,
  type CorruptCheckpointReason,
  type SourcePositionProblem,
  type StepMismatch,
  type UnsupportedFeature,
} from './errors.js';
export * from './clock.js';
export type { MetricsContext, StepMetrics } from './metrics.js';
export * from './dead-letter.js';
export type { Source, SourceBatch, SourceColumns, SourceContext, SourceReader } from './io/source.js';
export * from './io/two-phase-commit.js';
export * from './io/watermark-estimator.js';
export * from './io/forward-jump-guard.js';
export * from './graph.js';
export * from './ptransform.js';
export * from './pcollection.js';
export * from './pipeline.js';
export { PIPELINE_FLAGS, parseDuration, type Guarantee, type PipelineFlags, type PipelineInit, type PipelineOptions } from './options.js';
export { flagHelp, parseFlags, type AnyFlagValues, type FlagSpec, type FlagSpecs, type FlagValues, type ParseFlagsOptions, type ParsedFlags } from './flags.js';
export * from './command-line.js';
export {
  registerRunner,
  registeredRunners,
  type BatchMetrics,
  type CheckpointReport,
  type PipelineResult,
  type PipelineRun,
  type PipelineState,
  type Runner,
  type StopOptions,
  type TakenCheckpoint,
} from './runner.js';
export {
  DEFAULT_SAMPLE_EVERY_MS,
  type CheckpointSample,
  type GraphStep,
  type RunEnd,
  type RunObserver,
  type RunSample,
  type RunStart,
  type SideOutputExample,
  type SourceProgress,
  type StepKind,
  type StepSample,
} from './run-observer.js';
