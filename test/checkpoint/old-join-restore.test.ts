import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CappedSessions } from '../../capability-matrix/support/capped-sessions.js';
import { deserialize } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../../runners/core/checkpoint/checkpoint-file.js';
import { codecNamed } from '../../runners/core/checkpoint/codecs/codecs.js';
import { engineSnapshotOf, type EngineSnapshot } from '../../runners/core/checkpoint/engine-snapshot.js';
import { migrateOldJoins } from '../../runners/core/checkpoint/old-join-migration.js';
import { CheckpointMismatchError } from '../../sdk/errors.js';
import { type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { Window } from '../../transforms/window.js';
import { decoded, handRead, HandRun, uninterrupted, type Build, type EngineMode } from './engine-harness.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { CommittedStore } from '../../sdk/testing/committed-capture.js';
import type { OldJoinFixture, OldJoinRunFixture } from './fixtures/old-join/generate.js';
import { microbatchOf, nativeRun, runJoin } from './fixtures/old-join/join-run.js';
import { OLD_JOIN_SCENARIOS } from './fixtures/old-join/scenarios.js';

/**
 * Checkpoints of running CoGroupByKey joins written by the code before the join's expansion changed
 * (commit 779a311: a GroupByKey of `{ tag, value }`, then Split; see fixtures/old-join/README.md)
 * restore on today's join (a Combine filling one list per input): after any step of each script, on
 * either runner, taken by either, the outputs before the checkpoint (the old run's) and after it
 * (today's run, resumed) are those of today's run that never stopped. What cannot be moved exactly
 * is refused, with the reason. And whole runs of the old code that crashed (their checkpoint
 * directories, micro-batch's offset log included) resume on either runner.
 */

const MODES: EngineMode[] = ['native', 'microbatch'];
const FIXTURES = new URL('./fixtures/old-join/', import.meta.url);

function fixture(id: string, mode: EngineMode): OldJoinFixture {
  return deserialize(gunzipSync(readFileSync(new URL(`${id}.${mode}.bin`, FIXTURES)))) as OldJoinFixture;
}

function snapshotOf(cut: OldJoinFixture['cuts'][number]): EngineSnapshot {
  return engineSnapshotOf(readCheckpointFile(`old-join-cut-${cut.cut}`, Buffer.from(cut.checkpoint)));
}

/** The old run's outputs up to the cut and the resumed run's after it, each probe sorted (as `joined` in the harness). */
function together(before: Record<string, string[]>, after: HandRun): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, lines] of Object.entries(before)) (out[name] ??= []).push(...lines);
  for (const [name, lines] of Object.entries(after.lines())) (out[name] ??= []).push(...lines);
  for (const lines of Object.values(out)) lines.sort();
  return out;
}

describe.each(MODES)('a join checkpointed by the old code on the %s engine', (takenBy) => {
  it.each(OLD_JOIN_SCENARIOS.map((s) => ({ ...s, takenBy })))('$name: restored after every step on both runners, the outputs are those of a run that never stopped', async ({ id, build, script }) => {
    const f = fixture(id, takenBy);
    expect(f.cuts.map((c) => c.cut)).toEqual(Array.from({ length: script.length + 1 }, (_, i) => i));
    for (const mode of MODES) {
      const expected = await uninterrupted(build, script, mode);
      expect(expected['joined']!.length).toBeGreaterThan(3);
      // The join's semantics did not change: the old code's run without a stop gave the same outputs.
      expect(f.uninterrupted, `the old code's uninterrupted run (${takenBy}) vs today's (${mode})`).toEqual(expected);
      for (const cut of f.cuts) {
        const run = new HandRun(build, mode, cut.clock);
        const restored = run.engine.restore(snapshotOf(cut), { checkpoint: `cut-${cut.cut}` });
        expect(restored.migrated).toEqual(['Join/GroupByKey']);
        // What the resumed run checkpoints next is in today's form.
        expect(run.engine.capture().steps['Join/GroupByKey']?.kind).toBe('combine');
        await run.engine.open();
        for (let i = cut.cut; i < script.length; i++) await run.step(script[i]!);
        await run.finish();
        expect(together(cut.before, run), `taken by ${takenBy} after step ${cut.cut}, resumed on ${mode}`).toEqual(expected);
      }
    }
  });
});

describe('a join checkpointed by the old code (at 1, before instances) restores at --parallelism=4 (scale-out step 5; keys a and b on two instances)', () => {
  it.each(OLD_JOIN_SCENARIOS)('$name: restored after every step into 4 instances on both runners, the outputs are those of a run that never stopped', async ({ id, build, script }) => {
    const f = fixture(id, 'native');
    for (const mode of MODES) {
      const expected = await uninterrupted(build, script, mode);
      for (const cut of f.cuts) {
        const run = new HandRun(build, mode, cut.clock, 4);
        const restored = run.engine.restore(snapshotOf(cut), { checkpoint: `cut-${cut.cut}` });
        expect(restored.migrated).toEqual(['Join/GroupByKey']);
        expect(run.engine.capture().steps['Join/GroupByKey']?.kind).toBe('combine');
        await run.engine.open();
        for (let i = cut.cut; i < script.length; i++) await run.step(script[i]!);
        await run.finish();
        expect(together(cut.before, run), `after step ${cut.cut}, resumed on ${mode} at 4`).toEqual(expected);
      }
    }
  });
});

