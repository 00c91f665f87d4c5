import { WatershedError } from '../sdk/errors.js';

/**
 * The command line could not write its standard output: stdout is a file on a full disk (ENOSPC, e.g.
 * `> /dev/full`), a device or socket that fails (EIO, ...). What was printed there is incomplete, so the
 * command exits with 1 (a closed pipe, EPIPE, is not this: the reader left on purpose, `| head`, and the
 * command stops quietly with 141). The write's error is `cause`; `code` on it says which.
 * @example new StdoutWriteError(enospc).message // 'cannot write to stdout: ENOSPC: no space left on device, write (what it shows is incomplete)'
 */
export class StdoutWriteError extends WatershedError {
  constructor(cause: unknown) {
    super('STDOUT_WRITE', `cannot write to stdout: ${cause instanceof Error ? cause.message : String(cause)} (what it shows is incomplete)`, { cause });
  }
}
