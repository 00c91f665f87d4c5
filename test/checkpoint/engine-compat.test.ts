import { describe, expect, it } from 'vitest';
import { encodeCheckpointFile, readCheckpointFile } from '../../runners/core/checkpoint/checkpoint-file.js';
import { newUuidV7 } from '../../runners/core/checkpoint/checkpoint-id.js';
import { engineSnapshotOf, type EngineSnapshot } from '../../runners/core/checkpoint/engine-snapshot.js';
import { CheckpointError, CheckpointMismatchError, CheckpointVersionError, CorruptCheckpointError } from '../../sdk/errors.js';
import { statefulDoFn, type DoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { View } from '../../sdk/side-input.js';
import { StateSpec } from '../../sdk/state.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { HandRun, handRead, joined, uninterrupted, type Build, type EngineMode, type ScriptStep } from './engine-harness.js';

type Ev = KV<string, number>;
const probe = <T>() => Capture.records<T>() as unknown as Probe<unknown>;

interface Shape {
  sum?: string;
  group?: string | false;
  sorted?: string;
  size?: number;
  counter?: 'value' | 'bag';
  sides?: number;
}

/** A pipeline whose step names and configuration a test changes between the run that captures and the one that restores. */
const shaped =
  (s: Shape = {}): Build =>
  (p: Pipeline) => {
    const windowed = handRead<Ev>(p, 'Events').apply('Window', Window.into<Ev>(FixedWindows(s.size ?? 10_000)));
    const out: Record<string, Probe<unknown>> = { sums: windowed.apply(s.sum ?? 'Sum', Sum.perKey<string>()).apply('SumProbe', probe()) };
    if (s.group !== false) {
      out['groups'] = windowed
        .apply(s.group ?? 'Group', GroupByKey<string, number>())
        .apply(s.sorted ?? 'Sorted', MapElements((g: KV<string, number[]>) => kv(g.key, [...g.value].sort((a, b) => a - b))))
        .apply('GroupProbe', probe());
    }
    const counter =
      s.counter === 'bag'
        ? statefulDoFn({ state: { n: StateSpec.bag<number>() }, process: (e: Ev, ctx) => ctx.state.n.add(e.value) })
        : statefulDoFn({ state: { n: StateSpec.value<number>() }, process: (e: Ev, ctx) => ctx.state.n.write((ctx.state.n.read() ?? 0) + 1) });
    windowed.apply('Counter', ParDo(counter));
    const sideInput = View.asList(handRead<number>(p, 'Side'));
    const join: DoFn<Ev, string> = { process: (e, ctx) => ctx.output(`${e.key} ${JSON.stringify(ctx.sideInput(sideInput))}`) };
    const views = Array.from({ length: s.sides ?? 1 }, () => sideInput);
    out['joined'] = handRead<Ev>(p, 'Events2').apply('Join', ParDo(join).withSideInputs(...views)).apply('JoinProbe', probe());
    return out;
  };

const el = (key: string, value: number, ts: number): readonly [Ev, number] => [kv(key, value), ts];
const before: ScriptStep[] = [{ add: [el('a', 1, 1000)] }, { add: [el('b', 2, 2000)] }, { add: [[1, 500]], read: 'Side' }, { add: [el('a', 3, 3000)], read: 'Events2' }, { watermark: 4000 }];
const after: ScriptStep[] = [{ add: [el('a', 4, 5000)] }, { watermark: 800, read: 'Side' }, { watermark: 12_000 }];

/** Runs `before` on the original pipeline and captures. */
async function captured(mode: EngineMode = 'native'): Promise<{ snap: EngineSnapshot; run: HandRun }> {
  const run = new HandRun(shaped(), mode);
  await run.engine.open();
  for (const s of before) await run.step(s);
  return { snap: run.engine.capture(), run };
}

function mismatch(f: () => unknown): CheckpointMismatchError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointMismatchError);
    return e as CheckpointMismatchError;
  }
  throw new Error('expected a CheckpointMismatchError');
}

