import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareChartSpecs } from '../../../pipelines/netflow/compare/compare-charts.js';
import { MEASURES } from '../../../pipelines/netflow/compare/compare-measures.js';
import { buildCompareReport, renderHtml, writeCompareReport } from '../../../pipelines/netflow/compare/compare-report.js';
import { ratioOf, spreadOf } from '../../../pipelines/netflow/compare/spread.js';
import { describeInput, type NetflowRunSummary } from '../../../pipelines/netflow/netflow-app.js';
import type { PairStatsJson } from '../../../pipelines/netflow/pair-stats.js';
import { failpoints, SimulatedCrash } from '../../../sdk/testing/failpoints.js';

/**
 * The comparison report built from repeated runs (`compare --repeat=N`): the spread of every timed
 * figure, the ratio column, one unit per chart, the group counts of banner and table, the busy-machine
 * warning, and repeated runs that disagree. Summaries are made up here: no pipeline runs.
 */

const pairs = (digest: number): PairStatsJson =>
  ({ pairs: 10, windows: 2, keyWindows: 3, firstOutput: 1000, lastOutput: 1500, outputTimes: [[0, 1000], [9, 1500]], latency: [], digests: [['1@0', 4, digest, 1], ['2@0', 3, 1, 1], ['3@1000', 3, 1, 1]] }) as unknown as PairStatsJson;

function summary(runner: string, wallMs: number, rssMb: number, o: { load?: number; digest?: number } = {}): NetflowRunSummary {
  return {
    runner,
    runnerOptions: {},
    input: 'generator (seed 1, 100 events, event-time rate 4000/s)',
    output: 'stdout-summary',
    job: { windowMs: 3000, features: ['bytes'], scaling: 'none', allowedLatenessMs: 0, topN: 0, histogram: false },
    eventsIn: 100,
    recordsParsed: 100,
    recordsPaired: 100,
    rejected: {},
    lateDropped: 0,
    groups: 5, // 3 groups with pairs and 2 of a single record
    pairs: pairs(o.digest ?? 7),
    computationMs: wallMs / 2,
    latencyMs: { p50: 10, p95: 20, p99: 30, max: 40 },
    throughput: { eventsPerSecond: (100 * 1000) / wallMs, pairsPerSecond: (10 * 1000) / wallMs },
    top: [],
    histogram: null,
    batches: null,
    wallMs,
    cpuMs: { user: wallMs, system: 0, total: wallMs },
    peakRssMb: rssMb,
    machine: { cpus: 2, loadAverage: o.load ?? 0.5 },
  } as unknown as NetflowRunSummary;
}

describe('spread and ratio', () => {
  it('min, median (mean of the middle two for an even count) and max, leaving out missing values', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3 });
    expect(spreadOf([4, 1, null, 2, 10])).toEqual({ n: 4, min: 1, median: 3, max: 10 });
    expect(spreadOf([null])).toBeNull();
    expect(ratioOf(spreadOf([2]), spreadOf([3]))).toBe(1.5);
    expect(ratioOf(spreadOf([0]), spreadOf([3]))).toBeNull();
  });
});

