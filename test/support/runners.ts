import '../../runners/index.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { PipelineResult } from '../../sdk/runner.js';

/**
 * The runner configurations every semantic test runs on. Micro-batch runs with several batch
 * intervals: results the model says are interval-independent must be equal for all of them.
 */
export const RUNNER_CONFIGS: readonly { readonly label: string; readonly options: Partial<PipelineOptions> }[] = [
  { label: 'native', options: { runner: 'native' } },
  { label: 'native(bundle=1)', options: { runner: 'native', bundleSize: 1, bufferSize: 1 } },
  { label: 'microbatch(1s)', options: { runner: 'microbatch', batchInterval: 1000 } },
  { label: 'microbatch(250ms)', options: { runner: 'microbatch', batchInterval: 250 } },
  { label: 'microbatch(asap)', options: { runner: 'microbatch', batchInterval: 'asap' } },
];

/** Just one configuration per runner, for slower tests. */
export const RUNNERS = RUNNER_CONFIGS.filter((c) => c.label === 'native' || c.label === 'microbatch(1s)');

/** Builds a pipeline with `options`, lets `build` add steps, runs it, returns what build returned plus the result. */
export async function runWith<T>(options: Partial<PipelineOptions>, build: (p: Pipeline) => T): Promise<{ out: T; result: PipelineResult }> {
  const p = Pipeline.create(options);
  const out = build(p);
  const result = await p.run();
  return { out, result };
}
