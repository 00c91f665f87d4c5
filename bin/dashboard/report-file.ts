import { renderSvg } from '../../pipelines/netflow/compare/compare-charts.js';
import { withRows } from './chart-specs.js';
import { dashboardView } from './dashboard-view.js';
import { pageHtml } from './page-html.js';
import type { RunRecord } from './run-record.js';

/**
 * The dashboard of finished runs as one static HTML file: the live page's sections, with the charts
 * rendered to inline SVG (Vega, headless) and no script, so it opens anywhere, offline. Several
 * records are shown side by side (`compare`).
 * @example await staticReportHtml([recorder.record()], new Date())
 */
export async function staticReportHtml(records: readonly RunRecord[], writtenAt: Date): Promise<string> {
  const view = dashboardView(records);
  const svgs: string[] = [];
  for (const c of view.charts) svgs.push(await renderSvg(withRows(c)));
  return pageHtml(view, { kind: 'static', svgs, writtenAt: writtenAt.toISOString() });
}
