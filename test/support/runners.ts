import { inspect } from 'node:util';
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

/** The instances per keyed step of PARALLEL_CONFIGS: 4, so the suites' keys spread ('a' and 'b' share an instance at 3). */
export const PARALLEL_INSTANCES = 4;

/**
 * The parallelism axis (docs/design/scale-out.md §6 step 4): one configuration per runner with
 * `parallelism: PARALLEL_INSTANCES` (4), each keyed step run as that many instances. Outputs are the same records as with 1;
 * only the order between keys may change, so compare through `inRunOrder`.
 */
export const PARALLEL_CONFIGS: readonly RunnerConfig[] = [
  { label: `native(parallelism=${PARALLEL_INSTANCES})`, options: { runner: 'native', parallelism: PARALLEL_INSTANCES } },
  { label: `microbatch(1s, parallelism=${PARALLEL_INSTANCES})`, options: { runner: 'microbatch', batchInterval: 1000, parallelism: PARALLEL_INSTANCES } },
];

/** RUNNER_CONFIGS and PARALLEL_CONFIGS: the configurations of the semantic suites that compare through `inRunOrder`. */
export const RUNNER_CONFIGS_WITH_PARALLELISM: readonly RunnerConfig[] = [...RUNNER_CONFIGS, ...PARALLEL_CONFIGS];

/**
 * Results as a run with `options` can promise them: in emission order with one instance per step, and
 * sorted (a multiset) above one, where the order between keys may change (the order within a key
 * stays). Every item is kept whole, so what it states (window, pane, timestamp, retraction, value) is
 * still compared; only its position is not. Strings sort as they are, other values by their
 * `util.inspect` text (Maps and Sets included). Apply it to both sides:
 * `expect(inRunOrder(o, actual)).toEqual(inRunOrder(o, expected))`.
 * @example inRunOrder({ parallelism: PARALLEL_INSTANCES }, ['b 1', 'a 2']) // ['a 2', 'b 1']
 */
export function inRunOrder<T>(options: Partial<PipelineOptions>, items: readonly T[]): T[] {
  if (oneInstance(options)) return [...items];
  const text = (x: T) => (typeof x === 'string' ? x : inspect(x, { depth: null, sorted: true, breakLength: Infinity, compact: true }));
  return items
    .map((x) => [text(x), x] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, x]) => x);
}

/**
 * Whether a run with `options` has one instance per step: for `it.runIf(oneInstance(options))`, the tests
 * a suite on RUNNER_CONFIGS_WITH_PARALLELISM keeps at parallelism 1, each with a comment saying why
 * (it asserts an order between keys, or reads what a parallel run does not have, e.g. the run's state backend).
 */
export function oneInstance(options: Partial<PipelineOptions>): boolean {
  return (options.parallelism ?? 1) === 1;
}

/** Builds a pipeline with `options`, lets `build` add steps, runs it, returns what build returned plus the result. */
export async function runWith<T>(options: Partial<PipelineOptions>, build: (p: Pipeline) => T): Promise<{ out: T; result: PipelineResult }> {
  const p = Pipeline.create(options);
  const out = build(p);
  const result = await p.run();
  return { out, result };
}
