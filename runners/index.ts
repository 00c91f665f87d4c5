/**
 * The runners. Importing this module registers them, so `--runner=native` (streaming, element by
 * element; the default) and `--runner=microbatch` (batches of processing time) resolve; a pipeline
 * never names its runner in code.
 * @example
 * import 'watershed/runners';
 * const p = Pipeline.create(process.argv.slice(2)); // node app.ts --runner=microbatch --batchInterval=500ms
 * @module watershed/runners
 */
import { registerRunner } from '../sdk/runner.js';
import { MicroBatchRunner } from './microbatch/microbatch-runner.js';
import { NativeRunner } from './native/native-runner.js';

registerRunner('native', () => new NativeRunner());
registerRunner('microbatch', () => new MicroBatchRunner());

export { NativeRunner, MicroBatchRunner };
export { SystemClock } from './system-clock.js';
