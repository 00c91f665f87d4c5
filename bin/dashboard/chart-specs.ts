import type { TopLevelSpec } from 'vega-lite';
import { shortWatermark } from '../../runners/monitoring/format.js';
import type { RunRecord } from './run-record.js';

/** A chart: its Vega-Lite spec, whose data is the named dataset `rows`, and the rows. */
export interface Chart {
  readonly title: string;
  readonly spec: TopLevelSpec;
  readonly rows: readonly Record<string, unknown>[];
}

/** Width of a chart's plot, so two charts fit side by side on a 1,100 px wide page and one on a narrower one. */
const WIDTH = 420;
const HEIGHT = 170;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Batches shown in the timeline (the newest). */
const TIMELINE_BATCHES = 300;

/**
 * The page's charts for one or more runs (several: one line per run, e.g. both runners of
 * `compare`): records per second in and out over time, the watermark's lag behind processing time,
 * each source buffer's fill (backpressure), and for micro-batch runs the batch timeline (duration
 * and rows per batch, watermark in the tooltip). Charts without data are left out.
 * @example chartsOf([record]).map((c) => c.title) // ['Records per second', 'Watermark lag', 'Source buffer fill']
 */
export function chartsOf(records: readonly RunRecord[]): Chart[] {
  const many = records.length > 1;
  const series = (r: RunRecord, name: string) => (many ? `${r.runner}: ${name}` : name);
  const charts: Chart[] = [];
  const rateRows = records.flatMap((r) =>
    r.history.flatMap((h) => [
      ...(h.inPerSecond !== null ? [{ t: h.t, series: series(r, 'in'), perSecond: h.inPerSecond }] : []),
      ...(h.outPerSecond !== null ? [{ t: h.t, series: series(r, 'out'), perSecond: h.outPerSecond }] : []),
    ]),
  );
  if (rateRows.length > 0) {
    charts.push({
      title: 'Records per second',
      rows: rateRows,
      spec: line('Records per second', 'records into the pipeline (read) and out of it (to its sinks)', 'perSecond', 'records/s', { format: '~s' }),
    });
  }
  const lags = records.flatMap((r) => r.history.filter((h) => h.lagSeconds !== null).map((h) => ({ t: h.t, series: series(r, 'lag'), seconds: h.lagSeconds! })));
  if (lags.length > 0) {
    // A replay of old events lags by years, a live stream by seconds: the axis takes the unit that fits.
    const [unit, per] = lagUnit(Math.max(...lags.map((l) => l.seconds)));
    const lagRows = lags.map((l) => ({ t: l.t, series: l.series, lag: l.seconds / per }));
    charts.push({ title: 'Watermark lag', rows: lagRows, spec: line('Watermark lag', 'processing time minus the input watermark', 'lag', unit, { format: ',.1~f' }) });
  }
  const fillRows = records.flatMap((r) => r.history.flatMap((h) => Object.entries(h.fill).map(([source, fill]) => ({ t: h.t, series: series(r, source), fill }))));
  if (fillRows.length > 0) {
    charts.push({
      title: 'Source buffer fill',
      rows: fillRows,
      spec: line('Source buffer fill (backpressure)', 'share of each source buffer in use: full means the pipeline holds the source back', 'fill', 'fill', { format: '.0%' }, [0, 1]),
    });
  }
  const batchRows = records.flatMap((r) =>
    r.batches.slice(-TIMELINE_BATCHES).map((b) => ({ runner: r.runner, batch: b.batchId, durationMs: b.durationMs, rows: b.inputRows, watermark: shortWatermark(b.watermark) })),
  );
  if (batchRows.length > 0) charts.push({ title: 'Micro-batches', rows: batchRows, spec: timeline(batchRows.length) });
  return charts;
}

/** The unit for lags up to `max` seconds, and its length in seconds. */
function lagUnit(max: number): [string, number] {
  if (max >= 2 * 365 * 86_400) return ['years', 365.25 * 86_400];
  if (max >= 2 * 86_400) return ['days', 86_400];
  if (max >= 2 * 3600) return ['hours', 3600];
  if (max >= 120) return ['minutes', 60];
  return ['seconds', 1];
}

function line(title: string, subtitle: string, field: string, axisTitle: string, axis: { format: string }, domain?: [number, number]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    data: { name: 'rows' },
    mark: { type: 'line', interpolate: 'monotone', point: false, strokeWidth: 1.6 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds since start' },
      y: { field, type: 'quantitative', title: axisTitle, axis, ...(domain ? { scale: { domain } } : {}) },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      tooltip: [{ field: 'series' }, { field: 't', title: 's', format: '.1f' }, { field, title: axisTitle, format: axis.format === '.0%' ? '.1%' : ',.3~f' }],
    },
  } as TopLevelSpec;
}

function timeline(n: number): TopLevelSpec {
  const tooltip = [{ field: 'runner' }, { field: 'batch' }, { field: 'durationMs', title: 'duration (ms)' }, { field: 'rows', format: ',' }, { field: 'watermark' }];
  const x = { field: 'batch', type: 'ordinal', title: 'batch', axis: { labelOverlap: true, labelAngle: 0 } };
  return {
    $schema: SCHEMA,
    title: { text: 'Micro-batches', subtitle: `duration and input rows per batch (the last ${Math.min(n, TIMELINE_BATCHES)}); watermark in the tooltip`, anchor: 'start' },
    data: { name: 'rows' },
    vconcat: [
      { width: WIDTH, height: 90, mark: 'bar', encoding: { x: { ...x, axis: null }, y: { field: 'durationMs', type: 'quantitative', title: 'ms' }, color: { field: 'runner', legend: null }, tooltip } },
      { width: WIDTH, height: 90, mark: 'bar', encoding: { x, y: { field: 'rows', type: 'quantitative', title: 'rows', axis: { format: '~s' } }, color: { field: 'runner', legend: null }, tooltip } },
    ],
  } as TopLevelSpec;
}

/** The spec with its rows inlined (for rendering without a browser). */
export function withRows(chart: Chart): TopLevelSpec {
  return { ...chart.spec, data: { values: chart.rows as Record<string, unknown>[] } } as TopLevelSpec;
}
