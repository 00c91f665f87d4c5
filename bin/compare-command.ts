/**
 * `npm run compare -- [netflow flags] [--name=<name>] [--outDir=out/compare] [--keepPairs=200000]`:
 * runs the Netflow job on both runners over the same input, each in its own child process (one after
 * the other, so CPU time and peak memory are the runner's own and neither run disturbs the other),
 * then writes out/compare/<name>/report.html (with SVG charts) and report.json. Runs with at most
 * --keepPairs pairs are compared pair by pair (differences listed exactly), bigger ones by digests.
 *
 * Every netflow flag is passed to both runs (--batchInterval only affects micro-batch, --bundleSize
 * only native), except --runner, --statsOut, --digests and --quiet, which compare sets per run and
 * therefore refuses. With --output=ndjson:<path>, each runner writes <path minus .ndjson>.<runner>.ndjson
 * (kafka:<topic>: <topic>.<runner>); --deadLetters and --lateOutput likewise.
 * --inject-difference perturbs the micro-batch run's results (one distance, one pair dropped), to
 * see the report's equality check catch a difference. --report=<file.html> also writes the runs'
 * dashboard (as `netflow --report`) with both runners side by side; --ui gives each run its live page.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PipelineOptionsError } from '../sdk/errors.js';
import { formatFlags, parseFlags, type FlagSpecs } from '../sdk/flags.js';
import { PIPELINE_FLAGS } from '../sdk/options.js';
import { buildCompareReport, writeCompareReport } from '../pipelines/netflow/compare/compare-report.js';
import { defaultRunName, type NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';
import { netflowConfigFromArgs } from './netflow-command.js';
import { NETFLOW_FLAGS } from './netflow-flags.js';
import { flagFile, refuseOutputOntoInput } from '../pipelines/netflow/output-not-input.js';
import type { RunRecord } from './dashboard/run-record.js';
import { staticReportHtml, writeFileAtomically } from './dashboard/report-file.js';
import { checkWritablePath } from './writable-path.js';
import { compareOutputFiles, runnerNdjsonPath } from '../pipelines/netflow/compare/compare-outputs.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('./watershed.ts', import.meta.url));
export const COMPARED_RUNNERS = ['native', 'microbatch'] as const;

// compare sets these for each run itself, so it does not take them; the two runs must not share a checkpoint directory.
const {
  runner: _runner,
  checkpointDir: _checkpointDir,
  checkpointInterval: _checkpointInterval,
  keepCheckpoints: _keepCheckpoints,
  guarantee: _guarantee,
  drain: _drain,
  jobName: _jobName,
  allowNonRestoredState: _allowNonRestoredState,
  quiet: _quiet,
  ...COMPARED_PIPELINE_FLAGS
} = PIPELINE_FLAGS;
// --report is compare's own (both runners side by side); each run writes its part as --reportData.
const { statsOut: _statsOut, digests: _digests, reportData: _reportData, ...COMPARED_NETFLOW_FLAGS } = NETFLOW_FLAGS;

/** compare's own flags. */
export const COMPARE_OWN_FLAGS = {
  name: { type: 'string', value: '<report name>', help: "the report's folder (default from the input, e.g. scenario-1-seed-1)" },
  outDir: { type: 'string', value: 'out/compare', help: 'where report folders go' },
} as const satisfies FlagSpecs;

/** Every flag compare takes: its own, the netflow job's and the pipeline's, less those it sets per run. */
export const COMPARE_FLAGS = { ...COMPARE_OWN_FLAGS, ...COMPARED_NETFLOW_FLAGS, ...COMPARED_PIPELINE_FLAGS } as const satisfies FlagSpecs;

/** Runs one runner in a child process with the netflow flags `flags` (no --runner or --statsOut); resolves with its summary. */
export function runChild(flags: readonly string[], runner: string, statsOut: string): Promise<NetflowRunSummary> {
  // The child's --quiet also keeps its progress line off: its stderr is compare's.
  const args = ['--import', 'tsx', CLI, 'netflow', ...flags, `--runner=${runner}`, `--statsOut=${statsOut}`, '--digests', '--quiet'];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code !== 0) return fail(new Error(`the ${runner} run failed (${signal ?? `exit code ${code}`})`));
      done(JSON.parse(readFileSync(statsOut, 'utf8')) as NetflowRunSummary);
    });
  });
}

/**
 * The --output, --deadLetters and --lateOutput flags of one runner's run: each runner writes its own
 * files or topics, so both runs' outputs can be inspected afterwards.
 * @example ownOutputFlags({ output: 'ndjson:out/p.ndjson', lateOutput: 'kafka:late' }, 'native') // ['--output=ndjson:out/p.native.ndjson', '--lateOutput=kafka:late.native']
 */
