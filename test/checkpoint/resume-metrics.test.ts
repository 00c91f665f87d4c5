import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { encodeCheckpointFile, readCheckpointFile, type SegmentPayload } from '../../runners/core/checkpoint/checkpoint-file.js';
import type { StepEntry } from '../../runners/core/checkpoint/manifest.js';
import { METRICS_TABLE } from '../../runners/core/checkpoint/step-metrics-segment.js';
import type { DoFn } from '../../sdk/dofn.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult, PipelineRun } from '../../sdk/runner.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { crashAt, type Crash } from '../../capability-matrix/support/checkpoint-scenarios.js';
import { observeRun, type StepMetricsSample } from '../../rx/index.js';
import { RUNNERS } from '../support/runners.js';

/**
 * The metrics of a resumed run are totals since the job's first start: every step's counters
 * (elements in and out, late-dropped, dead-lettered, user counters and distributions) are saved in
 * each checkpoint by step name and restored with the state, so a run that crashed or stopped after
 * a checkpoint and was resumed reports the same metrics as an uninterrupted run. Elements re-read
 * after the checkpoint are counted once: the counters roll back to the checkpoint with the state.
 */

afterEach(() => failpoints.reset());

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `watershed-${prefix}-`));

/** Counts every element, dead-letters 'bad' ones (user code throws), records each good word's length. */
const parse: DoFn<string, string> = {
  process(s, ctx) {
    ctx.metrics.counter('seen').inc();
    if (s === 'bad') throw new Error('a bad record');
    ctx.metrics.distribution('length').update(s.length);
    ctx.output(s);
  },
};

/**
 * Words over 15 s of event time with processing time moving 1 s between groups (checkpoints every
 * 1 s fall between them), 'bad' records for the dead-letter output, and late records past the
 * allowed lateness (0) of 10 s windows, which Count drops.
 */
const words = (): TestStream<string> =>
  TestStream.create<string>()
    .addElements(['apple', 1000], ['bad', 1500], ['banana', 2000])
    .advanceWatermarkTo(500)
    .advanceProcessingTime(1000)
    .addElements(['apple', 3000], ['cherry', 4000], ['bad', 4500])
    .advanceWatermarkTo(5000)
    .advanceProcessingTime(1000)
    .addElements(['apple', 11_000], ['banana', 12_000])
    .advanceWatermarkTo(10_500) // the first window fires
    .advanceProcessingTime(1000)
    .addElements(['banana', 2500], ['bad', 3500]) // banana: late, dropped
    .advanceWatermarkTo(13_000)
    .advanceProcessingTime(1000)
    .addElements(['cherry', 14_000], ['apple', 9000]) // apple: late, dropped
    .advanceWatermarkTo(15_000)
    .advanceProcessingTime(1000)
    .addElements(['cherry', 16_000])
    .advanceProcessingTime(1000)
    .advanceWatermarkToInfinity();

function meteredCount(p: Pipeline, store: CommittedStore<unknown>): void {
  p.apply('Words', words())
    .apply('Parse', ParDo(parse).withDeadLetters())
    .apply('Window', Window.into<string>(FixedWindows(10_000)))
    .apply('Keyed', WithKeys((s: string) => s))
    .apply('Count', Count.perKey<string>())
    .apply('Out', CommittedCapture.records(store as CommittedStore<never>));
}

const pick = (m: { elementsIn: number; elementsOut: number; lateDropped: number; deadLettered: number; counters: Record<string, number> }) => ({
  elementsIn: m.elementsIn,
  elementsOut: m.elementsOut,
  lateDropped: m.lateDropped,
  deadLettered: m.deadLettered,
  counters: m.counters,
});

async function runMetered(options: Partial<PipelineOptions>, store = new CommittedStore<unknown>()): Promise<PipelineResult> {
  const p = Pipeline.create(options);
  meteredCount(p, store);
  return p.run();
}

