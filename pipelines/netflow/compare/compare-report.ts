import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeWholeFileSet } from '../../../transforms/io/whole-file-set.js';
import type { Histogram } from '../histogram.js';
import { intToIpv4 } from '../ipv4.js';
import type { NetflowRunSummary } from '../netflow-app.js';
import { formatDistance } from '../netflow-summary.js';
import { compareChartSpecs, renderSvg } from './compare-charts.js';
import { MEASURES, type MeasureId } from './compare-measures.js';
import { compareResults, type ResultEquality } from './result-equality.js';
import { ratioOf, spreadOf, type Spread } from './spread.js';
import type { SweepPoint } from './sweep.js';
import { whichRunner, type WhichRunnerRow } from './which-runner.js';

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
  /** Panes the GroupByKey emitted (source IP × window groups, one of a single record included: it has no pairs). */
  readonly groups: number;
  readonly pairs: number;
  readonly windows: number;
  /** Source IP × window groups that produced pairs (what result equality compares). */
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
  /** Result equality of the first run of each runner. */
  readonly equality: ResultEquality;
  /** Runs per runner (`--repeat`). */
  readonly repeat: number;
  /** Per runner: the repeated runs whose results differ from its first run's (1-based run numbers); empty when all agree. */
  readonly repeatsDiffering: Readonly<Record<string, readonly number[]>>;
  /** The first run of each runner (counts are the same on every run when results agree). */
  readonly runners: readonly RunnerFigures[];
  /** Per runner and measure: min, median and max over its runs. */
  readonly spread: Readonly<Record<string, Readonly<Record<MeasureId, Spread | null>>>>;
  /** Per measure: the second runner's median over the first's. */
  readonly ratios: Readonly<Record<MeasureId, number | null>>;
  /** "Which runner for what": latency, throughput, CPU and memory, computed from `spread`. */
  readonly whichRunner: readonly WhichRunnerRow[];
  /** The batch-interval sweep (`--sweep`): the micro-batch runner at each interval; empty without one. */
  readonly sweep: readonly SweepPoint[];
  /** Set when the machine had other work when a run started (1-minute load average at or above its CPUs): timings are then unreliable. */
  readonly busyMachine: string | null;
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
  'With --repeat=N each runner runs N times, the runners alternating (native, micro-batch, native, ...), so a slow spell of the machine hits both; the table and the charts show the median and the range (min–max) of each timed figure, and the ratio column divides the second runner\'s median by the first\'s. The input generator\'s rate is an event-time rate (events per second of event time), not a throughput.',
  'Result equality compares, per source IP and window, the set of pairs (by event ids, earlier event first) and their distances bit for bit: exactly, pair by pair, when both runs kept their pairs (small runs), else by a count and a 64-bit order-independent digest per key and window.',
];

/**
 * Builds the comparison from the runs' summaries: one run per runner, or the `--repeat` runs of each
 * (the first runner's first run is the reference for "top pairs"; output times and the histogram are
 * from each runner's first run).
 * @example buildCompareReport('scenario-1', nativeRuns, microbatchRuns).ratios.wallMs // microbatch's median wall time over native's
 */
