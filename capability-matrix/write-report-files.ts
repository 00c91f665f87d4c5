import { join } from 'node:path';
import { writeWholeFileSet } from '../transforms/io/whole-file-set.js';

/**
 * Writes the report files (`report.md`, `report.json`, `report.html`) into `dir` as one set (see
 * {@link writeWholeFileSet}): all are written to hidden files in `dir` and flushed first, then each is
 * renamed onto its name. A crash, a full disk or any error while writing leaves every report that was
 * there as it was, so the three never mix two runs; only a machine crash during the renames themselves
 * (microseconds) can leave some reports of each run, each whole. Returns the paths written, in order.
 * @throws the file system's error (ENOSPC, EACCES, ...) of the first file that could not be written;
 * then every report is as it was.
 * @example await writeReportFiles('capability-matrix', files)
 */
export async function writeReportFiles(dir: string, files: Readonly<Record<string, string>>): Promise<string[]> {
  const entries = Object.entries(files).map(([name, text]) => [join(dir, name), text] as const);
  await writeWholeFileSet(entries);
  return entries.map(([path]) => path);
}
