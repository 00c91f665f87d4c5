/**
 * The package.json that goes into the tarball, without what only this repository needs: the `node`
 * package (an optional dependency that puts a Node 24 binary into `node_modules/.bin` so that `npm start`
 * and `npm test` run on Node 24 on a machine that ships an older Node) and its `allowScripts` entry.
 * Installed into a user's project that dependency would download ~190 MB and put its `node` first on the
 * PATH of the project's own npm scripts and of `npx`; a user brings their own Node 24 (`engines`).
 *
 * `npm pack` packs the package.json on disk, so the `prepack` script runs `--strip` (after the build):
 * it keeps the file as it was in `.package.json.before-pack` and writes the packed form in its place; `postpack`
 * runs `--restore`, which moves it back. A pack cut short leaves that file behind: the next
 * `--strip` or `--restore` puts it back first, so the repository's package.json is never lost.
 *
 * Exits with 1 (and a message) when package.json cannot be read as JSON.
 * @example npx tsx scripts/pack-manifest.ts --strip && npm pack --ignore-scripts && npx tsx scripts/pack-manifest.ts --restore
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packedManifest, type Manifest } from './packed-manifest.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MANIFEST = join(ROOT, 'package.json');
/** Where `--strip` keeps the repository's package.json while a pack runs. */
const BEFORE_PACK = join(ROOT, '.package.json.before-pack');

/** Puts the repository's package.json back if a pack left it aside; true when it did. */
function restore(): boolean {
  if (!existsSync(BEFORE_PACK)) return false;
  renameSync(BEFORE_PACK, MANIFEST);
  return true;
}

function strip(): void {
  restore();
  const text = readFileSync(MANIFEST, 'utf8');
  let pkg: Manifest;
  try {
    pkg = JSON.parse(text) as Manifest;
  } catch (e) {
    console.error(`pack-manifest: ${MANIFEST} is not JSON: ${(e as Error).message}`);
    process.exit(1);
  }
  writeFileSync(BEFORE_PACK, text);
  // Written next to it and renamed: a reader sees the old or the new file, never half of one.
  const next = `${MANIFEST}.packing`;
  writeFileSync(next, `${JSON.stringify(packedManifest(pkg), null, 2)}\n`);
  renameSync(next, MANIFEST);
}

{
  const { values } = parseArgs({ options: { strip: { type: 'boolean' }, restore: { type: 'boolean' } }, strict: true });
  if (values.strip === values.restore) {
    console.error('pack-manifest: give one of --strip (prepack) or --restore (postpack)');
    process.exit(2);
  }
  if (values.strip) strip();
  else restore();
}
