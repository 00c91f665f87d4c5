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

export type ChartName = 'outputTimes' | 'histogram' | 'latency' | 'time' | 'memory';

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

/** Vega-Lite specs of the report's charts. */
export function compareChartSpecs(r: CompareReport): Record<ChartName, TopLevelSpec> {
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
