import { VirtualClock } from '../sdk/clock.js';
import { UnsupportedFeaturesError } from '../sdk/errors.js';
import { Pipeline } from '../sdk/pipeline.js';
import type { PipelineRun } from '../sdk/runner.js';
import type { AllowedDifferenceNote, Capability, CaseContext, CaseRun, ConformanceCase, Group, Measurement, RunControl } from './model.js';

/**
 * Runs the conformance suite on runners and scores each capability:
 * - Yes: every case passes;
 * - Partially: some pass (the notes list which fail and why);
 * - No: none pass — including when the runner rejects the pipelines at validation
 *   (UnsupportedFeaturesError; the reason is recorded per case);
 * - No (not implemented): the row has no cases because Watershed lacks the capability (`notImplemented`);
 * - untested: the row has no cases yet ("not yet covered"), which is not a No.
 *
 * Every pipeline runs with the runner's default options on a virtual clock starting at 0, so
 * processing time (and everything measured with it) is deterministic — except cases that ask for the
 * system clock (Kafka reads run on real time); those read bounded input and check only what does not
 * depend on timing. A case's `options` add to these (the Checkpoint cases resume from the checkpoint
 * directory their `prepare` crashed a run in, and the file case uses a clock that ticks per read).
 *
 * Capabilities that require Kafka get the broker from env KAFKA_BROKERS; without it runSuite throws
 * (a report with those rows silently failing would differ from the committed one for the wrong reason).
 */

export type Verdict = 'Yes' | 'Partially' | 'No' | 'untested';

export type CaseStatus = 'pass' | 'fail' | 'rejected';

export interface CaseResult {
  readonly name: string;
  readonly status: CaseStatus;
  /** Why it failed or was rejected. */
  readonly reason?: string;
  /** A measurement the check reported (e.g. a latency on the virtual clock). */
  readonly observed?: string;
  /** The same measurement as a number (see Measurement). */
  readonly measured?: Measurement;
  /** The allowed differences it passed with, and how it failed without them (see CheckResult). */
  readonly differences?: readonly string[];
  readonly withoutDifferences?: string;
}

export interface Cell {
  readonly verdict: Verdict;
  /** e.g. "2/3 cases pass"; for untested rows, why there are no cases yet. */
  readonly summary: string;
  readonly cases: readonly CaseResult[];
}

export interface CapabilityResult {
  readonly id: string;
  readonly group: Group;
  readonly name: string;
  readonly description: string;
  readonly source: string;
  readonly beamRow?: string;
  readonly caseNotes: readonly { readonly name: string; readonly notes?: string }[];
  readonly differences?: readonly AllowedDifferenceNote[];
  /** By runner name. */
  readonly cells: Readonly<Record<string, Cell>>;
}

export interface SuiteResult {
  readonly runners: readonly string[];
  readonly capabilities: readonly CapabilityResult[];
}

/** Real-time guard against a runner that never finishes; never reached by a working runner. */
const CASE_TIMEOUT_MS = 20_000;

function message(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.replace(/\s+/g, ' ').trim();
  return String(e);
}

function rejected(c: ConformanceCase, e: UnsupportedFeaturesError): CaseResult {
  return { name: c.name, status: 'rejected', reason: `rejected at validation: ${e.features.map((f) => `${f.step}: ${f.feature} (${f.reason})`).join('; ')}` };
}