export function ownOutputFlags(specs: Readonly<Record<string, string | undefined>>, runner: string): string[] {
  const own: string[] = [];
  for (const flag of ['output', 'deadLetters', 'lateOutput']) {
    const spec = specs[flag];
    if (spec?.startsWith('ndjson:')) own.push(`--${flag}=ndjson:${runnerNdjsonPath(spec.slice(7), runner)}`);
    else if (spec?.startsWith('kafka:')) own.push(`--${flag}=${spec}.${runner}`);
    else if (spec !== undefined) own.push(`--${flag}=${spec}`);
  }
  return own;
}

/** Runs `compare`. @throws PipelineOptionsError before anything runs for bad flags. */
export async function compareCommand(flags: readonly string[]): Promise<void> {
  const { name: nameFlag, outDir, output, deadLetters, lateOutput, keepPairs, 'inject-difference': inject, report, ...shared } = parseFlags(flags, COMPARE_FLAGS, { program: 'compare' }).values;
  let name: string;
  let config: ReturnType<typeof netflowConfigFromArgs>;
  try {
    config = netflowConfigFromArgs(formatFlags({ ...shared, output, deadLetters, lateOutput }));
    name = nameFlag ?? defaultRunName(config.input);
  } catch (e) {
    throw e instanceof PipelineOptionsError ? e : new PipelineOptionsError((e as Error).message);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new PipelineOptionsError(`--name=${name}: use letters, digits, '.', '_' and '-'`);
  const dir = resolve(outDir ?? join('out', 'compare'), name);
  const base = formatFlags({ ...shared, keepPairs: keepPairs ?? '200000' });
  const summaries: NetflowRunSummary[] = [];
  refuseOutputOntoInput(config.input, [...compareOutputFiles(output, dir, COMPARED_RUNNERS), ...flagFile('report', report)]);
  if (report !== undefined) checkWritablePath(report, 'report');
  const reportData = (runner: string) => join(dir, `${runner}.report.json`);
  for (const runner of COMPARED_RUNNERS) {
    const own = [...base];
    own.push(...ownOutputFlags({ output, deadLetters, lateOutput }, runner));
    if (report !== undefined) own.push(`--reportData=${reportData(runner)}`);
    // --inject-difference (testing the report) perturbs the second runner's results only.
    if (inject && runner === COMPARED_RUNNERS[1]) own.push('--inject-difference');
    process.stderr.write(`[compare] running ${runner} ...\n`);
    const s = await runChild(own, runner, join(dir, `${runner}.summary.json`));
    process.stderr.write(`[compare] ${runner}: ${s.pairs.pairs.toLocaleString('en-US')} pairs, computation ${s.computationMs ?? '-'} ms, wall ${s.wallMs} ms, CPU ${Math.round(s.cpuMs.total)} ms, peak RSS ${Math.round(s.peakRssMb)} MB\n`);
    summaries.push(s);
  }
  const comparison = buildCompareReport(name, summaries[0]!, summaries[1]!);
  const files = await writeCompareReport(dir, comparison);
  if (report !== undefined) {
    // The dashboard of both runs, side by side (--report).
    const records = COMPARED_RUNNERS.map((r) => JSON.parse(readFileSync(reportData(r), 'utf8')) as RunRecord);
    await writeFileAtomically(report, await staticReportHtml(records, new Date()));
    files.push(report);
  }
  const eq = comparison.equality;
  console.log(
    eq.equal
      ? `results equal on both runners: ${eq.pairs[0].toLocaleString('en-US')} pairs in ${eq.keyWindows[0].toLocaleString('en-US')} groups (compared by ${eq.method})`
      : `RESULTS DIFFER in ${eq.differingKeyWindows} groups (${eq.labels[0]} ${eq.pairs[0]} pairs, ${eq.labels[1]} ${eq.pairs[1]} pairs): see the report`,
  );
  for (const f of comparison.runners) {
    console.log(
      `${f.runner.padEnd(11)} computation ${String(f.computationMs ?? '-').padStart(6)} ms  wall ${String(f.wallMs).padStart(6)} ms  ` +
        `${Math.round(f.pairsPerSecond).toLocaleString('en-US').padStart(10)} pairs/s  latency p50/p95/p99 ${f.latencyMs.p50}/${f.latencyMs.p95}/${f.latencyMs.p99} ms  ` +
        `CPU ${Math.round(f.cpuMs.total)} ms  peak RSS ${Math.round(f.peakRssMb)} MB`,
    );
  }
  console.log(`report: ${files[0]}\n        ${files[1]}${report !== undefined ? `\n        ${report}` : ''}`);
}
