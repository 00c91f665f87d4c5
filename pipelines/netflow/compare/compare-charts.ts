import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { formatDistance } from '../netflow-summary.js';
import { MEASURES, type Measure } from './compare-measures.js';
import type { CompareReport } from './compare-report.js';

/**
 * The comparison report's charts, as Vega-Lite specs: output times, the distance histogram, and one
 * chart per unit (time in seconds, latency in ms, memory in MB) with a bar at each runner's median
 * and a rule from its minimum to its maximum over the repeated runs.
 */

/** Every chart the report may have (each written as `<name>.svg` into the report folder). */
export const CHART_NAMES = ['outputTimes', 'histogram', 'latency', 'time', 'memory', 'sweep'] as const;
export type ChartName = (typeof CHART_NAMES)[number];

const COLORS = { domain: ['native', 'microbatch'], range: ['#d95f02', '#1b9e77'] };
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Bars at the median, rules from min to max, grouped by measure and coloured by runner. */
function spreadChart(r: CompareReport, chart: Measure['chart'], title: string, yTitle: string, scale: number): TopLevelSpec {
  const measures = MEASURES.filter((m) => m.chart === chart);
  const rows = r.runners.flatMap((f) =>
    measures.flatMap((m) => {
      const s = r.spread[f.runner]?.[m.id];
      return s ? [{ runner: f.runner, measure: m.short, median: s.median / scale, min: s.min / scale, max: s.max / scale }] : [];
    }),
  );
  const top = Math.max(0, ...rows.map((x) => x.max)) * 1.05 || 1;
  const color = { field: 'runner', type: 'nominal' as const, scale: COLORS, legend: { title: 'runner' } };
  // data order (measures as listed, native first): a sort on x or xOffset makes Vega-Lite union conflicting domains
  const x = { field: 'measure', type: 'nominal' as const, title: null, sort: null, axis: { labelAngle: 0, labelLimit: 120 } };
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: r.repeat > 1 ? `median of ${r.repeat} runs per runner, rule from min to max; lower is better` : 'one run per runner (--repeat=N for a spread); lower is better' },
    width: 300,
    height: 220,
    data: { values: rows },
    encoding: { x, xOffset: { field: 'runner', sort: null }, color },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'median', type: 'quantitative', title: yTitle, scale: { domain: [0, top], nice: true } } } },
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: { value: '#222' } } },
    ],
  } as TopLevelSpec;
}

/**
 * The batch-interval sweep: latency (p50 and p99, log scale) against throughput, one point per
 * --batchInterval joined in interval order, each labelled with its interval, rules from min to max,
 * and the first runner (native) as a reference point.
 */
function sweepChart(r: CompareReport): TopLevelSpec {
  const ref = r.runners[0]!.runner;
  const rows = [
    ...r.sweep.flatMap((p) =>
      (['p50', 'p99'] as const).flatMap((q) => {
        const lat = q === 'p50' ? p.latencyP50 : p.latencyP99;
        const eps = p.eventsPerSecond;
        return lat && eps ? [{ series: `micro-batch ${q}`, kind: 'micro-batch', label: p.batchInterval, order: p.intervalMs, latency: lat.median, latMin: lat.min, latMax: lat.max, eps: eps.median, epsMin: eps.min, epsMax: eps.max }] : [];
      }),
    ),
    ...(['p50', 'p99'] as const).flatMap((q) => {
      const lat = r.spread[ref]?.[q === 'p50' ? 'latencyP50' : 'latencyP99'];
      const eps = r.spread[ref]?.eventsPerSecond;
      return lat && eps ? [{ series: `${ref} ${q}`, kind: ref, label: ref, order: 0, latency: lat.median, latMin: lat.min, latMax: lat.max, eps: eps.median, epsMin: eps.min, epsMax: eps.max }] : [];
    }),
  ];
  // a log axis needs values above 0; a run whose latency rounds to 0 ms gets a linear one
  const log = rows.every((x) => x.latMin > 0);
  const series = [...new Set(rows.map((x) => x.series))];
  const x = { field: 'eps', type: 'quantitative' as const, title: 'throughput (events per second of wall time)', scale: { zero: false } };
  const lo = Math.min(...rows.map((x) => x.latMin));
  const hi = Math.max(...rows.map((x) => x.latMax));
  const y = { field: 'latency', type: 'quantitative' as const, title: 'latency, ingestion to output (ms)', scale: log ? { type: 'log' as const, domain: [lo / 1.25, hi * 1.25], nice: false } : { zero: true } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: series, range: series.map((s) => (s.startsWith(ref) ? (s.endsWith('p50') ? '#d95f02' : '#fdae6b') : s.endsWith('p50') ? '#1b9e77' : '#7fc9b0')) } };
  return {
    $schema: SCHEMA,
    title: { text: 'Latency against throughput, by batch interval', subtitle: `micro-batch at each --sweep interval (labelled), ${ref} for reference; ${r.repeat > 1 ? `median of ${r.repeat} runs, rules min to max` : 'one run each'}` },
    width: 560,
    height: 320,
    data: { values: rows },
    encoding: { x, y, color },
    layer: [
      { transform: [{ filter: `datum.label !== '${ref}'` }], mark: { type: 'line', strokeWidth: 1.5 }, encoding: { order: { field: 'order', type: 'quantitative' } } },
      { mark: { type: 'rule', strokeWidth: 1, opacity: 0.45 }, encoding: { y: { field: 'latMin', type: 'quantitative' }, y2: { field: 'latMax' } } },
      { mark: { type: 'rule', strokeWidth: 1, opacity: 0.45 }, encoding: { x: { field: 'epsMin', type: 'quantitative' }, x2: { field: 'epsMax' } } },
      { mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { shape: { field: 'kind', type: 'nominal', scale: { domain: ['micro-batch', ref], range: ['circle', 'diamond'] }, legend: null } } },
      // labels: p99 above its point, p50 below, so the two series' labels do not overlap
      { transform: [{ filter: "indexof(datum.series, 'p99') >= 0" }], mark: { type: 'text', align: 'left', dx: 6, dy: -9, fontSize: 11 }, encoding: { text: { field: 'label' }, color: { value: '#222' } } },
      { transform: [{ filter: "indexof(datum.series, 'p50') >= 0" }], mark: { type: 'text', align: 'left', dx: 6, dy: 11, fontSize: 11 }, encoding: { text: { field: 'label' }, color: { value: '#222' } } },
    ],
  } as TopLevelSpec;
}

