import type { PipelineOptions } from '../sdk/options.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PipelineResult } from '../sdk/runner.js';

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

/** What a check concluded. `observed` is a deterministic measurement worth showing in the report. */
export interface CheckResult {
  readonly ok: boolean;
  readonly reason?: string;
  readonly observed?: string;
}

export interface ConformanceCase<O = any> {
  /** Short, unique within its capability. */
  readonly name: string;
  /**
   * What the case shows, and any difference between execution models it expects (and why the model
   * allows it). Shown in the report.
   */
  readonly notes?: string;
  /** How many times to build and run the pipeline (bounded replay runs it twice). Default 1. */
  readonly runs?: number;
  /** Adds the case's steps to a fresh pipeline and returns what `check` needs. */
  build(p: Pipeline): O;
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
  /** Set for rows without cases yet: why (e.g. 'waits for the Kafka cases'). Reported as "not yet covered", never as No. */
  readonly notYetCovered?: string;
}

/** Identity helper that keeps a case's `O` type between `build` and `check`. */
export function defineCase<O>(c: ConformanceCase<O>): ConformanceCase<O> {
  return c;
}
