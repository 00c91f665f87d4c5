import type { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';

/**
 * A pipeline run in the background of a test that watches it (a followed, unbounded read): the run's
 * outcome as it stands, and polling for a condition that fails fast once the run has ended.
 * @example
 * const { run, done } = background(p);
 * await until(() => probe.records.length >= 2, run, 60_000, 'the first windows');
 * controller.abort(); await done;
 */

/** How a background run stands: `settled` once it ended, with its `result` or its `error`. */
export interface BackgroundRun {
  settled: boolean;
  error: unknown;
  result: PipelineResult | undefined;
}

/** Starts `p.run()`; `done` resolves (never rejects) when the run ended, after `run` says how. */
export function background(p: Pipeline): { run: BackgroundRun; done: Promise<void> } {
  const run: BackgroundRun = { settled: false, error: undefined, result: undefined };
  const done = p.run().then(
    (r) => void (run.result = r),
    (e: unknown) => void (run.error = e),
  );
  void done.finally(() => (run.settled = true));
  return { run, done };
}

/**
 * Polls (every 50 ms) until `done()` holds.
 * @throws Error naming `what` and the run's error when the run ended first, or after `timeoutMs`.
 */
export async function until(done: () => boolean, run: { readonly settled: boolean; readonly error: unknown }, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (run.settled) throw new Error(`the run ended while waiting for ${what}: ${String(run.error)}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
