import { describe, expect, it } from 'vitest';
import { CheckpointCoordinator, type CheckpointRequests } from '../../runners/core/checkpoint/checkpoint-coordinator.js';
import type { CheckpointStore } from '../../runners/core/checkpoint/checkpoint-store.js';
import { Engine } from '../../runners/core/engine.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { CheckpointWriteError } from '../../sdk/errors.js';
import { completeOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { WIRINGS } from '../support/fake-coordinator.js';
import { handRead } from './engine-harness.js';

/**
 * Asynchronous checkpoint writes (design §d, step 9): the checkpoint is captured at a boundary, its
 * file is written in the background while the loop goes on, and the sinks commit only at a boundary
 * after the file is durable. A store whose `put` of a checkpoint resolves only when the test says so
 * makes "after" observable.
 */

/** An in-memory CheckpointStore whose checkpoint files are held until released (or failed). */
class HeldStore implements CheckpointStore {
  readonly location = 'memory:held';
  readonly blobs = new globalThis.Map<string, Buffer>();
  /** Checkpoint puts not finished yet, oldest first. */
  readonly held: { name: string; release(): void; fail(e: Error): void }[] = [];

  put(name: string, parts: readonly Uint8Array[]): Promise<void> {
    const store = () => void this.blobs.set(name, Buffer.concat(parts as Uint8Array[]));
    if (!name.startsWith('checkpoints/')) {
      store();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.held.push({ name, release: () => (store(), resolve()), fail: reject });
    });
  }
  async get(name: string): Promise<Buffer | undefined> {
    return this.blobs.get(name);
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.blobs.keys()].filter((n) => n.startsWith(prefix)).sort();
  }
  async delete(name: string): Promise<void> {
    this.blobs.delete(name);
  }
  /** Releases the oldest held put. */
  release(): void {
    this.held.shift()!.release();
  }
}

/** Lets every settled promise and I/O callback run. */
const turn = () => new Promise<void>((r) => setImmediate(r));

