import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { CheckpointMismatchError, UnresumableSourceError } from '../../sdk/errors.js';
import type { Source } from '../../sdk/io/source.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { Create } from '../../transforms/create.js';
import { Read } from '../../transforms/read.js';
import type { KV } from '../../sdk/kv.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import {
  CHECKPOINT_FAILPOINTS,
  countStream,
  crashAt,
  FILE_CHECKPOINT_INTERVAL,
  FILE_TUNING,
  statefulSessions,
  statefulTimers,
  upperCaseFile,
  windowedCount,
  writeLinesInput,
  type Crash,
} from '../../capability-matrix/support/checkpoint-scenarios.js';
import { RUNNERS } from '../support/runners.js';
import { TickingClock } from '../support/ticking-clock.js';
import { readPartLines } from '../support/read-parts.js';

/**
 * Checkpoints in real runs (issue #13, design step 7/8): a run crashes in-process at a failpoint
 * (SimulatedCrash), a NEW pipeline with the same checkpoint directory resumes, and the committed
 * output equals a failure-free run's exactly: nothing lost, nothing twice. The scenarios are shared
 * with the capability matrix's Checkpoint row (capability-matrix/support/checkpoint-scenarios.ts).
 */

afterEach(() => failpoints.reset());

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `watershed-${prefix}-`));

const CRASHES = CHECKPOINT_FAILPOINTS.flatMap((name) => [1, 2, 3].map((at) => ({ name, at })));

async function runCount(options: Partial<PipelineOptions>, store: CommittedStore<unknown>, size?: number): Promise<PipelineResult> {
  const p = Pipeline.create(options);
  windowedCount(p, store, size);
  return p.run();
}

/** The committed output of a failure-free run without checkpoints. */
async function failureFreeCount(options: Partial<PipelineOptions>): Promise<string[]> {
  const store = new CommittedStore<unknown>();
  await runCount(options, store);
  return store.lines({ sorted: true });
}

/** Runs until the armed failpoint throws, then resumes (with `resumeOptions`) until the run is done. */
async function crashAndResume(
  crash: Crash,
  first: Partial<PipelineOptions>,
  resume: Partial<PipelineOptions>,
  run: (o: Partial<PipelineOptions>) => Promise<PipelineResult>,
): Promise<PipelineResult> {
  const failed = await crashAt(crash, () => run(first));
  expect(failed, `the run crashed at ${crash.name}:${crash.at}`).toBeInstanceOf(SimulatedCrash);
  return run(resume);
}

/**
 * countStream's keys counted in sliding windows of 6 s every 2 s (a Count right after Window.into:
 * state per key and slice) and in sessions with a 2 s gap (merged in place as they grow), into `store`.
 */
function slidingAndSessions(p: Pipeline, store: CommittedStore<unknown>): void {
  const keyed = p.apply('Events', countStream()).apply('Keyed', WithKeys((s: string) => s));
  keyed
    .apply('Sliding', Window.into<KV<string, string>>(SlidingWindows(6000, 2000)))
    .apply('SlidingCount', Count.perKey<string>())
    .apply('OutSliding', CommittedCapture.records(store as CommittedStore<never>));
  keyed
    .apply('Sessions', Window.into<KV<string, string>>(Sessions(2000)))
    .apply('SessionCount', Count.perKey<string>())
    .apply('OutSessions', CommittedCapture.records(store as CommittedStore<never>));
}

