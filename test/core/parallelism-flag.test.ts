import { describe, expect, it } from 'vitest';
import { PipelineOptionsError, UnknownFlagError } from '../../sdk/errors.js';
import { Pipeline } from '../../sdk/pipeline.js';

/** `--parallelism` (design: docs/design/scale-out.md §6 step 4): strict, 1..128, default 1, with checkpoints at any value (step 5). */
describe('--parallelism', () => {
  it('defaults to 1, and takes a whole number from 1 to 128', () => {
    expect(Pipeline.create([]).options.parallelism).toBe(1);
    expect(Pipeline.create(['--parallelism=3']).options.parallelism).toBe(3);
    expect(Pipeline.create(['--parallelism', '128']).options.parallelism).toBe(128);
    expect(Pipeline.create({ parallelism: 2 }).options.parallelism).toBe(2);
  });

  it('refuses anything else, naming the flag', () => {
    for (const bad of ['0', '-1', '1.5', 'x', '129', '']) {
      expect(() => Pipeline.create([`--parallelism=${bad}`]), bad).toThrow(PipelineOptionsError);
      expect(() => Pipeline.create([`--parallelism=${bad}`]), bad).toThrow(/--parallelism/);
    }
    expect(() => Pipeline.create({ parallelism: 0 })).toThrow(/--parallelism: expected a whole number from 1 to 128/);
  });

  it('a misspelling names it', () => {
    expect(() => Pipeline.create(['--paralelism=2'])).toThrow(UnknownFlagError);
    expect(() => Pipeline.create(['--paralelism=2'])).toThrow(/did you mean --parallelism\?/);
  });

  it('takes checkpoints at any value (design step 5)', () => {
    expect(Pipeline.create(['--parallelism=2', '--checkpointDir=ck']).options.checkpointDir).toBe('ck');
    expect(Pipeline.create(['--parallelism=1', '--checkpointDir=ck']).options.checkpointDir).toBe('ck');
  });
});
