import { DEFAULT_OPTIONS } from '../sdk/options.js';
import { BEAM_COMMIT, BEAM_DATA_FILE_URL, BEAM_RUNNERS, BEAM_SOURCE_URL, beamCell, type BeamCell } from './beam-published.js';
import type { Cell, SuiteResult, Verdict } from './harness.js';
import { GROUP_TITLES, type AllowedDifferenceNote, type Group, type Measurement } from './model.js';

/**
 * The report, as data (report.json) and rendered (report.md, report.html). Everything in it comes
 * from the suite's results and fixed text: no dates, no wall-clock timings, so regenerating it gives
 * the same bytes and it can be committed (report-up-to-date.test.ts checks that it is).
 */

export const GENERATED_BY = 'npm run capability-matrix';

export interface ReportRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** The case file, relative to capability-matrix/. */
  readonly source: string;
  readonly cases: readonly { readonly name: string; readonly notes?: string }[];
  /** Measured here, by runner name. */
  readonly runners: Readonly<Record<string, Cell>>;
  /** Published by Apache Beam, not measured here: by Beam runner id; a runner Beam publishes nothing for is absent. */
  readonly beam: Readonly<Record<string, BeamCell>>;
  /** The Beam row these values come from. */
  readonly beamRow?: string;
  /** The allowed differences its cases may pass with, explained. */
  readonly differences?: readonly AllowedDifferenceNote[];
}

/** One measured difference between the runners: a row (and case) and what each runner did. */
export interface RunnerDifference {
  readonly row: string;
  readonly case?: string;
  /** By runner name. */
  readonly byRunner: Readonly<Record<string, string>>;
}

/** "Which runner for what" on one aspect, computed from the cases that measured it on every runner. */
export interface AspectAnswer {
  readonly aspect: string;
  /** The answer in a sentence (which runner is better, in how many cases, the values). */
  readonly answer: string;
  /** The cases it is computed from: row, case and each runner's value. Empty for aspects not measured here. */
  readonly cases: readonly { readonly row: string; readonly case: string; readonly byRunner: Readonly<Record<string, number>> }[];
}

export interface Report {
  readonly title: string;
  readonly generatedBy: string;
  readonly howToRead: readonly string[];
  readonly runners: readonly string[];
  readonly runOptions: string;
  readonly reference: {
    readonly label: string;
    readonly source: string;
    readonly dataFile: string;
    readonly columns: readonly { readonly id: string; readonly name: string; readonly short: string }[];
    /** The Beam commit the reference values were copied from. */
    readonly commit: string;
  };
  /** Where the measured results of the runners differ ("which runner for what"), computed from the rows. */
  readonly whichRunner: readonly RunnerDifference[];
  /** Per aspect (latency, pane granularity, throughput, memory): which runner is better, computed from the measured cases. */
  readonly aspects: readonly AspectAnswer[];
  readonly groups: readonly { readonly group: Group; readonly title: string; readonly rows: readonly ReportRow[] }[];
}

const REFERENCE_LABEL = 'published by Apache Beam, not measured here';

