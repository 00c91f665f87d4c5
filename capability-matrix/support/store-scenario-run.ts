import { VirtualClock } from '../../sdk/clock.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';
import type { CommittedStore } from '../../sdk/testing/committed-capture.js';

/** How long a case's `prepare` runs (failure-free and crashing runs) before it is cancelled. */
export const PREPARE_TIMEOUT_MS = 20_000;

/** The other of the two shipped runners: where a checkpoint taken on `runner` resumes, or the other way round. */
export const otherRunner = (runner: string): string => (runner === 'native' ? 'microbatch' : 'native');

/** A pipeline that commits its output into `store` (a CommittedCapture sink): the Checkpoint and Exactly-once rows' scenarios. */
export type StoreScenario = (p: Pipeline, store: CommittedStore<unknown>) => void;

/**
 * Runs `scenario` on a virtual clock from 0, cancelled after {@link PREPARE_TIMEOUT_MS}, with `options` on top.
 * @example const result = await runStoreScenario(windowedCount, { runner: 'native', checkpointDir }, store);
 */
export function runStoreScenario(scenario: StoreScenario, options: Partial<PipelineOptions>, store: CommittedStore<unknown>): Promise<PipelineResult> {
  const p = Pipeline.create({ clock: new VirtualClock(0), signal: AbortSignal.timeout(PREPARE_TIMEOUT_MS), ...options });
  scenario(p, store);
  return p.run();
}
