/**
 * `npm run compare -- [netflow flags] [--name=<name>] [--outDir=out/compare] [--repeat=N] [--sweep=<intervals>] [--keepPairs=200000]`:
 * runs the Netflow job on both runners over the same input, each in its own child process (one after
 * the other, so CPU time and peak memory are the runner's own and neither run disturbs the other),
 * `--repeat` times each with the runners alternating, then writes out/compare/<name>/report.html
 * (with SVG charts: median and min–max per runner) and report.json. Runs with at most
 * --keepPairs pairs are compared pair by pair (differences listed exactly), bigger ones by digests.
 * The report opens with "which runner for what" (which-runner.ts). `--sweep=asap,100ms,1s` then runs
 * micro-batch `--repeat` times at each batch interval (outputs and summaries named
 * `microbatch.batch-<interval>`), checks each point's results against the first native run and charts
 * latency against throughput.
 *
 * Every netflow flag is passed to both runs (--batchInterval only affects micro-batch, --bundleSize
 * only native), except --runner, --statsOut and --digests, which compare sets per run and therefore
 * refuses. --quiet is compare's own, with the meaning every command gives it: no progress lines on
 * stderr and no summary (the report files are written as usual; the runs are always quiet); only a
 * difference in results (between the runners, between repeated runs, at a sweep point) is printed. With --output=ndjson:<path>, each runner writes <path minus .ndjson>.<runner>.ndjson
 * (kafka:<topic>: <topic>.<runner>); --deadLetters and --lateOutput likewise.
 * --inject-difference perturbs the micro-batch run's results (one distance, one pair dropped), to
 * see the report's equality check catch a difference. --report=<file.html> also writes the runs'
 * dashboard (as `netflow --report`) with both runners side by side; --ui gives each run its live page.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PipelineOptionsError } from '../sdk/errors.js';
import { formatFlags, parseFlags, type FlagSpecs } from '../sdk/flags.js';
import { PIPELINE_FLAGS } from '../sdk/options.js';
import { buildCompareReport, writeCompareReport } from '../pipelines/netflow/compare/compare-report.js';
import { defaultRunName, type NetflowRunSummary } from '../pipelines/netflow/netflow-app.js';
import { netflowConfigFromArgs } from './netflow-command.js';
import { NETFLOW_FLAGS } from './netflow-flags.js';
import { flagFile, refuseOutputOntoInput, type OutputFile } from '../pipelines/netflow/output-not-input.js';
import { OutputsCollideError, refuseSharedOutputs } from '../pipelines/netflow/distinct-outputs.js';
import { sameFile } from '../transforms/io/same-file.js';
import type { RunRecord } from './dashboard/run-record.js';
import { staticReportHtml } from './dashboard/report-file.js';
import { writeOutputFile } from './write-output-file.js';
import { checkWritablePath } from './writable-path.js';
import { CompareRunError } from './compare-run-error.js';
import { compareOutputFiles, compareReportFiles, runnerNdjsonPath, runSummaryPath } from '../pipelines/netflow/compare/compare-outputs.js';
import { MEASURES } from '../pipelines/netflow/compare/compare-measures.js';
import { parseSweep, sweepPoint, type SweepPoint } from '../pipelines/netflow/compare/sweep.js';

/** True when this runs as the installed package's compiled JavaScript (dist/bin), false when run from the TypeScript sources. */
const COMPILED = import.meta.url.endsWith('.js');
const CLI = fileURLToPath(new URL(COMPILED ? './watershed.js' : './watershed.ts', import.meta.url));
/** From the sources, each run loads the repository's tsx by its location, so it can run in the user's folder. */
const TSX_LOADER = COMPILED ? undefined : pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
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
  ...COMPARED_PIPELINE_FLAGS
} = PIPELINE_FLAGS;
// --report is compare's own (both runners side by side); each run writes its part as --reportData.
const { statsOut: _statsOut, digests: _digests, reportData: _reportData, ...COMPARED_NETFLOW_FLAGS } = NETFLOW_FLAGS;

/** compare's own flags. */
export const COMPARE_OWN_FLAGS = {
  name: { type: 'string', value: '<report name>', help: "the report's folder (default from the input, e.g. scenario-1-seed-1)" },
  outDir: { type: 'string', value: 'out/compare', help: 'where report folders go' },
  repeat: { type: 'string', value: '<n>', help: 'runs per runner, alternating (default 1); the report shows the median and min–max of each timed figure' },
  sweep: { type: 'string', value: '<interval,...>', help: "also run micro-batch at each --batchInterval given (e.g. asap,100ms,1s,5s), --repeat times each, and chart latency against throughput" },
} as const satisfies FlagSpecs;

