import { compactCount, shortDuration, shortWatermark } from '../../runners/monitoring/format.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { chartsOf, type Chart } from './chart-specs.js';
import { graphSvg } from './graph-svg.js';
import { escapeHtml as esc } from './html.js';
import type { RunRecord, StepView } from './run-record.js';

/** The page's sections, in order: id and heading. */
export const SECTIONS = [
  ['summary', 'Run'],
  ['graph', 'Pipeline graph'],
  ['charts', 'Charts'],
  ['steps', 'Steps'],
  ['batches', 'Micro-batches'],
  ['checkpoints', 'Checkpoints'],
  ['examples', 'Late and dead-lettered records (latest)'],
] as const;

export type SectionId = (typeof SECTIONS)[number][0];

/** What the page shows: HTML per section (charts are drawn from `charts`) and the title. */
export interface DashboardView {
  readonly title: string;
  /** True while some run has not ended. */
  readonly live: boolean;
  readonly sections: Readonly<Record<Exclude<SectionId, 'charts'>, string>>;
  readonly charts: readonly Chart[];
}

/**
 * The page for one run, or for several side by side (`compare`): built from run records only, so the
 * live page (sent over server-sent events) and the static report show the same.
 * @example dashboardView([recorder.record()]).sections.steps // '<div class="runs"><div class="run"><table class="steps">...'
 */
export function dashboardView(records: readonly RunRecord[]): DashboardView {
  const runners = records.map((r) => r.runner).join(' vs ');
  return {
    title: `Watershed: ${runners || 'starting'}`,
    live: records.some((r) => r.state === 'STARTING' || r.state === 'RUNNING'),
    sections: {
      summary: summary(records),
      graph: perRun(records, (r) => graphSvg(r.graph, r.steps)),
      steps: perRun(records, stepsTable),
      batches: records.some((r) => r.batches.length > 0) ? perRun(records, batchesTable) : '<p class="none">No micro-batches: this is not a micro-batch run.</p>',
      checkpoints: perRun(records, checkpointsTable),
      examples: perRun(records, examplesList),
    },
    charts: chartsOf(records),
  };
}

/** One block per run, side by side when there is room. */
function perRun(records: readonly RunRecord[], body: (r: RunRecord) => string): string {
  const many = records.length > 1;
  return `<div class="runs">${records.map((r) => `<div class="run" data-runner="${esc(r.runner)}">${many ? `<h3>${esc(r.runner)}</h3>` : ''}${body(r)}</div>`).join('')}</div>`;
}

const n = (x: number | undefined): string => (x === undefined ? '–' : x.toLocaleString('en-US'));
const rate = (x: number | undefined): string => (x === undefined ? '–' : `${compactCount(x)}/s`);

