import '../runners/index.js';
import { PipelineOptionsError } from '../sdk/errors.js';
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
  if (unknown.length) throw new PipelineOptionsError(`unknown runner${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `'${r}'`).join(', ')}. Registered runners: ${all.join(', ')}.`);
  return all.filter((r) => only.includes(r));
}

export async function generate(
  runners: readonly string[] = selectRunners(),
  capabilities: readonly Capability[] = CAPABILITIES,
  onProgress?: (runner: string, cap: Capability) => void,
): Promise<{ suite: SuiteResult; files: Readonly<Record<(typeof REPORT_FILES)[number], string>> }> {
  const suite = await runSuite(capabilities, runners, onProgress);
  return { suite, files: renderAll(buildReport(suite)) };
}
