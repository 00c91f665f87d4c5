import { afterEach, describe, expect, it } from 'vitest';
import type { KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints } from '../../sdk/testing/failpoints.js';
import type { IntervalWindow } from '../../sdk/window.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { crashAt } from '../../capability-matrix/support/checkpoint-scenarios.js';
import { batching, entriesIn, generated, ROWS, rowsOf, tmp } from './replay-support.js';

/**
 * Processing-time windows under the micro-batch offset log: a replayed batch is stamped with the
 * processing time its entry logged (the time its pass ran with in the crashed run), not with the
 * resumed run's clock, so the panes committed after the resume are those the crashed run would have
 * committed. 1 ms windows make every batch's processing time visible as its window's start.
 */

afterEach(() => failpoints.reset());

/** Counts per key per 1 ms of processing time (system clock); the panes go to `store`. */
async function run(options: Partial<PipelineOptions>, store: CommittedStore<unknown>, checkpointFirst = false): Promise<PipelineResult> {
  const p = Pipeline.create({ ...(options.checkpointDir !== undefined ? { checkpointInterval: 3_600_000 } : {}), ...options });
  p.apply('In', generated())
    .apply('Window', Window.into<string>(ProcessingTimeWindows.tumbling(1)))
    .apply('Keyed', WithKeys((s: string) => s))
    .apply('Count', Count.perKey<string>())
    .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
  const r = p.start();
  if (checkpointFirst) r.checkpoint!();
  return r.done;
}

describe('micro-batch replay of processing-time windows', () => {
  it('replayed batches keep their logged processing time: the committed windows are the crashed run’s batch times', async () => {
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    // 30-row batches, a checkpoint after batch 0, a crash once batch 3's entry is durable
    await crashAt({ name: 'offsets.written', at: 4 }, () => run({ ...batching(30), checkpointDir: dir }, store, true));
    // batches 1 to 3 are logged and not checkpointed (and batch 0 too when the checkpoint after it, written
    // asynchronously, was not complete at the crash)
    const logged = entriesIn(dir);
    expect(logged.map((e) => e.batchId).slice(-3)).toEqual([1, 2, 3]);
    const resumed = await run({ ...batching(50), checkpointDir: dir }, store);
    expect(rowsOf(resumed).map(([id, , replayed]) => [id, replayed])).toEqual(logged.map((e) => [e.batchId, true]));
    const panes = store.records.map((r) => ({ value: r.value as KV<string, number>, window: r.window as IntervalWindow }));
    // every row counted once
    expect(panes.reduce((n, r) => n + r.value.value, 0)).toBe(ROWS);
    // each replayed batch's rows are in the 1 ms window of its logged processing time; the only
    // other window is batch 0's (the crashed run's, restored from the checkpoint)
    const starts = new Set(panes.map((r) => r.window.start));
    const loggedTimes = new Set(logged.map((e) => e.processingTime));
    for (const t of loggedTimes) expect(starts.has(t), `a window at the logged processing time ${t}`).toBe(true);
    expect([...starts].filter((s) => !loggedTimes.has(s)).length).toBeLessThanOrEqual(1);
    expect(store.prepared.size).toBe(0);
  });
});
