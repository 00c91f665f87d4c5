import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(root, dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(relative(root, p)));
    else if (name.endsWith('.ts')) out.push(relative(root, p));
  }
  return out;
}

/** Top-level folders each file's relative imports reach. */
function importedTopFolders(file: string): string[] {
  const src = readFileSync(join(root, file), 'utf8');
  const tops: string[] = [];
  for (const m of src.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)) {
    const target = relative(root, resolve(join(root, file, '..'), m[1]!));
    tops.push(target.split('/')[0]!);
  }
  return tops;
}

// Imports point one way: transforms → sdk; runners → sdk; pipelines → transforms + sdk; rx → transforms + sdk (+ runners' monitoring); capability-matrix → runners (+ sdk, transforms).
const ALLOWED: Record<string, string[]> = {
  sdk: ['sdk'],
  transforms: ['transforms', 'sdk'],
  runners: ['runners', 'sdk'],
  pipelines: ['pipelines', 'transforms', 'sdk'],
  rx: ['rx', 'transforms', 'sdk', 'runners'],
  'capability-matrix': ['capability-matrix', 'runners', 'transforms', 'sdk'],
};

describe('layering', () => {
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`${folder}/ imports only ${allowed.join(', ')}`, () => {
      let files: string[] = [];
      try {
        files = tsFiles(folder);
      } catch {
        return; // folder not created yet
      }
      // test files beside the code (e.g. capability-matrix/*.test.ts) may also use the test support in test/
      const allowedFor = (f: string) => (f.endsWith('.test.ts') ? [...allowed, 'test'] : allowed);
      const violations = files.flatMap((f) => importedTopFolders(f).filter((t) => !allowedFor(f).includes(t)).map((t) => `${f} imports ${t}/`));
      expect(violations).toEqual([]);
    });
  }

  it('the sdk and the runner core never read the clock or set timers themselves', () => {
    const files = [...tsFiles('sdk'), ...tsFiles('runners/core')];
    const offenders = files.filter((f) => {
      const code = readFileSync(join(root, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      return /\bDate\.now\(|\bnew Date\(\)|performance\.now\(|\bsetTimeout\(|\bsetInterval\(|\bsetImmediate\(|process\.hrtime/.test(code);
    });
    expect(offenders).toEqual([]);
  });

  it('the check can fail: it spots a clock read', () => {
    expect(/\bDate\.now\(/.test('const t = Date.now();')).toBe(true);
  });
});
