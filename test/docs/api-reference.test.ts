/**
 * `npm run docs` (TypeDoc, settings in typedoc.config.js) builds the API reference of every entry point
 * of the package without errors and without warnings: no doc-comment warning (a `{@link}` to nothing, a
 * tag TypeDoc does not know, ...) and no type that the surface uses but no entry point exports (each
 * such type is either exported or kept out of the public signatures; docs/design/public-api.md).
 * Written to a temporary folder, not to docs/api/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };

/** A TypeDoc warning about an export without a doc comment (only the names in FIRST_HOUR must have one). */
const UNDOCUMENTED = /does not have any documentation/;
/** Names as TypeDoc qualifies them (`<entry point>.<name>`, `__type` for an object literal's members). */
const FIRST_HOUR = [
  ...['StateSpec', 'StateSpec.__type.value', 'StateSpec.__type.bag', 'StateSpec.__type.map', 'StateSpec.__type.combining'],
  ...['ValueState', 'ValueState.read', 'ValueState.write', 'ValueState.clear', 'BagState', 'BagState.read', 'BagState.add', 'BagState.clear'],
  ...['CombiningState', 'CombiningState.add', 'CombiningState.read', 'MapState', 'MapState.get', 'MapState.put', 'MapState.entries'],
  ...['TimerSpec', 'TimerSpec.__type.eventTime', 'TimerSpec.__type.processingTime', 'Timer.clear'],
  ...['seconds', 'minutes', 'hours', 'millis', 'KV.key', 'KV.value', 'Pipeline.options'],
  ...['PaneInfo.index', 'PaneInfo.timing', 'PaneInfo.isFirst', 'PaneInfo.isLast'],
  ...['ProcessContext.timestamp', 'ProcessContext.window', 'ProcessContext.pane', 'ProcessContext.state', 'ProcessContext.timers'],
  ...['OnTimerContext.window', 'OnTimerContext.state', 'OnTimerContext.timers', 'OnTimerContext.domain'],
  ...['DoFn.process', 'DoFn.setup', 'DoFn.teardown', 'DoFn.startBundle', 'DoFn.finishBundle', 'DoFn.state', 'DoFn.timers', 'DoFn.onTimer'],
  ...['AfterProcessingTime.__type.pastFirstElementInPane', 'AfterProcessingTimeTrigger.plusDelayOf'],
].map((n) => `watershed/sdk.${n}`).concat(
  ['Capture', 'Capture.__type.records', 'Probe.records', 'CapturedRecord.value', 'CapturedRecord.pane', 'CapturedRecord.window', 'TestStream.create', 'TestStream.advanceWatermarkToInfinity'].map((n) => `watershed/testing.${n}`),
  ['Count.__type.perKey', 'Count.__type.globally', 'Count.__type.perElement', 'Sum.__type.perKey', 'Mean.__type.globally', 'Combine.__type.perKey', 'Combine.__type.globally', 'Window.__type.into', 'Window.__type.configure'].map((n) => `watershed/transforms.${n}`),
  ['TextFile.__type.lines', 'TextFile.__type.ndjson'].map((n) => `watershed/io/text-file.${n}`),
);

let out = '';
let log = '';
let exitCode = 0;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'watershed-api-docs-'));
  const typedoc = join(ROOT, 'node_modules/typedoc/bin/typedoc');
  try {
    // --validation.notDocumented: warns for every export without a doc comment (checked below for the names a newcomer meets first)
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [typedoc, '--out', out, '--logLevel', 'Warn', '--validation.notDocumented'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
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
    const warnings = log.split('\n').filter((l) => l.includes('[warning]') && !/Found \d+ errors and \d+ warnings/.test(l) && !UNDOCUMENTED.test(l));
    expect(warnings).toEqual([]);
  });

  it('documents what a newcomer uses in their first hour (state, timers, time, panes, Capture, TestStream, combiners, Window, TextFile)', () => {
    const undocumented = new Set(log.split('\n').flatMap((l) => /\[warning\] (\S+) \(.*does not have any documentation/.exec(l)?.[1] ?? []));
    expect(undocumented.size, 'typedoc ran with --validation.notDocumented').toBeGreaterThan(0);
    expect(FIRST_HOUR.filter((name) => undocumented.has(name))).toEqual([]);
  });

  it("sends a reader to no source file of this repository that the package does not ship (the README's page aside)", () => {
    const pages = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html') && f !== 'index.html');
    const named = pages.flatMap((page) => {
      const text = readFileSync(join(out, page), 'utf8').replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, '');
      // a user's own file in an example (`node app.ts`) and the repository's examples, which the README points to, are fine
      return [...text.matchAll(/[\w./-]+\.ts\b/g)].map((m) => m[0]).filter((f) => !/^(app\.ts|pipelines\/examples\/[\w-]+\.ts)$/.test(f)).map((f) => `${page}: ${f}`);
    });
    expect(named).toEqual([]);
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