describe.each(RUNNERS)('checkpoints and resume on $label', ({ label, options }) => {
  it('a failure-free run with checkpoints commits the same output as one without, in several checkpoints', async () => {
    const expected = await failureFreeCount(options);
    expect(expected.length).toBeGreaterThan(8);
    const store = new CommittedStore<unknown>();
    const dir = tmp('ck');
    const result = await runCount({ ...options, checkpointDir: dir, checkpointInterval: 1000 }, store);
    expect(store.lines({ sorted: true })).toEqual(expected);
    expect(result.checkpoints!.taken.length).toBeGreaterThanOrEqual(4);
    expect(result.checkpoints!.taken.at(-1)!.kind).toBe('finished');
    expect(result.checkpoints!.restoredFrom).toBeUndefined();
    expect(store.prepared.size).toBe(0);
    expect(result.warnings).toEqual([]);
    // Rerunning a finished job does nothing, and says so.
    const again = await runCount({ ...options, checkpointDir: dir, checkpointInterval: 1000 }, store);
    expect(again.warnings!.join('\n')).toMatch(/already finished/);
    expect(store.lines({ sorted: true })).toEqual(expected);
  });

  it.each(CRASHES)(`windowed count with early and late panes: crash at $name #$at, resume on ${label}: committed output equals a failure-free run`, async (crash) => {
    const expected = await failureFreeCount(options);
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    const result = await crashAndResume(crash, ck, ck, (o) => runCount(o, store));
    expect(store.lines({ sorted: true })).toEqual(expected);
    expect(store.prepared.size).toBe(0);
    if (crash.at > 1 || crash.name === 'checkpoint.written' || crash.name === 'sink.commit' || crash.name === 'checkpoint.committed') {
      expect(result.checkpoints!.restoredFrom).toBeDefined();
    }
  });

  it('at-least-once: a crash after a checkpoint is written loses nothing (records may come twice)', async () => {
    const expected = await failureFreeCount(options);
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000, guarantee: 'at-least-once' as const };
    await crashAndResume({ name: 'checkpoint.barrier', at: 3 }, ck, ck, (o) => runCount(o, store));
    const got = store.lines({ sorted: true });
    const left = [...got];
    for (const line of expected) {
      const i = left.indexOf(line);
      expect(i, `committed at least once: ${line}`).toBeGreaterThanOrEqual(0);
      left.splice(i, 1);
    }
  });

  it.each([
    { name: 'checkpoint.barrier', at: 2 },
    { name: 'sink.preCommit', at: 3 },
    { name: 'checkpoint.written', at: 2 },
    { name: 'sink.commit', at: 3 },
    { name: 'checkpoint.committed', at: 4 },
  ])(`stateful DoFn with event- and processing-time timers: crash at $name #$at, resume on ${label}: committed output equals a failure-free run`, async (crash) => {
    const failureFree = new CommittedStore<unknown>();
    const p0 = Pipeline.create(options);
    statefulTimers(p0, failureFree);
    await p0.run();
    const expected = failureFree.lines({ sorted: true });
    expect(expected.filter((l) => / (flush|tick)/.test(l)).length).toBe(10);
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    const result = await crashAndResume(crash, ck, ck, (o) => {
      const p = Pipeline.create(o);
      statefulTimers(p, store);
      return p.run();
    });
    expect(result.checkpoints!.restoredFrom).toBeDefined();
    expect(store.lines({ sorted: true })).toEqual(expected);
    expect(store.prepared.size).toBe(0);
  });

  it.each([
    { name: 'checkpoint.barrier', at: 2 },
    { name: 'sink.preCommit', at: 3 },
    { name: 'checkpoint.written', at: 2 },
    { name: 'checkpoint.written', at: 3 },
    { name: 'sink.commit', at: 3 },
    { name: 'checkpoint.committed', at: 4 },
  ])(`stateful DoFn after sessions (state and timers merged with the sessions): crash at $name #$at, resume on ${label}: committed output equals a failure-free run`, async (crash) => {
    const failureFree = new CommittedStore<unknown>();
    const p0 = Pipeline.create(options);
    statefulSessions(p0, failureFree);
    await p0.run();
    const expected = failureFree.lines({ sorted: true });
    // a's two sessions joined by its third element flush once, with all of their state
    expect(expected.filter((l) => l.includes('a flush 1000:6000'))).toEqual([expect.stringContaining('"a flush 1000:6000 buf=1,2,3 distinct=0,1,2 sum=6 map=even=2,odd=3 last=3"')]);
    expect(expected.filter((l) => / flush /.test(l)).length).toBe(4);
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    const result = await crashAndResume(crash, ck, ck, (o) => {
      const p = Pipeline.create(o);
      statefulSessions(p, store);
      return p.run();
    });
    expect(result.checkpoints!.restoredFrom).toBeDefined();
    expect(store.lines({ sorted: true })).toEqual(expected);
    expect(store.prepared.size).toBe(0);
  });

  it.each(CRASHES.filter((c) => c.at !== 1))(
    `sliding windows kept per slice and growing sessions (issue #16): crash at $name #$at, resume on ${label}: committed output equals a failure-free run`,
    async (crash) => {
      const failureFree = new CommittedStore<unknown>();
      const p0 = Pipeline.create(options);
      slidingAndSessions(p0, failureFree);
      await p0.run();
      const expected = failureFree.lines({ sorted: true });
      expect(expected.length).toBeGreaterThan(15);
      const store = new CommittedStore<unknown>();
      const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
      const result = await crashAndResume(crash, ck, ck, (o) => {
        const p = Pipeline.create(o);
        slidingAndSessions(p, store);
        return p.run();
      });
      // Two sinks pre-commit at each checkpoint: the second pre-commit is still in the first checkpoint.
      if (crash.name !== 'sink.preCommit' || crash.at > 2) expect(result.checkpoints!.restoredFrom).toBeDefined();
      expect(store.lines({ sorted: true })).toEqual(expected);
      expect(store.prepared.size).toBe(0);
    },
  );

  const other = RUNNERS.find((r) => r.label !== label)!;
  it.each([
    { name: 'checkpoint.written', at: 2 },
    { name: 'checkpoint.barrier', at: 3 },
  ])(`a ${label} checkpoint resumes on ${other.label} (crash at $name #$at)`, async (crash) => {
    const expected = await failureFreeCount(options);
    expect(await failureFreeCount(other.options)).toEqual(expected);
    const store = new CommittedStore<unknown>();
    const dir = tmp('ck');
    const result = await crashAndResume(crash, { ...options, checkpointDir: dir, checkpointInterval: 1000 }, { ...other.options, checkpointDir: dir, checkpointInterval: 1000 }, (o) =>
      runCount(o, store),
    );
    expect(result.runner).toBe(other.options.runner);
    expect(result.checkpoints!.restoredFrom!.takenBy).toBe(options.runner);
    expect(store.lines({ sorted: true })).toEqual(expected);
  });

  it('a changed pipeline does not resume: CheckpointMismatchError names the step', async () => {
    const store = new CommittedStore<unknown>();
    const dir = tmp('ck');
    const ck = { ...options, checkpointDir: dir, checkpointInterval: 1000 };
    failpoints.arm('checkpoint.barrier', { at: 3 });
    await expect(runCount(ck, store)).rejects.toThrow(SimulatedCrash);
    failpoints.reset();
    const e = await runCount(ck, store, 5000).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CheckpointMismatchError);
    expect((e as CheckpointMismatchError).steps.some((s) => s.startsWith('Count'))).toBe(true);
    expect((e as Error).message).toMatch(/FixedWindows\(10000ms\).*→.*FixedWindows\(5000ms\)/);
  });

  it('--allowNonRestoredState resumes a changed pipeline, dropping the state of the changed step with a warning', async () => {
    const store = new CommittedStore<unknown>();
    const ck = { ...options, checkpointDir: tmp('ck'), checkpointInterval: 1000 };
    failpoints.arm('checkpoint.barrier', { at: 3 });
    await expect(runCount(ck, store)).rejects.toThrow(SimulatedCrash);
    failpoints.reset();
    const result = await runCount({ ...ck, allowNonRestoredState: true }, store, 5000);
    expect(result.state).toBe('DONE');
    expect(result.checkpoints!.restoredFrom!.seq).toBe(2);
    expect(result.warnings!.join('\n')).toMatch(/checkpoints\/ck-000000000002: dropped the state of 'Count[^']*' \(--allowNonRestoredState\)/);
  });

  it('a source without position() fails at start under --checkpointDir with a typed error naming the step', async () => {
    const blind: Source<number> = {
      name: 'blind',
      bounded: true,
      open: async () => ({ poll: async () => ({ elements: [{ value: 1, timestamp: 0 }], watermark: 0, done: true }), close: async () => {} }),
    };
    const p = Pipeline.create({ ...options, checkpointDir: tmp('ck') });
    p.apply('Blind', Read(blind)).apply('Out', CommittedCapture.records(new CommittedStore<number>() as CommittedStore<never>));
    const e = await p.run().then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UnresumableSourceError);
    expect((e as UnresumableSourceError).step).toBe('Blind');
    expect((e as Error).message).toMatch(/step 'Blind' reads source 'blind'/);
  });

  describe('TextFile lines to a TextFile part folder', () => {
    const input = writeLinesInput(tmp('in'));
    const tuned: Partial<PipelineOptions> = { ...options, ...FILE_TUNING };

    const runFiles = (o: Partial<PipelineOptions>, out: string): Promise<PipelineResult> => {
      const p = Pipeline.create({ clock: new TickingClock(), ...o });
      upperCaseFile(p, input, out);
      return p.run();
    };
    const failureFree = async (): Promise<string[]> => {
      const out = join(tmp('out'), 'plain.txt');
      await runFiles(tuned, out);
      return readFileSync(out, 'utf8').replace(/\n$/, '').split('\n');
    };

    it.each([
      { name: 'checkpoint.barrier', at: 3 },
      { name: 'sink.preCommit', at: 4 },
      { name: 'checkpoint.written', at: 2 },
      { name: 'sink.commit', at: 3 },
      { name: 'checkpoint.committed', at: 5 },
    ])('crash at $name #$at, resume: the published parts equal a failure-free run', async (crash) => {
      const expected = await failureFree();
      expect(expected.length).toBe(2000);
      const out = join(tmp('out'), 'parts.txt');
      const ck = { ...tuned, checkpointDir: tmp('ck'), checkpointInterval: FILE_CHECKPOINT_INTERVAL };
      const result = await crashAndResume(crash, ck, ck, (o) => runFiles(o, out));
      expect(result.checkpoints!.restoredFrom).toBeDefined();
      expect(readPartLines(out)).toEqual(expected);
    });

    it('a corrupt newest checkpoint is skipped with a warning; the output stays exactly-once', async () => {
      const expected = await failureFree();
      const out = join(tmp('out'), 'parts.txt');
      const dir = tmp('ck');
      const ck = { ...tuned, checkpointDir: dir, checkpointInterval: FILE_CHECKPOINT_INTERVAL };
      failpoints.arm('checkpoint.barrier', { at: 5 });
      await expect(runFiles(ck, out)).rejects.toThrow(SimulatedCrash);
      failpoints.reset();
      // checkpoint 4 (committed, parts published) loses its last byte
      const newest = join(dir, 'checkpoints', 'ck-000000000004');
      writeFileSync(newest, readFileSync(newest).subarray(0, -1));
      const result = await runFiles(ck, out);
      expect(result.checkpoints!.restoredFrom!.seq).toBe(3);
      expect(result.warnings!.join('\n')).toMatch(/ck-000000000004 is corrupt \(truncated.*resuming from checkpoints\/ck-000000000003/);
      expect(readPartLines(out)).toEqual(expected);
    });
  });
});

