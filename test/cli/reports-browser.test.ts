/**
 * The capability matrix page (the committed capability-matrix/report.html) and the compare report in
 * a real browser (see test/support/chromium.ts), at 1400 and 900 px: no sideways scrolling below
 * 1000 px, the matrix head stays in view while its rows scroll, long notes are folded, and the
 * compare report opens with "which runner for what" and shows the batch-interval sweep.
 * Screenshots go to out/test-artifacts/reports-*.png.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { buildCompareReport, writeCompareReport } from '../../pipelines/netflow/compare/compare-report.js';
import { sweepPoint } from '../../pipelines/netflow/compare/sweep.js';
import { runNetflowApp, type NetflowAppConfig } from '../../pipelines/netflow/netflow-app.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { launchChromium, missingBrowser, requireBrowserUnderCi, testArtifacts, type BrowserPage, type TestBrowser } from '../support/chromium.js';

requireBrowserUnderCi('matrix and compare report');

/** What functions run in the page see of it (the project's TypeScript has no DOM library). */
interface Rect {
  readonly top: number;
  readonly bottom: number;
}
interface Node {
  readonly textContent: string | null;
  readonly tagName: string;
  readonly childNodes: ArrayLike<Node>;
  readonly nodeType: number;
  getBoundingClientRect(): Rect;
  querySelector(selector: string): Node | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
}
declare const document: {
  readonly scrollingElement: { readonly scrollWidth: number; readonly clientWidth: number };
  querySelector(selector: string): Node | null;
  querySelectorAll(selector: string): ArrayLike<Node>;
};
declare const window: { scrollTo(x: number, y: number): void; readonly scrollY: number };

const repo = fileURLToPath(new URL('../..', import.meta.url));
const MATRIX = pathToFileURL(join(repo, 'capability-matrix', 'report.html')).href;

/** The page's width and the width of its content: equal when nothing scrolls sideways. */
const widths = (page: BrowserPage) => page.evaluate(() => ({ content: document.scrollingElement.scrollWidth, viewport: document.scrollingElement.clientWidth }));

async function open(browser: TestBrowser, url: string, width: number): Promise<BrowserPage> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(url);
  return page;
}

describe.skipIf(missingBrowser !== undefined)('the report pages in a browser', () => {
  let browser: TestBrowser;
  let compareUrl: string;
  beforeAll(async () => {
    browser = await launchChromium();
    // a small comparison, run in this process: both runners, and micro-batch at two batch intervals
    const config: NetflowAppConfig = {
      input: { kind: 'generator', options: { seed: 3, count: 300, eventsPerSecond: 200, sourceIps: 6, keySkew: 1, maxJitterMs: 400, ipv6Share: 0.02, malformedShare: 0.02 } },
      output: { kind: 'stdout-summary' },
      job: { topN: 3 },
      stats: { digests: true, keepPairsUpTo: 1_000_000 },
    };
    const run = (options: Record<string, unknown>) => runNetflowApp(Pipeline.create(options), config);
    const native = await run({ runner: 'native' });
    const micro = await run({ runner: 'microbatch' });
    const sweep = [sweepPoint('asap', 0, [await run({ runner: 'microbatch', batchInterval: 'asap' })], native), sweepPoint('1s', 1000, [await run({ runner: 'microbatch', batchInterval: 1000 })], native)];
    const dir = mkdtempSync(join(tmpdir(), 'compare-browser-'));
    const [html] = await writeCompareReport(dir, buildCompareReport('browser', native, micro, new Date(0), sweep));
    compareUrl = pathToFileURL(html!).href;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const width of [1400, 900]) {
    it(`matrix page at ${width} px: no sideways scrolling, the head stays at the top while rows scroll`, { timeout: 60_000 }, async () => {
      const page = await open(browser, MATRIX, width);
      try {
        const w = await widths(page);
        expect(w.content).toBeLessThanOrEqual(w.viewport);
        // scroll well into the table: its head is pinned at the top, and rows pass under it
        await page.evaluate(() => {
          const head = document.querySelector('table.matrix thead')!;
          window.scrollTo(0, head.getBoundingClientRect().top + window.scrollY + 2500);
        });
        const pinned = await page.evaluate(() => {
          const head = document.querySelector('table.matrix thead')!.getBoundingClientRect();
          const tableTop = document.querySelector('table.matrix')!.getBoundingClientRect().top;
          return { headTop: head.top, tableTop };
        });
        expect(pinned.tableTop).toBeLessThan(-2000);
        expect(Math.abs(pinned.headTop)).toBeLessThan(1);
        await page.screenshot({ path: join(testArtifacts(), `reports-matrix-${width}.png`) });
      } finally {
        await page.close();
      }
    });

    it(`compare report at ${width} px: no sideways scrolling, "which runner for what" first, the sweep charted`, { timeout: 60_000 }, async () => {
      const page = await open(browser, compareUrl, width);
      try {
        const w = await widths(page);
        expect(w.content).toBeLessThanOrEqual(w.viewport);
        const headings = await page.evaluate(() => Array.from(document.querySelectorAll('h2')).map((h) => h.textContent));
        expect(headings[0]).toBe('Which runner for what');
        expect(headings).toContain('Batch-interval sweep (micro-batch)');
        const answers = await page.evaluate(() => Array.from(document.querySelectorAll('table.which tr th:first-child')).map((h) => h.textContent));
        expect(answers).toEqual(['aspect', 'latency (typical)', 'latency (tail)', 'throughput', 'CPU time', 'memory', 'micro-batch interval']);
        expect(await page.evaluate(() => document.querySelectorAll('figure svg').length)).toBe(6);
        await page.screenshot({ path: join(testArtifacts(), `reports-compare-${width}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    });
  }

  it('matrix page: long notes are folded into <details>, what stays open is short', { timeout: 60_000 }, async () => {
    const page = await open(browser, MATRIX, 1400);
    try {
      const notes = await page.evaluate(() => {
        /** A node's text as shown with every <details> closed: only its summary. */
        const shown = (n: Node): string => {
          if (n.nodeType === 3) return n.textContent ?? '';
          if (n.tagName === 'DETAILS') return n.querySelector('summary')?.textContent ?? '';
          return Array.from(n.childNodes).map(shown).join('');
        };
        const cells = Array.from(document.querySelectorAll('table.matrix td .notes'));
        return { count: cells.length, folded: document.querySelectorAll('table.matrix td .notes details').length, longestShown: Math.max(...cells.map((c) => shown(c).length)) };
      });
      expect(notes.count).toBeGreaterThan(100);
      expect(notes.folded).toBeGreaterThan(20);
      expect(notes.longestShown).toBeLessThanOrEqual(120);
    } finally {
      await page.close();
    }
  });
});