describe.each(WIRINGS)('asynchronous checkpoint writes ($label wiring)', ({ label, wiring, fireMode }) => {
  /** `slowSyncMs`: a second sink whose preCommit takes that long on the run's clock (a slow synchronous part). */
  async function setUp(o: { interval?: number; slowSyncMs?: number } = {}) {
    const p = Pipeline.create();
    const out = new CommittedStore<string>();
    const clock = new VirtualClock(0);
    const upper = handRead<string>(p, 'In').apply('Upper', MapElements((s: string) => s.toUpperCase()));
    upper.apply('Out', CommittedCapture.records(out as CommittedStore<never>));
    if (o.slowSyncMs !== undefined) {
      const ms = o.slowSyncMs;
      upper.apply(
        'Slow',
        ParDo<string, never>({
          process() {},
          twoPhaseCommit: {
            preCommit: async () => void clock.advanceBy(ms),
            commit: async () => undefined,
            recover: async () => undefined,
          },
        }),
      );
    }
    const store = new HeldStore();
    const requests: CheckpointRequests = { pending: false };
    let yields = 0;
    const ck = await CheckpointCoordinator.open({
      options: completeOptions({ checkpointDir: 'unused', checkpointInterval: o.interval ?? 3_600_000 }),
      clock,
      runner: label,
      store,
      requests,
      yieldTurn: () => (yields++, turn()),
    });
    const engine = new Engine(p.graph(), { clock, state: new InMemoryStateBackend(), fireMode, wiring, checkpointing: ck.checkpointing });
    ck.restoreInto(engine);
    await engine.open();
    await ck.recover(engine);
    let i = 0;
    /** One loop iteration: a source batch through the graph, then the boundary. */
    const batch = async (...values: string[]): Promise<void> => {
      const r = engine.emitBatch(engine.reads[0]!, { elements: values.map((value) => ({ value, timestamp: 0 })), watermark: 0, done: false }, { i: (i += values.length) });
      if (r) await r;
      await engine.pass({ flush: true, watermarks: true, processingTime: clock.now() });
      await engine.finishBundles();
      const c = ck.atBoundary();
      if (c) await c;
    };
    return { out, store, requests, ck, engine, batch, clock, yields: () => yields };
  }

  it('processing goes on while the file is written; the sinks commit only at a boundary after the put resolved', async () => {
    const { out, store, requests, engine, batch, yields } = await setUp();
    await batch('a', 'b');
    requests.pending = true;
    await batch('c');
    // checkpoint 1 (a, b, c) is captured and its sink pre-committed; its file is being written
    expect(store.held.map((h) => h.name)).toEqual(['checkpoints/ck-000000000001']);
    expect(out.prepared.size).toBe(1);
    expect(out.records).toEqual([]);
    // the loop goes on: more batches are processed, each boundary yields a turn, nothing commits
    await batch('d');
    await batch('e');
    expect(engine.metrics['Out']!.elementsIn).toBe(5);
    expect(yields()).toBe(2);
    expect(out.records).toEqual([]);
    expect(store.blobs.has('commits/ck-000000000001')).toBe(false);

    store.release();
    await turn();
    expect(out.records, 'nothing commits between boundaries').toEqual([]);
    await batch('f');
    expect(out.values()).toEqual(['A', 'B', 'C']);
    expect(store.blobs.has('commits/ck-000000000001')).toBe(true);
    expect(yields()).toBe(2);
  });

  it('a checkpoint falling due while one is pending waits for that write, commits it, then is taken: at most one pending', async () => {
    const { out, store, requests, batch } = await setUp();
    requests.pending = true;
    await batch('a');
    requests.pending = true;
    let passed = false;
    const next = batch('b').then(() => (passed = true));
    for (let k = 0; k < 5; k++) await turn();
    expect(passed, 'the boundary waits for the pending write').toBe(false);
    expect(store.held.map((h) => h.name)).toEqual(['checkpoints/ck-000000000001']);
    store.release();
    await next;
    expect(out.values()).toEqual(['A']);
    expect(store.held.map((h) => h.name)).toEqual(['checkpoints/ck-000000000002']);
  });

  it("the report gives each checkpoint's bytes and its synchronous, write and commit time on the run's clock", async () => {
    const { store, requests, ck, clock, batch } = await setUp();
    requests.pending = true;
    await batch('a');
    clock.advanceBy(250); // the write takes 250 ms of the run's processing time
    store.release();
    await turn();
    clock.advanceBy(1_000); // not part of the checkpoint: it completes at the next boundary
    await batch('b');
    const [taken] = ck.report().taken;
    expect(taken).toMatchObject({ seq: 1, kind: 'periodic', syncMs: 0, writeMs: 250, commitMs: 0 });
    expect(taken!.bytes).toBe(store.blobs.get('checkpoints/ck-000000000001')!.length);
  });

  it('a checkpoint whose synchronous part took longer than the interval: the next one waits until the pipeline has run one interval', async () => {
    const { store, ck, clock, batch } = await setUp({ interval: 1_000, slowSyncMs: 5_000 });
    const due: number[] = [];
    for (let t = 1_000; t <= 13_000; t += 1_000) {
      clock.advanceTo(Math.max(t, clock.now()));
      const before = store.held.length;
      await batch(`x${t}`);
      if (store.held.length > before) due.push(t);
      while (store.held.length > 0) store.release();
      await turn();
    }
    // checkpoint 1 at 1 s holds the pipeline until 6 s; the next is due an interval after that (7 s), not at
    // once (6 s); it holds until 12 s, the third is due at 13 s
    expect(due).toEqual([1_000, 7_000, 13_000]);
    expect(ck.report().taken[0]).toMatchObject({ seq: 1, syncMs: 5_000 });
  });

  it('a failed write fails the run at the next boundary with CheckpointWriteError, and nothing is committed', async () => {
    const { out, store, requests, batch } = await setUp();
    requests.pending = true;
    await batch('a');
    store.held.shift()!.fail(new Error('disk full'));
    await turn();
    await expect(batch('b')).rejects.toBeInstanceOf(CheckpointWriteError);
    expect(out.records).toEqual([]);
  });

  it('final() completes the pending checkpoint first, then writes and commits the final one', async () => {
    const { out, store, requests, ck, batch } = await setUp();
    requests.pending = true;
    await batch('a');
    await batch('b');
    const final = ck.final('final');
    await turn();
    store.release();
    await turn();
    store.release();
    await final;
    expect(out.values()).toEqual(['A', 'B']);
    expect(ck.report().taken.map((t) => [t.seq, t.kind])).toEqual([
      [1, 'periodic'],
      [2, 'final'],
    ]);
  });
});
