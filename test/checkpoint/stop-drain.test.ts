import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { DrainedCheckpointError } from '../../sdk/errors.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult, PipelineRun } from '../../sdk/runner.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { Create } from '../../transforms/create.js';
import { MapElements } from '../../transforms/map.js';
import { Read } from '../../transforms/read.js';
import { countsAndTimers, idleAfter, totalCount } from '../../capability-matrix/support/stop-scenarios.js';
import { RUNNERS } from '../support/runners.js';

/**
 * Stop and drain (issue #13, design §h, step 14), in-process on both runners: `run.stop()` ends a run
 * at a quiescent point with a final checkpoint that the same pipeline resumes from, committing in
 * the end exactly what an uninterrupted run commits; `run.stop({drain: true})` fires every window's
 * last pane and every event-time timer and leaves a checkpoint that cannot be resumed.
 */

const tmp = () => join(mkdtempSync(join(tmpdir(), 'watershed-stop-')), 'ck');

/** Small batches and bundles, so a stop falls in the middle of the input. */
const SMALL = { maxBatchSize: 500, bundleSize: 250, bufferSize: 500 } as const;

/** Starts the pipeline and asks for a stop (with `stop`) from inside it when element `at` goes by. */
async function runStoppingAt(options: Partial<PipelineOptions>, count: number, at: number, stop: { drain?: boolean }, counts: CommittedStore<unknown>, timers = new CommittedStore<unknown>()): Promise<PipelineResult> {
  const p = Pipeline.create(options);
  let run: PipelineRun | undefined;
  countsAndTimers(p, count, counts, timers, (i) => {
    if (i === at) void run!.stop!(stop);
  });
  run = p.start();
  return run.done;
}

describe.each(RUNNERS)('stop and drain on $label', ({ options }) => {
  it('stop(): the run ends STOPPED at a final checkpoint; resuming it commits exactly what an uninterrupted run commits', async () => {
    const expected = new CommittedStore<unknown>();
    const p = Pipeline.create({ ...options, ...SMALL });
    countsAndTimers(p, 20_000, expected, new CommittedStore());
    const uninterrupted = await p.run();
    expect(expected.records.length).toBe(100); // 20 windows × 5 keys

    const dir = tmp();
    const store = new CommittedStore<unknown>();
    const ck = { ...options, ...SMALL, checkpointDir: dir, checkpointInterval: 3_600_000 };
    const stopped = await runStoppingAt(ck, 20_000, 5_000, {}, store);
    expect(stopped.state).toBe('STOPPED');
    expect(stopped.checkpoints!.taken.map((t) => t.kind)).toEqual(['final']);
    const read = stopped.metrics['Gen']!.elementsIn;
    expect(read).toBeGreaterThan(5_000);
    expect(read).toBeLessThan(20_000);
    // committed before the stop: only windows the watermark closed; nothing stays prepared
    expect(store.records.length).toBeGreaterThan(0);
    expect(store.records.length).toBeLessThan(100);
    expect(store.prepared.size).toBe(0);

    const p2 = Pipeline.create(ck);
    let resumedRead = 0;
    countsAndTimers(p2, 20_000, store, new CommittedStore(), () => resumedRead++);
    const resumed = await p2.run();
    expect(resumed.state).toBe('DONE');
    expect(resumed.checkpoints!.restoredFrom).toMatchObject({ kind: 'final' });
    expect(resumedRead).toBe(20_000 - read);
    // its metrics are totals since the job's first start (restored from the final checkpoint)
    expect(resumed.metrics['Gen']!.elementsIn).toBe(20_000);
    expect(resumed.metrics).toEqual(uninterrupted.metrics);
    expect(store.lines({ sorted: true })).toEqual(expected.lines({ sorted: true }));
  });

  it('stop({drain: true}) on an endless input: every window fires its last pane and every event-time timer fires, the run ends DRAINED and cannot be resumed', async () => {
    const dir = tmp();
    const counts = new CommittedStore<unknown>();
    const timers = new CommittedStore<unknown>();
    const ck = { ...options, ...SMALL, checkpointDir: dir, checkpointInterval: 3_600_000 };
    const drained = await runStoppingAt(ck, Number.POSITIVE_INFINITY, 5_000, { drain: true }, counts, timers);
    expect(drained.state).toBe('DRAINED');
    expect(drained.checkpoints!.taken.map((t) => t.kind)).toEqual(['drained']);
    const read = drained.metrics['Gen']!.elementsIn;
    expect(read).toBeGreaterThan(5_000);
    // every element read is counted in a final pane: all windows fired, the last (partial) one too
    expect(totalCount(counts)).toBe(read);
    expect(counts.records.length).toBe(5 * Math.ceil(read / 1000));
    expect(counts.records.every((r) => r.pane.isLast)).toBe(true);
    expect(timers.values().sort()).toEqual(['k0 timer', 'k1 timer', 'k2 timer', 'k3 timer', 'k4 timer']);
    expect(counts.prepared.size + timers.prepared.size).toBe(0);

    const again = Pipeline.create(ck);
    countsAndTimers(again, Number.POSITIVE_INFINITY, new CommittedStore(), new CommittedStore());
    await expect(again.run()).rejects.toBeInstanceOf(DrainedCheckpointError);
    await expect(again.run()).rejects.toThrow(/was drained .* cannot be resumed; start it with a new --checkpointDir/);
  });

  it('stop() on an endless input keeps the open windows and timers in the final checkpoint (no drain): nothing of them is committed', async () => {
    const counts = new CommittedStore<unknown>();
    const timers = new CommittedStore<unknown>();
    const stopped = await runStoppingAt({ ...options, ...SMALL, checkpointDir: tmp(), checkpointInterval: 3_600_000 }, Number.POSITIVE_INFINITY, 5_000, {}, counts, timers);
    expect(stopped.state).toBe('STOPPED');
    expect(totalCount(counts)).toBeLessThan(stopped.metrics['Gen']!.elementsIn);
    expect(timers.records).toEqual([]);
  });

  it('without a checkpoint directory stop() drains: there is nowhere to keep open windows', async () => {
    const counts = new CommittedStore<unknown>();
    const timers = new CommittedStore<unknown>();
    const result = await runStoppingAt({ ...options, ...SMALL }, Number.POSITIVE_INFINITY, 5_000, {}, counts, timers);
    expect(result.state).toBe('DRAINED');
    expect(result.checkpoints).toBeUndefined();
    expect(totalCount(counts)).toBe(result.metrics['Gen']!.elementsIn);
    expect(timers.values().sort()).toEqual(['k0 timer', 'k1 timer', 'k2 timer', 'k3 timer', 'k4 timer']);
  });

  it('a stop asked for after a bounded run ended by itself changes nothing: DONE, with its finished checkpoint', async () => {
    const p = Pipeline.create({ ...options, ...SMALL, checkpointDir: tmp() });
    countsAndTimers(p, 2_000, new CommittedStore(), new CommittedStore());
    const run = p.start();
    const result = await run.done;
    expect(await run.stop!()).toBe(result);
    expect(result.state).toBe('DONE');
    expect(result.checkpoints!.taken.at(-1)!.kind).toBe('finished');
  });
});

