import { describe, expect, it } from 'vitest';
import type { MeasureId } from '../../../pipelines/netflow/compare/compare-measures.js';
import { buildCompareReport, renderHtml } from '../../../pipelines/netflow/compare/compare-report.js';
import { compareChartSpecs } from '../../../pipelines/netflow/compare/compare-charts.js';
import { spreadOf, type Spread } from '../../../pipelines/netflow/compare/spread.js';
import { parseSweep, sweepPoint } from '../../../pipelines/netflow/compare/sweep.js';
import { whichRunner } from '../../../pipelines/netflow/compare/which-runner.js';
import type { NetflowRunSummary } from '../../../pipelines/netflow/netflow-app.js';
import type { PairStatsJson } from '../../../pipelines/netflow/pair-stats.js';
import { PipelineOptionsError } from '../../../sdk/errors.js';

/**
 * "Which runner for what" (computed from the measured spreads) and the batch-interval sweep of
 * `compare --sweep`. Summaries are made up here: no pipeline runs.
 */

type Spreads = Record<MeasureId, Spread | null>;
const spreads = (values: Partial<Record<MeasureId, (number | null)[]>>): Spreads =>
  Object.fromEntries((['computationMs', 'wallMs', 'cpuMs', 'eventsPerSecond', 'pairsPerSecond', 'latencyP50', 'latencyP95', 'latencyP99', 'peakRssMb'] as const).map((id) => [id, spreadOf(values[id] ?? [null])])) as Spreads;

describe('which runner for what', () => {
  it('names the runner with the better median per aspect, lower or higher as the measure wants', () => {
    const rows = whichRunner(['native', 'microbatch'], {
      native: spreads({ latencyP50: [10, 12, 11], latencyP99: [40, 45, 50], eventsPerSecond: [900, 1000, 950], cpuMs: [500, 510, 505], peakRssMb: [200, 201, 199] }),
      microbatch: spreads({ latencyP50: [500, 520, 510], latencyP99: [44, 60, 70], eventsPerSecond: [1500, 1600, 1550], cpuMs: [400, 600, 505], peakRssMb: [203, 204, 202] }),
    });
    const by = Object.fromEntries(rows.map((r) => [r.aspect, r]));
    // ranges apart: a clear answer, with the factor of the medians
    expect(by['latency (typical)']).toMatchObject({ better: 'native', confidence: 'clear' });
    expect(by['latency (typical)']!.text).toBe('native: 46× lower (11 vs 510 ms; ranges apart over 3 runs)');
    expect(by['throughput']).toMatchObject({ better: 'microbatch', confidence: 'clear' });
    expect(by['throughput']!.text).toContain('1.63× higher (1,550 vs 950 events/s');
    // ranges overlap: a better median, but not a clear difference
    expect(by['latency (tail)']).toMatchObject({ better: 'native', confidence: 'within-spread' });
    // medians within 5%: about the same, no winner
    expect(by['CPU time']).toMatchObject({ better: null, confidence: 'same' });
    expect(by['memory']).toMatchObject({ better: null, confidence: 'same' });
  });

  it('says a single run each cannot tell a real difference, and what was not measured', () => {
    const rows = whichRunner(['native', 'microbatch'], { native: spreads({ latencyP50: [0] }), microbatch: spreads({ latencyP50: [1000] }) });
    expect(rows[0]).toMatchObject({ aspect: 'latency (typical)', better: 'native', confidence: 'one-run' });
    expect(rows[0]!.text).toBe('native: lower (0 vs 1,000 ms; one run each, no spread)');
    expect(rows.find((r) => r.aspect === 'memory')).toMatchObject({ better: null, confidence: 'missing', text: 'not measured' });
  });
});