describe.each(RUNNERS)('metrics of a resumed run on $label', ({ label, options }) => {
  it('an uninterrupted run counts what the test expects (the premise of the comparisons below)', async () => {
    const m = (await runMetered(options)).metrics;
    expect(m['Words']).toMatchObject({ elementsIn: 13, elementsOut: 13 });
    expect(m['Parse']).toMatchObject({ elementsIn: 13, elementsOut: 10, deadLettered: 3, counters: { seen: 13 } });
    expect(m['Parse']!.distributions['length']).toEqual({ count: 10, sum: 56, min: 5, max: 6 });
    expect(m['Count']).toMatchObject({ elementsIn: 10, lateDropped: 2 });
  });

  it.each<Crash>([
    { name: 'checkpoint.barrier', at: 3 },
    { name: 'sink.preCommit', at: 4 },
    { name: 'checkpoint.written', at: 2 },
    { name: 'sink.commit', at: 2 },
    { name: 'checkpoint.committed', at: 4 },
  ])(`crash at $name #$at, resume on ${label}: the resumed run's metrics equal an uninterrupted run's`, async (crash) => {
    const expected = await runMetered(options);
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    const store = new CommittedStore<unknown>();
    const failed = await crashAt(crash, () => runMetered(ck, store));
    expect(failed).toBeInstanceOf(SimulatedCrash);
    const resumed = await runMetered(ck, store);
    expect(resumed.checkpoints!.restoredFrom, 'resumed from a checkpoint taken mid-run').toBeDefined();
    expect(resumed.metrics).toEqual(expected.metrics);
  });

  it(`a checkpoint of ${label} resumed on the other runner keeps the totals too`, async () => {
    const other = RUNNERS.find((r) => r.label !== label)!;
    const expected = await runMetered(options);
    const dir = tmp('ck');
    const store = new CommittedStore<unknown>();
    await crashAt({ name: 'checkpoint.written', at: 3 }, () => runMetered({ ...options, checkpointDir: dir, checkpointInterval: 1000 }, store));
    const resumed = await runMetered({ ...other.options, checkpointDir: dir, checkpointInterval: 1000 }, store);
    expect(resumed.checkpoints!.restoredFrom!.takenBy).toBe(options.runner);
    expect(resumed.metrics).toEqual(expected.metrics);
  });

  it('stop() after a checkpoint, then resume: the resumed run reports the totals of both', async () => {
    const expected = await runMetered(options);
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    const p = Pipeline.create(ck);
    let run: PipelineRun | undefined;
    let seen = 0;
    p.apply('Words', words())
      .apply('Parse', ParDo<string, string>({
        process(s, ctx) {
          if (++seen === 7) void run!.stop!();
          return parse.process(s, ctx);
        },
      }).withDeadLetters())
      .apply('Window', Window.into<string>(FixedWindows(10_000)))
      .apply('Keyed', WithKeys((s: string) => s))
      .apply('Count', Count.perKey<string>())
      .apply('Out', CommittedCapture.records(new CommittedStore<unknown>() as CommittedStore<never>));
    run = p.start();
    const stopped = await run.done;
    expect(stopped.state).toBe('STOPPED');
    expect(stopped.metrics['Words']!.elementsIn).toBeLessThan(13);
    const resumed = await runMetered(ck);
    expect(resumed.checkpoints!.restoredFrom).toMatchObject({ kind: 'final' });
    expect(resumed.metrics).toEqual(expected.metrics);
  });

  it('observers (observeRun metrics$ and progress$) see the totals: from the first sample on, the restored counters', async () => {
    const expected = await runMetered(options);
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    const store = new CommittedStore<unknown>();
    await crashAt({ name: 'checkpoint.barrier', at: 4 }, () => runMetered(ck, store));
    const watch = observeRun();
    const metrics: StepMetricsSample[] = [];
    const recordsIn: number[] = [];
    watch.metrics$.subscribe({ next: (m) => void metrics.push(m), error: () => {} });
    watch.progress$.subscribe({ next: (t) => void recordsIn.push(t.recordsIn), error: () => {} });
    const resumed = await runMetered({ ...ck, observers: [watch] }, store);
    expect(resumed.metrics).toEqual(expected.metrics);
    // the first sample is taken as the run starts, after the restore: the checkpoint's counts, not zeros
    const first = metrics[0]!['Words']!.elementsIn;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(13);
    expect(recordsIn[0]).toBe(first);
    // what the run started from is in its result: the totals minus it are what this run did
    expect(resumed.checkpoints!.restoredFrom!.metrics['Words']!.elementsIn).toBe(first);
    expect(recordsIn.at(-1)).toBe(13);
    const last = metrics.at(-1)!;
    for (const [step, m] of Object.entries(expected.metrics)) {
      expect({ step, ...pick(last[step]!) }).toEqual({ step, ...pick(m) });
    }
  });

  it('rerunning a finished job reports the job\'s totals (it does nothing else)', async () => {
    const expected = await runMetered(options);
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    await runMetered(ck);
    const again = await runMetered(ck);
    expect(again.warnings!.join('\n')).toMatch(/already finished/);
    expect(again.metrics).toEqual(expected.metrics);
  });

  it('a checkpoint written before counters were saved (no `metrics` in its manifest) still restores, with counters from zero', async () => {
    const expected = await runMetered(options);
    const dir = tmp('ck');
    const ck = { ...options, checkpointDir: dir, checkpointInterval: 1000 };
    await crashAt({ name: 'checkpoint.barrier', at: 4 }, () => runMetered(ck));
    // Rewrite every checkpoint as the format stood before: the same manifest without `metrics`, no counter segments.
    const folder = join(dir, 'checkpoints');
    const names = readdirSync(folder).filter((f) => /^ck-\d{12}$/.test(f));
    expect(names.length).toBeGreaterThan(0);
    for (const f of names) {
      const file = readCheckpointFile(f, readFileSync(join(folder, f)));
      const { format: _f, version: _v, segments: refs, ...draft } = file.manifest;
      const kept: SegmentPayload[] = [];
      const index = new Map<number, number>();
      refs.forEach(([step, table, keyGroup, codec], i) => {
        if (table === METRICS_TABLE) return;
        index.set(i, kept.length);
        kept.push({ step, table, keyGroup, codec, bytes: Buffer.from(file.segment(i)) });
      });
      const steps: Record<string, StepEntry> = {};
      for (const [step, { metrics, ...e }] of Object.entries(draft.steps)) {
        expect(metrics, `step ${step} of ${f} has its counters`).toBeDefined();
        steps[step] = e.operator === undefined ? e : { ...e, operator: index.get(e.operator)! };
      }
      writeFileSync(join(folder, f), Buffer.concat(encodeCheckpointFile({ ...draft, steps }, kept).parts as Uint8Array[]));
    }
    const resumed = await runMetered(ck);
    expect(resumed.state).toBe('DONE');
    expect(resumed.checkpoints!.restoredFrom).toBeDefined();
    // No checkpoint warning; the job leaves its dead letters and late records unread, which a run says (unread-side-outputs).
    expect(resumed.warnings?.filter((w) => !w.endsWith('to keep them') && !w.includes('.lateData()'))).toEqual([]);
    // Only what the resumed run did: fewer than the totals, but something.
    expect(resumed.checkpoints!.restoredFrom!.metrics['Words']!.elementsIn).toBe(0);
    const words = resumed.metrics['Words']!.elementsIn;
    expect(words).toBeGreaterThan(0);
    expect(words).toBeLessThan(expected.metrics['Words']!.elementsIn);
  });
});
