/**
 * `npm run docs` (TypeDoc, settings in typedoc.config.js) builds the API reference of every entry point
 * of the package without errors and without warnings: no doc-comment warning (a `{@link}` to nothing, a
 * tag TypeDoc does not know, ...) and no type that the surface uses but no entry point exports (each
 * such type is either exported or kept out of the public signatures; docs/design/public-api.md).
 * Written to a temporary folder, not to docs/api/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };

let out = '';
let log = '';
let exitCode = 0;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'watershed-api-docs-'));
  const typedoc = join(ROOT, 'node_modules/typedoc/bin/typedoc');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [typedoc, '--out', out, '--logLevel', 'Warn'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    log = stdout + stderr;
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    exitCode = typeof failed.code === 'number' ? failed.code : 1;
    log = (failed.stdout ?? '') + (failed.stderr ?? '');
  }
}, 180_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('the API reference (TypeDoc)', () => {
  it('builds without errors', () => {
    expect(exitCode, log).toBe(0);
    expect(log).not.toMatch(/\[error\]/);
  });

  it('has no warnings: no doc-comment problem, no type the surface uses without exporting it', () => {
    const warnings = log.split('\n').filter((l) => l.includes('[warning]') && !/Found \d+ errors and \d+ warnings/.test(l));
    expect(warnings).toEqual([]);
  });

  it('has a page per entry point of the package, named by its import path', () => {
    const entries = Object.keys(PACKAGE.exports).filter((k) => k !== './package.json').map((k) => `${PACKAGE.name}${k.slice(1)}`);
    expect(entries).toContain('watershed/sdk');
    const pages = entries.map((e) => join(out, 'modules', `${e.replace(/\//g, '_')}.html`));
    expect(pages.filter((p) => !existsSync(p))).toEqual([]);
    expect(readFileSync(join(out, 'modules', 'watershed_testing.html'), 'utf8')).toContain('scripts element arrivals');
    expect(existsSync(join(out, 'classes', 'watershed_sdk.Pipeline.html'))).toBe(true);
  });
});
