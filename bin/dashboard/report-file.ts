import { writeSync } from 'node:fs';
import { renderSvg } from '../../pipelines/netflow/compare/compare-charts.js';
import { InProgressFile } from '../../transforms/io/in-progress-file.js';
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

/**
 * Writes `text` to `path` safely: into a hidden file next to it, flushed to disk and renamed onto
 * `path` only once complete, so an existing `path` is never truncated or half written; on an error
 * the hidden file is removed and `path` stays as it was (see InProgressFile).
 * @throws the file system's error.
 * @example await writeFileAtomically('out/report.html', html)
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const f = await InProgressFile.create(path);
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length; ) off += writeSync(f.fd, bytes, off, bytes.length - off);
    await f.publish();
  } catch (e) {
    await f.discard();
    throw e;
  }
}
