/**
 * The package as a user gets it: `npm pack` (whose `prepack` script builds dist/), the tarball installed
 * into a new project outside the repository, and that project's programs (./user-app/) run with plain
 * `node` (Node 24: no tsx, no loader, no `watershed-source` condition): every entry point, a pipeline on
 * both runners, a TestStream check of late data, the `watershed` command. One build and one install
 * (npm's cache makes it quick; the registry is asked for what the cache lacks) serve every test.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN_NAMES, usageOf } from '../../bin/usage.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USER_APP = fileURLToPath(new URL('./user-app/', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };

// Node 24 first on the PATH (the `watershed` bin starts with `#!/usr/bin/env node`), and none of the
// npm_* settings of an enclosing `npm test` (its prefix and package would leak into the nested npm).
const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
for (const [k, v] of Object.entries(process.env)) {
  if (k !== 'PATH' && (!/^npm_/i.test(k) || /^npm_config_(cache|registry|userconfig|globalconfig|.*proxy|cafile|strict_ssl)$/i.test(k))) env[k] = v;
}

let tmp = '';
let app = '';
let packed: { filename: string; size: number; files: { path: string }[] };
/** The repository's package.json before `npm pack` (whose prepack and postpack scripts rewrite it and put it back). */
let manifestBefore = '';

interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (asynchronously: the test worker must stay responsive to vitest meanwhile). */
async function run(command: string, args: readonly string[], cwd: string): Promise<Ran> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { status: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: unknown; signal?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw e;
    return { status: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function ok(command: string, args: readonly string[], cwd: string): Promise<string> {
  const r = await run(command, args, cwd);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Runs a program of the user's project with plain node. */
const node = (args: readonly string[]) => ok(process.execPath, args, app);

beforeAll(async () => {
  expect(Number(process.versions.node.split('.')[0]), 'these tests need Node 24 (npm test provides it)').toBeGreaterThanOrEqual(24);
  tmp = mkdtempSync(join(tmpdir(), 'watershed-package-'));
  manifestBefore = readFileSync(join(ROOT, 'package.json'), 'utf8');
  [packed] = JSON.parse(await ok('npm', ['pack', '--json', '--pack-destination', tmp], ROOT)) as (typeof packed)[];
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'user-app', private: true, type: 'module' }));
  for (const f of readdirSync(USER_APP)) copyFileSync(join(USER_APP, f), join(app, f));
  // As a user installs it (install scripts included: the package's dependencies must not need any).
  await ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(tmp, packed.filename)], app);
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('holds the compiled package (JavaScript, .d.ts, the wasm asset) and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files.filter((f) => !/^(package\.json|README\.md|dist\/.+)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /(^|\/)test\//.test(f))).toEqual([]);
    const targets = Object.values(PACKAGE.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.types!, t.default!]));
    expect(targets.map((t) => t.replace(/^\.\//, '')).filter((t) => !files.includes(t))).toEqual([]);
    expect(files).toContain('dist/bin/watershed.js');
    expect(files).toContain('dist/transforms/io/number-text.wasm');
    // Compiled code, declarations and source maps with their sources inlined: about 1.2 MB packed today.
    expect(packed.size).toBeLessThan(2_000_000);
  });

  it("does not bring the repository's own Node binary into the user's project, and leaves the repository's package.json as it was", () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules/watershed/package.json'), 'utf8')) as Record<string, Record<string, unknown> | undefined>;
    expect(installed['optionalDependencies']?.['node']).toBeUndefined();
    expect(installed['allowScripts']?.['node']).toBeUndefined();
    expect(existsSync(join(app, 'node_modules/node')), 'the `node` package (~190 MB) was installed').toBe(false);
    expect(existsSync(join(app, 'node_modules/.bin/node')), "a `node` in the project's node_modules/.bin shadows the user's Node").toBe(false);
    expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toBe(manifestBefore);
    expect(existsSync(join(ROOT, '.package.json.before-pack'))).toBe(false);
  });

  it('loads every entry point with plain node, without the internals, and refuses deep imports', async () => {
    expect(await node(['entry-points.ts'])).toContain('entry points ok');
  });

  it("type-checks a user's programs against the installed .d.ts files", async () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2024', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
          // what the README's getting-started section sets: only TypeScript that Node can strip
          allowImportingTsExtensions: true, erasableSyntaxOnly: true,
          lib: ['ES2024'], types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
          // as `tsc --init` sets it: a client library's own .d.ts import 'debug' without depending on @types/debug
          skipLibCheck: true,
        },
        include: ['*.ts'],
      }),
    );
    await ok(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], app);
  });

  it("runs a user's pipeline on both runners with the same result", async () => {
    const results: string[][] = [];
    for (const runner of ['native', 'microbatch']) {
      expect(await node(['clicks-per-minute.ts', `--runner=${runner}`, `--output=${runner}.ndjson`])).toContain(`DONE on the ${runner} runner`);
      results.push(readFileSync(join(app, `${runner}.ndjson`), 'utf8').trim().split('\n').sort());
    }
    expect(results[0]).toEqual([
      '{"window":"[2026-01-01T09:00:00.000Z, 2026-01-01T09:01:00.000Z)","user":"ann","clicks":2}',
      '{"window":"[2026-01-01T09:00:00.000Z, 2026-01-01T09:01:00.000Z)","user":"bob","clicks":1}',
      '{"window":"[2026-01-01T09:01:00.000Z, 2026-01-01T09:02:00.000Z)","user":"ann","clicks":1}',
    ]);
    expect(results[1]).toEqual(results[0]);
  });

  it('runs a TestStream check of late data on both runners', async () => {
    for (const runner of ['native', 'microbatch']) {
      expect((await node(['late-clicks.ts', `--runner=${runner}`])).trim().split('\n')).toEqual(['[0,60000) ON_TIME #0 2', '[0,60000) LATE #1 3']);
    }
  });

  it('has a watershed command that runs the commands of `npm start --`', async () => {
    const bin = join(app, 'node_modules/.bin/watershed');
    // The help names the commands as the user runs them here (`watershed example`), not as the repository's npm scripts.
    const help = await ok(bin, ['--help'], app);
    expect(help).toBe(`${usageOf(undefined, BIN_NAMES)}\n`);
    expect(help).toContain('  watershed example [flags]');
    expect(help).not.toMatch(/npm (start|run)/);
    expect(await ok(bin, ['compare', '--help'], app)).not.toMatch(/npm (start|run)/);
    const unknown = await run(bin, ['exampel'], app);
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringContaining('(did you mean example?). Commands: netflow, compare, generate, example (watershed --help)')]);
    expect(await ok(bin, ['example', '--count=200', '--runner=microbatch', '--batchInterval=asap'], app)).toContain('runner microbatch: DONE');
    // compare runs each runner in a child process of the compiled command, in the user's directory.
    await ok(bin, ['compare', '--count=300', '--histogram=none', '--outDir=compared', '--name=run'], app);
    expect(JSON.parse(readFileSync(join(app, 'compared/run/report.json'), 'utf8'))).toMatchObject({ equality: { equal: true } });
    const misspelt = await run(bin, ['--runnr=microbatch'], app);
    expect([misspelt.status, misspelt.stderr]).toEqual([2, expect.stringContaining('did you mean --runner?')]);
  }, 120_000);

  it("is what the README's getting-started section shows", () => {
    const shown = readFileSync(join(ROOT, 'README.md'), 'utf8').includes(readFileSync(join(USER_APP, 'clicks-per-minute.ts'), 'utf8'));
    expect(shown, 'README.md shows test/package/user-app/clicks-per-minute.ts verbatim').toBe(true);
  });
});
