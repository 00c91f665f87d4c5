import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failpoints, SimulatedCrash } from '../../../sdk/testing/failpoints.js';
import { Create } from '../../../transforms/create.js';
import { FileOutputSet, TextFile } from '../../../transforms/io/text-file.js';
import { RUNNERS, runWith } from '../../support/runners.js';

function oldOutputs(): { dir: string; a: string; b: string } {
  const dir = mkdtempSync(join(tmpdir(), 'publish-with-'));
  const [a, b] = [join(dir, 'a.txt'), join(dir, 'b.txt')];
  writeFileSync(a, 'OLD a');
  writeFileSync(b, 'OLD b');
  return { dir, a, b };
}

describe.each(RUNNERS)('TextFile.write with publishWith, on $label', ({ options }) => {
  afterEach(() => failpoints.reset());

  it('leaves its file hidden in the set when the run ends; publish() renames both outputs', async () => {
    const { dir, a, b } = oldOutputs();
    const set = new FileOutputSet();
    await runWith(options, (p) => {
      const words = p.apply('In', Create(['x', 'y']));
      words.apply('A', TextFile.write<string>(a, (w) => w, undefined, { publishWith: set }));
      words.apply('B', TextFile.write<string>(b, (w) => w.toUpperCase(), undefined, { publishWith: set }));
    });
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual(['OLD a', 'OLD b']);
    await set.publish();
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual(['x\ny\n', 'X\nY\n']);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('a failure as the second output is published fails the run; discarding the set leaves both old files and no hidden file', async () => {
    const { dir, a, b } = oldOutputs();
    const set = new FileOutputSet();
    failpoints.arm('fileSink.publish', { at: 2 });
    const run = runWith(options, (p) => {
      const words = p.apply('In', Create(['x', 'y']));
      words.apply('A', TextFile.write<string>(a, (w) => w, undefined, { publishWith: set }));
      words.apply('B', TextFile.write<string>(b, (w) => w, undefined, { publishWith: set }));
    });
    await expect(run).rejects.toThrow(SimulatedCrash);
    await set.discard();
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8')]).toEqual(['OLD a', 'OLD b']);
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
  });
});
