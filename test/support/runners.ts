import '../../runners/index.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { PipelineResult } from '../../sdk/runner.js';

/** A runner configuration of the semantic tests: a label for the test name and the options of the run. */
export interface RunnerConfig {
  readonly label: string;
  readonly options: Partial<PipelineOptions>;
}

/**
 * The runner configurations every semantic test runs on. Micro-batch runs with several batch
 * intervals: results the model says are interval-independent must be equal for all of them.
 */
export const RUNNER_CONFIGS: readonly RunnerConfig[] = [
  { label: 'native', options: { runner: 'native' } },
  { label: 'native(bundle=1)', options: { runner: 'native', bundleSize: 1, bufferSize: 1 } },
  { label: 'microbatch(1s)', options: { runner: 'microbatch', batchInterval: 1000 } },
  { label: 'microbatch(250ms)', options: { runner: 'microbatch', batchInterval: 250 } },
  { label: 'microbatch(asap)', options: { runner: 'microbatch', batchInterval: 'asap' } },
];

/** Just one configuration per runner, for slower tests. */
export const RUNNERS = RUNNER_CONFIGS.filter((c) => c.label === 'native' || c.label === 'microbatch(1s)');

/**
 * The parallelism axis (docs/design/scale-out.md §6 step 4): one configuration per runner with
 * `parallelism: 3`, each keyed step run as three instances. Outputs are the same records as with 1;
 * only the order between keys may change, so compare through `inRunOrder`.
 */
export const PARALLEL_CONFIGS: readonly RunnerConfig[] = [
  { label: 'native(parallelism=3)', options: { runner: 'native', parallelism: 3 } },
  { label: 'microbatch(1s, parallelism=3)', options: { runner: 'microbatch', batchInterval: 1000, parallelism: 3 } },
];

/** RUNNER_CONFIGS and PARALLEL_CONFIGS: the configurations of the semantic suites that compare through `inRunOrder`. */
export const RUNNER_CONFIGS_WITH_PARALLELISM: readonly RunnerConfig[] = [...RUNNER_CONFIGS, ...PARALLEL_CONFIGS];

/**
 * Result lines as a run with `options` can promise them: as they are with one instance per step, and
 * sorted (a multiset) above one, where the order between keys may change. Every line is kept whole, so
 * what a line states (window, pane, timestamp, retraction, value) is still compared; only its position
 * is not. Apply it to both sides: `expect(inRunOrder(o, actual)).toEqual(inRunOrder(o, expected))`.
 * @example inRunOrder({ parallelism: 3 }, ['b 1', 'a 2']) // ['a 2', 'b 1']
 */
export function inRunOrder(options: Partial<PipelineOptions>, lines: readonly string[]): string[] {
  return (options.parallelism ?? 1) > 1 ? [...lines].sort() : [...lines];
}

/** Builds a pipeline with `options`, lets `build` add steps, runs it, returns what build returned plus the result. */
export async function runWith<T>(options: Partial<PipelineOptions>, build: (p: Pipeline) => T): Promise<{ out: T; result: PipelineResult }> {
  const p = Pipeline.create(options);
  const out = build(p);
  const result = await p.run();
  return { out, result };
}