/** The most runs per runner `--repeat` takes. */
const MAX_REPEAT = 100;

/** `--repeat`'s value. @throws PipelineOptionsError for anything but a whole number 1..100 */
export function parseRepeat(text: string | undefined): number {
  if (text === undefined) return 1;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_REPEAT)) throw new PipelineOptionsError(`--repeat=${text}: give a whole number of runs per runner, 1 to ${MAX_REPEAT}`);
  return n;
}

/** Every flag compare takes: its own, the netflow job's and the pipeline's, less those it sets per run. */
export const COMPARE_FLAGS = { ...COMPARE_OWN_FLAGS, ...COMPARED_NETFLOW_FLAGS, ...COMPARED_PIPELINE_FLAGS } as const satisfies FlagSpecs;

/** The signals that stop compare, forwarded to its running child. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs one runner in a child process with the netflow flags `flags` (no --runner or --statsOut); resolves with its summary. */
export function runChild(flags: readonly string[], runner: string, statsOut: string): Promise<NetflowRunSummary> {
  // The child's --quiet also keeps its progress line off: its stderr is compare's.
  const args = [...(TSX_LOADER === undefined ? [] : ['--import', TSX_LOADER]), CLI, 'netflow', ...flags, `--runner=${runner}`, `--statsOut=${statsOut}`, '--digests', '--quiet'];
  return new Promise((done, fail) => {
    // In the folder compare runs in, so relative paths in the flags name the same files for compare and its runs.
    const child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ['ignore', 'inherit', 'inherit'] });
    // A stop signal to compare stops the child too (it cleans up its in-progress files), then compare
    // ends by that signal: the child must not go on orphaned and publish its output after compare is gone.
    let stoppedBy: NodeJS.Signals | undefined;
    const forward = (signal: NodeJS.Signals) => {
      stoppedBy ??= signal;
      child.kill(signal);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, forward);
    const unlisten = () => {
      for (const signal of STOP_SIGNALS) process.off(signal, forward);
    };
    child.on('error', (e) => {
      unlisten();
      fail(e);
    });
    child.on('exit', (code, signal) => {
      unlisten();
      if (stoppedBy !== undefined) {
        process.kill(process.pid, stoppedBy);
        return;
      }
      if (code !== 0) return fail(new CompareRunError(runner, signal ?? `exit code ${code}`));
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

/** Files compare writes into the report folder besides those of each run: the report and one SVG per chart. */
const REPORT_FOLDER_FILE = /^(report\.(json|html)|.*\.svg|.*\.summary\.json|.*\.report\.json)$/;

/**
 * Refuses, before any run, two outputs of the comparison onto one file: each run's --output,
 * --deadLetters and --lateOutput files, summaries and --report data, and --report itself, which must
 * not be a file compare writes into the report folder `dir` (report.json, report.html, a chart).
 * @throws OutputsCollideError naming both.
 */
function refuseCollidingCompareOutputs(specs: Readonly<Record<string, string | undefined>>, dir: string, labels: readonly string[], repeat: number, report: string | undefined): void {
  const files: OutputFile[] = [];
  for (const label of labels) {
    for (const flag of ownOutputFlags(specs, label)) {
      const [name, spec] = [flag.slice(2, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)];
      if (spec.startsWith('ndjson:')) files.push({ path: spec.slice(7), what: `the ${label} run's ${name} ${spec.slice(7)}` });
    }
    for (let run = 1; run <= repeat; run++) files.push({ path: runSummaryPath(dir, label, run, repeat), what: `the ${label} run's summary` });
  }
  if (report !== undefined) {
    if (sameFile(dirname(resolve(report)), dir) && REPORT_FOLDER_FILE.test(basename(report))) throw new OutputsCollideError(`--report=${report}`, `the comparison's own ${join(dir, basename(report))}`);
    for (const runner of COMPARED_RUNNERS) files.push({ path: join(dir, `${runner}.report.json`), what: `the ${runner} run's report data` });
    files.push({ path: report, what: `--report=${report}` });
  }
  refuseSharedOutputs(files);
}

/** What `compare` found: `differ` when the runners' results differ, repeated runs differ, or a sweep point's results differ from native's. */
export interface CompareOutcome {
  readonly differ: boolean;
}

/**
 * The exit status of `compare`, as `diff`'s: 0 when the results are the same, 1 when they differ
 * ({@link compareExitCode}), 2 on trouble: a usage error, or a run that failed (CompareRunError).
 */
export const COMPARE_EXIT = { same: 0, differ: 1, trouble: 2 } as const;

/** The exit status for what compare found (see {@link COMPARE_EXIT}). @example compareExitCode({ differ: true }) // 1 */
export function compareExitCode(outcome: CompareOutcome): number {
  return outcome.differ ? COMPARE_EXIT.differ : COMPARE_EXIT.same;
}

/**
 * Runs `compare`; resolves with whether the results differ (the CLI exits 1 then, see {@link COMPARE_EXIT}).
 * @throws PipelineOptionsError before anything runs for bad flags; CompareRunError when a run fails.
 */
export async function compareCommand(flags: readonly string[]): Promise<CompareOutcome> {
  // --quiet is compare's (each run is quiet anyway), not passed on
  const { name: nameFlag, outDir, repeat: repeatFlag, sweep: sweepFlag, output, deadLetters, lateOutput, keepPairs, 'inject-difference': inject, report, quiet, ...shared } = parseFlags(flags, COMPARE_FLAGS, { program: 'compare' }).values;
  /** Progress on stderr and the summary on stdout, both left out with --quiet. */
  const progress = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const say = (line: string) => {
    if (!quiet) console.log(line);
  };
  const repeat = parseRepeat(repeatFlag);
  const sweepIntervals = sweepFlag === undefined ? [] : parseSweep(sweepFlag);
  // a sweep run's outputs and summary are named like a runner's: microbatch.batch-<interval>
  const sweepLabel = (flag: string) => `${COMPARED_RUNNERS[1]}.batch-${flag}`;
  let name: string;
  let config: ReturnType<typeof netflowConfigFromArgs>;
  try {
    config = netflowConfigFromArgs(formatFlags({ ...shared, output, deadLetters, lateOutput }));
    name = nameFlag ?? defaultRunName(config.input);
  } catch (e) {
    throw e instanceof PipelineOptionsError ? e : new PipelineOptionsError((e as Error).message);
  }
  // '.' and '..' are not names: the report would go into --outDir itself or its parent, replacing files there.
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name === '.' || name === '..') throw new PipelineOptionsError(`--name=${name}: use letters, digits, '.', '_' and '-' (not '.' or '..' alone)`);
  const dir = resolve(outDir ?? join('out', 'compare'), name);
  const base = formatFlags({ ...shared, keepPairs: keepPairs ?? '200000' });
  const runs: Record<string, NetflowRunSummary[]> = Object.fromEntries(COMPARED_RUNNERS.map((r) => [r, []]));
  // the report folder's own files too: an input there named report.json (say) would be replaced by the report
  refuseOutputOntoInput(config.input, [...compareOutputFiles(output, dir, [...COMPARED_RUNNERS, ...sweepIntervals.map((p) => sweepLabel(p.flag))], repeat), ...compareReportFiles(dir, COMPARED_RUNNERS), ...flagFile('report', report)]);
  refuseCollidingCompareOutputs({ output, deadLetters, lateOutput }, dir, [...COMPARED_RUNNERS, ...sweepIntervals.map((p) => sweepLabel(p.flag))], repeat, report);
  if (report !== undefined) checkWritablePath(report, 'report');
  // the report folder: a file in its way (--outDir=<a file>) is refused before any run
  checkWritablePath(join(dir, 'report.json'), 'outDir', `--outDir=${outDir ?? join('out', 'compare')}`);
  // --report: each child records its run; the last run of each runner is the one shown.
  const reportData = (runner: string) => join(dir, `${runner}.report.json`);
  // the runners alternate, so a slow spell of the machine hits both
  for (let run = 1; run <= repeat; run++) {
    for (const runner of COMPARED_RUNNERS) {
      const own = [...base];
      own.push(...ownOutputFlags({ output, deadLetters, lateOutput }, runner));
      if (report !== undefined) own.push(`--reportData=${reportData(runner)}`);
      // --inject-difference (testing the report) perturbs the second runner's results only.
      if (inject && runner === COMPARED_RUNNERS[1]) own.push('--inject-difference');
      progress(`[compare] running ${runner}${repeat > 1 ? ` (run ${run} of ${repeat})` : ''} ...`);
      const s = await runChild(own, runner, runSummaryPath(dir, runner, run, repeat));
      progress(`[compare] ${runner}: ${s.pairs.pairs.toLocaleString('en-US')} pairs, computation ${s.computationMs ?? '-'} ms, wall ${s.wallMs} ms, CPU ${Math.round(s.cpuMs.total)} ms, peak RSS ${Math.round(s.peakRssMb)} MB`);
      runs[runner]!.push(s);
    }
  }
  // --sweep: micro-batch again at each interval (its own outputs; no --report, no --inject-difference)
  const sweep: SweepPoint[] = [];
  const { batchInterval: _batchInterval, ...unswept } = shared;
  for (const point of sweepIntervals) {
    const label = sweepLabel(point.flag);
    const pointRuns: NetflowRunSummary[] = [];
    for (let run = 1; run <= repeat; run++) {
      const own = [...formatFlags({ ...unswept, keepPairs: keepPairs ?? '200000', batchInterval: point.flag }), ...ownOutputFlags({ output, deadLetters, lateOutput }, label)];
      progress(`[compare] sweep: ${COMPARED_RUNNERS[1]} at --batchInterval=${point.flag}${repeat > 1 ? ` (run ${run} of ${repeat})` : ''} ...`);
      pointRuns.push(await runChild(own, COMPARED_RUNNERS[1], runSummaryPath(dir, label, run, repeat)));
    }
    sweep.push(sweepPoint(point.flag, point.ms, pointRuns, runs[COMPARED_RUNNERS[0]]![0]!));
  }
  const comparison = buildCompareReport(name, runs[COMPARED_RUNNERS[0]]!, runs[COMPARED_RUNNERS[1]]!, new Date(), sweep);
  const files = await writeCompareReport(dir, comparison);
  if (report !== undefined) {
    // The dashboard of both runs, side by side (--report).
    const records = COMPARED_RUNNERS.map((r) => JSON.parse(readFileSync(reportData(r), 'utf8')) as RunRecord);
    await writeOutputFile(report, await staticReportHtml(records, new Date()), '--report');
    files.push(report);
  }
  const eq = comparison.equality;
  (eq.equal ? say : console.log)(
    eq.equal
      ? `results equal on both runners: ${eq.pairs[0].toLocaleString('en-US')} pairs in ${eq.keyWindows[0].toLocaleString('en-US')} source-IP × window groups with pairs (compared by ${eq.method})`
      : `RESULTS DIFFER in ${eq.differingKeyWindows} groups (${eq.labels[0]} ${eq.pairs[0]} pairs, ${eq.labels[1]} ${eq.pairs[1]} pairs): see the report`,
  );
  for (const [runner, differing] of Object.entries(comparison.repeatsDiffering)) if (differing.length) console.log(`REPEATED RUNS DIFFER: ${runner} runs ${differing.join(', ')} differ from its first run`);
  if (comparison.busyMachine) say(`warning: ${comparison.busyMachine}`);
  if (quiet) for (const p of sweep) if (!p.equal) console.log(`RESULTS DIFFER at --batchInterval=${p.batchInterval}: see the report`);
  const [a, b] = COMPARED_RUNNERS;
  const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const rows = MEASURES.map((m) => {
    const cell = (runner: string) => {
      const s = comparison.spread[runner]?.[m.id];
      if (!s) return '-';
      return repeat === 1 ? fmt(s.median) : `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
    };
    const ratio = comparison.ratios[m.id];
    return [`${m.label} [${m.unit}]`, cell(a), cell(b), ratio === null ? '-' : `×${fmt(ratio, 2)}`];
  });
  const table = [['', a, b, `${b} ÷ ${a}`], ...rows];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) say(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  if (repeat > 1) say(`(median of ${repeat} runs per runner, min–max in brackets)`);
  say('which runner for what:');
  for (const w of comparison.whichRunner) say(`  ${w.aspect.padEnd(17)}  ${w.text}`);
  if (sweep.length) {
    say(`batch-interval sweep (${COMPARED_RUNNERS[1]}${repeat > 1 ? `, median of ${repeat} runs` : ''}):`);
    for (const p of sweep) {
      const m = (s: SweepPoint['latencyP50']) => (s ? fmt(s.median) : '-');
      say(`  --batchInterval=${p.batchInterval.padEnd(6)}  latency p50 ${m(p.latencyP50)} ms, p99 ${m(p.latencyP99)} ms, ${m(p.eventsPerSecond)} events/s${p.equal ? '' : '  RESULTS DIFFER'}${p.busyRuns ? `  (${p.busyRuns} of ${repeat} runs started on a busy machine)` : ''}`);
    }
  }
  say(`report: ${files[0]}\n        ${files[1]}${report !== undefined ? `\n        ${report}` : ''}`);
  const differ = !eq.equal || Object.values(comparison.repeatsDiffering).some((d) => d.length > 0) || sweep.some((p) => !p.equal);
  return { differ };
}
