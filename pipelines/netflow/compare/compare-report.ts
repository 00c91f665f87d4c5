import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { Histogram } from '../histogram.js';
import { intToIpv4 } from '../ipv4.js';
import type { NetflowRunSummary } from '../netflow-app.js';
import { formatDistance } from '../netflow-summary.js';
import { compareResults, type ResultEquality } from './result-equality.js';

/** One runner's figures in the comparison. */
export interface RunnerFigures {
  readonly runner: string;
  readonly runnerOptions: Readonly<Record<string, unknown>>;
  readonly eventsIn: number;
  readonly recordsParsed: number;
  /** Parsed records that reached their group (the others were dropped as late). */
  readonly recordsPaired: number;
  readonly rejected: Readonly<Record<string, number>>;
  readonly lateDropped: number;
  readonly groups: number;
  readonly pairs: number;
  readonly windows: number;
  readonly keyWindows: number;
  /** The seed's measure: last minus first output time. */
  readonly computationMs: number | null;
  readonly wallMs: number;
  readonly eventsPerSecond: number;
  readonly pairsPerSecond: number;
  readonly latencyMs: NetflowRunSummary['latencyMs'];
  readonly cpuMs: NetflowRunSummary['cpuMs'];
  readonly peakRssMb: number;
  readonly batches: number | null;
  readonly machine: NetflowRunSummary['machine'];
}

/** report.json */
export interface CompareReport {
  readonly name: string;
  readonly createdAt: string;
  readonly input: string;
  readonly job: NetflowRunSummary['job'];
  readonly methodology: readonly string[];
  readonly equality: ResultEquality;
  readonly runners: readonly RunnerFigures[];
  /** Per runner: `[index of the computation in output order, ms since that runner's first output]`, sampled. */
  readonly outputTimes: Readonly<Record<string, readonly (readonly [number, number])[]>>;
  /** Per runner: the run's distance histogram. */
  readonly histograms: Readonly<Record<string, Histogram | null>>;
  /** The most distant pairs of the first runner (windows in order). */
  readonly top: NetflowRunSummary['top'];
}

export const METHODOLOGY = [
  'Each runner runs the same job on the same input in its own child process, one after the other, so CPU time (process.cpuUsage over the run) and peak memory (the process\'s maximum resident set size, which includes the ~100 MB of Node and the TypeScript loader) belong to that runner alone and one run\'s garbage or JIT state cannot bias the other.',
  'Total computation time is the seed\'s measure: the last minus the first output time (ts_output, the processing time at which a pair\'s distance was emitted). Wall time runs from the pipeline\'s start to its end; throughput is events (or pairs) over wall time.',
  'Latency of a pair is ts_output minus the ingestion time of the later of its two events (the pair cannot exist before both arrived); ingestion time is the processing time at which the job\'s first step (Parse) saw the event. Percentiles are exact (latencies are counted per millisecond).',
  'Result equality compares, per source IP and window, the set of pairs (by event ids, earlier event first) and their distances bit for bit: exactly, pair by pair, when both runs kept their pairs (small runs), else by a count and a 64-bit order-independent digest per key and window.',
];

/** Builds the comparison from the two runs' summaries (the first is the reference for "top pairs"). */
export function buildCompareReport(name: string, a: NetflowRunSummary, b: NetflowRunSummary, createdAt = new Date()): CompareReport {
  const figures = (s: NetflowRunSummary): RunnerFigures => ({
    runner: s.runner,
    runnerOptions: s.runnerOptions,
    eventsIn: s.eventsIn,
    recordsParsed: s.recordsParsed,
    recordsPaired: s.recordsPaired,
    rejected: s.rejected,
    lateDropped: s.lateDropped,
    groups: s.groups,
    pairs: s.pairs.pairs,
    windows: s.pairs.windows,
    keyWindows: s.pairs.keyWindows,
    computationMs: s.computationMs,
    wallMs: s.wallMs,
    eventsPerSecond: s.throughput.eventsPerSecond,
    pairsPerSecond: s.throughput.pairsPerSecond,
    latencyMs: s.latencyMs,
    cpuMs: s.cpuMs,
    peakRssMb: s.peakRssMb,
    batches: s.batches,
    machine: s.machine,
  });
  const rel = (s: NetflowRunSummary) => s.pairs.outputTimes.map(([i, t]) => [i, t - (s.pairs.firstOutput ?? t)] as const);
  return {
    name,
    createdAt: createdAt.toISOString(),
    input: a.input,
    job: a.job,
    methodology: METHODOLOGY,
    equality: compareResults([a.runner, b.runner], a.pairs, b.pairs),
    runners: [figures(a), figures(b)],
    outputTimes: { [a.runner]: rel(a), [b.runner]: rel(b) },
    histograms: { [a.runner]: a.histogram, [b.runner]: b.histogram },
    top: a.top,
  };
}

const COLORS = { domain: ['native', 'microbatch'], range: ['#d95f02', '#1b9e77'] };

