import { PipelineOptionsError } from '../../../sdk/errors.js';
import { parseDuration } from '../../../sdk/options.js';
import type { NetflowRunSummary } from '../netflow-app.js';
import { compareResults } from './result-equality.js';
import { spreadOf, type Spread } from './spread.js';

/**
 * The batch-interval sweep of `compare --sweep=asap,100ms,1s,5s`: the micro-batch runner run at each
 * interval, to read latency against throughput (a shorter interval answers sooner; a longer one does
 * more per batch). Each point carries the spread of its runs and whether its results equal the
 * reference run's (the first native run): a faster point that computes something else is no answer.
 */

/** The most intervals one sweep takes. */
export const MAX_SWEEP = 10;

export interface SweepPoint {
  /** The --batchInterval value as given ('asap', '100ms', '1s', ...). */
  readonly batchInterval: string;
  /** The interval in ms; 0 for 'asap' (the next batch starts when the last ends). */
  readonly intervalMs: number;
  readonly latencyP50: Spread | null;
  readonly latencyP99: Spread | null;
  readonly eventsPerSecond: Spread | null;
  /** Micro-batches of the first run. */
  readonly batches: number | null;
  /** The point's runs computed the same pairs and distances as the reference run. */
  readonly equal: boolean;
  /** Runs of this point that started with a 1-minute load average at or above the machine's CPUs (their times include waiting for a CPU). */
  readonly busyRuns: number;
}

/**
 * `--sweep`'s intervals, in the order given.
 * @throws PipelineOptionsError for an empty list, more than MAX_SWEEP, a repeated value or one that is neither 'asap' nor a duration above 0
 * @example parseSweep('asap,100ms,1s') // [{ flag: 'asap', ms: 0 }, { flag: '100ms', ms: 100 }, { flag: '1s', ms: 1000 }]
 */
export function parseSweep(text: string): { readonly flag: string; readonly ms: number }[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) throw new PipelineOptionsError(`--sweep=${text}: give batch intervals separated by commas, e.g. --sweep=asap,100ms,1s,5s`);
  if (items.length > MAX_SWEEP) throw new PipelineOptionsError(`--sweep=${text}: at most ${MAX_SWEEP} intervals`);
  const out = items.map((flag) => {
    if (flag === 'asap') return { flag, ms: 0 };
    const ms = parseDuration(flag, 'sweep');
    if (!(ms > 0)) throw new PipelineOptionsError(`--sweep: ${flag} is not above 0 ms (use 'asap' for back-to-back batches)`);
    return { flag, ms };
  });
  const seen = new Set<number>();
  for (const p of out) {
    if (seen.has(p.ms)) throw new PipelineOptionsError(`--sweep=${text}: ${p.flag} is given twice`);
    seen.add(p.ms);
  }
  return out;
}

/**
 * One sweep point from the runs at one interval, checked against the reference run.
 * @throws RangeError without runs
 */
export function sweepPoint(batchInterval: string, intervalMs: number, runs: readonly NetflowRunSummary[], reference: NetflowRunSummary): SweepPoint {
  if (runs.length === 0) throw new RangeError(`sweep point ${batchInterval}: no runs`);
  return {
    batchInterval,
    intervalMs,
    latencyP50: spreadOf(runs.map((r) => r.latencyMs.p50)),
    latencyP99: spreadOf(runs.map((r) => r.latencyMs.p99)),
    eventsPerSecond: spreadOf(runs.map((r) => r.throughput.eventsPerSecond)),
    batches: runs[0]!.batches,
    equal: runs.every((r) => compareResults([reference.runner, r.runner], reference.pairs, r.pairs).equal),
    busyRuns: runs.filter((r) => r.machine.loadAverage >= r.machine.cpus).length,
  };
}