/** Runs one case on one runner (by registered name). Never throws. */
export async function runCase(runner: string, c: ConformanceCase, ctx: CaseContext = { runner }): Promise<CaseResult> {
  const runs: CaseRun<unknown>[] = [];
  const times = c.runs ?? 1;
  for (let i = 0; i < times; i++) {
    let prepared: unknown;
    try {
      prepared = c.prepare ? await c.prepare(ctx) : undefined;
    } catch (e) {
      // the preparation may run a pipeline of its own on the runner (e.g. writing the input topic)
      if (e instanceof UnsupportedFeaturesError) return rejected(c, e);
      return { name: c.name, status: 'fail', reason: `the case's preparation failed: ${message(e)}` };
    }
    const abort = new AbortController();
    const guard = setTimeout(() => abort.abort(), CASE_TIMEOUT_MS);
    try {
      const extra = c.options ? c.options(prepared) : {};
      const p = Pipeline.create(c.clock === 'system' ? { ...extra, runner, signal: abort.signal } : { clock: new VirtualClock(0), ...extra, runner, signal: abort.signal });
      const ends = c.ends ?? 'DONE';
      let run: PipelineRun | undefined;
      const control: RunControl = {
        stop(options) {
          if (!run?.stop) throw new Error('stop asked for before the run started, or the runner cannot stop a run gracefully');
          void run.stop(options);
        },
      };
      const out = c.build(p, prepared, control);
      run = p.start();
      if (ends !== 'DONE' && !run.stop) {
        run.cancel();
        await run.done.catch(() => undefined);
        return { name: c.name, status: 'fail', reason: `the runner cannot stop a run gracefully (PipelineRun.stop is undefined), so the run cannot end ${ends}` };
      }
      const result = await run.done;
      if (result.state !== ends) {
        const why = result.state === 'CANCELLED' ? `the run did not finish within ${CASE_TIMEOUT_MS / 1000} s (CANCELLED)` : `the run ended ${result.state}`;
        return { name: c.name, status: 'fail', reason: `${why}; expected ${ends}` };
      }
      runs.push({ out, result, options: p.options, microBatch: result.batches !== undefined });
    } catch (e) {
      if (e instanceof UnsupportedFeaturesError) return rejected(c, e);
      return { name: c.name, status: 'fail', reason: `the run failed: ${message(e)}` };
    } finally {
      clearTimeout(guard);
    }
  }
  try {
    const r = c.check(runs[runs.length - 1]!, runs);
    const extra = {
      ...(r.observed === undefined ? {} : { observed: r.observed }),
      ...(r.measured === undefined ? {} : { measured: r.measured }),
      ...(r.differences?.length ? { differences: r.differences } : {}),
      ...(r.withoutDifferences === undefined ? {} : { withoutDifferences: r.withoutDifferences }),
    };
    return r.ok ? { name: c.name, status: 'pass', ...extra } : { name: c.name, status: 'fail', reason: r.reason ?? 'check failed', ...extra };
  } catch (e) {
    return { name: c.name, status: 'fail', reason: `the check threw: ${message(e)}` };
  }
}

/** Scores one capability from its case results. */
export function score(cap: Capability, results: readonly CaseResult[]): Cell {
  if (cap.cases.length === 0 && cap.notImplemented !== undefined) return { verdict: 'No', summary: `not implemented: ${cap.notImplemented}`, cases: [] };
  if (cap.cases.length === 0) return { verdict: 'untested', summary: cap.notYetCovered ?? 'not yet covered', cases: [] };
  const passed = results.filter((r) => r.status === 'pass').length;
  const n = results.length;
  const rejected = results.filter((r) => r.status === 'rejected').length;
  const verdict: Verdict = passed === n ? 'Yes' : passed === 0 ? 'No' : 'Partially';
  const summary =
    passed === n
      ? `${n}/${n} cases pass`
      : rejected === n
        ? `rejected at validation (${n}/${n} cases)`
        : `${passed}/${n} cases pass` + (rejected ? `, ${rejected} rejected at validation` : '');
  return { verdict, summary, cases: results };
}

/** Runs every case of every capability on every runner, one at a time (output is deterministic). */
export async function runSuite(
  capabilities: readonly Capability[],
  runners: readonly string[],
  onProgress?: (runner: string, cap: Capability) => void,
): Promise<SuiteResult> {
  const kafkaBrokers = process.env['KAFKA_BROKERS'] || undefined;
  const needKafka = capabilities.filter((c) => c.requires?.includes('kafka') && c.cases.length > 0).map((c) => c.id);
  if (needKafka.length > 0 && kafkaBrokers === undefined) {
    throw new Error(
      `the capability matrix needs a Kafka broker for ${needKafka.join(', ')}: set KAFKA_BROKERS=host:port ` +
        '(npm run capability-matrix starts one itself when it is unset; vitest provides one through its global setup)',
    );
  }
  const out: CapabilityResult[] = [];
  for (const cap of capabilities) {
    const cells: Record<string, Cell> = {};
    for (const runner of runners) {
      onProgress?.(runner, cap);
      const results: CaseResult[] = [];
      const ctx: CaseContext = cap.requires?.includes('kafka') ? { runner, kafkaBrokers } : { runner };
      for (const c of cap.cases) results.push(await runCase(runner, c, ctx));
      cells[runner] = score(cap, results);
    }
    out.push({
      id: cap.id,
      group: cap.group,
      name: cap.name,
      description: cap.description,
      source: cap.source,
      ...(cap.beamRow ? { beamRow: cap.beamRow } : {}),
      caseNotes: cap.cases.map((c) => (c.notes ? { name: c.name, notes: c.notes } : { name: c.name })),
      ...(cap.differences?.length ? { differences: cap.differences } : {}),
      cells,
    });
  }
  return { runners: [...runners], capabilities: out };
}
