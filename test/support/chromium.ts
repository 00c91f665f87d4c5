import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real browser for tests: Playwright (`playwright-core`, a devDependency) driving Debian's
 * `chromium` package (no browser is downloaded; `CHROMIUM_PATH` points elsewhere). `missingBrowser`
 * says why there is none; a test file skips its browser tests then, with a loud warning, and fails
 * under CI=true (see `requireBrowserUnderCi`). Screenshots go to `testArtifacts` (out/test-artifacts/,
 * or `WATERSHED_TEST_ARTIFACTS`), never into the repository.
 * @example const browser = await launchChromium(); const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
 */

/** The little of Playwright's page API the tests use (the package may be missing: no static import). */
export interface BrowserPage {
  goto(url: string): Promise<unknown>;
  evaluate<R, A = undefined>(fn: (arg: A) => R, arg?: A): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  close(): Promise<void>;
}
export interface TestBrowser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<BrowserPage>;
  close(): Promise<void>;
}
interface Chromium {
  launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<TestBrowser>;
}

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const PLAYWRIGHT = 'playwright-core';
const playwright = (await import(PLAYWRIGHT).catch(() => undefined)) as { chromium: Chromium } | undefined;

/** Why no browser test can run here, or undefined when one can. */
export const missingBrowser: string | undefined =
  playwright === undefined ? 'the devDependency playwright-core is not installed (npm ci)' : !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)` : undefined;

/** Throws under CI=true when there is no browser; elsewhere warns that `what` is not tested in a browser. */
export function requireBrowserUnderCi(what: string): void {
  if (missingBrowser === undefined) return;
  if (process.env['CI'] === 'true') throw new Error(`${what} browser tests cannot run: ${missingBrowser}`);
  console.warn(`\n*** ${what}: SKIPPED, ${missingBrowser}: NOT tested in a browser ***\n`);
}

/** Headless Chromium. @throws Error when `missingBrowser` is set */
export async function launchChromium(): Promise<TestBrowser> {
  if (playwright === undefined || missingBrowser !== undefined) throw new Error(`no browser: ${missingBrowser}`);
  return playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Where tests put screenshots (created on first use). */
export function testArtifacts(): string {
  const dir = process.env['WATERSHED_TEST_ARTIFACTS'] ?? join(fileURLToPath(new URL('../..', import.meta.url)), 'out', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