describe('PipelineRun.checkpoint()', () => {
  it.each(RUNNERS)('on $label takes a checkpoint at the next boundary, whatever the interval', async ({ options }) => {
    const store = new CommittedStore<unknown>();
    const p = Pipeline.create({ ...options, checkpointDir: tmp('ck'), checkpointInterval: 3_600_000 });
    windowedCount(p, store);
    const run = p.start();
    run.checkpoint!();
    const result = await run.done;
    expect(result.checkpoints!.taken.map((t) => [t.seq, t.kind])).toEqual([
      [1, 'periodic'],
      [2, 'finished'],
    ]);
    expect(store.lines({ sorted: true })).toEqual(await failureFreeCount(options));
  });
});

describe('Create under checkpoints', () => {
  it.each(RUNNERS)('a bounded Create run on $label commits everything in its final checkpoint', async ({ options }) => {
    const store = new CommittedStore<number>();
    const p = Pipeline.create({ ...options, checkpointDir: tmp('ck') });
    p.apply('In', Create([1, 2, 3])).apply('Out', CommittedCapture.records(store as CommittedStore<never>));
    const result = await p.run();
    expect(store.values().sort()).toEqual([1, 2, 3]);
    expect(result.checkpoints!.taken.map((t) => t.kind)).toEqual(['finished']);
  });
});

