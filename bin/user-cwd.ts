import { realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The folder the user started the command line in. npm runs a package script (`npm start`,
 * `npm run compare`) in the package's root folder and gives the folder it was started in as
 * `INIT_CWD`: for a script that runs this CLI (its `npm_lifecycle_script` names bin/watershed),
 * started in the package root (`npm_package_json`'s folder), that is `INIT_CWD`; otherwise (the
 * installed `watershed` bin, `npx tsx bin/watershed.ts`, a test's child) it is `cwd`. So relative
 * paths in flags (`--input=ndjson:flows.ndjson`, `--outDir`) mean what they mean in the user's shell.
 * @example process.chdir(userCwd()) // first thing in bin/watershed.ts
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const init = env['INIT_CWD'];
  const packageJson = env['npm_package_json'];
  if (!init || !packageJson || !/\bbin\/watershed\b/.test(env['npm_lifecycle_script'] ?? '')) return cwd;
  return samePath(dirname(packageJson), cwd) && isDirectory(init) ? init : cwd;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