type Ev = KV<string, number>;
const probe = () => Capture.records<unknown>() as unknown as Probe<unknown>;

/** The capped-sessions join of the fixtures with its inputs named otherwise, or windowed by Sessions. */
const changedJoin =
  (change: 'renamed inputs' | 'other windows'): Build =>
  (p) => {
    const windows = () => Window.into<Ev>((change === 'other windows' ? Sessions(2000) : CappedSessions(1000, 3000)) as WindowFn<Ev>);
    const left = handRead<Ev>(p, 'Left').apply('WindowLeft', windows());
    const right = handRead<Ev>(p, 'Right').apply('WindowRight', windows());
    const inputs: Record<string, PCollection<Ev>> = change === 'renamed inputs' ? { l: left, r: right } : { left, right };
    return { joined: p.apply('Join', CoGroupByKey(inputs)).apply('Probe', probe()) };
  };

/** The restore's error (it must throw one). */
function refusal(build: Build, snap: EngineSnapshot): CheckpointMismatchError {
  const run = new HandRun(build, 'native');
  try {
    run.engine.restore(snap, { checkpoint: 'ck-old' });
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointMismatchError);
    return e as CheckpointMismatchError;
  }
  throw new Error('the restore did not refuse');
}

describe('migrateOldJoins', () => {
  it('moves the bag into per-input lists, changes nothing in the snapshot it is given, and leaves a checkpoint of today\'s join alone', async () => {
    const { build } = OLD_JOIN_SCENARIOS.find((s) => s.id === 'sessions-retracting')!;
    const p = Pipeline.create();
    build(p);
    const graph = p.graph();
    const old = snapshotOf(fixture('sessions-retracting', 'native').cuts[8]!);
    const before = decoded(old);
    const { snapshot, migrated, refused } = migrateOldJoins(graph, old);
    expect(decoded(old)).toEqual(before);
    expect([migrated, [...refused]]).toEqual([['Join/GroupByKey'], []]);
    expect(snapshot.steps['Join/GroupByKey']).toEqual({ ...old.steps['Join/GroupByKey'], kind: 'combine' });
    const states = snapshot.segments.filter((s) => s.step === 'Join/GroupByKey' && s.table === 'windows').flatMap((s) => codecNamed(s.codec)!.decode(s.bytes));
    // Key a's session [1000, 7000) after step 8: left 1, 3, 7 and right 2, 5, as the bag had them; its last pane likewise.
    expect(states.find(([k, ns]) => k === 'a' && ns === '1000:7000')?.[2]).toMatchObject({ acc: { left: [1, 3, 7], right: [2, 5] }, last: { value: { left: [1, 3, 7], right: [2, 5] } } });
    // What today's join checkpoints is not touched.
    const run = new HandRun(build, 'native');
    run.engine.restore(snapshot);
    const today = run.engine.capture();
    expect(migrateOldJoins(graph, today)).toEqual({ snapshot: today, migrated: [], refused: new Map() });
  });
});

describe('an old join whose state cannot be moved exactly is refused, with the reason', () => {
  // capped-sessions after step 8: windows of keys a and b hold values of both inputs.
  const oldSnapshot = () => snapshotOf(fixture('capped-sessions', 'native').cuts[8]!);

  it('inputs renamed since', () => {
    const err = refusal(changedJoin('renamed inputs'), oldSnapshot());
    expect(err.mismatches).toEqual([expect.objectContaining({ step: 'Join/GroupByKey', problem: 'changed', reason: expect.stringContaining("its inputs were 'left', 'right', this join's are 'l', 'r'") })]);
    expect(err.message).toContain("its inputs were 'left', 'right', this join's are 'l', 'r'");
  });

  it('windowing changed too', () => {
    const err = refusal(changedJoin('other windows'), oldSnapshot());
    expect(err.mismatches).toEqual([expect.objectContaining({ step: 'Join/GroupByKey', reason: expect.stringContaining('its windowing changed too') })]);
  });

  it('a value in its state that no input tagged', () => {
    const snap = oldSnapshot();
    const i = snap.segments.findIndex((s) => s.step === 'Join/GroupByKey' && s.table === 'windows');
    const codec = codecNamed(snap.segments[i]!.codec)!;
    const entries = codec.decode(snap.segments[i]!.bytes) as [unknown, string, { acc: unknown[] }][];
    entries[0]![2].acc.push({ tag: 'elsewhere', value: 1 });
    const segments = [...snap.segments];
    segments[i] = { ...snap.segments[i]!, bytes: codec.encode(entries as never) };
    const build = OLD_JOIN_SCENARIOS.find((s) => s.id === 'capped-sessions')!.build;
    const err = refusal(build, { ...snap, segments });
    expect(err.mismatches).toEqual([expect.objectContaining({ step: 'Join/GroupByKey', reason: expect.stringContaining('holds a value that is not a { tag, value } of one of its inputs') })]);
  });
});

