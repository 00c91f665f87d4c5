import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../../runners/core/checkpoint/checkpoint-file.js';
import { isUuidV7 } from '../../runners/core/checkpoint/checkpoint-id.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { RunStart } from '../../sdk/run-observer.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Create } from '../../transforms/create.js';
import { RUNNERS } from '../support/runners.js';

function pipeline(options: Parameters<typeof Pipeline.create>[0] & object, starts: RunStart[]) {
  const p = Pipeline.create({ ...options, observers: [{ started: (s) => void starts.push(s), sample: () => {} }] });
  p.apply('Numbers', Create([1, 2, 3])).apply('Seen', Capture.records<number>());
  return p;
}

describe.each(RUNNERS)('run ids ($label)', ({ options }) => {
  it('every run has a uuid v7 id: on the handle, in the result and in what observers get at the start; two runs differ', async () => {
    const starts: RunStart[] = [];
    const run = pipeline(options, starts).start();
    const result = await run.done;
    expect(isUuidV7(run.runId)).toBe(true);
    expect(result.runId).toBe(run.runId);
    expect(starts.map((s) => s.runId)).toEqual([run.runId]);
    const again = pipeline(options, []).start();
    await again.done;
    expect(isUuidV7(again.runId)).toBe(true);
    expect(again.runId).not.toBe(run.runId);
  });

  it("with checkpointDir, the checkpoints it writes carry the run's id", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watershed-run-id-'));
    try {
      const run = pipeline({ ...options, checkpointDir: dir, guarantee: 'at-least-once' }, []).start();
      await run.done;
      const files = readdirSync(join(dir, 'checkpoints')).filter((f) => f.startsWith('ck-'));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(readCheckpointFile(f, readFileSync(join(dir, 'checkpoints', f))).manifest.runId).toBe(run.runId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