function summary(records: readonly RunRecord[]): string {
  const row = (label: string, cell: (r: RunRecord) => string, cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><th>${esc(label)}</th>${records.map((r) => `<td>${cell(r)}</td>`).join('')}</tr>`;
  const t = (r: RunRecord) => r.totals;
  return (
    `<table class="summary">` +
    `<tr><th></th>${records.map((r) => `<th class="runner">${esc(r.runner)}</th>`).join('')}</tr>` +
    row('state', (r) => `<span class="state state-${r.state.toLowerCase()}">${esc(r.state)}</span>${r.error ? ` <span class="error">${esc(r.error)}</span>` : ''}`) +
    row('run id', (r) => (r.runId === undefined ? '–' : `<code>${esc(r.runId)}</code>`)) +
    row('running for', (r) => `${shortDuration(Math.max(0, r.at - r.startedAt))}${r.virtualClock ? ' (virtual clock)' : ''}`) +
    row('records in', (r) => `<span data-metric="recordsIn">${n(t(r)?.recordsIn)}</span> (${rate(t(r)?.inPerSecond)})`) +
    row('records out', (r) => `<span data-metric="recordsOut">${n(t(r)?.recordsOut)}</span> (${rate(t(r)?.outPerSecond)})`) +
    row('input watermark', (r) => esc(shortWatermark(t(r)?.watermark))) +
    row('watermark lag', (r) => (t(r)?.lagMs === undefined ? '–' : shortDuration(t(r)!.lagMs!))) +
    row('input read', (r) => {
      const share = t(r)?.shareDone;
      if (share === undefined) return '– (size unknown or unbounded)';
      const eta = t(r)?.etaMs;
      return `<progress max="1" value="${share.toFixed(4)}"></progress> ${Math.floor(share * 100)}%${share < 1 ? `, ${eta === undefined ? 'time left unknown yet' : `about ${shortDuration(eta)} left`}` : ''}`;
    }) +
    row('late dropped / dead letters', (r) => `${n(t(r)?.lateDropped)} / ${n(t(r)?.deadLettered)}`) +
    row('micro-batches', (r) => (r.batches.length === 0 ? '–' : n(r.batches.length + r.batchesDropped))) +
    row('checkpoints', (r) => {
      const failed = r.checkpoints.filter((c) => c.outcome === 'failed').length;
      return r.checkpoints.length === 0 ? '–' : `${r.checkpoints.length - failed} completed${failed > 0 ? `, ${failed} failed` : ''}`;
    }) +
    `</table>`
  );
}

function stepsTable(r: RunRecord): string {
  if (r.steps.length === 0) return '<p class="none">No sample yet.</p>';
  const lag = (s: StepView) => (s.inputWatermark <= TIMESTAMP_MIN || shortWatermark(s.inputWatermark) === 'end' ? '–' : shortDuration(Math.max(0, r.at - s.inputWatermark)));
  const buffer = (s: StepView) =>
    s.capacity ? `<meter min="0" max="1" low="0.5" high="0.9" optimum="0" value="${Math.min(1, s.buffered / s.capacity).toFixed(3)}" title="${n(s.buffered)} of ${n(s.capacity)}"></meter> ${Math.round((100 * s.buffered) / s.capacity)}%` : s.buffered > 0 ? `${n(s.buffered)} queued` : '–';
  const counters = (s: StepView) => {
    const c = Object.entries(s.counters);
    return c.length === 0 ? '' : `<div class="counters">${esc(c.map(([k, v]) => `${k} ${compactCount(v)}`).join(', '))}</div>`;
  };
  // While the run goes: the rate of the last seconds; once it ended: the average over the run.
  const ended = r.state !== 'RUNNING' && r.state !== 'STARTING';
  const seconds = Math.max(0.001, (r.at - r.startedAt) / 1000);
  const perSecond = (recent: number | undefined, count: number) => rate(ended ? count / seconds : recent);
  const rows = r.steps
    .map(
      (s) =>
        `<tr data-step="${esc(s.step)}"><td class="name">${esc(s.step)}${counters(s)}</td><td class="kind">${s.kind}</td>` +
        `<td class="num" data-metric="in">${n(s.elementsIn)}</td><td class="num" data-metric="out">${n(s.elementsOut)}</td>` +
        `<td class="num">${perSecond(s.inPerSecond, s.elementsIn)}</td><td class="num">${perSecond(s.outPerSecond, s.elementsOut)}</td>` +
        `<td class="nowrap">${esc(shortWatermark(s.inputWatermark))}</td><td class="num">${lag(s)}</td><td class="nowrap">${buffer(s)}</td>` +
        `<td class="num">${n(s.lateDropped)}</td><td class="num">${n(s.deadLettered)}</td></tr>`,
    )
    .join('');
  const per = ended ? ' (avg)' : '';
  return (
    `<div class="scroll"><table class="steps"><thead><tr><th>step (user counters)</th><th class="kind">kind</th><th>in</th><th>out</th><th>in/s${per}</th><th>out/s${per}</th>` +
    `<th>watermark</th><th>lag</th><th>buffer</th><th>late</th><th>dead</th></tr></thead><tbody>${rows}</tbody></table></div>`
  );
}

function batchesTable(r: RunRecord): string {
  if (r.batches.length === 0) return '<p class="none">No micro-batches.</p>';
  const last = r.batches.slice(-10).reverse();
  return (
    `<table class="batches"><thead><tr><th>batch</th><th>rows</th><th>duration</th><th>watermark after</th></tr></thead><tbody>` +
    last.map((b) => `<tr><td class="num">${b.batchId}</td><td class="num">${n(b.inputRows)}</td><td class="num">${n(b.durationMs)} ms</td><td>${esc(shortWatermark(b.watermark))}</td></tr>`).join('') +
    `</tbody></table><p class="note">The last ${last.length} of ${n(r.batches.length + r.batchesDropped)}, newest first.</p>`
  );
}

function checkpointsTable(r: RunRecord): string {
  const restored = r.restoredFrom ? `<p>Resumed from <code>${esc(r.restoredFrom.name)}</code> (${esc(r.restoredFrom.kind)}, taken by ${esc(r.restoredFrom.takenBy)}).</p>` : '';
  if (r.checkpoints.length === 0) return `${restored}<p class="none">No checkpoints${r.state === 'RUNNING' ? ' yet' : ''} (runs take them with --checkpointDir).</p>`;
  return (
    restored +
    `<table class="checkpoints"><thead><tr><th>#</th><th>kind</th><th>size</th><th>duration</th><th>outcome</th></tr></thead><tbody>` +
    [...r.checkpoints]
      .reverse()
      .map(
        (c) =>
          `<tr class="outcome-${c.outcome}"><td class="num">${c.seq ?? '–'}</td><td>${esc(c.kind)}</td><td class="num">${c.bytes === undefined ? '–' : `${n(c.bytes)} B`}</td>` +
          `<td class="num">${n(c.durationMs)} ms</td><td>${esc(c.outcome)}${c.error ? `: ${esc(c.error)}` : ''}</td></tr>`,
      )
      .join('') +
    `</tbody></table>`
  );
}

function examplesList(r: RunRecord): string {
  if (r.examples.length === 0) return '<p class="none">None so far.</p>';
  return `<ul class="examples">${[...r.examples]
    .reverse()
    .map((e) => `<li><span class="kind kind-${e.kind}">${e.kind === 'late' ? 'late' : 'dead letter'}</span> <b>${esc(e.step)}</b> <code>${esc(e.text)}</code></li>`)
    .join('')}</ul>`;
}