describe.each(RUNNERS)('stop while the loop waits for input on $label', ({ options }) => {
  it('stop() wakes a loop waiting for input that never comes: the run ends STOPPED at its final checkpoint', async () => {
    const p = Pipeline.create({ ...options, checkpointDir: tmp(), checkpointInterval: 3_600_000 });
    const store = new CommittedStore<unknown>();
    let seen = 0;
    let run: PipelineRun | undefined;
    p.apply('Idle', Read(idleAfter([1, 2, 3])))
      .apply('Watch', MapElements((x: number) => {
        // once all three went by, ask for the stop from outside the loop, while it waits
        if (++seen === 3) setImmediate(() => void run!.stop!());
        return x;
      }))
      .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
    run = p.start();
    const result = await run.done;
    expect(result.state).toBe('STOPPED');
    expect(result.checkpoints!.taken.map((t) => t.kind)).toEqual(['final']);
    expect(store.values().sort()).toEqual([1, 2, 3]);
  });
});

describe('a command-line run (stopOnSignals) takes SIGTERM and SIGINT', () => {
  /** Runs `argv` with a step that records how many SIGTERM and SIGINT handlers the process has meanwhile. */
  async function handlersDuring(argv: string[]): Promise<number[]> {
    const before = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
    const seen: number[] = [];
    const p = Pipeline.create(argv);
    p.apply(Create([1])).apply(MapElements((x: number) => (seen.push(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') - before), x)));
    await p.run();
    seen.push(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT') - before);
    return seen;
  }

  it('when the run can resume (--checkpointDir) or is to drain (--drain), and removes the handlers at its end', async () => {
    expect(await handlersDuring([`--checkpointDir=${tmp()}`])).toEqual([2, 0]);
    expect(await handlersDuring(['--drain'])).toEqual([2, 0]);
  });

  it('not for bounded input without either: a drain would publish partial output as if complete, so Ctrl-C ends the process as before', async () => {
    expect(await handlersDuring([])).toEqual([0, 0]);
  });
});
