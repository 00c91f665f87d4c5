import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { CheckpointRecoveryError } from '../../sdk/errors.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { countStream } from '../../capability-matrix/support/checkpoint-scenarios.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNERS } from '../support/runners.js';

/**
 * A pipeline resumed with its exactly-once sink renamed (state is keyed by step name) after the job
 * died with a checkpoint written and not committed: that checkpoint's output is durable and pending
 * under the old name. Without `allowNonRestoredState` the mismatch is refused (as for any step); with
 * it, the pending output must not be dropped silently: no sink of the new pipeline would ever commit it.
 */

afterEach(() => failpoints.reset());

function windowedCount(p: Pipeline, store: CommittedStore<unknown>, sink: string): void {
  p.apply('Events', countStream())
    .apply('Window', Window.into<string>(FixedWindows(10_000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(2))).accumulatingFiredPanes())
    .apply('Keyed', WithKeys((s: string) => s))
    .apply('Count', Count.perKey<string>())
    .apply(sink, CommittedCapture.records(store as CommittedStore<never>));
}

const run = (options: Partial<PipelineOptions>, store: CommittedStore<unknown>, sink: string) => {
  const p = Pipeline.create(options);
  windowedCount(p, store, sink);
  return p.run();
};

describe.each(RUNNERS)('a renamed exactly-once sink on $label', ({ options }) => {
  it('with --allowNonRestoredState and the restored checkpoint not committed: CheckpointRecoveryError naming the old step and the checkpoint, nothing committed; the old pipeline then resumes exactly', async () => {
    const expected = new CommittedStore<unknown>();
    await run(options, expected, 'Out');
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: mkdtempSync(join(tmpdir(), 'watershed-renamed-sink-')), checkpointInterval: 1000 };
    // Checkpoint 3 is durable with the sink's pending output, not committed.
    failpoints.arm('checkpoint.written', { at: 3 });
    await expect(run(ck, store, 'Out')).rejects.toThrow(SimulatedCrash);
    failpoints.reset();
    const committedBefore = store.lines({ sorted: true });

    const e = await run({ ...ck, allowNonRestoredState: true }, store, 'Results').then(() => undefined, (x: unknown) => x);
    // Before: the run went on (DONE, the state of 'Out' dropped with a warning) and no sink ever committed checkpoint 3's output.
    expect(e).toBeInstanceOf(CheckpointRecoveryError);
    expect((e as CheckpointRecoveryError).step).toBe('Out');
    expect((e as Error).message).toMatch(/checkpoints\/ck-000000000003 holds its output, not yet committed, .*no sink step 'Out'/);
    expect(store.lines({ sorted: true })).toEqual(committedBefore);

    // The pipeline that wrote it resumes and commits everything exactly once.
    const result = await run(ck, store, 'Out');
    expect(result.state).toBe('DONE');
    expect(store.lines({ sorted: true })).toEqual(expected.lines({ sorted: true }));
  });

  it('with --allowNonRestoredState and the restored checkpoint committed: nothing pending is lost, so the renamed sink resumes (state dropped with a warning), every record once', async () => {
    const expected = new CommittedStore<unknown>();
    await run(options, expected, 'Out');
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: mkdtempSync(join(tmpdir(), 'watershed-renamed-sink-')), checkpointInterval: 1000 };
    // At the barrier of checkpoint 4: checkpoint 3 is committed.
    failpoints.arm('checkpoint.barrier', { at: 4 });
    await expect(run(ck, store, 'Out')).rejects.toThrow(SimulatedCrash);
    failpoints.reset();
    const result = await run({ ...ck, allowNonRestoredState: true }, store, 'Results');
    expect(result.state).toBe('DONE');
    expect(result.checkpoints!.restoredFrom!.seq).toBe(3);
    expect(store.lines({ sorted: true })).toEqual(expected.lines({ sorted: true }));
  });
});
