import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flow } from '../pipelines/netflow/test-records.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
/** tsx by its path: the folder the CLI starts in has no node_modules. */
const TSX = pathToFileURL(join(repo, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** The CLI from the sources, started in `cwd` (not the repository). */
const cliIn = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', TSX, join(repo, 'bin', 'watershed.ts'), ...args], { cwd, encoding: 'utf8', timeout: 180_000 });

/** A folder with a small Netflow NDJSON file, flows.ndjson. */
function withInput(dir = mkdtempSync(join(tmpdir(), 'cli-compare-'))): string {
  writeFileSync(join(dir, 'flows.ndjson'), Array.from({ length: 20 }, (_, i) => JSON.stringify(flow({ eventid: String(i), in_bytes: i * 10 }))).join('\n') + '\n');
  return dir;
}

describe('compare: exit status like diff, paths relative to where it was started', () => {
  it('exits 0 when both runners agree, 1 when their results differ (--inject-difference), 2 on a usage error', () => {
    const dir = withInput();
    const same = cliIn(dir, 'compare', '--input=ndjson:flows.ndjson', '--outDir=cmp', '--name=same', '--quiet');
    expect(same.status, same.stderr).toBe(0);
    const differ = cliIn(dir, 'compare', '--input=ndjson:flows.ndjson', '--outDir=cmp', '--name=differ', '--quiet', '--inject-difference');
    expect(differ.stdout).toContain('RESULTS DIFFER');
    expect(differ.status, differ.stderr).toBe(1);
    const usage = cliIn(dir, 'compare', '--repeat=0');
    expect(usage.status).toBe(2);
  }, 180_000);

  it('reads --input and writes --outDir and --output relative to the folder it was started in, not the repository', () => {
    const dir = withInput();
    const r = cliIn(dir, 'compare', '--input=ndjson:flows.ndjson', '--output=ndjson:pairs.ndjson', '--outDir=cmp', '--name=rel', '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'cmp', 'rel', 'report.json'))).toBe(true);
    expect(existsSync(join(dir, 'pairs.native.ndjson'))).toBe(true);
    expect(existsSync(join(dir, 'pairs.microbatch.ndjson'))).toBe(true);
    expect(existsSync(join(repo, 'pairs.native.ndjson'))).toBe(false);
  }, 180_000);

  it('through npm run compare from a sub-folder: paths are the sub-folder\'s (INIT_CWD), not the package root', () => {
    // out/ is ignored by git; npm finds the package above the folder it is started in
    const dir = join(repo, 'out', `cwd-test-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      withInput(dir);
      const { INIT_CWD: _i, npm_lifecycle_script: _s, npm_lifecycle_event: _e, npm_package_json: _p, ...env } = process.env;
      const r = spawnSync('npm', ['run', '-s', 'compare', '--', '--input=ndjson:flows.ndjson', '--outDir=cmp', '--name=npm', '--quiet'], { cwd: dir, env, encoding: 'utf8', timeout: 180_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(dir, 'cmp', 'npm', 'report.json'))).toBe(true);
      expect(existsSync(join(repo, 'cmp'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(join(repo, 'cmp'), { recursive: true, force: true });
    }
  }, 180_000);
});
