import { join } from 'node:path';
import type { OutputFile } from '../output-not-input.js';

/**
 * The file one runner's run of a comparison writes for `--output=ndjson:<path>`:
 * `<path without .ndjson>.<runner>.ndjson`, so both runners' outputs can be inspected afterwards.
 * @example runnerNdjsonPath('out/pairs.ndjson', 'native') // 'out/pairs.native.ndjson'
 */
export function runnerNdjsonPath(path: string, runner: string): string {
  return `${path.replace(/\.ndjson$/, '')}.${runner}.ndjson`;
}

/**
 * The files a comparison writes for its runs: each runner's pairs (with `--output=ndjson:<path>`) and
 * its summary `<dir>/<runner>.summary.json`, named for messages.
 */
export function compareOutputFiles(output: string | undefined, dir: string, runners: readonly string[]): OutputFile[] {
  return runners.flatMap((r) => [
    ...(output?.startsWith('ndjson:') ? [{ path: runnerNdjsonPath(output.slice(7), r), what: `the ${r} run's output ${runnerNdjsonPath(output.slice(7), r)} (from --output=${output})` }] : []),
    { path: join(dir, `${r}.summary.json`), what: `the ${r} run's summary ${join(dir, `${r}.summary.json`)}` },
  ]);
}
