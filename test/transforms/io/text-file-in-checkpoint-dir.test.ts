import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputInCheckpointDirError, PipelineOptionsError } from '../../../sdk/errors.js';
import { Create } from '../../../transforms/create.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { ParDo } from '../../../transforms/par-do.js';
import { RUNNERS, runWith } from '../../support/runners.js';

/** A TextFile output inside the checkpoint directory: the store owns that folder (it sweeps and refuses files it does not know). */
describe.each(RUNNERS)('a TextFile output inside the checkpoint directory is refused by Pipeline.run() before the run, on $label', ({ options }) => {
  for (const where of ['inside', 'the checkpoint directory itself'] as const) {
    it(`${where}: OutputInCheckpointDirError naming the step, the path and the directory; nothing processed or written`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'text-in-ck-'));
      const ck = join(dir, 'ck');
      const out = where === 'inside' ? join(dir, '.', 'ck', 'out.ndjson') : join(dir, 'ck');
      const seen = { n: 0 };
      const e = await runWith({ ...options, checkpointDir: ck, checkpointInterval: 1000 }, (p) => {
        p.apply('In', Create(['a', 'b']))
          .apply('Count', ParDo<string, string>({ process: (s) => (seen.n++, s) }))
          .apply('Out', TextFile.write<string>(out, (s) => s));
      }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(OutputInCheckpointDirError);
      expect(e).toBeInstanceOf(PipelineOptionsError);
      expect((e as Error).message).toContain(`step 'Out' writing ${out}`);
      expect((e as Error).message).toContain(ck);
      expect(seen.n).toBe(0);
      expect(existsSync(ck) ? readdirSync(ck) : []).toEqual([]);
    });
  }
});