export function buildCompareReport(
  name: string,
  a: NetflowRunSummary | readonly NetflowRunSummary[],
  b: NetflowRunSummary | readonly NetflowRunSummary[],
  createdAt = new Date(),
  sweep: readonly SweepPoint[] = [],
): CompareReport {
  const runsA = Array.isArray(a) ? (a as readonly NetflowRunSummary[]) : [a as NetflowRunSummary];
  const runsB = Array.isArray(b) ? (b as readonly NetflowRunSummary[]) : [b as NetflowRunSummary];
  if (runsA.length === 0 || runsA.length !== runsB.length) throw new RangeError(`a comparison needs as many runs of each runner, at least one (got ${runsA.length} and ${runsB.length})`);
  const [a0, b0] = [runsA[0]!, runsB[0]!];
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
  const spreads = (runs: readonly NetflowRunSummary[]) => {
    const f = runs.map(figures);
    return Object.fromEntries(MEASURES.map((m) => [m.id, spreadOf(f.map(m.of))])) as Record<MeasureId, Spread | null>;
  };
  const spreadA = spreads(runsA);
  const spreadB = spreads(runsB);
  const differing = (runs: readonly NetflowRunSummary[]) =>
    runs.flatMap((s, i) => (i > 0 && !compareResults([s.runner, s.runner], runs[0]!.pairs, s.pairs).equal ? [i + 1] : []));
  const busy = [...runsA, ...runsB].filter((s) => s.machine.loadAverage >= s.machine.cpus);
  const rel = (s: NetflowRunSummary) => s.pairs.outputTimes.map(([i, t]) => [i, t - (s.pairs.firstOutput ?? t)] as const);
  return {
    name,
    createdAt: createdAt.toISOString(),
    input: a0.input,
    job: a0.job,
    methodology: METHODOLOGY,
    equality: compareResults([a0.runner, b0.runner], a0.pairs, b0.pairs),
    repeat: runsA.length,
    repeatsDiffering: { [a0.runner]: differing(runsA), [b0.runner]: differing(runsB) },
    runners: [figures(a0), figures(b0)],
    spread: { [a0.runner]: spreadA, [b0.runner]: spreadB },
    ratios: Object.fromEntries(MEASURES.map((m) => [m.id, ratioOf(spreadA[m.id], spreadB[m.id])])) as Record<MeasureId, number | null>,
    whichRunner: whichRunner([a0.runner, b0.runner], { [a0.runner]: spreadA, [b0.runner]: spreadB }),
    sweep,
    busyMachine: busy.length
      ? `The machine had other work: ${busy.length} of ${runsA.length + runsB.length} runs started with a 1-minute load average at or above its ${busy[0]!.machine.cpus} CPUs ` +
        `(up to ${Math.max(...busy.map((s) => s.machine.loadAverage)).toFixed(2)}); their times include waiting for a CPU.`
      : null,
    outputTimes: { [a0.runner]: rel(a0), [b0.runner]: rel(b0) },
    histograms: { [a0.runner]: a0.histogram, [b0.runner]: b0.histogram },
    top: a0.top,
  };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number | null, digits = 0): string => (x === null ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** A timed figure: the value of a single run, or the median with the range of repeated runs. */
function measured(s: Spread | null, unit: string, digits = 0): string {
  if (s === null) return '–';
  const u = ` ${unit}`;
  if (s.n === 1) return `${num(s.median, digits)}${u}`;
  return `${num(s.median, digits)}${u}<br><small>${num(s.min, digits)}–${num(s.max, digits)}</small>`;
}

/** A ratio cell: `×1.23`, with which way is better. */
function ratioCell(ratio: number | null, better: 'lower' | 'higher'): string {
  if (ratio === null) return '–';
  return `×${num(ratio, 2)} <small>(${better} is better)</small>`;
}

/** The sweep's row of "which runner for what": the interval with the lowest typical latency and the one with the highest throughput. */
function sweepAnswer(sweep: readonly SweepPoint[]): string {
  const ok = sweep.filter((p) => p.equal && p.latencyP50 && p.eventsPerSecond);
  if (ok.length < 2) return '';
  const fastest = ok.reduce((x, y) => (y.latencyP50!.median < x.latencyP50!.median ? y : x));
  const busiest = ok.reduce((x, y) => (y.eventsPerSecond!.median > x.eventsPerSecond!.median ? y : x));
  const at = (p: SweepPoint) => `${esc(p.batchInterval)} (p50 ${num(p.latencyP50!.median)} ms, ${num(p.eventsPerSecond!.median)} events/s)`;
  return `<tr><th>micro-batch interval</th><td>--sweep: latency p50 and throughput at each --batchInterval</td><td>–</td><td>lowest latency at ${at(fastest)}; highest throughput at ${at(busiest)}</td></tr>`;
}

/** The batch-interval sweep: a table of its points and the latency-against-throughput chart. */
function sweepSection(r: CompareReport, svg: string | undefined): string {
  if (r.sweep.length === 0) return '';
  const rows = r.sweep
    .map(
      (p) =>
        `<tr><th>${esc(p.batchInterval)}</th><td>${measured(p.latencyP50, 'ms')}</td><td>${measured(p.latencyP99, 'ms')}</td><td>${measured(p.eventsPerSecond, 'events/s')}</td><td>${p.batches === null ? '–' : num(p.batches)}</td>` +
        `<td>${p.equal ? '<span class="ok">same</span>' : '<span class="bad">DIFFERENT</span>'}</td></tr>`,
    )
    .join('\n');
  const busy = r.sweep.reduce((n, p) => n + p.busyRuns, 0);
  return `<h2>Batch-interval sweep (micro-batch)</h2>
${busy ? `<p class="warn">The machine had other work: ${busy} of the sweep's runs started with a 1-minute load average at or above its CPUs; their times include waiting for a CPU.</p>` : ''}
<p>The micro-batch runner at each <code>--batchInterval</code> of <code>--sweep</code>${r.repeat > 1 ? `, ${r.repeat} runs each (median, min–max below)` : ', one run each'}; every other flag as above. Throughput is events per second of wall time; latency as in the figures.</p>
<div class="scroll"><table>
<tr><th>--batchInterval</th><th>latency p50</th><th>latency p99</th><th>throughput</th><th>micro-batches</th><th>results vs ${esc(r.runners[0]!.runner)}</th></tr>
${rows}
</table></div>
${svg ? `<figure>${svg}</figure>` : ''}`;
}

/** The HTML report: verdict, figures side by side with a ratio column, charts (inline SVG), differences, top pairs. */
export function renderHtml(r: CompareReport, svgs: Record<string, string>): string {
  const [a, b] = r.runners as [RunnerFigures, RunnerFigures];
  const row = (label: string, f: (x: RunnerFigures) => string, ratio = '') => `<tr><th>${esc(label)}</th><td>${f(a)}</td><td>${f(b)}</td><td>${ratio}</td></tr>`;
  const measureRow = (id: MeasureId, digits = 0) => {
    const m = MEASURES.find((x) => x.id === id)!;
    return row(m.label, (f) => measured(r.spread[f.runner]?.[id] ?? null, m.unit, digits), ratioCell(r.ratios[id], m.better));
  };
  const eq = r.equality;
  const method = eq.method === 'pairs' ? 'every pair' : 'per-group digests';
  const verdict = eq.equal
    ? `<p class="ok">Same results: ${num(eq.pairs[0])} pairs in ${num(eq.keyWindows[0])} source-IP × window groups with pairs, identical pairs and distances on both runners (compared by ${method}).</p>`
    : `<p class="bad">Results differ: ${num(eq.differingKeyWindows)} source-IP × window groups differ (${esc(eq.labels[0])}: ${num(eq.pairs[0])} pairs in ${num(eq.keyWindows[0])} groups with pairs, ${esc(eq.labels[1])}: ${num(eq.pairs[1])} pairs in ${num(eq.keyWindows[1])}; compared by ${method}).</p>`;
  const repeats = Object.entries(r.repeatsDiffering).filter(([, runs]) => runs.length > 0);
  const repeatNote =
    r.repeat === 1
      ? ''
      : repeats.length === 0
        ? `<p class="ok">All ${r.repeat} runs of each runner gave the same results as its first.</p>`
        : `<p class="bad">Repeated runs disagree: ${repeats.map(([runner, runs]) => `${esc(runner)} runs ${runs.join(', ')}`).join('; ')} differ from that runner's first run.</p>`;
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
body { font-family: system-ui, sans-serif; margin: 2em auto; padding: 0 1em; max-width: 1100px; color: #222; }
.scroll { overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
table.which td, table.which th { text-align: left; } tr.within-spread td, tr.same td, tr.one-run td { color: #555; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; text-align: left; } .ok { color: #1a7f37; font-weight: 600; } .bad { color: #b42318; font-weight: 600; }
.warn { background: #fff4e5; border-left: 4px solid #d97706; padding: 6px 10px; } small { color: #555; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; } code { background: #f4f4f4; padding: 0 3px; }
</style></head><body>
<h1>Netflow job: ${esc(a.runner)} vs ${esc(b.runner)}</h1>
<p>Comparison <code>${esc(r.name)}</code>, ${esc(r.createdAt)}, ${r.repeat === 1 ? 'one run per runner' : `${r.repeat} runs per runner`}. Input: ${esc(r.input)}.<br>
Job: ${r.job.windowMs} ms tumbling windows per source IP, every pair's Euclidean distance over ${esc(r.job.features.join(', '))} (scaling ${esc(typeof r.job.scaling === 'string' ? r.job.scaling : JSON.stringify(r.job.scaling))}), allowed lateness ${r.job.allowedLatenessMs} ms.</p>
${r.busyMachine ? `<p class="warn">${esc(r.busyMachine)}</p>` : ''}
<h2>Which runner for what</h2>
<p>Computed from the figures below (medians${r.repeat > 1 ? `, with the min–max of ${r.repeat} runs deciding whether a difference is clear` : '; one run each, so no spread to tell a real difference from noise: use <code>--repeat=N</code>'}).</p>
<div class="scroll"><table class="which">
<tr><th>aspect</th><th>measure</th><th>better on</th><th>by how much</th></tr>
${r.whichRunner.map((w) => `<tr class="${w.confidence}"><th>${esc(w.aspect)}</th><td>${esc(w.measure)}</td><td>${w.better === null ? '–' : esc(w.better)}</td><td>${esc(w.better !== null && w.text.startsWith(`${w.better}: `) ? w.text.slice(w.better.length + 2) : w.text)}</td></tr>`).join('\n')}
${sweepAnswer(r.sweep)}
</table></div>
<h2>Result equality</h2>
${verdict}
${repeatNote}
${eq.differences.length ? `<div class="scroll"><table><tr><th>source IP @ window</th><th>difference</th><th>${esc(eq.labels[0])} pairs</th><th>${esc(eq.labels[1])} pairs</th><th>detail</th></tr>${diffRows}</table></div>${eq.differingKeyWindows > eq.differences.length ? `<p>… and ${num(eq.differingKeyWindows - eq.differences.length)} more.</p>` : ''}` : ''}
<h2>Figures</h2>
<p>${r.repeat === 1 ? 'One run per runner: run with <code>--repeat=N</code> for the spread.' : `Timed figures: median of ${r.repeat} runs, min–max below it.`}</p>
<div class="scroll"><table>
<tr><th></th><th>${esc(a.runner)}</th><th>${esc(b.runner)}</th><th>${esc(b.runner)} ÷ ${esc(a.runner)}</th></tr>
${row('runner options', (f) => esc(Object.entries(f.runnerOptions).map(([k, v]) => `${k} ${v}`).join(', ')))}
${row('events in', (f) => num(f.eventsIn))}
${row('rejected', rejected)}
${row('records paired / late dropped', (f) => `${num(f.recordsPaired)} / ${num(f.lateDropped)}`)}
${row('source-IP × window groups with pairs', (f) => num(f.keyWindows))}
${row('GroupByKey panes (groups of a single record included: they have no pairs)', (f) => num(f.groups))}
${row('pairs out', (f) => num(f.pairs))}
${row('windows with pairs', (f) => num(f.windows))}
${measureRow('computationMs')}
${measureRow('wallMs')}
${measureRow('eventsPerSecond')}
${measureRow('pairsPerSecond')}
${measureRow('latencyP50')}
${measureRow('latencyP95')}
${measureRow('latencyP99')}
${row('latency max (first run)', (f) => `${num(f.latencyMs.max)} ms`)}
${measureRow('cpuMs')}
${measureRow('peakRssMb')}
${row('micro-batches (first run)', (f) => (f.batches === null ? '–' : num(f.batches)))}
${row('machine: CPUs, load average at start (first run)', (f) => `${f.machine.cpus} CPUs, load ${num(f.machine.loadAverage, 2)}`)}
</table></div>
${sweepSection(r, svgs['sweep'])}
<h2>Charts</h2>
<div class="charts">
<figure>${svgs['outputTimes'] ?? ''}</figure>
<figure>${svgs['histogram'] ?? ''}</figure>
<figure>${svgs['time'] ?? ''}</figure>
<figure>${svgs['latency'] ?? ''}</figure>
<figure>${svgs['memory'] ?? ''}</figure>
</div>
<h2>Most distant pairs (${esc(a.runner)})</h2>
${topRows ? `<div class="scroll"><table><tr><th>distance</th><th>source IP</th><th>window</th><th>eventid 1</th><th>eventid 2</th></tr>${topRows}</table></div>` : '<p>(top-N was off)</p>'}
<h2>How this was measured</h2>
<ul>${r.methodology.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>
</body></html>
`;
}

/**
 * Writes report.json, report.html and one SVG per chart into `dir` as one set; returns the files
 * written. Every chart is rendered and every file written to a hidden file and flushed before any is
 * renamed into place (`writeWholeFileSet`), so a failure part-way (a chart that fails to render, a full
 * disk, a crash) leaves the report already there as it was, whole and never mixed with the new one.
 * @throws the renderer's or the file system's error; the files in `dir` are then as they were.
 */
export async function writeCompareReport(dir: string, r: CompareReport): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const specs = compareChartSpecs(r);
  const svgs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) svgs[name] = await renderSvg(spec);
  const files = Object.keys(specs).map((name) => join(dir, `${name}.svg`));
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  await writeWholeFileSet([...Object.keys(specs).map((name, i) => [files[i]!, svgs[name]!] as const), [json, JSON.stringify(r, null, 2)], [html, renderHtml(r, svgs)]]);
  return [html, json, ...files];
}
