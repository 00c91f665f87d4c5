import { WatershedError } from '../../sdk/errors.js';

/**
 * A file became shorter than the offset already read while it was being read (truncated or rewritten
 * in place by another program): the lines after that offset are gone, so the read fails instead of
 * ending early as if the file were complete (which would publish output computed from part of it).
 * Names the read step (the line reader's `step` option; `LineReader` when it was opened without
 * one) and the file.
 * @example new InputTruncatedError('Flows', 'flows.ndjson', 20_000_000, 84_934_656)
 */
export class InputTruncatedError extends WatershedError {
  constructor(
    /** The step reading the file. */
    readonly step: string,
    /** The file that shrank. */
    readonly path: string,
    /** Its size when the reader found it shorter. */
    readonly size: number,
    /** The offset the reader had read up to. */
    readonly readUpTo: number,
  ) {
    super('INPUT_TRUNCATED', `step '${step}': input file ${path} shrank to ${size} bytes while it was read (read up to byte ${readUpTo}): the rest of it is gone, so the read stops instead of ending as if the file were complete`);
  }
}
