/**
 * Builds the installable package into `dist/`: compiled ESM with `.d.ts` and source maps for sdk/,
 * runners/, transforms/, pipelines/ and bin/ (tsconfig.build.json), plus the files the compiled code
 * reads at run time (the `.wasm` number formatter). `npm pack` runs it (the `prepack` script), so the
 * tarball always holds a fresh build; `dist/` is removed first, so no output of a deleted source survives.
 *
 * Exits with tsc's exit code when the sources do not compile.
 * @example npm run build && node dist/bin/watershed.js example --count=100
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, globSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** Files the compiled modules load next to themselves (e.g. `new URL('./number-text.wasm', import.meta.url)`). */
const ASSETS = ['sdk/**/*.wasm', 'runners/**/*.wasm', 'transforms/**/*.wasm', 'pipelines/**/*.wasm'];
/** The command-line entry point, made executable (npm does so too when it installs the bin). */
const BIN = join(DIST, 'bin', 'watershed.js');

rmSync(DIST, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

for (const file of globSync(ASSETS, { cwd: ROOT })) {
  mkdirSync(dirname(join(DIST, file)), { recursive: true });
  cpSync(join(ROOT, file), join(DIST, file));
}
chmodSync(BIN, 0o755);
