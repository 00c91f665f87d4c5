import '../runners/index.js';
import { PipelineOptionsError } from '../sdk/errors.js';
import { nearestFlag } from '../sdk/flags.js';
import { registeredRunners } from '../sdk/runner.js';
import { runSuite, type SuiteResult } from './harness.js';
import type { Capability } from './model.js';
import { buildReport, renderAll } from './report.js';
import { CAPABILITIES } from './suite.js';

/**
 * Runs the suite on the registered runners (importing runners/index.js registers native and
 * microbatch; any runner registered with registerRunner gets a column, nothing here names one) and
 * renders the report files.
 */

export const REPORT_FILES = ['report.md', 'report.json', 'report.html'] as const;

/**
 * The runners to measure: every registered runner, or the ones asked for (in registration-sorted order).
 * @throws PipelineOptionsError naming the registered runners for an unknown name.
 */
export function selectRunners(only?: readonly string[]): string[] {
  const all = registeredRunners();
  if (!only || only.length === 0) return all;
  const unknown = only.filter((r) => !all.includes(r));
  if (unknown.length) {
    const named = unknown.map((r) => {
      const near = nearestFlag(r, all);
      return `'${r}'${near ? ` (did you mean ${near}?)` : ''}`;
    });
    throw new PipelineOptionsError(`unknown runner${unknown.length > 1 ? 's' : ''} ${named.join(', ')}. Registered runners: ${all.join(', ')}.`);
  }
  return all.filter((r) => only.includes(r));
}

/**
 * `--runner`'s value: runner names separated by commas (blanks around a name are dropped).
 * @throws PipelineOptionsError for an empty name (`--runner=,` or `native,`), which would otherwise
 * leave the list empty and silently select every runner.
 * @example runnerList('native, microbatch') // ['native', 'microbatch']
 */
export function runnerList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new PipelineOptionsError(`--runner=${text}: give runner names separated by commas, e.g. --runner=native,microbatch`);
  return names;
}

export async function generate(
  runners: readonly string[] = selectRunners(),
  capabilities: readonly Capability[] = CAPABILITIES,
  onProgress?: (runner: string, cap: Capability) => void,
): Promise<{ suite: SuiteResult; files: Readonly<Record<(typeof REPORT_FILES)[number], string>> }> {
  const suite = await runSuite(capabilities, runners, onProgress);
  return { suite, files: renderAll(buildReport(suite)) };
}
