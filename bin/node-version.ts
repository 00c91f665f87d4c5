/**
 * The Node.js version Watershed runs on, checked before anything else is loaded.
 *
 * Node 24 LTS is the supported runtime (`engines` in package.json). A machine that ships an older
 * Node still gets one: `npm ci` installs the `node` package (an optional dependency), which puts a
 * Node 24 binary in `node_modules/.bin`, first on the PATH of every `npm start` / `npm test` /
 * `npm run ...`. That dependency stays in the repository (scripts/pack-manifest.ts leaves it out of the
 * tarball): where the package is installed, the user's own Node runs the `watershed` bin. Started on an
 * older Node (the installed bin, `npx tsx bin/watershed.ts` with an older `node` on the PATH, or a
 * platform the `node` package has no binary for) the CLI stops here with a message saying
 * how to get Node 24, instead of failing later on an API that Node 20 lacks.
 *
 * `./require-node.ts` runs the check (it is the CLI's first import).
 *
 * @example
 * ```ts
 * nodeVersionProblem('v20.20.2'); // 'Watershed needs Node 24 or later; this is Node v20.20.2. ...'
 * nodeVersionProblem('v24.21.0'); // null
 * ```
 */

/** The oldest Node major version Watershed supports; the same as `engines.node` in package.json. */
export const MIN_NODE_MAJOR = 24;

/** Why `version` (as in `process.version`, e.g. `v24.21.0`) cannot run Watershed, or null if it can. */
export function nodeVersionProblem(version: string): string | null {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return null;
  return (
    `Watershed needs Node ${MIN_NODE_MAJOR} or later; this is Node ${version}. ` +
    'Where the package is installed (`npx watershed`), install Node 24 (e.g. `nvm install 24`). ' +
    'In the Watershed repository, run it through npm (`npm start`, `npm test`, `npm run ...`): after `npm ci` ' +
    'they use the Node 24 binary that the `node` package puts in node_modules/.bin (if `npm ci` reported ' +
    'that package as skipped, no binary for this platform, install Node 24 too).'
  );
}
