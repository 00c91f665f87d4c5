/**
 * Whether a run failed only because the reader of its stdout pipe went away (`| head -1`): an EPIPE
 * anywhere in the error's cause chain. Unix tools stop quietly then, with the status of SIGPIPE (141).
 * @example isClosedPipe(new UserCodeError('WritePairs', 'process', Object.assign(new Error('EPIPE'), { code: 'EPIPE' }))) // true
 */
export function isClosedPipe(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return true;
  }
  return false;
}

/** The exit status of a process stopped by SIGPIPE, as a shell reports it. */
export const CLOSED_PIPE_EXIT_CODE = 141;