describe('restoring into a changed pipeline', () => {
  it('a renamed aggregation: the error names the step whose state has no home, and the new step', async () => {
    const { snap } = await captured();
    const e = mismatch(() => new HandRun(shaped({ sum: 'SumPerKey' }), 'native').engine.restore(snap, { checkpoint: 'ck-000000000007' }));
    expect(e.steps).toEqual(['Sum']);
    expect(e.mismatches).toEqual([{ step: 'Sum', problem: 'no-home' }]);
    expect(e.stepsWithoutState).toContain('SumPerKey');
    expect(e.message).toContain("checkpoint ck-000000000007 does not fit this pipeline: state of step 'Sum' has no home (steps without state in the checkpoint: 'SumPerKey')");
    expect(e.message).toContain('--allowNonRestoredState');
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.code).toBe('CHECKPOINT_MISMATCH');
  });

  it('a removed step, a changed window size, a changed state cell and a changed number of side inputs: one error naming each', async () => {
    const { snap } = await captured();
    const e = mismatch(() => new HandRun(shaped({ group: false, size: 5000, counter: 'bag', sides: 2 }), 'native').engine.restore(snap));
    expect([...e.steps].sort()).toEqual(['Counter', 'Group', 'Join', 'Sum']);
    const byStep = Object.fromEntries(e.mismatches.map((m) => [m.step, m]));
    expect(byStep['Group']).toEqual({ step: 'Group', problem: 'no-home' });
    expect(byStep['Sum']).toMatchObject({ problem: 'changed', from: expect.stringContaining('combine FixedWindows(10000ms)|'), to: expect.stringContaining('combine FixedWindows(5000ms)|') });
    expect(byStep['Counter']).toMatchObject({ problem: 'changed', from: expect.stringContaining('state=n:value'), to: expect.stringContaining('state=n:bag') });
    expect(byStep['Join']).toMatchObject({ problem: 'changed', from: expect.stringContaining('sides=1'), to: expect.stringContaining('sides=2') });
    expect(e.message).toMatch(/step 'Sum' changed: combine FixedWindows\(10000ms\)\|DefaultTrigger\|discarding\|lateness=0\|END_OF_WINDOW → combine FixedWindows\(5000ms\)/);
  });

  it('a removed source that had moved is state without a home; renaming a stateless step is fine', async () => {
    const { snap } = await captured();
    const e = mismatch(() =>
      new HandRun((p) => {
        const out = shaped()(p);
        return out;
      }, 'native').engine.restore({ ...snap, steps: { ...snap.steps, OldInput: { kind: 'read', fingerprint: 'OldInput', source: { position: null, watermark: 5, done: false } } } }),
    );
    expect(e.steps).toEqual(['OldInput']);
    expect(() => new HandRun(shaped({ sorted: 'SortValues' }), 'native').engine.restore(snap)).not.toThrow();
  });

  it('with allowNonRestoredState the state of those steps is dropped, and the other steps resume exactly', async () => {
    const { snap, run } = await captured();
    const changed = shaped({ sum: 'SumPerKey' });
    const next = new HandRun(changed, 'native');
    expect(next.engine.restore(snap, { allowNonRestoredState: true }).dropped).toEqual(['Sum']);
    expect(next.state.snapshot().tables['Sum#windows']).toBeUndefined();
    await next.engine.open();
    for (const s of after) await next.step(s);
    await next.finish();
    const expected = await uninterrupted(shaped(), [...before, ...after], 'native');
    const got = joined([run, next]);
    // The grouping and the join never left: their outputs are those of an uninterrupted run.
    expect(got['groups']).toEqual(expected['groups']);
    expect(got['joined']).toEqual(expected['joined']);
    // The renamed sum started empty: it only counts what came after the restore.
    expect(got['sums']).not.toEqual(expected['sums']);
    expect(next.lines()['sums']).toEqual(['0:10000 ON_TIME #0/0 first last ts=9999 pt=0 {"key":"a","value":4}']);
  });
});

describe('capture and restore are guarded', () => {
  it('a snapshot survives the checkpoint file format (framed, read back, verified) and restores the same', async () => {
    const { snap, run } = await captured();
    const encoded = encodeCheckpointFile(
      { jobId: newUuidV7(1), runId: 'r', checkpointId: newUuidV7(2), seq: 1, kind: 'periodic', takenBy: 'native', takenAt: 0, keyGroups: snap.keyGroups, keyHash: snap.keyHash, steps: snap.steps },
      snap.segments,
    );
    const back = engineSnapshotOf(readCheckpointFile('ck-000000000001', Buffer.concat(encoded.parts)));
    for (const mode of ['native', 'microbatch'] as const) {
      const next = new HandRun(shaped(), mode);
      next.engine.restore(back);
      await next.engine.open();
      for (const s of after) await next.step(s);
      await next.finish();
      expect(joined([run, next])).toEqual(await uninterrupted(shaped(), [...before, ...after], 'native'));
    }
  });

  it('a snapshot needs a quiescent engine: not with input in an inbox or triggers not flushed (micro-batch)', async () => {
    const run = new HandRun(shaped(), 'microbatch');
    await run.engine.open();
    const r = run.engine.emitBatch(run.engine.reads[0]!, { elements: [{ value: kv('a', 1), timestamp: 1 }], watermark: 0, done: false });
    if (r) await r;
    expect(() => run.engine.capture()).toThrow(/step 'Sum' has input waiting in its inbox/);
    await run.engine.pass({ watermarks: true }); // no flush: the window's trigger is still to be evaluated
    await run.engine.finishBundles();
    const e = (() => {
      try {
        run.engine.capture();
      } catch (x) {
        return x as CheckpointError;
      }
    })();
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e?.code).toBe('CHECKPOINT_NOT_QUIESCENT');
    expect(e?.message).toMatch(/step 'Sum': cannot snapshot with 1 window\(s\) whose triggers were not evaluated yet/);
    await run.engine.pass({ flush: true, watermarks: true });
    expect(() => run.engine.capture()).not.toThrow();
  });

  it('restore goes into a new engine only, and refuses what is not a snapshot of this version', async () => {
    const { snap, run } = await captured();
    expect(() => run.engine.restore(snap)).toThrow(/the engine already took input/);
    expect(() => new HandRun(shaped(), 'native').engine.restore({ ...snap, version: 2 as 1 })).toThrow(CheckpointVersionError);
    expect(() => new HandRun(shaped(), 'native').engine.restore({ ...snap, format: 'x' as 'watershed-engine-snapshot' })).toThrow(CorruptCheckpointError);
  });
});
