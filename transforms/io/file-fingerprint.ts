import { crc32c } from '@node-rs/crc32';
import { open, stat } from 'node:fs/promises';
import { SourcePositionError } from '../../sdk/errors.js';

/** How many leading bytes identify a file. */
const HEAD_BYTES = 64 * 1024;

/**
 * What tells a file apart from another under the same path: the CRC32C of its first bytes (up to
 * 64 KiB; fewer when the file was smaller). Plain data, stored in a file source's position. An
 * appended file keeps its fingerprint; a replaced or rewritten one almost always changes it.
 */
export interface FileFingerprint {
  readonly headBytes: number;
  readonly headCrc32c: number;
}

/**
 * The fingerprint of the file at `path` now; undefined when it is not a regular file (a pipe or a
 * device, whose bytes reading would consume, and which cannot be resumed anyway).
 * @throws the file system's error (e.g. ENOENT).
 * @example const f = await fingerprintFile('flows.ndjson'); // { headBytes: 65536, headCrc32c: 3735928559 }
 */
export async function fingerprintFile(path: string, headBytes = HEAD_BYTES): Promise<FileFingerprint | undefined> {
  // Not opened unless it is a regular file: opening a pipe for reading and closing it again would let
  // its writer go on, and the bytes it wrote meanwhile would be lost to the reader that opens it next.
  if (!(await stat(path)).isFile()) return undefined;
  const fh = await open(path, 'r');
  try {
    if (!(await fh.stat()).isFile()) return undefined;
    const buf = Buffer.alloc(headBytes);
    let n = 0;
    while (n < headBytes) {
      const { bytesRead } = await fh.read(buf, n, headBytes - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { headBytes: n, headCrc32c: crc32c(buf.subarray(0, n)) };
  } finally {
    await fh.close();
  }
}

/**
 * Checks that reading `path` can continue at byte `byte` (just after a line's `\n`, or at the file's
 * end after an unterminated last line) of the file that had fingerprint `was`:
 * - the file may have grown (lines appended since): reading continues and reads them too;
 * - it must not be shorter than `byte`, nor differ in its first bytes (replaced or rewritten), nor
 *   have grown after an unterminated last line that was already read (its rest would read as a
 *   line of its own).
 * @throws SourcePositionError ('truncated', 'replaced', 'partial-line-grew' or, for a pipe or device,
 * 'not-resumable') naming the file.
 * @example await checkResumable('flows.ndjson', 4096, position.file)
 */
export async function checkResumable(path: string, byte: number, was: FileFingerprint | undefined): Promise<void> {
  if (was === undefined) {
    throw new SourcePositionError(path, 'not-resumable', 'it was not a regular file (a pipe or a device) when the checkpoint read it, so it cannot be read again from a position');
  }
  const fh = await open(path, 'r');
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new SourcePositionError(path, 'not-resumable', 'it is not a regular file (a pipe or a device) now, so it cannot be read from a position');
    const size = stat.size;
    if (size < byte) {
      throw new SourcePositionError(path, 'truncated', `the checkpoint read up to byte ${byte}, but the file has ${size} bytes now; it was truncated or replaced since. Resume with the original file, or start over with a new --checkpointDir`);
    }
    const now = (await fingerprintFile(path, was.headBytes))!;
    if (now.headBytes !== was.headBytes || now.headCrc32c !== was.headCrc32c) {
      throw new SourcePositionError(path, 'replaced', `its first ${was.headBytes} bytes differ from the file the checkpoint read (crc32c ${now.headCrc32c} instead of ${was.headCrc32c}); it was replaced or rewritten since. Resume with the original file, or start over with a new --checkpointDir`);
    }
    if (byte > 0 && byte < size) {
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, byte - 1);
      if (b[0] !== 10) {
        throw new SourcePositionError(path, 'partial-line-grew', `the checkpoint read its last line up to byte ${byte} before that line was terminated, and the file grew since (${size} bytes): the rest of that line cannot be read as a line of its own`);
      }
    }
  } finally {
    await fh.close();
  }
}
