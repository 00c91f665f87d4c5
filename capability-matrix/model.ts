import type { PipelineOptions } from '../sdk/options.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PipelineResult, StopOptions } from '../sdk/runner.js';

/**
 * The conformance suite's vocabulary. A capability (one row of the matrix) is checked by one or more
 * cases; a case builds a small pipeline on a TestStream (or Create) input and checks what came out —
 * values, windows, panes, timestamps, emission times on the virtual clock, metrics.
 */

/** Beam's four questions, plus the rows that are ours. */
export type Group = 'What' | 'Where' | 'When' | 'How' | 'Ours';

export const GROUP_TITLES: Readonly<Record<Group, string>> = {
  What: 'What is being computed?',
  Where: 'Where in event time?',
  When: 'When in processing time?',
  How: 'How do refinements relate?',
  Ours: 'Beyond Beam’s matrix',
};

/** One execution of a case's pipeline, as its check sees it. */
export interface CaseRun<O> {
  /** What `build` returned (probes, usually). */
  readonly out: O;
  readonly result: PipelineResult;
  readonly options: PipelineOptions;
  /**
   * The runner executes in micro-batches (it reports them in its result). Checks branch on the
   * execution model, never on a runner's name, where the model allows a difference.
   */
  readonly microBatch: boolean;
}

/**
 * A deterministic measurement a case took, as a number: the matrix's "which runner for what" compares
 * runners on it per aspect. Latency is virtual-clock ms after the target (lower is better); pane
 * granularity is the number of early panes for the same input (more is finer).
 */
export interface Measurement {
  readonly aspect: 'latency' | 'pane granularity';
  readonly value: number;
  readonly unit: 'ms' | 'panes';
}

/** What a check concluded. `observed` is a deterministic measurement worth showing in the report. */
export interface CheckResult {
  readonly ok: boolean;
  readonly reason?: string;
  readonly observed?: string;
  /** The observation as a number, for "which runner for what" (see Measurement). */
  readonly measured?: Measurement;
  /**
   * The allowed differences (ids, see Capability.differences) the case passed with: what it checks
   * was rewritten by them. Shown in the notes, never in the table.
   */
  readonly differences?: readonly string[];
  /** With `differences`: how the check failed without them (the evidence that they were needed). */
  readonly withoutDifferences?: string;
}

/** A difference between a reference (e.g. a Beam transcript) and what a runner must do, and why the model allows it. */
export interface AllowedDifferenceNote {
  readonly id: string;
  readonly title: string;
  readonly why: string;
}

/** What a case's `prepare` gets: the runner being measured, and the external services the suite was given. */
export interface CaseContext {
  readonly runner: string;
  /** `host:port[,...]` of the Kafka broker (set for capabilities that require 'kafka'). */
  readonly kafkaBrokers?: string;
}

/**
 * What a case's pipeline gets to end its own measured run gracefully (the Drain row): `stop` asks
 * the run for `PipelineRun.stop(options)` (e.g. from a Map when a given element goes by). The case
 * then names the state the run must end in (`ConformanceCase.ends`).
 * @example build: (p, _, control) => countsAndTimers(p, Infinity, counts, timers, (i) => i === 5000 && control.stop({ drain: true }))
 */
export interface RunControl {
  stop(options?: StopOptions): void;
}

/** External services a capability's cases need; the suite refuses to run without them (see harness.ts). */
export type Requirement = 'kafka';

export interface ConformanceCase<O = any, S = any> {
  /** Short, unique within its capability. */
  readonly name: string;
  /**
   * What the case shows, and any difference between execution models it expects (and why the model
   * allows it). Shown in the report.
   */
  readonly notes?: string;
  /** How many times to build and run the pipeline (bounded replay runs it twice). Default 1. */
  readonly runs?: number;
  /**
   * Processing time of the runs: a virtual clock starting at 0 (default), or the system clock
   * (for sources that run on real time, e.g. Kafka; such cases read bounded input so runs end).
   */
  readonly clock?: 'virtual' | 'system';
  /** Runs before each build (e.g. creates and fills a topic); its result is passed to `build`. */
  prepare?(ctx: CaseContext): Promise<S>;
  /**
   * Options for the measured run beyond the defaults (e.g. the checkpoint directory `prepare` left a
   * crashed run's checkpoints in, or a clock other than the virtual one). The runner is the harness's.
   */
  options?(prepared: S): Partial<PipelineOptions>;
  /**
   * The state the measured run must end in: `DONE` (its input ended; the default), or `STOPPED` /
   * `DRAINED` for a case that stops its run through `control`. Any other end fails the case.
   */
  readonly ends?: 'DONE' | 'STOPPED' | 'DRAINED';
  /** Adds the case's steps to a fresh pipeline and returns what `check` needs. */
  build(p: Pipeline, prepared: S, control: RunControl): O;
  /** Checks the last run; `all` holds every run when `runs` > 1. */
  check(run: CaseRun<O>, all: readonly CaseRun<O>[]): CheckResult;
}

export interface Capability {
  /** Stable id, e.g. `what.pardo`. */
  readonly id: string;
  readonly group: Group;
  /** The row label (Beam's where Beam has the row). */
  readonly name: string;
  readonly description: string;
  /** The file defining the cases, relative to capability-matrix/ (the report links to it). */
  readonly source: string;
  /** The row of Beam's published matrix this corresponds to, if any. */
  readonly beamRow?: string;
  readonly cases: readonly ConformanceCase[];
  /** External services the cases need (the suite fails loudly when one is missing). */
  readonly requires?: readonly Requirement[];
  /** Set for rows without cases yet: why (e.g. 'waits for the Kafka cases'). Reported as "not yet covered", never as No. */
  readonly notYetCovered?: string;
  /**
   * Set for rows without cases because Watershed does not have the capability at all: what is
   * missing. Reported as No ("not implemented"), which is kept apart from "not yet covered".
   */
  readonly notImplemented?: string;
  /** The allowed differences the cases may pass with (see CheckResult.differences), explained in the report. */
  readonly differences?: readonly AllowedDifferenceNote[];
}

/** Identity helper that keeps a case's `O` type between `build` and `check`. */
export function defineCase<O, S = undefined>(c: ConformanceCase<O, S>): ConformanceCase<O, S> {
  return c;
}
