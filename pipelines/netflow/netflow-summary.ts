import { describeHeldRecords } from '../../sdk/io/forward-jump-guard.js';
import { printable } from '../../sdk/internal/printable.js';
import { intToIpv4 } from './ipv4.js';
import type { NetflowRunSummary } from './netflow-app.js';
import type { Histogram } from './histogram.js';

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
const ms = (x: number | null): string => (x === null ? '-' : `${n(x)} ms`);

/** An eventid for a summary line: control characters escaped, at most 40 characters (an input may carry ids of any length). */
const shortId = (text: string): string => {
  const id = printable(text);
  return id.length > 40 ? `${id.slice(0, 39)}…` : id;
};
/** `key count, ...` of counts keyed by what the input may name (a reason, a field), printable. */
const counts = (entries: readonly [string, number][]): string => entries.map(([r, c]) => `${printable(r)} ${n(c)}`).join(', ');

/** Formats a distance for people: 4 significant digits, no exponent below 1e9. */
export function formatDistance(d: number): string {
  if (d === 0) return '0';
  const a = Math.abs(d);
  if (a >= 1e9 || a < 1e-3) return d.toExponential(3);
  if (a < 1) return String(Number(d.toPrecision(4)));
  return Number(d.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/**
 * Renders a histogram as text bars, one line per non-empty bucket; with more than `maxRows`
 * buckets, neighbouring buckets share a line (zero keeps its own).
 */
export function formatHistogram(h: Histogram, width = 40, maxRows = 32): string[] {
  if (h.count === 0) return ['  (no distances)'];
  const zero = h.buckets.filter((b) => b.lo === 0 && b.hi === 0);
  const rest = h.buckets.filter((b) => !(b.lo === 0 && b.hi === 0));
  const per = Math.ceil(rest.length / maxRows);
  const rows = [...zero];
  for (let i = 0; i < rest.length; i += per) {
    const group = rest.slice(i, i + per);
    rows.push({ lo: group[0]!.lo, hi: group[group.length - 1]!.hi, count: group.reduce((n, b) => n + b.count, 0) });
  }
  return bars(rows, width);
}

function bars(buckets: readonly { lo: number; hi: number; count: number }[], width: number): string[] {
  const h = { buckets };
  const max = Math.max(...h.buckets.map((b) => b.count));
  const label = (lo: number, hi: number) => (lo === 0 && hi === 0 ? '0' : `[${formatDistance(lo)}, ${formatDistance(hi)})`);
  const labels = h.buckets.map((b) => label(b.lo, b.hi));
  const lw = Math.max(...labels.map((l) => l.length));
  return h.buckets.map((b, i) => {
    const bar = '█'.repeat(Math.max(b.count > 0 ? 1 : 0, Math.round((b.count / max) * width)));
    return `  ${labels[i]!.padEnd(lw)}  ${bar} ${n(b.count)}`;
  });
}

/**
 * The run summary the CLI prints: input, events in, rejects per reason, pairs, windows, the seed's
 * computation time, latency, the most distant pairs, the distance histogram, per-step metrics, timing.
 * What comes from the input or the command line (paths, topics, ids, reasons, rejected lines, counter
 * and step names) is shown with its control characters escaped (see `printable`), so an input cannot
 * move the cursor, clear the screen or rewrite a line of the terminal it is printed on.
 */
export function formatNetflowSummary(s: NetflowRunSummary, options: { topLines?: number } = {}): string {
  const lines: string[] = [];
  const j = s.job;
  lines.push(`Netflow job on the '${s.runner}' runner (${Object.entries(s.runnerOptions).map(([k, v]) => `${k} ${v}`).join(', ')})`);
  lines.push(`  input     ${printable(s.input)}`);
  lines.push(`  output    ${printable(s.output)}`);
  lines.push(`  job       ${j.windowMs} ms windows, features ${j.features.join(',')}, scaling ${typeof j.scaling === 'string' ? j.scaling : JSON.stringify(j.scaling)}, allowed lateness ${j.allowedLatenessMs} ms`);
  if (s.resumedFrom !== undefined) {
    lines.push(`  resumed   from ${printable(s.resumedFrom)}: counts are totals since the job's first start; windows, computation time, throughput, latency, source lines and examples are of this run`);
  }
  lines.push('');
  const skipped = Object.entries(s.sourceSkipped);
  const unreadable = Object.entries(s.sourceRejected);
  if (skipped.length) lines.push(`source lines skipped  ${counts(skipped)}`);
  if (unreadable.length) lines.push(`source lines unread   ${counts(unreadable)} (dead letters with file and line)`);
  const rejectedTotal = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  lines.push(`events in             ${n(s.eventsIn)}`);
  lines.push(`rejected              ${n(rejectedTotal)}${rejectedTotal ? `  (${counts(Object.entries(s.rejected))})` : ''}`);
  lines.push(`records paired        ${n(s.recordsPaired)}${s.lateDropped ? `, ${n(s.lateDropped)} dropped as late` : ''}`);
  const held = s.heldFromWatermark ? describeHeldRecords(s.heldFromWatermark) : undefined;
  if (held) lines.push(`event time            ${held} (still paired; see --maxForwardJump)`);
  const refused = Object.entries(s.outputRejected ?? {});
  if (refused.length) {
    const total = refused.reduce((a, [, c]) => a + c, 0);
    const lost = (s.outputRejected['WriteDeadLetters'] ?? 0) > 0 || !s.deadLetterOutput;
    const where = !s.deadLetterOutput ? 'lost: --deadLetters keeps them' : lost ? 'the dead-letter output refused its own; the others are in the dead letters' : 'in the dead letters';
    lines.push(`not written           ${n(total)} record${total === 1 ? '' : 's'} (${counts(refused)}; ${where})`);
  }
  if (s.deadLetterOutput) lines.push(`dead letters          ${n(s.deadLetterOutput.records)} written to ${printable(s.deadLetterOutput.to)}`);
  if (s.lateOutput) lines.push(`late records          ${n(s.lateOutput.records)} written to ${printable(s.lateOutput.to)}`);
  lines.push(`groups (IP x window)  ${n(s.groups)} in ${n(s.pairs.windows)} windows with pairs (${n(s.pairs.keyWindows)} groups with pairs)`);
  // The PairStats step's count is a total since the job's first start (also after a resume); s.pairs is gathered by this run.
  lines.push(`pairs out             ${n(s.metrics['PairStats']?.elementsIn ?? s.pairs.pairs)}`);
  lines.push(`computation time      ${ms(s.computationMs)} (last minus first output time)`);
  lines.push(`throughput            ${n(s.throughput.eventsPerSecond)} events/s, ${n(s.throughput.pairsPerSecond)} pairs/s over the ${n(s.wallMs)} ms run`);
  lines.push(`latency to output     p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}, p99 ${ms(s.latencyMs.p99)}, max ${ms(s.latencyMs.max)} (from the later event's ingestion)`);
  for (const d of s.rejectedExamples.slice(0, 6)) {
    const raw = printable(typeof d.element === 'string' ? d.element : String(JSON.stringify(d.element)));
    const at = d.origin ? ` (${printable(Object.values(d.origin).join(':'))})` : '';
    lines.push(`  rejected ${printable(d.reason)}: ${printable(d.message)} — ${raw.length > 70 ? `${raw.slice(0, 70)}…` : raw}${at}`);
  }

  if (s.job.topN > 0) {
    const all = s.top.flatMap((t) => t.pairs.map((p) => ({ p, w: t })));
    all.sort((a, b) => b.p.distance - a.p.distance);
    const shown = all.slice(0, options.topLines ?? s.job.topN);
    lines.push('');
    lines.push(`most distant pairs (top ${s.job.topN} per window kept for ${n(s.top.length)} windows; overall top ${shown.length}):`);
    for (const { p, w } of shown) {
      lines.push(`  ${formatDistance(p.distance).padStart(10)}  ${intToIpv4(p.src_ip4).padEnd(15)} window ${iso(w.window_start)}  ${shortId(p.eventid_1)} ↔ ${shortId(p.eventid_2)}`);
    }
  }
  if (s.histogram) {
    lines.push('');
    const spec = s.histogram.spec;
    lines.push(`distance histogram (${spec.kind === 'log' ? `log buckets, ${spec.bucketsPerDecade} per decade` : `buckets of ${spec.width}`}; min ${s.histogram.min === null ? '-' : formatDistance(s.histogram.min)}, mean ${s.histogram.mean === null ? '-' : formatDistance(s.histogram.mean)}, max ${s.histogram.max === null ? '-' : formatDistance(s.histogram.max)}):`);
    lines.push(...formatHistogram(s.histogram));
  }

  lines.push('');
  const rows = Object.entries(s.metrics).map(([name, m]) => [printable(name), m] as const);
  const w = Math.max(4, ...rows.map(([k]) => k.length));
  lines.push(`${'step'.padEnd(w)}  ${'in'.padStart(10)}  ${'out'.padStart(10)}  ${'late'.padStart(6)}  ${'dead'.padStart(6)}  counters`);
  for (const [name, m] of rows) {
    const counters = Object.entries(m.counters).map(([k, v]) => `${printable(k)}=${n(v)}`).join(' ');
    lines.push(`${name.padEnd(w)}  ${n(m.elementsIn).padStart(10)}  ${n(m.elementsOut).padStart(10)}  ${n(m.lateDropped).padStart(6)}  ${n(m.deadLettered).padStart(6)}  ${counters}`);
  }
  lines.push(`machine: ${s.machine.cpus} CPUs, load average ${s.machine.loadAverage.toFixed(2)} when the run started`);
  lines.push(`runner ${s.runner}: ${n(s.wallMs)} ms wall, ${n(s.cpuMs.total)} ms CPU (user ${n(s.cpuMs.user)}, system ${n(s.cpuMs.system)}), peak RSS ${n(s.peakRssMb)} MB${s.batches !== null ? `, ${n(s.batches)} micro-batches` : ''}`);
  return lines.join('\n');
}
