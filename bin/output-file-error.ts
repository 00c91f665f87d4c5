import { WatershedError } from '../sdk/errors.js';

/**
 * A file the command line writes after a run (`--statsOut`, `--report`, `--reportData`) could not be
 * written: the disk is full (ENOSPC), the directory is not writable (EACCES), the path is a
 * directory (EISDIR). Names the flag and the path; the file system's error is `cause`. What was at
 * the path before is as it was (see `writeOutputFile`). For `--statsOut` of `netflow`, the run's file
 * outputs were not published either: they and the summary are one set (see `FileOutputSet`).
 * @example new OutputFileError('--statsOut', '/dev/full', enospc).message
 *   // "cannot write --statsOut=/dev/full: ENOSPC: no space left on device, write (what was there is as it was)"
 */
export class OutputFileError extends WatershedError {
  readonly flag: string;
  readonly path: string;
  constructor(flag: string, path: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('OUTPUT_FILE', `cannot write ${flag}=${path}: ${detail} (what was there is as it was)`, {
      cause,
      retriable: typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === 'ENOSPC',
    });
    this.flag = flag;
    this.path = path;
  }
}
