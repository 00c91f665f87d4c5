import { join } from 'node:path';
import { writeWholeFile } from '../transforms/io/whole-file.js';

/**
 * Writes each report file (`report.md`, `report.json`, `report.html`) into `dir` whole: each is
 * written to a hidden file in `dir`, flushed and renamed onto its name only once complete (see
 * {@link writeWholeFile}), so a crash or a full disk mid-write leaves the report that was there.
 * Returns the paths written, in order.
 * @throws the file system's error (ENOSPC, EACCES, ...) of the first file that could not be written;
 * that file and the ones after it are as they were.
 * @example await writeReportFiles('capability-matrix', files)
 */
export async function writeReportFiles(dir: string, files: Readonly<Record<string, string>>): Promise<string[]> {
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    await writeWholeFile(path, text);
    written.push(path);
  }
  return written;
}
