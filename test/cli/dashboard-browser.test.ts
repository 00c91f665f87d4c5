/**
 * The dashboard in a real browser: Playwright (`playwright-core`, a devDependency) driving Debian's
 * `chromium` package (`.ci/run` installs it with apt where it is missing; no browser is downloaded).
 * `CHROMIUM_PATH` points elsewhere. Screenshots go to out/test-artifacts/ (or
 * `WATERSHED_TEST_ARTIFACTS`), never into the repository. Without Playwright or Chromium the tests
 * are skipped with a loud warning, and fail under CI=true.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { netflowConfigFromArgs } from '../../bin/netflow-command.js';
import { buildNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { FifoInput, killLeftoverRuns, startCli } from '../support/live-cli.js';

afterEach(killLeftoverRuns);

/** What functions run in the page see of it (the project's TypeScript has no DOM library). */
interface Element {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}
declare const document: {
  querySelector(selector: string): Element | null;
  getElementById(id: string): Element | null;
  readonly body: { readonly dataset: Record<string, string | undefined> };
  readonly documentElement: { readonly scrollWidth: number };
};

/** The little of Playwright's API these tests use (the package may not be installed: no static import). */
interface Page {
  goto(url: string): Promise<unknown>;
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  waitForFunction<A>(fn: (arg: A) => boolean, arg: A, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  $$eval<R>(selector: string, fn: (els: Element[]) => R): Promise<R>;
  $eval<R>(selector: string, fn: (el: Element) => R): Promise<R>;
  evaluate<R>(fn: () => R): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  close(): Promise<void>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser>;
}

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const PLAYWRIGHT = 'playwright-core';
const playwright = (await import(PLAYWRIGHT).catch(() => undefined)) as { chromium: Chromium } | undefined;
const missing = playwright === undefined ? 'the devDependency playwright-core is not installed (npm ci)' : !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)` : undefined;
if (missing !== undefined) {
  if (process.env['CI'] === 'true') throw new Error(`dashboard browser tests cannot run: ${missing}`);
  console.warn(`\n*** dashboard-browser: SKIPPED, ${missing}: the dashboard is NOT tested in a browser ***\n`);
}

const repo = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = process.env['WATERSHED_TEST_ARTIFACTS'] ?? join(repo, 'out', 'test-artifacts');

/** The primitive steps the CLI's netflow job has for `args` (built in-process, not run). */
function stepsOf(args: string[]): string[] {
  const p = Pipeline.create({});
  buildNetflowApp(p, netflowConfigFromArgs(args));
  return p.graph().primitives.map((n) => n.fullName);
}

/** The number in a cell such as `1,234`. */
const count = (text: string | null) => Number((text ?? '').replace(/,/g, ''));

describe.skipIf(missing !== undefined)('the dashboard in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    mkdirSync(artifacts, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const runner of ['native', 'microbatch']) {
    it(`follows a ${runner} run started with --ui: the graph holds the pipeline's steps, counters move, then the report`, { timeout: 400_000 }, async () => {
      const fifo = new FifoInput();
      const report = join(fifo.path, '..', 'report.html');
      const args = [`--input=ndjson:${fifo.path}`, '--window=1s', '--maxOutOfOrderness=1s', '--bundleSize=10', `--runner=${runner}`, ...(runner === 'microbatch' ? ['--batchInterval=200ms'] : [])];
      fifo.write(40);
      const run = startCli([...args, '--ui', `--report=${report}`]);
      const page = await browser.newPage();
      try {
        const url = (await run.waitFor(/\[ui\] the run's dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/))[1]!;
        await page.setViewportSize({ width: 1000, height: 900 });
        await page.goto(url);

        // The graph: one box per primitive step of the pipeline, named.
        await page.waitForSelector('svg.graph g.step', { timeout: 60_000 });
        const boxes = await page.$$eval('svg.graph g.step', (els) => els.map((e) => e.getAttribute('data-step')));
        expect(boxes.sort()).toEqual(stepsOf(args).sort());
        expect(await page.$eval('svg.graph g.step[data-step="Netflow/GroupByKey"] text.name', (e) => e.textContent)).toBe('GroupByKey');

        // Counters move while the run goes, pushed over server-sent events (no reload).
        const read = 'tr[data-step="NdjsonFile"] td[data-metric="in"]';
        await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent?.replace(/,/g, '') ?? 0) >= 40, read, { timeout: 120_000, polling: 100 });
        const before = { read: count(await page.$eval(read, (e) => e.textContent)), updates: Number(await page.evaluate(() => document.body.dataset['updates'] ?? '0')) };
        fifo.write(60);
        await page.waitForFunction((sel) => Number(document.querySelector(sel)?.textContent?.replace(/,/g, '') ?? 0) >= 100, read, { timeout: 120_000, polling: 100 });
        expect(count(await page.$eval(read, (e) => e.textContent))).toBeGreaterThan(before.read);
        expect(Number(await page.evaluate(() => document.body.dataset['updates']))).toBeGreaterThan(before.updates);
        expect(count(await page.$eval('#summary-body [data-metric="recordsIn"]', (e) => e.textContent))).toBe(100);

        // Charts drawn by Vega in the page; the page fits a 1,000 px wide window.
        await page.waitForSelector('#charts-body figure.chart[data-chart="Records per second"] svg', { timeout: 60_000 });
        if (runner === 'microbatch') await page.waitForSelector('#charts-body figure.chart[data-chart="Micro-batches"] svg', { timeout: 60_000 });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1000);
        await page.screenshot({ path: join(artifacts, `dashboard-live-${runner}.png`), fullPage: true });

        // The end: the page says so, and the report holds the same page, without script.
        fifo.close();
        await page.waitForFunction(() => /ended/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000, polling: 100 });
        expect(await page.$eval('#summary-body .state', (e) => e.textContent)).toBe('DONE');
        expect(await run.exitCode()).toBe(0);
      } finally {
        fifo.close();
        await page.close();
      }
      expect(readdirSync(join(report, '..')).sort()).toEqual(['flows.fifo', 'report.html']);
      expect(readFileSync(report, 'utf8')).not.toContain('<script');
      const saved = await browser.newPage();
      try {
        await saved.setViewportSize({ width: 1000, height: 900 });
        await saved.goto(pathToFileURL(report).href);
        const boxes = await saved.$$eval('svg.graph g.step', (els) => els.map((e) => e.getAttribute('data-step')));
        expect(boxes.sort()).toEqual(stepsOf(args).sort());
        expect(count(await saved.$eval('#summary-body [data-metric="recordsIn"]', (e) => e.textContent))).toBe(100);
        expect(await saved.$$eval('#charts-body figure.chart svg', (els) => els.length)).toBeGreaterThanOrEqual(runner === 'microbatch' ? 3 : 2);
        expect(await saved.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1000);
        await saved.screenshot({ path: join(artifacts, `dashboard-report-${runner}.png`), fullPage: true });
      } finally {
        await saved.close();
      }
    });
  }
});