describe('a comparison of repeated runs', () => {
  const native = [summary('native', 1000, 200), summary('native', 1400, 210), summary('native', 1200, 205)];
  const micro = [summary('microbatch', 600, 300), summary('microbatch', 900, 320), summary('microbatch', 800, 310)];
  const r = buildCompareReport('rep', native, micro, new Date(0));

  it('gives each timed figure its min, median and max per runner, and the ratio of the medians', () => {
    expect(r.repeat).toBe(3);
    expect(r.spread['native']!.wallMs).toEqual({ n: 3, min: 1000, median: 1200, max: 1400 });
    expect(r.spread['microbatch']!.peakRssMb).toEqual({ n: 3, min: 300, median: 310, max: 320 });
    expect(r.ratios.wallMs).toBeCloseTo(800 / 1200);
    expect(r.ratios.peakRssMb).toBeCloseTo(310 / 205);
    expect(r.repeatsDiffering).toEqual({ native: [], microbatch: [] });
    expect(r.busyMachine).toBeNull();
  });

  it('renders the median with its range, a ratio column, and the same group count in banner and table', () => {
    const html = renderHtml(r, {});
    expect(html).toContain('<th>microbatch ÷ native</th>');
    expect(html).toMatch(/<th>wall time<\/th><td>1,200 ms<br><small>1,000–1,400<\/small><\/td><td>800 ms<br><small>600–900<\/small><\/td><td>×0\.67 <small>\(lower is better\)<\/small><\/td>/);
    expect(html).toContain('10 pairs in 3 source-IP × window groups with pairs');
    expect(html).toContain('<tr><th>source-IP × window groups with pairs</th><td>3</td><td>3</td>');
    expect(html).toContain('<th>GroupByKey panes (groups of a single record included: they have no pairs)</th><td>5</td><td>5</td>');
    expect(html).toContain('All 3 runs of each runner gave the same results as its first.');
  });

  it('puts one unit in each chart: time in seconds, latency in ms, memory in MB', () => {
    const specs = compareChartSpecs(r) as unknown as Record<string, { layer?: { encoding: { y?: { title?: string } } }[]; data: { values: { measure: string }[] } }>;
    const units = (name: string) => new Set(specs[name]!.data.values.map((v) => MEASURES.find((m) => m.short === v.measure)!.unit));
    expect([...units('time')]).toEqual(['ms']); // shown in seconds
    expect(specs['time']!.layer![0]!.encoding.y!.title).toBe('s');
    expect([...units('latency')]).toEqual(['ms']);
    expect([...units('memory')]).toEqual(['MB']);
    expect(specs['memory']!.layer![0]!.encoding.y!.title).toBe('MB');
  });

  it('warns when a run started on a busy machine, and names repeated runs whose results differ', () => {
    const busy = buildCompareReport('busy', [summary('native', 1000, 200), summary('native', 1000, 200, { load: 2.5, digest: 8 })], [summary('microbatch', 900, 300), summary('microbatch', 900, 300)]);
    expect(busy.busyMachine).toMatch(/^The machine had other work: 1 of 4 runs started with a 1-minute load average at or above its 2 CPUs \(up to 2\.50\)/);
    expect(busy.repeatsDiffering).toEqual({ native: [2], microbatch: [] });
    const html = renderHtml(busy, {});
    expect(html).toContain('<p class="warn">The machine had other work');
    expect(html).toContain('Repeated runs disagree: native runs 2 differ');
  });

  it('refuses different numbers of runs per runner', () => {
    expect(() => buildCompareReport('x', native, micro.slice(1))).toThrow(/as many runs of each runner/);
  });
});

describe('the generator input', () => {
  it('labels its rate as an event-time rate, not a throughput', () => {
    expect(describeInput({ kind: 'generator', options: { count: 10, eventsPerSecond: 4000 } })).toContain('event-time rate 4000/s');
  });
});

describe('writing the report files', () => {
  afterEach(() => failpoints.reset());
  const report = () => buildCompareReport('files', [summary('native', 1000, 200)], [summary('microbatch', 900, 300)], new Date(0));

  it('a failure part-way through a file (disk full, crash) leaves an earlier report as it was, never truncated, and no hidden file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-compare-files-'));
    const names = [...Object.keys(compareChartSpecs(report())).map((n) => `${n}.svg`), 'report.json', 'report.html'];
    for (const n of names) writeFileSync(join(dir, n), `OLD ${n}`);
    // The first file fails half-way: every file stays the old one.
    failpoints.arm('file.write', { at: 1 });
    await expect(writeCompareReport(dir, report())).rejects.toThrow(SimulatedCrash);
    for (const n of names) expect(readFileSync(join(dir, n), 'utf8')).toBe(`OLD ${n}`);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    // The last file (report.html) fails half-way: the files are one set, so every file is still the old one (never a mix of two runs).
    failpoints.arm('file.write', { at: names.length });
    await expect(writeCompareReport(dir, report())).rejects.toThrow(SimulatedCrash);
    for (const n of names) expect(readFileSync(join(dir, n), 'utf8')).toBe(`OLD ${n}`);
    expect(readdirSync(dir).sort()).toEqual([...names].sort());
    // Without a failure every file is the new report.
    await writeCompareReport(dir, report());
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<html');
  });
});
