import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointRecoveryError, UserCodeError } from '../../sdk/errors.js';
import type { DoFn, SetupContext } from '../../sdk/dofn.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { checkpointingFor, FakeCoordinator, WIRINGS } from '../support/fake-coordinator.js';
import { RUNNERS, runWith } from '../support/runners.js';

const BATCHES = [['a', 'b'], ['c'], ['d', 'e', 'f'], ['g'], ['h', 'i']];

function capturePipeline(store: CommittedStore<string>): Pipeline {
  const p = Pipeline.create({ runner: 'native' });
  p.apply('In', Create<string>([])).apply('Out', CommittedCapture.records(store));
  return p;
}

function sinkPipeline(fn: DoFn<string, never>): Pipeline {
  const p = Pipeline.create({ runner: 'native' });
  p.apply('In', Create<string>([])).apply('Out', ParDo(fn));
  return p;
}

/** Every batch, a checkpoint after each, each committed at once: the failure-free run. */
async function failureFree(w: (typeof WIRINGS)[number]): Promise<CommittedStore<string>> {
  const store = new CommittedStore<string>();
  const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-clean'));
  await c.start();
  for (let i = 0; i < BATCHES.length; i++) {
    await c.feed(BATCHES[i]!);
    await c.commit(await c.checkpoint(i + 1));
  }
  await c.close('done');
  return store;
}

afterEach(() => failpoints.reset());

