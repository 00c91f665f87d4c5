// TypeDoc settings for `npm run docs`: the API reference of every entry point of the package (the
// `exports` of package.json, read from their TypeScript sources), written to docs/api/ (not committed).
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'Watershed',
  entryPoints: Object.values(pkg.exports).flatMap((target) => (typeof target === 'object' ? [target['watershed-source']] : [])),
  out: 'docs/api',
  // The package's sources only (not the tests): quicker. `npm run typecheck` checks the types.
  tsconfig: 'tsconfig.build.json',
  skipErrorChecking: true,
  excludeInternal: true,
  // A reference for users of the runners, not for runner authors (the runners' protected hooks).
  excludeProtected: true,
  // Without a remote repository, links to the sources would be broken.
  disableSources: true,
};
