import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import '../../../runners/index.js';
import { Pipeline } from '../../../sdk/pipeline.js';
import { buildCompareReport, writeCompareReport, type CompareReport } from '../../../pipelines/netflow/compare/compare-report.js';
import { compareResults } from '../../../pipelines/netflow/compare/result-equality.js';
import { runNetflowApp, type NetflowAppConfig, type NetflowRunSummary } from '../../../pipelines/netflow/netflow-app.js';
import type { PairStatsJson } from '../../../pipelines/netflow/pair-stats.js';
import { RUNNERS } from '../../support/runners.js';

const CONFIG: NetflowAppConfig = {
  input: { kind: 'generator', options: { seed: 5, count: 800, eventsPerSecond: 200, sourceIps: 8, keySkew: 1, maxJitterMs: 400, ipv6Share: 0.02, malformedShare: 0.02 } },
  output: { kind: 'stdout-summary' },
  job: { topN: 3 },
  stats: { digests: true, keepPairsUpTo: 1_000_000 },
};

async function run(runner: (typeof RUNNERS)[number], config: NetflowAppConfig = CONFIG): Promise<NetflowRunSummary> {
  return runNetflowApp(Pipeline.create(runner.options), config);
}

const withoutKept = (s: PairStatsJson): PairStatsJson => ({ ...s, kept: undefined });

describe('comparing the runners', () => {
  it('finds the same pairs and distances on both runners', async () => {
    const [a, b] = [await run(RUNNERS[0]!), await run(RUNNERS[1]!)];
    expect(a.pairs.pairs).toBeGreaterThan(5000);
    for (const eq of [compareResults(['native', 'microbatch'], a.pairs, b.pairs), compareResults(['native', 'microbatch'], withoutKept(a.pairs), withoutKept(b.pairs))]) {
      expect(eq).toMatchObject({ equal: true, differingKeyWindows: 0, differences: [], pairs: [a.pairs.pairs, a.pairs.pairs] });
    }
    expect(a.rejected).toEqual(b.rejected);
    expect(a.histogram).toEqual(b.histogram);
    const tops = (s: NetflowRunSummary) => s.top.map((t) => [t.window_start, t.pairs.map((q) => [q.src_ip4, q.eventid_1, q.eventid_2, q.distance])]);
    expect(tops(a)).toEqual(tops(b));
    expect(tops(a)).toHaveLength(2);
  });

  it('detects and lists a deliberately injected difference (one distance changed, one pair dropped)', async () => {
    const a = await run(RUNNERS[0]!);
    const b = await run(RUNNERS[1]!, { ...CONFIG, injectDifference: true });
    const exact = compareResults(['native', 'microbatch'], a.pairs, b.pairs);
    expect(exact.equal).toBe(false);
    expect(exact.method).toBe('pairs');
    expect(exact.pairs).toEqual([a.pairs.pairs, a.pairs.pairs - 1]);
    const changed = exact.differences.flatMap((d) => d.distanceDiffers ?? []);
    const onlyInA = exact.differences.flatMap((d) => d.onlyInA ?? []);
    const onlyInB = exact.differences.flatMap((d) => d.onlyInB ?? []);
    expect(changed).toHaveLength(1);
    expect(changed[0]![3]).toBe(changed[0]![2] * (1 + 1e-9) + 1e-9);
    expect(onlyInA).toHaveLength(1);
    expect(onlyInB).toEqual([]);
    expect(exact.differingKeyWindows).toBe(new Set(exact.differences.map((d) => d.keyWindow)).size);
    expect(exact.differingKeyWindows).toBeGreaterThanOrEqual(1);
    expect(exact.differingKeyWindows).toBeLessThanOrEqual(2);
    // digests alone point at the same groups
    const digests = compareResults(['native', 'microbatch'], withoutKept(a.pairs), withoutKept(b.pairs));
    expect(digests).toMatchObject({ equal: false, method: 'digests' });
    expect(digests.differences.map((d) => d.keyWindow)).toEqual(exact.differences.map((d) => d.keyWindow));
    expect(digests.differences.some((d) => d.kind === 'count' && d.countA === d.countB + 1)).toBe(true);

    // and the report says so, with charts
    const dir = mkdtempSync(join(tmpdir(), 'compare-'));
    const report = buildCompareReport('injected', a, b);
    const files = await writeCompareReport(dir, report);
    // one unit per chart: time (s), latency (ms) and memory (MB) apart (they used to share a "s / GB" axis)
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['report.html', 'report.json', 'outputTimes.svg', 'histogram.svg', 'latency.svg', 'time.svg', 'memory.svg']);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Results differ');
    expect(html).toContain(`${changed[0]![0]} ↔ ${changed[0]![1]}: ${changed[0]![2]} vs ${changed[0]![3]}`);
    expect(html.match(/<svg/g)).toHaveLength(5);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as CompareReport;
    expect(json.equality.equal).toBe(false);
    expect(json.runners.map((r) => r.runner)).toEqual(['native', 'microbatch']);
  });
});

