import type { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';
import type { Probe } from '../../sdk/testing/capture.js';

/**
 * One scenario, defined once and run by both a semantic test (test/semantics/*, on every runner
 * configuration) and a capability-matrix case (cases/common.ts `scenarioCase`): a pipeline, how to
 * read its result as lines, and the lines a correct runner produces.
 * @example
 * const s: Scenario<Probe<number>> = { name: 'sum', build: (p) => p.apply(Create.of([1, 2])).apply(Sum.globally()).apply(Capture.records()), lines: paneLines, expected: ['global ON_TIME #0 last 3'] };
 */
export interface Scenario<O = Probe<string>> {
  /** What it shows; the case name in the matrix and the test name. */
  readonly name: string;
  /** Builds the pipeline; returns what `lines` reads (usually one probe). */
  build(p: Pipeline): O;
  /**
   * The result as lines. Default (for a probe of strings): `<window id> <output>`, sorted. Lines may
   * also state derived facts (e.g. `first: …` for what must be emitted first, or a metric of the
   * run's `result`) so order checks stay.
   */
  lines?(out: O, result: PipelineResult): string[];
  /** The lines a correct runner produces. */
  readonly expected: readonly string[];
}

/** The scenario's result as lines (see Scenario.lines). */
export function scenarioLines<O>(s: Scenario<O>, out: O, result: PipelineResult): string[] {
  if (s.lines) return s.lines(out, result);
  return (out as Probe<string>).records.map((r) => `${r.window.id} ${r.value}`).sort();
}

/** A probe's panes (see Probe.lines: `[window) TIMING #index [last] value`), sorted. */
export function paneLines(probe: Probe<unknown>): string[] {
  return probe.lines({ sorted: true });
}

/** Like paneLines, each with the output timestamp: `… ts=<ms>`. */
export function paneLinesWithTimestamps(probe: Probe<unknown>): string[] {
  return probe
    .lines()
    .map((l, i) => `${l} ts=${probe.records[i]!.timestamp}`)
    .sort();
}
