import { failpoint } from '../../sdk/testing/failpoints.js';
import { openFileSinkTarget } from './file-sink-target.js';
import { writeAllSync } from './file-writer-thread.js';

/**
 * Writes `data` (a string as UTF-8) to `path` as one whole file, never destroying what is there: a
 * regular file (or a path that does not exist yet) is written to a hidden file next to it, flushed
 * and renamed onto `path` only once complete, so an existing file is never truncated or half written,
 * and after an error the hidden file is gone and `path` is as it was. A FIFO, pipe, device or
 * `/dev/stdout` is written in place (see {@link openFileSinkTarget}). Reports and run summaries are
 * written with it. Failpoint `file.write` is reached half-way through the bytes (for tests).
 * @throws the file system's error (EISDIR, EACCES, ENOSPC, ...), after removing the hidden file.
 * @example await writeWholeFile('out/report.json', JSON.stringify(report))
 */
export async function writeWholeFile(path: string, data: string | Uint8Array): Promise<void> {
  const target = await openFileSinkTarget(path);
  try {
    writeInHalves(target.fd, data, target.positional, path);
    await target.commit();
  } catch (e) {
    await target.abort();
    throw e;
  }
}

/**
 * Writes all of `data` (a string as UTF-8) to `fd`, at offset 0 when `positional`, else at its current
 * offset, in two halves with failpoint `file.write` (named `path`) between them, so a test can fail a
 * write half-way. @throws the file system's error (ENOSPC, EIO, ...).
 */
export function writeInHalves(fd: number, data: string | Uint8Array, positional: boolean, path: string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const half = bytes.length >> 1;
  const at = (n: number) => (positional ? n : null);
  writeAllSync(fd, bytes, 0, half, at(0));
  failpoint('file.write', path);
  writeAllSync(fd, bytes, half, bytes.length - half, at(half));
}