/** Vega-Lite specs of the report's charts (the sweep's only with a sweep). */
export function compareChartSpecs(r: CompareReport): Partial<Record<ChartName, TopLevelSpec>> {
  const outputRows = Object.entries(r.outputTimes).flatMap(([runner, pts]) => thin(pts, 1500).map(([i, t]) => ({ runner, computation: i + 1, seconds: t / 1000 })));
  const histRows = Object.entries(r.histograms).flatMap(([runner, h]) =>
    (h?.buckets ?? []).map((b, order) => ({ runner, order, bucket: b.lo === 0 && b.hi === 0 ? '0' : `${formatDistance(b.lo)}–${formatDistance(b.hi)}`, lo: b.lo, count: b.count })),
  );
  const color = { field: 'runner', type: 'nominal' as const, scale: COLORS, legend: { title: 'runner' } };
  return {
    outputTimes: {
      $schema: SCHEMA,
      title: { text: 'Output time of each computation', subtitle: 'seconds since the runner\'s first output, by pair in output order (sampled; first run of each runner)' },
      width: 640,
      height: 300,
      data: { values: outputRows },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'computation', type: 'quantitative', title: 'computation (pair #, output order)', axis: { format: '~s' } },
        y: { field: 'seconds', type: 'quantitative', title: 'output time (s since first output)' },
        color,
      },
    },
    histogram: {
      $schema: SCHEMA,
      title: { text: 'Distance histogram', subtitle: 'pairs per distance bucket (log count axis: the long tail is where anomalies live)' },
      width: 640,
      height: 300,
      data: { values: histRows },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'bucket', type: 'ordinal', sort: { field: 'lo', order: 'ascending' }, title: 'distance', axis: { labelAngle: -60 } },
        xOffset: { field: 'runner' },
        y: { field: 'count', type: 'quantitative', scale: { type: 'log', domainMin: 0.5 }, stack: null, title: 'pairs' },
        color,
        tooltip: [{ field: 'runner' }, { field: 'bucket' }, { field: 'count' }],
      },
    },
    latency: spreadChart(r, 'latency', 'Latency from ingestion to output (ms)', 'ms', 1),
    time: spreadChart(r, 'time', 'Time (s)', 's', 1000),
    memory: spreadChart(r, 'memory', 'Peak memory (MB)', 'MB', 1),
    ...(r.sweep.length ? { sweep: sweepChart(r) } : {}),
  };
}

/** At most `max` points, evenly spaced, keeping the last. */
function thin<T>(pts: readonly T[], max: number): readonly T[] {
  if (pts.length <= max) return pts;
  const step = pts.length / max;
  const out: T[] = [];
  for (let k = 0; k < max - 1; k++) out.push(pts[Math.floor(k * step)]!);
  out.push(pts[pts.length - 1]!);
  return out;
}

/** Renders a Vega-Lite spec to SVG text, headless (no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
