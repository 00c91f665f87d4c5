import type { BatchMetrics, PipelineResult, PipelineState } from './runner.js';
import type { Instant } from './time.js';

/**
 * Watching a run while it goes: a runner hands an observer a description of the graph when the run
 * starts, then a {@link RunSample} now and then (sampled on the run's clock, never per element), and
 * how the run ended. The dashboard (`--ui`, `--report`) and the progress line on stderr are observers.
 * Given in `PipelineOptions.observers`; the runner core calls them (runners/core/observe).
 *
 * An observer must be quick and must not throw: one that throws is dropped for the rest of the run
 * with a warning on stderr, and the run goes on.
 *
 * @example
 * const seen: RunSample[] = [];
 * const p = Pipeline.create({ observers: [{ sampleEveryMs: 1000, sample: (s) => seen.push(s) }] });
 */
export interface RunObserver {
  /** Processing time (the run's clock) between two samples; default {@link DEFAULT_SAMPLE_EVERY_MS}. */
  readonly sampleEveryMs?: number;
  /** Once, before the first sample (which is taken as the run starts). */
  started?(run: RunStart): void;
  /** Counters, watermarks and buffers now, with what happened since the previous sample. */
  sample(sample: RunSample): void;
  /** Once, after the last sample (which is taken when the run ends). */
  finished?(end: RunEnd): void;
}

/** Samples are this far apart on the run's clock unless an observer asks otherwise. */
export const DEFAULT_SAMPLE_EVERY_MS = 500;

/** What kind of primitive a step is. */
export type StepKind = 'read' | 'pardo' | 'window' | 'gbk' | 'combine' | 'flatten';

/** One primitive step of the graph, with where its inputs come from. */
export interface GraphStep {
  /** The full step name, e.g. `Netflow/Pairs/GroupByKey`. */
  readonly step: string;
  readonly kind: StepKind;
  /** The steps whose outputs this step reads, with the output's tag (`main`, `late`, `deadLetter`, ...). */
  readonly inputs: readonly { readonly step: string; readonly tag: string }[];
  /** The steps whose outputs this step reads as side inputs. */
  readonly sideInputs: readonly string[];
  /** Read steps: whether the source ends (bounded). */
  readonly bounded?: boolean;
}

/** The run, as it starts. */
export interface RunStart {
  readonly runner: string;
  /** The run's id (`PipelineRun.runId`); undefined on runners that give no ids. */
  readonly runId?: string;
  readonly startedAt: Instant;
  /** Primitive steps in topological order. */
  readonly graph: readonly GraphStep[];
  /** True when the run's clock is virtual (a TestStream drives it): rates are per virtual second then. */
  readonly virtualClock: boolean;
}

/** How far a bounded source has read, in its own unit (bytes, events, offsets). */
export interface SourceProgress {
  readonly done: number;
  readonly total: number;
}

/** A step's counters (cumulative since the run started) and time, at a sample. */
export interface StepSample {
  readonly step: string;
  readonly elementsIn: number;
  readonly elementsOut: number;
  readonly lateDropped: number;
  readonly deadLettered: number;
  /** User counters (e.g. `rejected.<reason>`), cumulative. */
  readonly counters: Readonly<Record<string, number>>;
  /** The step's input watermark (a read step: its source's watermark). */
  readonly inputWatermark: Instant;
  readonly outputWatermark: Instant;
  /**
   * Elements waiting to be taken by this step: a read step's source buffer (the backpressure bound
   * is `capacity`), a micro-batch shuffle's rows gathered for the batch. 0 where steps call each other.
   */
  readonly buffered: number;
  /** The bound of `buffered` when there is one (a source buffer). */
  readonly capacity?: number;
  /** Read steps: the source has ended. */
  readonly done?: boolean;
  /** Read steps whose source knows its size. */
  readonly progress?: SourceProgress;
}

/** A record dropped as late or dead-lettered, shortened for display. */
export interface SideOutputExample {
  readonly step: string;
  readonly kind: 'late' | 'deadLetter';
  /** Processing time when the sample that carries it was taken. */
  readonly seenBy: Instant;
  /** The record as JSON, at most 400 characters (`EXAMPLE_CHARS`) (cut with `…`). */
  readonly text: string;
}

/** Examples are cut at this many characters. */
export const EXAMPLE_CHARS = 400;

/** A checkpoint the run took (or tried to). */
export interface CheckpointSample {
  readonly seq?: number;
  readonly name?: string;
  readonly kind: string;
  /** Bytes of the checkpoint file; undefined when it was not written. */
  readonly bytes?: number;
  readonly startedAt: Instant;
  readonly durationMs: number;
  readonly outcome: 'completed' | 'failed';
  /** Why it failed. */
  readonly error?: string;
}

/** The run now. Batches, checkpoints and examples are those since the previous sample. */
export interface RunSample {
  readonly at: Instant;
  readonly steps: readonly StepSample[];
  /** Micro-batch: batches that ended since the previous sample. */
  readonly batches: readonly BatchMetrics[];
  readonly checkpoints: readonly CheckpointSample[];
  /** Up to a few of the latest late and dead-lettered records per step, since the previous sample. */
  readonly examples: readonly SideOutputExample[];
}

/** How the run ended. */
export interface RunEnd {
  readonly state: PipelineState | 'FAILED';
  readonly at: Instant;
  /** FAILED: the error's name and message. */
  readonly error?: string;
  /** Every state but FAILED: what `run()` resolves with. */
  readonly result?: PipelineResult;
}
