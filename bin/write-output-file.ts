import { writeWholeFile } from '../transforms/io/whole-file.js';
import { OutputFileError } from './output-file-error.js';

/**
 * Writes `text` (UTF-8) to `path` without ever destroying what is there: a regular file (or a path
 * that does not exist yet) is written to a hidden file next to it, flushed and renamed onto `path`
 * only once complete, so an existing file is never truncated or half written, and on an error the
 * hidden file is removed and `path` stays as it was; a FIFO, pipe, device or `/dev/stdout` is
 * written in place (see `openFileSinkTarget`), never replaced by a file. The reports and the run
 * summary of the CLI (`--report`, `--statsOut`) are written with it.
 * `flag` names the file in an error (`--statsOut`).
 * @throws OutputFileError naming the flag and path, the file system's error (EISDIR, EACCES, ENOSPC, ...) as its cause.
 * @example await writeOutputFile('out/report.html', html, '--report')
 */
export async function writeOutputFile(path: string, text: string, flag: string): Promise<void> {
  try {
    await writeWholeFile(path, text);
  } catch (e) {
    throw new OutputFileError(flag, path, e);
  }
}
