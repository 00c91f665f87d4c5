import { SECTIONS, type DashboardView } from './dashboard-view.js';
import { escapeHtml as esc, scriptJson } from './html.js';

/** How the page gets its charts and updates. */
export type PageMode =
  /** Served by `--ui`: the browser draws the charts with Vega and follows the run over server-sent events. */
  | { readonly kind: 'live' }
  /** Written by `--report`: charts are inline SVG (one per chart, in order), no script at all. */
  | { readonly kind: 'static'; readonly svgs: readonly string[]; readonly writtenAt: string };

/** The page's stylesheet: readable from about 360 px wide; two charts side by side from about 1,100 px. */
const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg2: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto; padding: 12px 20px 40px; max-width: 1400px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 16px; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
header h1 { font-size: 20px; margin: 0; } #status { color: var(--muted); }
h2 { font-size: 16px; margin: 22px 0 8px; } h3 { font-size: 14px; margin: 4px 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; vertical-align: top; text-align: left; }
th { background: var(--bg2); font-weight: 600; } td.num { text-align: right; white-space: nowrap; }
table.summary td { min-width: 14em; } table.steps td.name { font-family: ui-monospace, monospace; font-size: 12px; }
.counters { font-family: system-ui, sans-serif; font-size: 11.5px; color: var(--muted); max-width: 30em; } td.nowrap { white-space: nowrap; }
.runs { display: flex; flex-wrap: wrap; gap: 16px; } .run { min-width: 0; flex: 1 1 460px; }
.scroll { overflow-x: auto; max-width: 100%; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 24px; } figure.chart { margin: 0; min-height: 120px; }
svg.graph { max-width: 100%; height: auto; }
svg.graph .step rect:first-of-type { stroke: #8c959f; stroke-width: 1; }
svg.graph .pressure-some rect:first-of-type { stroke: #d97706; stroke-width: 2; } svg.graph .pressure-high rect:first-of-type { stroke: #dc2626; stroke-width: 3; }
svg.graph rect.fill { fill: #f59e0b; } svg.graph text { font-family: system-ui, sans-serif; }
svg.graph .path { font-size: 10px; fill: var(--muted); } svg.graph .name { font-size: 12px; font-weight: 600; } svg.graph .stats { font-size: 10.5px; fill: #333; }
svg.graph .edge { fill: none; stroke: #999; stroke-width: 1.3; } svg.graph .edge.tagged { stroke-dasharray: 5 3; stroke: #c2410c; } svg.graph .edge.side { stroke-dasharray: 2 3; }
svg.graph .edge-label { font-size: 10px; fill: #c2410c; }
.state { font-weight: 600; } .state-running { color: #0969da; } .state-done { color: #1a7f37; } .state-failed, .error { color: #cf222e; } .state-cancelled { color: #9a6700; }
.none, .note { color: var(--muted); } ul.examples { padding-left: 18px; } ul.examples code { font-size: 12px; word-break: break-all; }
.kind { font-size: 11px; padding: 0 5px; border-radius: 8px; background: #fff1e5; } .kind-deadLetter { background: #ffebe9; }
tr.outcome-failed td { background: #ffebe9; } meter { width: 50px; vertical-align: middle; }
@media (max-width: 1100px) { body { padding: 8px 10px 30px; } table.steps th.kind, table.steps td.kind { display: none; } table.steps td, table.steps th { padding: 2px 5px; font-size: 13px; } }
`;

/**
 * The dashboard page: the same HTML for the live page and the static report, from a
 * {@link DashboardView}. The live page loads Vega from `vendor/` and its script from `app.js` (see
 * ./client-script.ts), so it can be served with a strict content security policy; the static page
 * has no script.
 * @example pageHtml(dashboardView([record]), { kind: 'static', svgs, writtenAt: new Date().toISOString() })
 */
export function pageHtml(view: DashboardView, mode: PageMode): string {
  const sections = SECTIONS.map(([id, heading]) => {
    const body = id === 'charts' ? charts(view, mode) : view.sections[id];
    return `<section id="${id}"><h2>${esc(heading)}</h2><div id="${id}-body">${body}</div></section>`;
  }).join('\n');
  const status = mode.kind === 'live' ? (view.live ? 'connecting…' : 'the run has ended') : `report written ${esc(mode.writtenAt)}`;
  const scripts =
    mode.kind === 'live'
      ? `<script type="application/json" id="initial-charts">${scriptJson(view.charts)}</script>
<script src="vendor/vega.min.js"></script><script src="vendor/vega-lite.min.js"></script><script src="app.js"></script>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(view.title)}</title><style>${STYLE}</style></head>
<body data-live="${view.live}">
<header><h1>${esc(view.title)}</h1><span id="status">${status}</span></header>
${sections}
${scripts}
</body></html>
`;
}

function charts(view: DashboardView, mode: PageMode): string {
  if (view.charts.length === 0) return '<p class="none">No data yet.</p>';
  return `<div class="charts">${view.charts
    .map((c, i) => `<figure class="chart" data-chart="${esc(c.title)}">${mode.kind === 'static' ? (mode.svgs[i] ?? '') : ''}</figure>`)
    .join('')}</div>`;
}
