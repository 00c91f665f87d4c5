import { OutputInCheckpointDirError } from '../../sdk/errors.js';
import { isInside, sameFile } from '../../transforms/io/same-file.js';
import type { OutputFile } from './output-not-input.js';

/**
 * Refuses, before anything runs, an output file inside `--checkpointDir` (at any depth, however spelt
 * or linked), the directory itself, or an output folder holding it (with `--checkpointDir` a file
 * output is a folder of part files): the checkpoint store owns that directory, and would sweep the
 * output or refuse to resume from a directory holding it. Nothing to check without `checkpointDir`.
 * @throws OutputInCheckpointDirError naming the first such output and the directory.
 * @example refuseOutputsInCheckpointDir(flagFile('statsOut', 'ck/stats.json'), 'ck') // throws
 */
export function refuseOutputsInCheckpointDir(outputs: readonly OutputFile[], checkpointDir: string | undefined): void {
  if (checkpointDir === undefined) return;
  for (const o of outputs) {
    const relation = sameFile(o.path, checkpointDir) ? 'is' : isInside(checkpointDir, o.path) ? 'inside' : isInside(o.path, checkpointDir) ? 'holds' : undefined;
    if (relation) throw new OutputInCheckpointDirError(o.what, o.path, `--checkpointDir=${checkpointDir}`, relation);
  }
}
