/**
 * The public API report: `api/<name>.api.md`, one per entry point of package.json's `exports`
 * (`watershed/sdk` → api/watershed-sdk.api.md, `watershed/io/kafka` → api/watershed-io-kafka.api.md),
 * written by API Extractor (the devDependency @microsoft/api-extractor, settings in api/api-extractor.json)
 * from the declarations tsc emits for tsconfig.build.json into a temporary folder (dist/ is not touched).
 *
 *   npm run api:check    exit 0 when the surface is the one in api/; else exit 1, naming the reports that differ
 *   npm run api:update   rewrites api/ (adds, changes, removes reports); commit it with the change
 *
 * So every change to what the package exports shows in review as a change to api/*.api.md.
 * Exits with 2 on a bad flag or when API Extractor is not installed, and with tsc's code when the
 * declarations do not compile.
 * @example npm run api:check || (npm run api:update && git diff api/)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPORTS = join(ROOT, 'api');
const SETTINGS = join(REPORTS, 'api-extractor.json');
/** The devDependency this script needs, as `npm install --save-dev` takes it. */
const API_EXTRACTOR = '@microsoft/api-extractor@^7.60.1';

/** The part of API Extractor's programming interface used here (typed here: the package is an optional devDependency). */
interface ApiExtractor {
  readonly ExtractorConfig: {
    loadFile(path: string): ExtractorSettings;
    prepare(options: { configObject: ExtractorSettings; configObjectFullPath: string; packageJsonFullPath: string }): object;
  };
  readonly CompilerState: { create(config: object, options: { additionalEntryPoints: string[] }): object };
  readonly Extractor: {
    invoke(config: object, options: { localBuild: boolean; compilerState: object; printApiReportDiff: boolean }): { errorCount: number; apiReportChanged: boolean };
  };
}
type ExtractorSettings = Record<string, unknown> & { apiReport?: object };

/** One entry point of the package: its import specifier, its report's base name, its declaration file under dist/. */
interface EntryPoint {
  readonly specifier: string;
  readonly report: string;
  readonly types: string;
}

/** The entry points of package.json's `exports` that have types, e.g. `{ specifier: 'watershed/io/kafka', report: 'watershed-io-kafka', types: 'dist/transforms/io/kafka/index.d.ts' }`. */
function entryPoints(pkg: { readonly name: string; readonly exports: Readonly<Record<string, unknown>> }): EntryPoint[] {
  return Object.entries(pkg.exports).flatMap(([subpath, target]) => {
    const types = typeof target === 'object' && target !== null ? (target as { types?: unknown }).types : undefined;
    if (typeof types !== 'string') return [];
    const specifier = `${pkg.name}${subpath.slice(1)}`;
    return [{ specifier, report: specifier.replace(/\//g, '-'), types: types.replace(/^\.\//, '') }];
  });
}

async function main(): Promise<number> {
  let local: boolean;
  try {
    local = parseArgs({ options: { local: { type: 'boolean' } }, strict: true }).values.local === true;
  } catch (e) {
    console.error(`${(e as Error).message} (usage: tsx scripts/api-report.ts [--local])`);
    return 2;
  }
  let extractor: ApiExtractor;
  try {
    const specifier: string = API_EXTRACTOR.slice(0, API_EXTRACTOR.lastIndexOf('@'));
    extractor = (await import(specifier)) as ApiExtractor;
  } catch {
    console.error(`API Extractor is not installed: npm install --save-dev ${API_EXTRACTOR}`);
    return 2;
  }
  const { CompilerState, Extractor, ExtractorConfig } = extractor;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; exports: Record<string, unknown> };
  const entries = entryPoints(pkg);

  const tmp = mkdtempSync(join(tmpdir(), 'watershed-api-'));
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const declarations = ['-p', join(ROOT, 'tsconfig.build.json'), '--emitDeclarationOnly', '--sourceMap', 'false', '--inlineSources', 'false', '--outDir', join(tmp, 'dist')];
    const emitted = spawnSync(process.execPath, [tsc, ...declarations], { stdio: 'inherit' });
    if (emitted.status !== 0) return emitted.status ?? 1;
    // The temporary folder looks like the installed package: its package.json (for the name) and the
    // repository's node_modules (for the types of the dependencies).
    writeFileSync(join(tmp, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version }));
    symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'), 'dir');
    const compilerOptions = { target: 'ES2024', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, lib: ['ES2024'], types: ['node'] };
    writeFileSync(join(tmp, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: entries.map((e) => e.types) }));

    const settings = ExtractorConfig.loadFile(SETTINGS);
    const configs = entries.map((entry) =>
      ExtractorConfig.prepare({
        configObjectFullPath: SETTINGS,
        packageJsonFullPath: join(tmp, 'package.json'),
        configObject: {
          ...settings,
          projectFolder: tmp,
          mainEntryPointFilePath: join(tmp, entry.types),
          // skipLibCheck: a dependency's own declarations are not this package's surface (tsc checks ours).
          compiler: { tsconfigFilePath: join(tmp, 'tsconfig.json'), skipLibCheck: true },
          apiReport: { ...settings.apiReport, enabled: true, reportFileName: entry.report, reportFolder: REPORTS, reportTempFolder: join(tmp, 'api') },
        },
      }),
    );
    const compilerState = CompilerState.create(configs[0]!, { additionalEntryPoints: entries.map((e) => join(tmp, e.types)) });
    const problems: string[] = [];
    for (const [i, config] of configs.entries()) {
      const result = Extractor.invoke(config, { localBuild: local, compilerState, printApiReportDiff: !local });
      if (result.errorCount > 0) problems.push(`${entries[i]!.specifier}: ${result.errorCount} error(s) above`);
      else if (result.apiReportChanged && !local) problems.push(`${entries[i]!.specifier}: the surface differs from api/${entries[i]!.report}.api.md`);
    }
    // A report whose entry point is gone (an export removed) is stale too.
    const expected = new Set(entries.map((e) => `${e.report}.api.md`));
    for (const file of existsSync(REPORTS) ? readdirSync(REPORTS).filter((f) => f.endsWith('.api.md') && !expected.has(f)) : []) {
      if (local) rmSync(join(REPORTS, file));
      else problems.push(`api/${file}: no entry point of package.json's exports has this report`);
    }
    if (problems.length > 0) {
      console.error(`\nThe public API changed:\n  ${problems.join('\n  ')}\nIf that is intended, run \`npm run api:update\` and commit api/.`);
      return 1;
    }
    console.log(local ? `api/: ${entries.length} reports written` : `api/: the public API is as reported (${entries.length} entry points)`);
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
