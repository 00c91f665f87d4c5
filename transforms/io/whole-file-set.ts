import { FileOutputSet } from './file-output-set.js';
import { InProgressFile } from './in-progress-file.js';
import { writeInHalves } from './whole-file.js';

/**
 * Writes several regular files (reports that are read together) so that the set stays consistent:
 * every file is first written whole to a hidden file next to its name and flushed to disk; only when
 * all are complete is each renamed onto its name, one after the other (microseconds apart). So an
 * error or a crash while writing (a full disk, a failed render, SIGKILL) leaves every existing file
 * exactly as it was (and no hidden file, but after SIGKILL); no file is truncated or deleted before
 * the new set is complete. A machine crash during the renames themselves can leave some files of the
 * new set and some of the old one, each whole. Failpoint `file.write` is reached half-way through each
 * file's bytes, `fileSet.rename` before each rename (for tests).
 * @throws the file system's error (ENOSPC, EACCES, EISDIR; ENOTREGULAR for a FIFO or device: a set is
 * only regular files): when writing, after removing every hidden file, all files as they were; when a
 * rename fails, the files before it are new, it and the ones after it as they were.
 * @example await writeWholeFileSet([['out/report.json', json], ['out/report.html', html]])
 */
export async function writeWholeFileSet(files: ReadonlyArray<readonly [path: string, data: string | Uint8Array]>): Promise<void> {
  const set = new FileOutputSet();
  try {
    for (const [path, data] of files) {
      const file = await InProgressFile.create(path);
      try {
        writeInHalves(file.fd, data, true, path);
      } catch (e) {
        await file.discard();
        throw e;
      }
      await set.add(file);
    }
    await set.publish();
  } catch (e) {
    // the files not renamed yet (all of them when writing failed) are removed
    await set.discard();
    throw e;
  }
}
