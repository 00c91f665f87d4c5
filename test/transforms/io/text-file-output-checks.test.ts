import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputsCollideError, SinkTargetError } from '../../../sdk/errors.js';
import type { PipelineOptions } from '../../../sdk/options.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import { Create } from '../../../transforms/create.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { ParDo } from '../../../transforms/par-do.js';
import { RUNNERS, runWith } from '../../support/runners.js';

/**
 * What a program (not the command line) gets from `Pipeline.run()` for TextFile outputs it cannot
 * write, and what an output with no records leaves behind.
 */

const fresh = (): string => mkdtempSync(join(tmpdir(), 'text-output-checks-'));
const withCheckpoints = (options: Partial<PipelineOptions>, dir: string): Partial<PipelineOptions> => ({ ...options, checkpointDir: join(dir, 'ck'), checkpointInterval: 1000 });

/** Values through a step that counts the elements it processed, into `Out` at `out`. */
function counted(p: Pipeline, seen: { n: number }, out: string): void {
  p.apply('In', Create(['a', 'b', 'c']))
    .apply('Count', ParDo<string, string>({ process: (s) => (seen.n++, s) }))
    .apply('Out', TextFile.write<string>(out, (s) => s));
}

describe.each(RUNNERS)('TextFile outputs a program cannot write are refused by Pipeline.run() before the run, on $label', ({ options }) => {
  for (const checkpoints of [false, true]) {
    it(`two sinks onto one file (spelt differently)${checkpoints ? ', with checkpoints' : ''}: OutputsCollideError naming both steps and paths; no element processed, nothing written`, async () => {
      const dir = fresh();
      const out = join(dir, 'out.ndjson');
      const seen = { n: 0 };
      const e = await runWith(checkpoints ? withCheckpoints(options, dir) : options, (p) => {
        counted(p, seen, out);
        p.apply('Other', Create(['x'])).apply('Errors', TextFile.write<string>(join(dir, '.', 'out.ndjson'), (s) => s));
      }).then(
        () => undefined,
        (x: unknown) => x,
      );
      // Before: without checkpoints the run was DONE, one sink's file replacing the other's; with them a UserCodeError (EEXIST) mid-run.
      expect(e).toBeInstanceOf(OutputsCollideError);
      expect((e as Error).message).toBe(`step 'Out' writing ${out} and step 'Errors' writing ${join(dir, '.', 'out.ndjson')} are the same file: one output would replace the other's records. Give each output its own path.`);
      expect(seen.n).toBe(0);
      expect(readdirSync(dir).filter((n) => n !== 'ck')).toEqual([]);
    });
  }

  it('with checkpoints, a file where the part folder must go: SinkTargetError naming the step and path, before any step is set up; the file is as it was', async () => {
    const dir = fresh();
    const out = join(dir, 'out.ndjson');
    writeFileSync(out, 'an earlier run\n');
    const earlier = join(dir, 'earlier.ndjson');
    const seen = { n: 0 };
    const e = await runWith(withCheckpoints(options, dir), (p) => {
      // A sink set up before 'Out' (steps are set up in order): its part folder must not be made either.
      p.apply('First', Create(['y'])).apply('Earlier', TextFile.write<string>(earlier, (s) => s));
      counted(p, seen, out);
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SinkTargetError);
    expect((e as SinkTargetError).step).toBe('Out');
    expect((e as SinkTargetError).path).toBe(out);
    expect(seen.n).toBe(0);
    // Before: refused only in the sink's setup, after 'Earlier' had made its folder.
    expect(existsSync(earlier)).toBe(false);
    expect(readFileSync(out, 'utf8')).toBe('an earlier run\n');
  });

  for (const checkpoints of [false, true]) {
    it(`a sink onto a file a TextFile source reads (through a link)${checkpoints ? ', or a part folder holding it (with checkpoints)' : ''}: SinkTargetError naming both steps and paths; the input is as it was`, async () => {
      const dir = fresh();
      const input = join(dir, 'in.txt');
      writeFileSync(input, 'a\nb\n');
      symlinkSync(input, join(dir, 'link.txt'));
      for (const out of checkpoints ? [join(dir, 'link.txt'), dir] : [join(dir, 'link.txt')]) {
        const seen = { n: 0 };
        const e = await runWith(checkpoints ? withCheckpoints(options, fresh()) : options, (p) => {
          p.apply('Read', TextFile.lines(input))
            .apply('Count', ParDo<string, string>({ process: (s) => (seen.n++, s.toUpperCase()) }))
            .apply('Out', TextFile.write<string>(out, (s) => s));
        }).then(
          () => undefined,
          (x: unknown) => x,
        );
        // Before: DONE, the input file replaced by the output (or, with checkpoints, a SinkTargetError for the link, a DONE run for the folder).
        expect(e).toBeInstanceOf(SinkTargetError);
        expect((e as SinkTargetError).step).toBe('Out');
        expect((e as Error).message).toContain(`step 'Read' reads ${input}`);
        expect(seen.n).toBe(0);
        expect(readFileSync(input, 'utf8')).toBe('a\nb\n');
      }
    });
  }

  it('a path ending in / (a directory name) without checkpoints: SinkTargetError before the run (before: every element processed, then ENOTDIR at the final rename)', async () => {
    const dir = fresh();
    const out = `${join(dir, 'new')}/`;
    const seen = { n: 0 };
    const e = await runWith(options, (p) => counted(p, seen, out)).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SinkTargetError);
    expect((e as SinkTargetError).step).toBe('Out');
    expect(seen.n).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
    // With checkpoints the output is a folder of parts: a trailing / is fine.
    expect((await runWith(withCheckpoints(options, dir), (p) => counted(p, { n: 0 }, out))).result.state).toBe('DONE');
    expect(statSync(out).isDirectory()).toBe(true);
  });

  it('a sink whose output is empty leaves an empty file, or with checkpoints an empty folder (nothing hidden), so "ran, empty" shows', async () => {
    const dir = fresh();
    const file = join(dir, 'plain.ndjson');
    const folder = join(dir, 'parts.ndjson');
    const none = (p: Pipeline, out: string) => p.apply('In', Create<string>(['a'])).apply('None', ParDo<string, string>({ process: () => undefined })).apply('Out', TextFile.write<string>(out));
    expect((await runWith(options, (p) => none(p, file))).result.state).toBe('DONE');
    expect(readFileSync(file, 'utf8')).toBe('');
    expect((await runWith(withCheckpoints(options, dir), (p) => none(p, folder))).result.state).toBe('DONE');
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(readdirSync(folder)).toEqual([]);
  });
});
