import { WatershedError } from '../sdk/errors.js';

/**
 * One runner's run under `compare` (a child process) failed: it printed its own error above; this
 * names the runner and how the child ended, so compare ends with one line instead of a stack trace.
 * @example new CompareRunError('native', 'exit code 1')
 */
export class CompareRunError extends WatershedError {
  constructor(
    /** The runner (or sweep point) whose run failed, e.g. `native`, `microbatch.batch-1s`. */
    readonly runner: string,
    /** How the child ended: `exit code <n>` or the signal's name. */
    readonly ended: string,
  ) {
    super('COMPARE_RUN', `the ${runner} run failed (${ended}); its error is printed above`);
  }
}
