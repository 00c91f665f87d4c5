/**
 * `npm run compare -- [netflow flags] [--name=<name>] [--outDir=out/compare] [--keepPairs=200000]`:
 * runs the Netflow job on both runners over the same input, each in its own child process (one after
 * the other, so CPU time and peak memory are the runner's own and neither run disturbs the other),
 * then writes out/compare/<name>/report.html (with SVG charts) and report.json. Runs with at most
 * --keepPairs pairs are compared pair by pair (differences listed exactly), bigger ones by digests.
 *
 * Every netflow flag is passed to both runs (--batchInterval only affects micro-batch, --bundleSize
 * only native). With --output=ndjson:<path>, each runner writes <path minus .ndjson>.<runner>.ndjson.
 * --inject-difference perturbs the micro-batch run's results (one distance, one pair dropped), to
 * see the report's equality check catch a difference.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PipelineOptionsError } from '../sdk/errors.js';
import { parseArgs } from '../sdk/options.js';
import { buildCompareReport, writeCompareReport } from '../pipelines/netflow/compare/compare-report.js';
import { defaultRunName, type NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';
import { netflowConfigFromArgs } from './netflow-command.js';
import { refuseOutputOntoInput } from '../pipelines/netflow/output-not-input.js';
import { compareOutputFiles, runnerNdjsonPath } from '../pipelines/netflow/compare/compare-outputs.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('./watershed.ts', import.meta.url));
export const COMPARED_RUNNERS = ['native', 'microbatch'] as const;

/** Runs one runner in a child process; resolves with its summary. */
export function runChild(flags: readonly string[], runner: string, statsOut: string): Promise<NetflowRunSummary> {
  const args = ['--import', 'tsx', CLI, 'netflow', ...flags.filter((f) => !f.startsWith('--runner=') && !f.startsWith('--statsOut=')), `--runner=${runner}`, `--statsOut=${statsOut}`, '--digests', '--quiet'];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code !== 0) return fail(new Error(`the ${runner} run failed (${signal ?? `exit code ${code}`})`));
      done(JSON.parse(readFileSync(statsOut, 'utf8')) as NetflowRunSummary);
    });
  });
}

export async function compareCommand(flags: readonly string[]): Promise<void> {
  const args = parseArgs(flags);
  let name: string;
  let config: ReturnType<typeof netflowConfigFromArgs>;
  try {
    config = netflowConfigFromArgs(flags);
    name = args['name'] ?? defaultRunName(config.input);
  } catch (e) {
    throw new PipelineOptionsError((e as Error).message);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new PipelineOptionsError(`--name=${name}: use letters, digits, '.', '_' and '-'`);
  const dir = resolve(args['outDir'] ?? join('out', 'compare'), name);
  // --inject-difference (testing the report) perturbs the second runner's results only.
  const inject = args['inject-difference'] === 'true';
  const base = flags.filter((f) => !f.startsWith('--name=') && !f.startsWith('--outDir=') && !f.startsWith('--output=') && f !== '--inject-difference');
  if (args['keepPairs'] === undefined) base.push('--keepPairs=200000');
  const output = args['output'];
  const summaries: NetflowRunSummary[] = [];
  refuseOutputOntoInput(config.input, compareOutputFiles(output, dir, COMPARED_RUNNERS));
  for (const runner of COMPARED_RUNNERS) {
    const own = [...base];
    // Each runner writes its own file or topic, so both outputs can be inspected afterwards.
    if (output?.startsWith('ndjson:')) own.push(`--output=ndjson:${runnerNdjsonPath(output.slice(7), runner)}`);
    else if (output?.startsWith('kafka:')) own.push(`--output=${output}.${runner}`);
    else if (output !== undefined) own.push(`--output=${output}`);
    if (inject && runner === COMPARED_RUNNERS[1]) own.push('--inject-difference');
    process.stderr.write(`[compare] running ${runner} ...\n`);
    const s = await runChild(own, runner, join(dir, `${runner}.summary.json`));
    process.stderr.write(`[compare] ${runner}: ${s.pairs.pairs.toLocaleString('en-US')} pairs, computation ${s.computationMs ?? '-'} ms, wall ${s.wallMs} ms, CPU ${Math.round(s.cpuMs.total)} ms, peak RSS ${Math.round(s.peakRssMb)} MB\n`);
    summaries.push(s);
  }
  const report = buildCompareReport(name, summaries[0]!, summaries[1]!);
  const files = await writeCompareReport(dir, report);
  const eq = report.equality;
  console.log(
    eq.equal
      ? `results equal on both runners: ${eq.pairs[0].toLocaleString('en-US')} pairs in ${eq.keyWindows[0].toLocaleString('en-US')} groups (compared by ${eq.method})`
      : `RESULTS DIFFER in ${eq.differingKeyWindows} groups (${eq.labels[0]} ${eq.pairs[0]} pairs, ${eq.labels[1]} ${eq.pairs[1]} pairs): see the report`,
  );
  for (const f of report.runners) {
    console.log(
      `${f.runner.padEnd(11)} computation ${String(f.computationMs ?? '-').padStart(6)} ms  wall ${String(f.wallMs).padStart(6)} ms  ` +
        `${Math.round(f.pairsPerSecond).toLocaleString('en-US').padStart(10)} pairs/s  latency p50/p95/p99 ${f.latencyMs.p50}/${f.latencyMs.p95}/${f.latencyMs.p99} ms  ` +
        `CPU ${Math.round(f.cpuMs.total)} ms  peak RSS ${Math.round(f.peakRssMb)} MB`,
    );
  }
  console.log(`report: ${files[0]}\n        ${files[1]}`);
}