describe('--sweep', () => {
  it('takes asap and durations, in the order given', () => {
    expect(parseSweep('asap,100ms,1s, 5s')).toEqual([
      { flag: 'asap', ms: 0 },
      { flag: '100ms', ms: 100 },
      { flag: '1s', ms: 1000 },
      { flag: '5s', ms: 5000 },
    ]);
  });

  it('refuses an empty item, a repeated interval, 0 ms, a non-duration and more than 10 intervals', () => {
    expect(() => parseSweep('asap,,1s')).toThrow(PipelineOptionsError);
    expect(() => parseSweep('1s,1000ms')).toThrow(/1000ms is given twice/);
    expect(() => parseSweep('0ms')).toThrow(/not above 0 ms/);
    expect(() => parseSweep('fast')).toThrow(/'fast' is not a duration/);
    expect(() => parseSweep(Array.from({ length: 11 }, (_, i) => `${i + 1}s`).join(','))).toThrow(/at most 10/);
  });

  const pairs = (digest: number): PairStatsJson =>
    ({ pairs: 10, windows: 1, keyWindows: 1, firstOutput: 1000, lastOutput: 1500, outputTimes: [[0, 1000]], latency: [], digests: [['1@0', 10, digest, 1]] }) as unknown as PairStatsJson;
  const summary = (runner: string, p50: number, eps: number, digest = 7): NetflowRunSummary =>
    ({
      runner,
      runnerOptions: {},
      input: 'generator',
      output: 'stdout-summary',
      job: { windowMs: 3000, features: ['bytes'], scaling: 'none', allowedLatenessMs: 0, topN: 0, histogram: false },
      eventsIn: 100,
      recordsParsed: 100,
      recordsPaired: 100,
      rejected: {},
      lateDropped: 0,
      groups: 1,
      pairs: pairs(digest),
      computationMs: 500,
      latencyMs: { p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 },
      throughput: { eventsPerSecond: eps, pairsPerSecond: eps / 10 },
      top: [],
      histogram: null,
      batches: 4,
      wallMs: 1000,
      cpuMs: { user: 900, system: 0, total: 900 },
      peakRssMb: 200,
      machine: { cpus: 2, loadAverage: 0.5 },
    }) as unknown as NetflowRunSummary;

  it('gives each interval its spread and whether its results equal the reference run', () => {
    const native = summary('native', 5, 1000);
    const point = sweepPoint('100ms', 100, [summary('microbatch', 60, 900), summary('microbatch', 80, 1100)], native);
    expect(point).toMatchObject({ batchInterval: '100ms', intervalMs: 100, latencyP50: { n: 2, min: 60, median: 70, max: 80 }, eventsPerSecond: { median: 1000 }, batches: 4, equal: true, busyRuns: 0 });
    const busy = { ...summary('microbatch', 60, 900), machine: { cpus: 2, loadAverage: 2.5 } } as NetflowRunSummary;
    expect(sweepPoint('100ms', 100, [busy, summary('microbatch', 80, 1100)], native).busyRuns).toBe(1);
    expect(sweepPoint('1s', 1000, [summary('microbatch', 600, 1200, 8)], native).equal).toBe(false);
    expect(() => sweepPoint('1s', 1000, [], native)).toThrow(RangeError);
  });

  it('shows the sweep in the report: a table, the latency-against-throughput chart and the summary row', () => {
    const native = summary('native', 5, 1000);
    const sweep = [sweepPoint('asap', 0, [summary('microbatch', 20, 1300)], native), sweepPoint('5s', 5000, [summary('microbatch', 2600, 1400)], native), sweepPoint('1s', 1000, [summary('microbatch', 10, 2000, 9)], native)];
    const r = buildCompareReport('sweep', native, summary('microbatch', 600, 1200), new Date(0), sweep);
    expect(r.sweep.map((p) => p.batchInterval)).toEqual(['asap', '5s', '1s']);
    const html = renderHtml(r, { sweep: '<svg id="sweep"></svg>' });
    expect(html).toContain('<h2>Batch-interval sweep (micro-batch)</h2>');
    expect(html).toContain('<svg id="sweep"></svg>');
    expect(html).toContain('<span class="bad">DIFFERENT</span>');
    expect(html).not.toContain("of the sweep's runs started with a 1-minute load average");
    // the point whose results differ (1s) is no answer, however fast
    expect(html).toContain('lowest latency at asap (p50 20 ms, 1,300 events/s); highest throughput at 5s (p50 2,600 ms, 1,400 events/s)');
    expect(html.indexOf('Which runner for what')).toBeLessThan(html.indexOf('Result equality'));
    const spec = compareChartSpecs(r).sweep as unknown as { data: { values: { series: string; label: string }[] } };
    expect(spec.data.values.map((v) => `${v.series} ${v.label}`)).toEqual([
      'micro-batch p50 asap', 'micro-batch p99 asap', 'micro-batch p50 5s', 'micro-batch p99 5s', 'micro-batch p50 1s', 'micro-batch p99 1s', 'native p50 native', 'native p99 native',
    ]);
    // without a sweep: no sweep section, no sweep chart
    const plain = buildCompareReport('plain', native, summary('microbatch', 600, 1200), new Date(0));
    expect(renderHtml(plain, {})).not.toContain('Batch-interval sweep');
    expect(compareChartSpecs(plain).sweep).toBeUndefined();
  });
});