describe('two-phase commit through the ParDo operator (fake coordinator)', () => {
  for (const w of WIRINGS) {
    describe(w.label, () => {
      it('commits only what a durable checkpoint holds; a crash after preCommit is recovered with no loss and no duplicate', async () => {
        const clean = await failureFree(w);
        expect(clean.values()).toEqual(BATCHES.flat());

        const store = new CommittedStore<string>();
        const first = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1'));
        await first.start();
        await first.feed(BATCHES[0]!);
        await first.commit(await first.checkpoint(1));
        await first.feed(BATCHES[1]!);
        const ck2 = await first.checkpoint(2); // durable, the crash comes before its commit
        await first.feed(BATCHES[2]!);
        await first.checkpoint(3); // pre-committed, but its checkpoint never became durable
        await first.feed(BATCHES[3]!); // open work
        // crash: `first` is dropped without commit or close
        expect(store.values()).toEqual(['a', 'b']);
        expect(store.prepared.size).toBe(2);

        const second = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-2'));
        await second.start({ checkpoint: ck2, committed: false });
        expect(store.values()).toEqual(['a', 'b', 'c']);
        expect(store.prepared.size).toBe(0); // checkpoint 3's prepared records were dropped: the replay writes them again
        // replay from checkpoint 2's positions
        for (let i = 2; i < BATCHES.length; i++) {
          await second.feed(BATCHES[i]!);
          await second.commit(await second.checkpoint(i + 2));
        }
        await second.close('done');
        expect(store.lines({ sorted: true })).toEqual(clean.lines({ sorted: true }));
        expect(store.values()).toEqual(clean.values());
      });

      it('commit is idempotent, and recover skips a handle whose commit marker exists', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1'));
        await c.start();
        await c.feed(['x', 'y']);
        const ck = await c.checkpoint(1);
        await c.commit(ck);
        await c.commit(ck);
        expect(store.values()).toEqual(['x', 'y']);
        const again = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-2'));
        await again.start({ checkpoint: ck, committed: true });
        expect(store.values()).toEqual(['x', 'y']);
        // without the marker, the retried commit finds the work already visible: still no duplicate
        const third = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-3'));
        await third.start({ checkpoint: ck, committed: false });
        expect(store.values()).toEqual(['x', 'y']);
      });

      it('a checkpoint with nothing written since the last has no handle, and committing it does nothing', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1'));
        await c.start();
        const ck = await c.checkpoint(1);
        expect(ck.handles).toEqual({});
        await c.commit(ck);
        expect(store.records).toEqual([]);
      });

      it('a handle whose work is gone fails the commit with CheckpointRecoveryError', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1'));
        await c.start();
        await c.feed(['x']);
        const ck = await c.checkpoint(1);
        store.prepared.clear();
        await expect(c.commit(ck)).rejects.toThrow(CheckpointRecoveryError);
      });

      it('setup is told about checkpointing, and nothing without it', async () => {
        const seen: (SetupContext['checkpointing'] | 'unset')[] = [];
        const fn: DoFn<string, never> = { setup: (ctx) => void seen.push(ctx.checkpointing ?? 'unset'), process() {} };
        await new FakeCoordinator(sinkPipeline(fn), w, checkpointingFor('run-7', 'at-least-once')).start();
        await new FakeCoordinator(sinkPipeline(fn), w, undefined).start();
        expect(seen).toEqual([{ guarantee: 'at-least-once', jobId: 'job-1', runId: 'run-7', subtask: 0 }, 'unset']);
      });

      it('without checkpointing the capture commits everything when the run is done, and nothing when it failed', async () => {
        const ok = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(ok), w, undefined);
        await c.start();
        await c.feed(['x', 'y']);
        expect(ok.values()).toEqual([]);
        await c.close('done');
        expect(ok.values()).toEqual(['x', 'y']);
        const failed = new CommittedStore<string>();
        const f = new FakeCoordinator(capturePipeline(failed), w, undefined);
        await f.start();
        await f.feed(['x']);
        await f.close('failed');
        expect(failed.values()).toEqual([]);
      });

      it('at-least-once makes output visible at preCommit', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1', 'at-least-once'));
        await c.start();
        await c.feed(['x']);
        expect((await c.checkpoint(1)).handles).toEqual({});
        expect(store.values()).toEqual(['x']);
      });

      it('hook errors name the step and phase; typed errors pass unchanged; a handle must be plain JSON', async () => {
        const failing = (phase: 'preCommit' | 'commit' | 'recover', handle: unknown = { n: 1 }): DoFn<string, never> => ({
          process() {},
          twoPhaseCommit: {
            preCommit: async () => {
              if (phase === 'preCommit') throw new Error('disk on fire');
              return handle;
            },
            commit: async () => {
              if (phase === 'commit') throw new Error('rename refused');
            },
            recover: async () => {
              if (phase === 'recover') throw new CheckpointRecoveryError('Out', 'gone');
            },
          },
        });
        const pre = new FakeCoordinator(sinkPipeline(failing('preCommit')), w, checkpointingFor('r'));
        await pre.start();
        const e1 = await pre.checkpoint(1).catch((e: unknown) => e);
        expect(e1).toBeInstanceOf(UserCodeError);
        expect(e1).toMatchObject({ step: 'Out', message: expect.stringContaining("step 'Out' failed in preCommit") });
        expect(String(e1)).toContain('disk on fire');

        const com = new FakeCoordinator(sinkPipeline(failing('commit')), w, checkpointingFor('r'));
        await com.start();
        const e2 = await com.commit(await com.checkpoint(1)).catch((e: unknown) => e);
        expect(e2).toBeInstanceOf(UserCodeError);
        expect(e2).toMatchObject({ step: 'Out', message: expect.stringContaining("step 'Out' failed in commit: rename refused") });

        const rec = new FakeCoordinator(sinkPipeline(failing('recover')), w, checkpointingFor('r'));
        await expect(rec.start()).rejects.toThrow(CheckpointRecoveryError);

        const big = new FakeCoordinator(sinkPipeline(failing('none' as 'commit', { n: 1n })), w, checkpointingFor('r'));
        await big.start();
        await expect(big.checkpoint(1)).rejects.toThrow(/failed in preCommit on element .*not plain JSON/);
        const map = new FakeCoordinator(sinkPipeline(failing('none' as 'commit', { m: new Map() })), w, checkpointingFor('r'));
        await map.start();
        await expect(map.checkpoint(1)).rejects.toThrow(/not plain JSON/);
      });

      it('preCommit with a bundle open is refused; recover before open is refused', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('r'));
        const op = c.sinks()[0]!;
        await expect(op.recover(undefined, { committed: false, restoredSeq: undefined, warn: () => {} })).rejects.toThrow(/before open/);
        await c.start();
        await op.processParts(0, 'x', 0, (await import('../../sdk/window.js')).GLOBAL_WINDOW, (await import('../../sdk/pane.js')).NO_FIRING, false);
        await expect(op.preCommit({ seq: 1, id: 'ck-1' })).rejects.toThrow(/bundle open/);
      });

      it('the sink.preCommit failpoint crashes after the sink pre-committed, before the checkpoint has the handle', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1'));
        await c.start();
        await c.feed(['x']);
        const ck1 = await c.checkpoint(1);
        await c.commit(ck1);
        await c.feed(['y']);
        failpoints.arm('sink.preCommit');
        await expect(c.checkpoint(2)).rejects.toThrow(SimulatedCrash);
        expect(store.prepared.size).toBe(1); // the work is prepared, its checkpoint will never exist
        const next = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-2'));
        await next.start({ checkpoint: ck1, committed: true });
        expect(store.prepared.size).toBe(0);
        await next.feed(['y']);
        await next.commit(await next.checkpoint(2));
        expect(store.values()).toEqual(['x', 'y']);
      });

      it('abort drops the open work and reaches the DoFn', async () => {
        const store = new CommittedStore<string>();
        const c = new FakeCoordinator(capturePipeline(store), w, checkpointingFor('run-1'));
        await c.start();
        await c.feed(['x']);
        await c.sinks()[0]!.abort();
        expect((await c.checkpoint(1)).handles).toEqual({});
      });
    });
  }
});

describe.each(RUNNERS)('CommittedCapture in a run without checkpointing ($label)', ({ options }) => {
  it('commits every record when the run is done', async () => {
    const store = new CommittedStore<number>();
    const { result } = await runWith(options, (p) => p.apply(Create([3, 1, 2])).apply('Out', CommittedCapture.records(store)));
    expect(result.state).toBe('DONE');
    expect(store.values().sort()).toEqual([1, 2, 3]);
    expect(store.prepared.size).toBe(0);
  });
});