export function buildReport(suite: SuiteResult): Report {
  const groups = (Object.keys(GROUP_TITLES) as Group[]).map((group) => ({
    group,
    title: GROUP_TITLES[group],
    rows: suite.capabilities
      .filter((c) => c.group === group)
      .map((c): ReportRow => {
        const beam: Record<string, BeamCell> = {};
        for (const r of BEAM_RUNNERS) {
          const cell = beamCell(c.beamRow, r.id);
          if (cell) beam[r.id] = cell;
        }
        return {
          id: c.id,
          name: c.name,
          description: c.description,
          source: c.source,
          cases: c.caseNotes,
          runners: c.cells,
          beam,
          ...(c.beamRow ? { beamRow: c.beamRow } : {}),
          ...(c.differences?.length ? { differences: c.differences } : {}),
        };
      }),
  }));
  return {
    title: 'Watershed runner capability matrix',
    generatedBy: GENERATED_BY,
    howToRead: [
      'Every Watershed cell is the result of executable cases (capability-matrix/cases/) run on that runner; the matrix is generated, never edited by hand.',
      'Yes: every case of the capability passes. Partially: some pass (the notes say which fail and why). No: none pass, or the runner rejected the pipelines at validation (UnsupportedFeaturesError). ' +
        'No (not implemented): Watershed does not have the capability at all, so there is nothing to run. Not yet covered: the row has no cases yet; that is not a No.',
      'A case that expects a difference the model allows between execution models (element at a time vs micro-batch) says so in its notes and passes on both. ' +
        'A case that passes only with a declared allowed difference (Beam trigger transcripts) lists it, with the reason and how it failed without it.',
      `The ${BEAM_RUNNERS.map((r) => r.short).join(', ')} columns are ${REFERENCE_LABEL}: Beam's hand-kept values for its own runners (what Beam's runner for that engine supports, not what the engine can do), ` +
        `copied from its capability_matrix.yaml at Beam commit ${BEAM_COMMIT.slice(0, 12)} (${BEAM_SOURCE_URL}). Blank where Beam publishes no value.`,
    ],
    runners: suite.runners,
    runOptions:
      `Each runner runs every case with the default pipeline options (batchInterval ${DEFAULT_OPTIONS.batchInterval} ms, bundleSize ${DEFAULT_OPTIONS.bundleSize}, ` +
      `maxBatchSize ${DEFAULT_OPTIONS.maxBatchSize}) on a virtual clock starting at 0: processing times and latencies are virtual-clock milliseconds. ` +
      'The Kafka cases read from a real broker on the system clock; their reads are bounded and their checks do not depend on timing.',
    reference: {
      label: REFERENCE_LABEL,
      source: BEAM_SOURCE_URL,
      dataFile: BEAM_DATA_FILE_URL,
      columns: BEAM_RUNNERS.map((r) => ({ id: r.id, name: r.name, short: r.short })),
      commit: BEAM_COMMIT,
    },
    whichRunner: runnerDifferences(suite),
    aspects: aspectAnswers(suite),
    groups,
  };
}

/**
 * Where the runners' measured results differ: verdicts, what a case observed (a latency, a pane count)
 * and the allowed differences a case needed on one runner only. Runner names inside observations are
 * neutralised first, so "resumed a native checkpoint" on microbatch equals "resumed a microbatch
 * checkpoint" on native. Empty with a single runner.
 */
export function runnerDifferences(suite: SuiteResult): RunnerDifference[] {
  const out: RunnerDifference[] = [];
  const rs = suite.runners;
  if (rs.length < 2) return out;
  const neutral = (s: string) => rs.reduce((acc, r) => acc.split(r).join('<runner>'), s);
  const differ = (xs: string[]) => new Set(xs).size > 1;
  for (const c of suite.capabilities) {
    const verdicts = rs.map((r) => c.cells[r]!.verdict);
    if (differ(verdicts)) out.push({ row: c.name, byRunner: Object.fromEntries(rs.map((r, i) => [r, `${VERDICT_TEXT[verdicts[i]!]} (${c.cells[r]!.summary})`])) });
    for (const k of c.caseNotes) {
      const results = rs.map((r) => c.cells[r]!.cases.find((x) => x.name === k.name));
      const observed = results.map((x) => x?.observed ?? '');
      if (observed.some((o) => o !== '') && differ(observed.map(neutral))) out.push({ row: c.name, case: k.name, byRunner: Object.fromEntries(rs.map((r, i) => [r, observed[i] || '—'])) });
      const diffs = results.map((x) => (x?.differences ?? []).join(', '));
      if (differ(diffs)) out.push({ row: c.name, case: k.name, byRunner: Object.fromEntries(rs.map((r, i) => [r, diffs[i] ? `passes with allowed differences: ${diffs[i]}` : 'passes as written'])) });
    }
  }
  return out;
}

/** What each aspect's numbers mean: which way is better, and the words for it. */
const ASPECT_SENSE: Readonly<Record<Measurement['aspect'], { readonly better: 'lower' | 'higher'; readonly word: string; readonly what: string }>> = {
  latency: { better: 'lower', word: 'sooner', what: `virtual-clock ms after the due time; micro-batch at the default ${DEFAULT_OPTIONS.batchInterval} ms batch interval` },
  'pane granularity': { better: 'higher', word: 'finer (more early panes)', what: 'early panes for the same input' },
};