describe('npm run compare', () => {
  it('runs both runners in child processes and writes report.html and report.json', async () => {
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const outDir = mkdtempSync(join(tmpdir(), 'compare-cli-'));
    // the results differ (--inject-difference): compare exits 1, as diff does
    const { stdout, code } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', 'compare', '--count=600', '--sourceIps=10', '--name=cli', `--outDir=${outDir}`, '--inject-difference', '--repeat=2', '--sweep=asap'], { cwd: repo }).then(
      (r) => ({ ...r, code: 0 }),
      (e: { stdout: string; code: number }) => e,
    );
    expect(code).toBe(1);
    expect(stdout).toContain('RESULTS DIFFER');
    expect(stdout).toMatch(/wall time \[ms\] +\S+ \(\S+–\S+\) +\S+ \(\S+–\S+\) +×\d+\.\d\d\n/);
    const report = JSON.parse(readFileSync(join(outDir, 'cli', 'report.json'), 'utf8')) as CompareReport;
    expect(report.equality).toMatchObject({ equal: false, method: 'pairs', labels: ['native', 'microbatch'] });
    expect(report.runners[0]!.pairs).toBe(report.runners[1]!.pairs + 1);
    expect(report.runners.every((r) => r.cpuMs.total > 0 && r.peakRssMb > 20 && r.eventsIn === 600)).toBe(true);
    // two runs per runner: a spread of two, and the repeated runs agree with the first
    expect(report.repeat).toBe(2);
    expect(report.spread['native']!.wallMs).toMatchObject({ n: 2 });
    expect(report.repeatsDiffering).toEqual({ native: [], microbatch: [] });
    for (const f of ['native.run-1', 'native.run-2', 'microbatch.run-1', 'microbatch.run-2']) expect(existsSync(join(outDir, 'cli', `${f}.summary.json`)), f).toBe(true);
    expect(existsSync(join(outDir, 'cli', 'report.html'))).toBe(true);
    // "which runner for what" on stdout and in the report; --sweep=asap: micro-batch twice more at that interval, uninjected, so its results equal native's
    expect(stdout).toMatch(/which runner for what:\n {2}latency \(typical\) +\S/);
    expect(report.whichRunner.map((w) => w.aspect)).toEqual(['latency (typical)', 'latency (tail)', 'throughput', 'CPU time', 'memory']);
    expect(report.sweep).toMatchObject([{ batchInterval: 'asap', intervalMs: 0, equal: true, latencyP50: { n: 2 } }]);
    expect(stdout).toMatch(/--batchInterval=asap +latency p50 \S+ ms, p99 \S+ ms, \S+ events\/s( {2}\(\d of 2 runs started on a busy machine\))?\n/);
    for (const f of ['microbatch.batch-asap.run-1', 'microbatch.batch-asap.run-2']) expect(existsSync(join(outDir, 'cli', `${f}.summary.json`)), f).toBe(true);
    expect(existsSync(join(outDir, 'cli', 'sweep.svg'))).toBe(true);
  }, 180_000);

  it('refuses a --sweep that is not a list of batch intervals, before anything runs', async () => {
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', 'compare', '--count=10', '--sweep=asap,0ms', `--outDir=${mkdtempSync(join(tmpdir(), 'compare-cli-'))}`], { cwd: repo });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--sweep: 0ms is not above 0 ms (use 'asap' for back-to-back batches)") });
  }, 60_000);

  it('refuses a --repeat that is not a whole number from 1 to 100, before anything runs', async () => {
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', 'compare', '--count=10', '--repeat=0', `--outDir=${mkdtempSync(join(tmpdir(), 'compare-cli-'))}`], { cwd: repo });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--repeat=0: give a whole number of runs per runner, 1 to 100') });
  }, 60_000);
});
