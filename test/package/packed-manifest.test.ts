// The package.json that `npm pack` puts into the tarball (scripts/packed-manifest.ts): the repository's,
// without the `node` binary package that only the repository's own npm scripts need.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packedManifest } from '../../scripts/packed-manifest.js';

describe('the packed package.json', () => {
  it("leaves out the `node` dependency and its allowScripts entry, and keeps everything else in its order", () => {
    const repo = {
      name: 'watershed',
      dependencies: { rxjs: '^7.8.2' },
      optionalDependencies: { node: '24.21.0', fsevents: '^2' },
      allowScripts: { node: true, esbuild: true },
      bin: { watershed: 'dist/bin/watershed.js' },
    };
    const packed = packedManifest(repo);
    expect(packed).toEqual({
      name: 'watershed',
      dependencies: { rxjs: '^7.8.2' },
      optionalDependencies: { fsevents: '^2' },
      allowScripts: { esbuild: true },
      bin: { watershed: 'dist/bin/watershed.js' },
    });
    expect(Object.keys(packed)).toEqual(Object.keys(repo));
    expect(repo.optionalDependencies.node).toBe('24.21.0'); // the argument is not changed
  });

  it('drops a field that only held `node`', () => {
    expect(packedManifest({ name: 'w', optionalDependencies: { node: '24.21.0' }, allowScripts: { node: true }, files: ['dist'] })).toEqual({ name: 'w', files: ['dist'] });
  });

  it("is this repository's package.json without `node`: the repository declares it, the tarball does not", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const packed = packedManifest(pkg);
    expect(JSON.stringify(packed)).not.toMatch(/"node":\s*("24|true)/);
    expect(packed['exports']).toEqual(pkg['exports']);
    expect(packed['dependencies']).toEqual(pkg['dependencies']);
  });
});