/** Aspects the matrix does not measure (virtual clock, tiny inputs), and where they are measured. */
const NOT_MEASURED_HERE = ['throughput', 'memory'] as const;

/**
 * "Which runner for what" per aspect, from the cases' numeric measurements (CheckResult.measured):
 * for each aspect, the runner better in each case measured on every runner, counted. Throughput and
 * memory are not measured by the matrix (virtual clock, tiny inputs): their rows point at `npm run compare`.
 * Empty with a single runner.
 */
export function aspectAnswers(suite: SuiteResult): AspectAnswer[] {
  const rs = suite.runners;
  if (rs.length < 2) return [];
  const out: AspectAnswer[] = [];
  for (const aspect of Object.keys(ASPECT_SENSE) as Measurement['aspect'][]) {
    const sense = ASPECT_SENSE[aspect];
    const cases: { row: string; case: string; byRunner: Record<string, number> }[] = [];
    for (const c of suite.capabilities) {
      for (const k of c.caseNotes) {
        const ms = rs.map((r) => c.cells[r]!.cases.find((x) => x.name === k.name)?.measured);
        if (ms.every((m) => m?.aspect === aspect)) cases.push({ row: c.name, case: k.name, byRunner: Object.fromEntries(rs.map((r, i) => [r, ms[i]!.value])) });
      }
    }
    if (cases.length === 0) continue;
    const wins = new Map<string, number>();
    let ties = 0;
    for (const x of cases) {
      const values = rs.map((r) => x.byRunner[r]!);
      const best = sense.better === 'lower' ? Math.min(...values) : Math.max(...values);
      const at = rs.filter((r) => x.byRunner[r] === best);
      if (at.length === rs.length) ties++;
      else for (const r of at) wins.set(r, (wins.get(r) ?? 0) + 1);
    }
    const values = cases.map((x) => rs.map((r) => `${r} ${x.byRunner[r]}`).join(', ')).map((v, i) => `${cases[i]!.row}: ${v}`);
    const winners = [...wins.entries()].sort((a, b) => b[1] - a[1]);
    const head =
      winners.length === 0
        ? `the same on every runner in all ${cases.length} cases`
        : `${winners.map(([r, n]) => `${r} ${sense.word} in ${n} of ${cases.length} case${cases.length > 1 ? 's' : ''}`).join('; ')}${ties ? `; the same in ${ties}` : ''}`;
    out.push({ aspect, answer: `${head} (${sense.what}: ${values.join('; ')})`, cases });
  }
  for (const aspect of NOT_MEASURED_HERE) {
    out.push({ aspect, answer: 'not measured here (the cases run tiny inputs on a virtual clock): npm run compare measures it on the Netflow job, with --repeat for the spread', cases: [] });
  }
  return out;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Markdown

const VERDICT_TEXT: Readonly<Record<Verdict, string>> = { Yes: 'Yes', Partially: 'Partially', No: 'No', untested: 'not yet covered' };

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function beamText(c: BeamCell | undefined): string {
  if (!c) return '';
  return c.note ? `${c.value}: ${c.note}` : c.value;
}

/** The per-cell notes: summary, then failing cases with reasons, then measurements. */
function cellNotes(cell: Cell): string[] {
  const out = [cell.summary];
  for (const c of cell.cases) {
    if (c.status !== 'pass') out.push(`✗ ${c.name}: ${c.reason ?? c.status}`);
    if (c.observed) out.push(`${c.name}: ${c.observed}`);
    if (c.status === 'pass' && c.differences?.length) out.push(`≈ ${c.name}: passes with the allowed difference${c.differences.length > 1 ? 's' : ''} ${c.differences.join(', ')} (as written: ${c.withoutDifferences ?? '?'})`);
  }
  return out;
}

export function renderMarkdown(report: Report): string {
  const L: string[] = [];
  const refCols = report.reference.columns;
  L.push(`# ${report.title}`, '');
  L.push(`<!-- Generated by \`${report.generatedBy}\`: do not edit by hand. capability-matrix/report-up-to-date.test.ts fails when this file is stale. -->`, '');
  for (const h of report.howToRead) L.push(`- ${h}`);
  L.push(`- ${report.runOptions}`, '');
  if (report.runners.length > 1) {
    L.push('## Which runner for what', '');
    L.push('Computed from the measured rows below. By aspect:', '');
    L.push('| Aspect | Answer |', '|---|---|');
    for (const a of report.aspects) L.push(`| ${mdCell(a.aspect)} | ${mdCell(a.answer)} |`);
    L.push('', 'Every place where the runners’ results differ (everything not listed behaves the same on all runners):', '');
    if (report.whichRunner.length === 0) L.push('_No measured difference._', '');
    else {
      L.push(`| Row / case | ${report.runners.join(' | ')} |`, `|---|${report.runners.map(() => '---').join('|')}|`);
      for (const d of report.whichRunner) L.push(`| ${mdCell(d.case ? `${d.row}: ${d.case}` : d.row)} | ${report.runners.map((r) => mdCell(d.byRunner[r] ?? '')).join(' | ')} |`);
      L.push('');
    }
  }
  for (const g of report.groups) {
    if (g.rows.length === 0) continue;
    L.push(`## ${g.title}`, '');
    L.push(`| Capability | ${report.runners.map((r) => `${r}`).join(' | ')} | ${refCols.map((c) => `${c.short} †`).join(' | ')} |`);
    L.push(`|---|${report.runners.map(() => '---').join('|')}|${refCols.map(() => '---').join('|')}|`);
    for (const row of g.rows) {
      const ours = report.runners.map((r) => {
        const cell = row.runners[r]!;
        if (cell.verdict === 'untested') return '_not yet covered_';
        if (cell.cases.length === 0 && cell.verdict === 'No') return '**No**: not implemented';
        const observed = cell.cases.filter((c) => c.observed).map((c) => c.observed);
        return `**${VERDICT_TEXT[cell.verdict]}**${observed.length ? `: ${mdCell(observed.join('; '))}` : ''}`;
      });
      const ref = refCols.map((c) => mdCell(beamText(row.beam[c.id])));
      L.push(`| [${mdCell(row.name)}](${row.source}) | ${ours.join(' | ')} | ${ref.join(' | ')} |`);
    }
    L.push('', `† ${report.reference.label}.`, '');
    L.push('<details><summary>Notes and cases</summary>', '');
    for (const row of g.rows) {
      L.push(`**${row.name}** — ${row.description} ([cases](${row.source}))`, '');
      for (const c of row.cases) L.push(`- case: ${c.name}${c.notes ? ` — _${c.notes}_` : ''}`);
      for (const r of report.runners) {
        const cell = row.runners[r]!;
        const notes = cellNotes(cell);
        L.push(`- ${r}: ${VERDICT_TEXT[cell.verdict]} — ${notes.join('; ')}`);
      }
      for (const c of refCols) {
        const b = row.beam[c.id];
        if (b?.detail) L.push(`- ${c.short} †: ${b.detail}`);
      }
      for (const d of row.differences ?? []) L.push(`- allowed difference \`${d.id}\` — ${d.title}: ${d.why}`);
      if (row.beamRow && row.beamRow !== row.name && Object.keys(row.beam).length) L.push(`- Beam's values are those of its '${row.beamRow}' row.`);
      if (Object.keys(row.beam).length === 0) L.push(`- Apache Beam publishes no value for this row${row.beamRow ? ` (its current matrix has no '${row.beamRow}' row)` : ''}.`);
      L.push('');
    }
    L.push('</details>', '');
  }
  L.push(`† Reference columns: ${report.reference.label}, copied at Beam commit ${report.reference.commit}. Source: ${report.reference.source} (data: ${report.reference.dataFile}).`, '');
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------
// HTML

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const CLASS: Readonly<Record<Verdict, string>> = { Yes: 'yes', Partially: 'partially', No: 'no', untested: 'untested' };
const BEAM_CLASS: Readonly<Record<BeamCell['value'], string>> = { Yes: 'yes', Partially: 'partially', No: 'no', Unverified: 'untested' };

/** Notes longer than this (in characters, all lines together) fold under their first line. */
const FOLD_OVER = 90;

/**
 * A cell's notes as HTML: short ones as they are; longer ones fold into a <details> whose summary is
 * the first line, cut at its first ': ' when that line alone is long (so "not implemented: why..."
 * shows "not implemented").
 * @example foldedNotes(['2/2 cases pass']) // '<div>2/2 cases pass</div>'
 */
export function foldedNotes(lines: readonly string[]): string {
  if (lines.length === 0) return '';
  if (lines.join('').length <= FOLD_OVER && lines.length <= 2) return lines.map((n) => `<div>${esc(n)}</div>`).join('');
  const first = lines[0]!;
  const cut = first.length > FOLD_OVER / 2 ? first.indexOf(': ') : -1;
  const head = cut > 0 ? first.slice(0, cut) : first;
  const rest = cut > 0 ? [first.slice(cut + 2), ...lines.slice(1)] : lines.slice(1);
  return `<details><summary>${esc(head)}</summary>${rest.map((n) => `<div>${esc(n)}</div>`).join('')}</details>`;
}

export function renderHtml(report: Report): string {
  const refCols = report.reference.columns;
  const H: string[] = [];
  H.push('<!doctype html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', `<title>${esc(report.title)}</title>`);
  H.push(`<!-- Generated by ${esc(report.generatedBy)}: do not edit by hand. -->`);
  H.push(
    '<style>',
    'body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222}',
    'table{border-collapse:collapse;margin-bottom:2em}',
    'th,td{border:1px solid #ccc;padding:6px 8px;vertical-align:top;text-align:left;max-width:22em}',
    'th{background:#f4f4f4}',
    // the whole head sticks (not each row at a guessed offset): its two rows stay together at any width
    'thead{position:sticky;top:0;z-index:2;box-shadow:0 2px 3px rgba(0,0,0,.25)}',
    'col.capability{width:18%}',
    'td,th,p,li{overflow-wrap:anywhere}',
    'details summary{cursor:pointer;color:#333}',
    'table.diff td,table.diff th{max-width:40em}',
    // separate borders: with collapsed ones the sticky head's borders scroll away and rows show through the gaps
    'table.matrix{width:100%;table-layout:fixed;border-collapse:separate;border-spacing:0;border-top:1px solid #ccc;border-left:1px solid #ccc}',
    'table.matrix th,table.matrix td{border-width:0 1px 1px 0}',
    'table.matrix td.first-ref,table.matrix th.first-ref{border-left:3px solid #888}',
    'table.matrix td,table.matrix th{max-width:none}',
    '@media (max-width:1000px){body{margin:.5em;font-size:.85em}th,td{padding:4px}thead th{font-size:.9em}}',
    'th.group{background:#e8e8e8;font-size:1.05em}',
    'th.ref{background:#f4f4f4;font-weight:normal;font-style:italic}',
    'td.yes{background:#c8e6c9}',
    'td.partially{background:#fff3b0}',
    'td.no{background:#f6c4c4}',
    'td.untested{background:#e0e0e0;color:#555}',
    'td.ref{opacity:.75;font-style:italic}',
    'td.blank{background:#fff}',
    '.first-ref{border-left:3px solid #888}',
    '.verdict{font-weight:bold}',
    '.notes{font-size:.8em;margin-top:.3em;white-space:normal}',
    '.notes div{margin-top:.15em}',
    '.desc{font-size:.8em;color:#555}',
    '.legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #ccc}',
    '</style>',
    '</head>',
    '<body>',
  );
  H.push(`<h1>${esc(report.title)}</h1>`);
  H.push('<ul>');
  for (const h of report.howToRead) H.push(`<li>${esc(h)}</li>`);
  H.push(`<li>${esc(report.runOptions)}</li>`);
  H.push('</ul>');
  if (report.runners.length > 1) {
    H.push('<h2>Which runner for what</h2>', '<p>Computed from the measured rows below. By aspect:</p>', '<table class="diff aspects">', '<tr><th>Aspect</th><th>Answer</th></tr>');
    for (const a of report.aspects) H.push(`<tr><th>${esc(a.aspect)}</th><td>${esc(a.answer)}</td></tr>`);
    H.push('</table>', '<p>Every place where the runners’ results differ (everything not listed behaves the same on all runners):</p>');
    if (report.whichRunner.length === 0) H.push('<p><em>No measured difference.</em></p>');
    else {
      H.push('<table class="diff">', `<tr><th>Row / case</th>${report.runners.map((r) => `<th>${esc(r)}</th>`).join('')}</tr>`);
      for (const d of report.whichRunner) {
        H.push(`<tr><td>${esc(d.row)}${d.case ? `<div class="desc">${esc(d.case)}</div>` : ''}</td>${report.runners.map((r) => `<td>${esc(d.byRunner[r] ?? '')}</td>`).join('')}</tr>`);
      }
      H.push('</table>');
    }
  }
  H.push(
    '<p class="legend"><span style="background:#c8e6c9">Yes</span><span style="background:#fff3b0">Partially</span>' +
      '<span style="background:#f6c4c4">No</span><span style="background:#e0e0e0">not yet covered</span></p>',
  );
  H.push('<table class="matrix">', `<colgroup><col class="capability">${'<col>'.repeat(report.runners.length + refCols.length)}</colgroup>`);
  H.push('<thead>');
  H.push(
    `<tr><th rowspan="2">Capability</th><th colspan="${report.runners.length}">Watershed runners: measured here</th>` +
      `<th class="ref first-ref" colspan="${refCols.length}">Apache Beam runners: ${esc(report.reference.label)}</th></tr>`,
  );
  H.push('<tr>');
  for (const r of report.runners) H.push(`<th>${esc(r)}</th>`);
  refCols.forEach((c, i) => H.push(`<th class="ref${i === 0 ? ' first-ref' : ''}">${esc(c.name)}</th>`));
  H.push('</tr>', '</thead>', '<tbody>');
  for (const g of report.groups) {
    if (g.rows.length === 0) continue;
    H.push(`<tr><th class="group" colspan="${1 + report.runners.length + refCols.length}">${esc(g.title)}</th></tr>`);
    for (const row of g.rows) {
      H.push('<tr>');
      const caseList = row.cases.map((c) => `<div>case: ${esc(c.name)}${c.notes ? ` — <em>${esc(c.notes)}</em>` : ''}</div>`).join('');
      const diffList = (row.differences ?? []).map((d) => `<div>allowed difference <code>${esc(d.id)}</code> — ${esc(d.title)}: ${esc(d.why)}</div>`).join('');
      const folded = row.cases.length ? `<details><summary>${row.cases.length} case${row.cases.length > 1 ? 's' : ''}</summary>${caseList}${diffList}</details>` : '';
      H.push(`<td><a href="${esc(row.source)}">${esc(row.name)}</a><div class="desc">${esc(row.description)}</div><div class="notes">${folded}</div></td>`);
      for (const r of report.runners) {
        const cell = row.runners[r]!;
        const lines = cellNotes(cell);
        const notes = foldedNotes(lines);
        const text = cell.cases.length === 0 && cell.verdict === 'No' ? 'No (not implemented)' : VERDICT_TEXT[cell.verdict];
        H.push(`<td class="${CLASS[cell.verdict]}"><div class="verdict">${esc(text)}</div><div class="notes">${notes}</div></td>`);
      }
      refCols.forEach((c, i) => {
        const b = row.beam[c.id];
        const first = i === 0 ? ' first-ref' : '';
        if (!b) H.push(`<td class="ref blank${first}"></td>`);
        else {
          // Beam's short note stays visible; its long explanation folds
          const notes = `${b.note ? `<div>${esc(b.note)}</div>` : ''}${b.detail ? `<details><summary>Beam's note</summary><div>${esc(b.detail)}</div></details>` : ''}`;
          H.push(`<td class="ref ${BEAM_CLASS[b.value]}${first}"><div class="verdict">${esc(b.value)}</div><div class="notes">${notes}</div></td>`);
        }
      });
      H.push('</tr>');
    }
  }
  H.push('</tbody>', '</table>');
  H.push(
    `<p>Reference columns: ${esc(report.reference.label)}, copied at Beam commit ${esc(report.reference.commit)}. Source: <a href="${esc(report.reference.source)}">${esc(report.reference.source)}</a> ` +
      `(data: <a href="${esc(report.reference.dataFile)}">${esc(report.reference.dataFile)}</a>).</p>`,
  );
  H.push('</body>', '</html>', '');
  return H.join('\n');
}

/** The three report files, by name. */
export function renderAll(report: Report): Readonly<Record<'report.md' | 'report.json' | 'report.html', string>> {
  return { 'report.md': renderMarkdown(report), 'report.json': renderJson(report), 'report.html': renderHtml(report) };
}
