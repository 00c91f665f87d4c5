/**
 * Importing this module registers every runner, so `--runner=native|microbatch` resolves.
 * @example import 'watershed/runners/index.js'; await Pipeline.create(process.argv.slice(2)).run();
 */
import { registerRunner } from '../sdk/runner.js';
import { MicroBatchRunner } from './microbatch/microbatch-runner.js';
import { NativeRunner } from './native/native-runner.js';

registerRunner('native', () => new NativeRunner());
registerRunner('microbatch', () => new MicroBatchRunner());

export { NativeRunner, MicroBatchRunner };
export { SystemClock } from './system-clock.js';