describe('an idle unbounded run still checkpoints', () => {
  /** Three elements, then nothing, forever (an unbounded source gone quiet). */
  const quiet: Source<number> = {
    name: 'quiet',
    bounded: false,
    open: async (ctx) => {
      let i = (ctx.resumeFrom as { i: number } | undefined)?.i ?? 0;
      return {
        poll: async () => {
          if (i < 3) {
            i += 3;
            return { elements: [1, 2, 3].map((value) => ({ value, timestamp: 0 })), watermark: 0, done: false };
          }
          await new Promise((resolve) => setTimeout(resolve, 2));
          return { elements: [], watermark: 0, done: false };
        },
        position: () => ({ i }),
        close: async () => {},
      };
    },
  };

  it.each([
    { label: 'native', options: { runner: 'native' } },
    { label: 'microbatch(asap)', options: { runner: 'microbatch', batchInterval: 'asap' as const } },
  ])('on $label: the sink commits while the input is quiet', async ({ options }) => {
    const store = new CommittedStore<number>();
    const p = Pipeline.create({ ...options, clock: new TickingClock(), checkpointDir: tmp('ck'), checkpointInterval: 50 });
    p.apply('Quiet', Read(quiet)).apply('Out', CommittedCapture.records(store as CommittedStore<never>));
    const run = p.start();
    // wait (not a timing assertion: the run is cancelled once the output is committed, or after 20 s)
    for (let t = 0; t < 2000 && store.values().length < 3; t++) await new Promise((resolve) => setTimeout(resolve, 10));
    const committedWhileRunning = store.values().sort();
    run.cancel();
    const result = await run.done;
    expect(result.state).toBe('CANCELLED');
    expect(committedWhileRunning).toEqual([1, 2, 3]);
  }, 30_000);
});
