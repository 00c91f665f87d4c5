import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { DrainedCheckpointError } from '../../sdk/errors.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineRun } from '../../sdk/runner.js';
import { CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { countsAndTimers, totalCount } from '../../capability-matrix/support/stop-scenarios.js';
import { RUNNERS } from '../support/runners.js';

/**
 * A drain (`stop({drain: true})`, `--drain` on a signal) whose process dies after its `drained`
 * checkpoint is durable and before the sinks commit it (SIGKILL, a second signal, a power cut): that
 * checkpoint holds the drain's last panes, prepared and not visible. The next run must commit them,
 * not refuse the directory as drained and leave them uncommitted for ever.
 */

afterEach(() => failpoints.reset());

const SMALL = { maxBatchSize: 500, bundleSize: 250, bufferSize: 500 } as const;

function start(options: Partial<PipelineOptions>, counts: CommittedStore<unknown>, timers: CommittedStore<unknown>, drainAt?: number): PipelineRun {
  const p = Pipeline.create(options);
  let run: PipelineRun | undefined;
  countsAndTimers(p, Number.POSITIVE_INFINITY, counts, timers, (i) => {
    if (i === drainAt) void run!.stop!({ drain: true });
  });
  run = p.start();
  return run;
}

describe.each(RUNNERS)('a drain that dies before its commit, on $label', ({ options }) => {
  it('the next run commits the drained checkpoint\'s panes (every element read, every timer) and reads nothing; the run after it is refused as drained', async () => {
    const ck = { ...options, ...SMALL, checkpointDir: join(mkdtempSync(join(tmpdir(), 'watershed-drain-crash-')), 'ck'), checkpointInterval: 3_600_000 };
    const counts = new CommittedStore<unknown>();
    const timers = new CommittedStore<unknown>();
    // The interval is an hour: the first checkpoint written is the drain's.
    failpoints.arm('checkpoint.written', { at: 1 });
    await expect(start(ck, counts, timers, 5_000).done).rejects.toThrow(SimulatedCrash);
    failpoints.reset();
    expect(counts.records).toEqual([]);
    expect(counts.prepared.size).toBeGreaterThan(0);

    const rerun = await start(ck, counts, timers).done;
    // Before: DrainedCheckpointError, and the drain's panes stayed prepared, never committed.
    expect(rerun.warnings!.join('\n')).toMatch(/was drained \(checkpoints\/ck-000000000001\).*committed now/);
    expect(rerun.metrics['Gen']!.elementsIn).toBeGreaterThan(5_000);
    expect(totalCount(counts)).toBe(rerun.metrics['Gen']!.elementsIn); // restored counters: nothing read again
    expect(counts.records.every((r) => r.pane.isLast)).toBe(true);
    expect(timers.values().sort()).toEqual(['k0 timer', 'k1 timer', 'k2 timer', 'k3 timer', 'k4 timer']);
    expect(counts.prepared.size + timers.prepared.size).toBe(0);

    await expect(start(ck, new CommittedStore(), new CommittedStore()).done).rejects.toBeInstanceOf(DrainedCheckpointError);
  });
});
