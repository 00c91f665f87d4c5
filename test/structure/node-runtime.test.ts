import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIN_NODE_MAJOR, nodeVersionProblem } from '../../bin/node-version.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// While `npm pack` runs (test/package/), package.json is the packed form, without the `node` dependency,
// and the repository's own is kept aside in .package.json.before-pack (scripts/pack-manifest.ts).
const beforePack = `${root}.package.json.before-pack`;
const pkg = JSON.parse(readFileSync(existsSync(beforePack) ? beforePack : `${root}package.json`, 'utf8')) as {
  engines: { node: string };
  optionalDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

describe('Node 24 runtime', () => {
  it('runs this test worker on Node 24 or later (npm test puts node_modules/.bin/node first on the PATH)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(MIN_NODE_MAJOR);
  });

  it('declares the same minimum in engines, and a Node 24 binary from the `node` package whose install script may run', () => {
    expect(pkg.engines.node).toBe(`>=${MIN_NODE_MAJOR}`);
    expect(pkg.optionalDependencies?.['node']).toMatch(new RegExp(`^${MIN_NODE_MAJOR}\\.`));
    expect(pkg.allowScripts?.['node']).toBe(true);
  });

  it('names the problem for an older Node and accepts a newer one', () => {
    expect(nodeVersionProblem('v20.20.2')).toMatch(/needs Node 24 or later; this is Node v20\.20\.2/);
    expect(nodeVersionProblem('v20.20.2')).toContain('Where the package is installed (`npx watershed`), install Node 24');
    expect(nodeVersionProblem('v23.11.0')).not.toBeNull();
    expect(nodeVersionProblem('v24.0.0')).toBeNull();
    expect(nodeVersionProblem('v26.10.0')).toBeNull();
  });
});
