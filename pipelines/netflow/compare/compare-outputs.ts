import { join } from 'node:path';
import type { OutputFile } from '../output-not-input.js';
import { CHART_NAMES } from './compare-charts.js';

/**
 * The file one runner's run of a comparison writes for `--output=ndjson:<path>`:
 * `<path without .ndjson>.<runner>.ndjson`, so both runners' outputs can be inspected afterwards.
 * @example runnerNdjsonPath('out/pairs.ndjson', 'native') // 'out/pairs.native.ndjson'
 */
export function runnerNdjsonPath(path: string, runner: string): string {
  return `${path.replace(/\.ndjson$/, '')}.${runner}.ndjson`;
}

/**
 * Where run `run` (1-based) of `repeat` runs of a runner writes its summary: `<dir>/<runner>.summary.json`
 * for a single run, `<dir>/<runner>.run-<run>.summary.json` for repeated runs.
 * @example runSummaryPath('out/cmp', 'native', 2, 3) // 'out/cmp/native.run-2.summary.json'
 */
export function runSummaryPath(dir: string, runner: string, run: number, repeat: number): string {
  return join(dir, repeat === 1 ? `${runner}.summary.json` : `${runner}.run-${run}.summary.json`);
}

/**
 * The files a comparison writes for its runs: each runner's pairs (with `--output=ndjson:<path>`) and
 * the summary of each of its `repeat` runs, named for messages.
 */
export function compareOutputFiles(output: string | undefined, dir: string, runners: readonly string[], repeat = 1): OutputFile[] {
  return runners.flatMap((r) => [
    ...(output?.startsWith('ndjson:') ? [{ path: runnerNdjsonPath(output.slice(7), r), what: `the ${r} run's output ${runnerNdjsonPath(output.slice(7), r)} (from --output=${output})` }] : []),
    ...Array.from({ length: repeat }, (_, i) => runSummaryPath(dir, r, i + 1, repeat)).map((path) => ({ path, what: `the ${r} run's summary ${path}` })),
  ]);
}

/**
 * The files a comparison writes into its report folder `dir` when the runs are done: report.json,
 * report.html, a chart per `<name>.svg`, and with `--report` each runner's `<runner>.report.json`,
 * named for messages (e.g. to refuse an input that is one of them).
 * @example compareReportFiles('out/compare/x', ['native', 'microbatch']).map((f) => f.path) // ['out/compare/x/report.json', ...]
 */
export function compareReportFiles(dir: string, runners: readonly string[]): OutputFile[] {
  const names = ['report.json', 'report.html', ...CHART_NAMES.map((c) => `${c}.svg`), ...runners.map((r) => `${r}.report.json`)];
  return names.map((n) => ({ path: join(dir, n), what: `the comparison's ${join(dir, n)}` }));
}
