/**
 * The runners. Importing this module registers them, so `--runner=native` (streaming, element by
 * element; the default) and `--runner=microbatch` (batches of processing time) resolve; a pipeline
 * never names its runner in code.
 * @example
 * import 'watershed/runners';
 * const p = Pipeline.create(process.argv.slice(2)); // node app.ts --runner=microbatch --batchInterval=500ms
 * @module watershed/runners
 */
import { registerRunner, type Runner } from '../sdk/runner.js';
import { MicroBatchRunner as MicroBatchRunnerClass } from './microbatch/microbatch-runner.js';
import { NativeRunner as NativeRunnerClass } from './native/native-runner.js';

registerRunner('native', () => new NativeRunnerClass());
registerRunner('microbatch', () => new MicroBatchRunnerClass());

/**
 * The native streaming runner, what `--runner=native` runs on: `new NativeRunner()` is a {@link Runner}
 * (its loop and the engine it shares with the micro-batch runner are not part of the API).
 */
export const NativeRunner: new () => Runner = NativeRunnerClass;
export type NativeRunner = Runner;
/** The micro-batch runner, what `--runner=microbatch` runs on: `new MicroBatchRunner()` is a {@link Runner}. */
export const MicroBatchRunner: new () => Runner = MicroBatchRunnerClass;
export type MicroBatchRunner = Runner;
export { SystemClock } from './system-clock.js';
