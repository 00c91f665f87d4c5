import { openFileSinkTarget } from '../transforms/io/file-sink-target.js';
import { writeAllSync } from '../transforms/io/file-writer-thread.js';

/**
 * Writes `text` (UTF-8) to `path` without ever destroying what is there: a regular file (or a path
 * that does not exist yet) is written to a hidden file next to it, flushed and renamed onto `path`
 * only once complete, so an existing file is never truncated or half written, and on an error the
 * hidden file is removed and `path` stays as it was; a FIFO, pipe, device or `/dev/stdout` is
 * written in place (see `openFileSinkTarget`), never replaced by a file. The reports and the run
 * summary of the CLI (`--report`, `--statsOut`) are written with it.
 * @throws the file system's error (EISDIR, EACCES, ENOSPC, ...).
 * @example await writeOutputFile('out/report.html', html)
 */
export async function writeOutputFile(path: string, text: string): Promise<void> {
  const target = await openFileSinkTarget(path);
  try {
    const bytes = Buffer.from(text, 'utf8');
    writeAllSync(target.fd, bytes, 0, bytes.length, target.positional ? 0 : null);
    await target.commit();
  } catch (e) {
    await target.abort();
    throw e;
  }
}
