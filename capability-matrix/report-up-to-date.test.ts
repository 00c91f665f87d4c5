import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate, REPORT_FILES } from './generate.js';

/**
 * The committed matrix is never edited by hand: this regenerates it in memory (every registered
 * runner, the whole suite) and fails when a committed report file differs.
 */

const here = dirname(fileURLToPath(import.meta.url));
const FIX = 'run `npm run capability-matrix` and commit capability-matrix/report.md, report.json and report.html';

/** The first line where two texts differ, for the failure message. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}:\n  committed: ${a[i] ?? '(end of file)'}\n  generated: ${b[i] ?? '(end of file)'}`;
  }
  return '(no difference)';
}

describe('the committed capability matrix', () => {
  it('is what the suite produces now', async () => {
    const { files } = await generate();
    const generatedTwice = (await generate()).files;
    // the output must be deterministic, or it could never be committed
    expect(generatedTwice).toEqual(files);
    for (const name of REPORT_FILES) {
      const path = join(here, name);
      if (!existsSync(path)) expect.fail(`capability-matrix/${name} is missing: ${FIX}`);
      const committed = readFileSync(path, 'utf8');
      if (committed !== files[name]) expect.fail(`capability-matrix/${name} is out of date (${firstDifference(committed, files[name])}): ${FIX}`);
    }
  }, 120_000);
});
