import { PipelineOptionsError } from '../../sdk/errors.js';
import { isInside, sameFile } from '../../transforms/io/same-file.js';
import type { NetflowInput, NetflowOutput } from './netflow-app.js';

/** A file a command will write, and how to name it in a message (e.g. `--output=ndjson:out.ndjson`). */
export interface OutputFile {
  readonly path: string;
  readonly what: string;
}

/** An output that is the input file: writing it would destroy the input. Nothing was run or written. */
export class OutputIsInputError extends PipelineOptionsError {
  constructor(
    readonly input: string,
    readonly output: string,
    what: string,
    relation: 'is the input file' | 'holds the input file' = 'is the input file',
  ) {
    super(`${what} ${relation} ${input}: writing it would destroy the input. Choose another output path.`);
  }
}

/**
 * Refuses outputs that are the input file (the same path however spelt, a symbolic link to it, or a
 * hard link: see {@link sameFile}), or a folder holding it (with checkpoints an output is a folder of
 * part files, whose older parts a fresh run moves aside), before anything is opened. Inputs that are not files (the
 * generator, Kafka) have nothing to refuse.
 * @throws OutputIsInputError naming the first such output.
 * @example refuseOutputOntoInput({ kind: 'ndjson', path: 'x.ndjson' }, outputFilesOf({ kind: 'ndjson', path: './x.ndjson' })) // throws
 */
export function refuseOutputOntoInput(input: NetflowInput, outputs: readonly OutputFile[]): void {
  if (input.kind === 'generator' || input.kind === 'kafka') return;
  for (const o of outputs) {
    if (sameFile(input.path, o.path)) throw new OutputIsInputError(input.path, o.path, o.what);
    // With checkpoints an output path is a folder of part files: a fresh run moves the parts in it aside.
    if (isInside(o.path, input.path)) throw new OutputIsInputError(input.path, o.path, o.what, 'holds the input file');
  }
}

/** The file a flag names, if it is given: `flagFile('statsOut', 's.json')` → `[{ path: 's.json', what: '--statsOut=s.json' }]`. */
export function flagFile(flag: string, path: string | undefined): OutputFile[] {
  return path === undefined ? [] : [{ path, what: `--${flag}=${path}` }];
}

/** The file an output writes, if it writes one (`flag` names it in messages: output, deadLetters, lateOutput). */
export function outputFilesOf(output: NetflowOutput | { readonly kind: string; readonly path?: string } | undefined, flag = 'output'): OutputFile[] {
  return output?.kind === 'ndjson' && output.path !== undefined ? [{ path: output.path, what: `--${flag}=ndjson:${output.path}` }] : [];
}