/** The crashed run's checkpoint directory, written to a new folder, and its sink's store as the crash left it. */
function crashedRun(takenBy: EngineMode): { dir: string; store: CommittedStore<unknown>; fixture: OldJoinRunFixture } {
  const fixture = deserialize(gunzipSync(readFileSync(new URL(`run-${takenBy}.bin`, FIXTURES)))) as OldJoinRunFixture;
  const dir = mkdtempSync(join(tmpdir(), 'watershed-old-join-'));
  for (const [path, bytes] of Object.entries(fixture.files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  const store = new CommittedStore<unknown>();
  store.records.push(...fixture.store.records);
  for (const [id, records] of fixture.store.prepared) store.prepared.set(id, records);
  for (const id of fixture.store.committedIds) store.committedIds.add(id);
  return { dir, store, fixture };
}

async function cleanRun(options: Partial<PipelineOptions>): Promise<string[]> {
  const store = new CommittedStore<unknown>();
  await runJoin(options, store);
  return store.lines({ sorted: true });
}

/** The on-time (final) panes without their index (which counts the early panes before them, per runner). */
const onTimePanes = (lines: string[]) =>
  lines
    .filter((l) => / ON_TIME /.test(l))
    .map((l) => l.replace(/ #\d+/, ''))
    .sort();
const MOVED = "moved the state of 'Join/GroupByKey' (a CoGroupByKey join checkpointed before its expansion changed) into today's form";

describe('a whole run of the old code that crashed resumes with its checkpoint directory', () => {
  it('micro-batch (checkpoint after batch 0, batches 1–3 in the offset log): the resumed run replays the logged batches and commits the panes of an uninterrupted run', async () => {
    const { dir, store, fixture } = crashedRun('microbatch');
    const expected = await cleanRun(microbatchOf(30));
    expect(fixture.uninterrupted).toEqual(expected);
    // A run of 50-row batches commits other panes: the replay must follow the logged boundaries.
    expect(await cleanRun(microbatchOf(50))).not.toEqual(expected);
    const resumed = await runJoin({ ...microbatchOf(50), checkpointDir: dir }, store);
    expect(resumed.checkpoints!.restoredFrom).toMatchObject({ seq: 1, takenBy: 'microbatch' });
    expect(resumed.batches!.map((b) => [b.batchId, b.inputRows, b.replayed === true])).toEqual([
      [1, 30, true],
      [2, 30, true],
      [3, 10, true],
    ]);
    expect(resumed.warnings!.some((w) => w.includes(MOVED))).toBe(true);
    expect(store.lines({ sorted: true })).toEqual(expected);
    expect(store.prepared.size).toBe(0);
  });

  it('micro-batch, resumed on native: the final panes of an uninterrupted run', async () => {
    const { dir, store } = crashedRun('microbatch');
    const resumed = await runJoin({ ...nativeRun, checkpointDir: dir }, store);
    expect(resumed.warnings!.some((w) => w.includes(MOVED))).toBe(true);
    expect(onTimePanes(store.lines({ sorted: true }))).toEqual(onTimePanes(await cleanRun(microbatchOf(30))));
  });

  it('native (checkpoint 10 rows in, crash at the next barrier): the resumed run commits the panes of an uninterrupted run', async () => {
    const { dir, store, fixture } = crashedRun('native');
    const expected = await cleanRun(nativeRun);
    expect(fixture.uninterrupted).toEqual(expected);
    const resumed = await runJoin({ ...nativeRun, checkpointDir: dir }, store);
    expect(resumed.checkpoints!.restoredFrom).toMatchObject({ seq: 1, takenBy: 'native' });
    expect(resumed.warnings!.some((w) => w.includes(MOVED))).toBe(true);
    expect(store.lines({ sorted: true })).toEqual(expected);
  });

  it('native, resumed on micro-batch: the final panes of an uninterrupted run', async () => {
    const { dir, store } = crashedRun('native');
    const resumed = await runJoin({ ...microbatchOf(30), checkpointDir: dir }, store);
    expect(resumed.warnings!.some((w) => w.includes(MOVED))).toBe(true);
    expect(onTimePanes(store.lines({ sorted: true }))).toEqual(onTimePanes(await cleanRun(nativeRun)));
  });
});