/** Vega-Lite specs of the report's charts. */
export function compareChartSpecs(r: CompareReport): Record<'outputTimes' | 'histogram' | 'latency' | 'resources', TopLevelSpec> {
  const outputRows = Object.entries(r.outputTimes).flatMap(([runner, pts]) => thin(pts, 1500).map(([i, t]) => ({ runner, computation: i + 1, seconds: t / 1000 })));
  const histRows = Object.entries(r.histograms).flatMap(([runner, h]) =>
    (h?.buckets ?? []).map((b, order) => ({ runner, order, bucket: b.lo === 0 && b.hi === 0 ? '0' : `${formatDistance(b.lo)}–${formatDistance(b.hi)}`, lo: b.lo, count: b.count })),
  );
  const latencyRows = r.runners.flatMap((f) => (['p50', 'p95', 'p99'] as const).map((q) => ({ runner: f.runner, percentile: q, ms: f.latencyMs[q] ?? 0 })));
  const resourceRows = r.runners.flatMap((f) => [
    { runner: f.runner, measure: 'computation time (s)', value: (f.computationMs ?? 0) / 1000 },
    { runner: f.runner, measure: 'wall time (s)', value: f.wallMs / 1000 },
    { runner: f.runner, measure: 'CPU time (s)', value: f.cpuMs.total / 1000 },
    { runner: f.runner, measure: 'peak RSS (GB)', value: f.peakRssMb / 1024 },
  ]);
  const color = { field: 'runner', type: 'nominal' as const, scale: COLORS, legend: { title: 'runner' } };
  return {
    outputTimes: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Output time of each computation', subtitle: 'seconds since the runner\'s first output, by pair in output order (sampled)' },
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
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
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
    latency: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Latency from ingestion to output', subtitle: 'ms from the later event\'s ingestion to the pair\'s output' },
      width: 300,
      height: 220,
      data: { values: latencyRows },
      mark: 'bar',
      encoding: {
        x: { field: 'percentile', type: 'nominal', title: null, axis: { labelAngle: 0 } },
        xOffset: { field: 'runner' },
        y: { field: 'ms', type: 'quantitative', title: 'ms' },
        color,
      },
    },
    resources: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Time and memory', subtitle: 'lower is better' },
      width: 300,
      height: 220,
      data: { values: resourceRows },
      mark: 'bar',
      encoding: {
        x: { field: 'measure', type: 'nominal', title: null, axis: { labelAngle: -30 } },
        xOffset: { field: 'runner' },
        y: { field: 'value', type: 'quantitative', title: 's / GB' },
        color,
      },
    },
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

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number | null, digits = 0): string => (x === null ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** The HTML report: verdict, figures side by side, charts (inline SVG), differences, top pairs. */
export function renderHtml(r: CompareReport, svgs: Record<string, string>): string {
  const [a, b] = r.runners as [RunnerFigures, RunnerFigures];
  const row = (label: string, f: (x: RunnerFigures) => string) => `<tr><th>${esc(label)}</th><td>${f(a)}</td><td>${f(b)}</td></tr>`;
  const eq = r.equality;
  const verdict = eq.equal
    ? `<p class="ok">Same results: ${num(eq.pairs[0])} pairs in ${num(eq.keyWindows[0])} source-IP × window groups, identical pairs and distances on both runners (compared by ${eq.method === 'pairs' ? 'every pair' : 'per-group digests'}).</p>`
    : `<p class="bad">Results differ: ${num(eq.differingKeyWindows)} source-IP × window groups differ (${esc(eq.labels[0])}: ${num(eq.pairs[0])} pairs, ${esc(eq.labels[1])}: ${num(eq.pairs[1])} pairs; compared by ${eq.method === 'pairs' ? 'every pair' : 'per-group digests'}).</p>`;
  const diffRows = eq.differences
    .map((d) => {
      const detail = d.onlyInA || d.onlyInB || d.distanceDiffers
        ? [
            ...(d.onlyInA ?? []).slice(0, 5).map(([x, y, dist]) => `only in ${esc(eq.labels[0])}: ${esc(x)} ↔ ${esc(y)} = ${dist}`),
            ...(d.onlyInB ?? []).slice(0, 5).map(([x, y, dist]) => `only in ${esc(eq.labels[1])}: ${esc(x)} ↔ ${esc(y)} = ${dist}`),
            ...(d.distanceDiffers ?? []).slice(0, 5).map(([x, y, da, db]) => `${esc(x)} ↔ ${esc(y)}: ${da} vs ${db}`),
          ].join('<br>')
        : '(digest differs)';
      return `<tr><td>${esc(d.keyWindow)}</td><td>${d.kind}</td><td>${num(d.countA)}</td><td>${num(d.countB)}</td><td>${detail}</td></tr>`;
    })
    .join('');
  const topRows = r.top
    .flatMap((w) => w.pairs.map((p) => ({ w, p })))
    .sort((x, y) => y.p.distance - x.p.distance)
    .slice(0, 20)
    .map(({ w, p }) => `<tr><td>${formatDistance(p.distance)}</td><td>${intToIpv4(p.src_ip4)}</td><td>${new Date(w.window_start).toISOString()}</td><td>${esc(p.eventid_1)}</td><td>${esc(p.eventid_2)}</td></tr>`)
    .join('');
  const rejected = (f: RunnerFigures) => {
    const e = Object.entries(f.rejected);
    return e.length ? e.map(([k, v]) => `${esc(k)} ${num(v)}`).join(', ') : '0';
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Netflow job: ${esc(a.runner)} vs ${esc(b.runner)} — ${esc(r.name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; text-align: left; } .ok { color: #1a7f37; font-weight: 600; } .bad { color: #b42318; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } code { background: #f4f4f4; padding: 0 3px; }
</style></head><body>
<h1>Netflow job: ${esc(a.runner)} vs ${esc(b.runner)}</h1>
<p>Comparison <code>${esc(r.name)}</code>, ${esc(r.createdAt)}. Input: ${esc(r.input)}.<br>
Job: ${r.job.windowMs} ms tumbling windows per source IP, every pair's Euclidean distance over ${esc(r.job.features.join(', '))} (scaling ${esc(typeof r.job.scaling === 'string' ? r.job.scaling : JSON.stringify(r.job.scaling))}), allowed lateness ${r.job.allowedLatenessMs} ms.</p>
<h2>Result equality</h2>
${verdict}
${eq.differences.length ? `<table><tr><th>source IP @ window</th><th>difference</th><th>${esc(eq.labels[0])} pairs</th><th>${esc(eq.labels[1])} pairs</th><th>detail</th></tr>${diffRows}</table>${eq.differingKeyWindows > eq.differences.length ? `<p>… and ${num(eq.differingKeyWindows - eq.differences.length)} more.</p>` : ''}` : ''}
<h2>Figures</h2>
<table>
<tr><th></th><th>${esc(a.runner)}</th><th>${esc(b.runner)}</th></tr>
${row('runner options', (f) => esc(Object.entries(f.runnerOptions).map(([k, v]) => `${k} ${v}`).join(', ')))}
${row('events in', (f) => num(f.eventsIn))}
${row('rejected', rejected)}
${row('records paired / late dropped', (f) => `${num(f.recordsPaired)} / ${num(f.lateDropped)}`)}
${row('groups (source IP × window panes)', (f) => num(f.groups))}
${row('pairs out', (f) => num(f.pairs))}
${row('windows with pairs', (f) => num(f.windows))}
${row('total computation time (last − first output)', (f) => `${num(f.computationMs)} ms`)}
${row('wall time', (f) => `${num(f.wallMs)} ms`)}
${row('throughput', (f) => `${num(f.eventsPerSecond)} events/s<br>${num(f.pairsPerSecond)} pairs/s`)}
${row('latency p50 / p95 / p99 (max)', (f) => `${num(f.latencyMs.p50)} / ${num(f.latencyMs.p95)} / ${num(f.latencyMs.p99)} (${num(f.latencyMs.max)}) ms`)}
${row('CPU time (user + system)', (f) => `${num(f.cpuMs.total)} ms (${num(f.cpuMs.user)} + ${num(f.cpuMs.system)})`)}
${row('peak RSS', (f) => `${num(f.peakRssMb)} MB`)}
${row('micro-batches', (f) => (f.batches === null ? '–' : num(f.batches)))}
${row('machine: CPUs, load average at start', (f) => `${f.machine.cpus} CPUs, load ${num(f.machine.loadAverage, 2)}`)}
</table>
<h2>Charts</h2>
<div class="charts">
<figure>${svgs['outputTimes'] ?? ''}</figure>
<figure>${svgs['histogram'] ?? ''}</figure>
<figure>${svgs['latency'] ?? ''}</figure>
<figure>${svgs['resources'] ?? ''}</figure>
</div>
<h2>Most distant pairs (${esc(a.runner)})</h2>
${topRows ? `<table><tr><th>distance</th><th>source IP</th><th>window</th><th>eventid 1</th><th>eventid 2</th></tr>${topRows}</table>` : '<p>(top-N was off)</p>'}
<h2>How this was measured</h2>
<ul>${r.methodology.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>
</body></html>
`;
}

/** Writes report.json, report.html and one SVG per chart into `dir`; returns the files written. */
export async function writeCompareReport(dir: string, r: CompareReport): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const specs = compareChartSpecs(r);
  const svgs: Record<string, string> = {};
  const files: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    svgs[name] = await renderSvg(spec);
    const f = join(dir, `${name}.svg`);
    writeFileSync(f, svgs[name]!);
    files.push(f);
  }
  const json = join(dir, 'report.json');
  writeFileSync(json, JSON.stringify(r, null, 2));
  const html = join(dir, 'report.html');
  writeFileSync(html, renderHtml(r, svgs));
  return [html, json, ...files];
}
