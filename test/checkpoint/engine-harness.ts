import { codecNamed } from '../../runners/core/checkpoint/codecs/codecs.js';
import type { EngineSnapshot } from '../../runners/core/checkpoint/engine-snapshot.js';
import type { FireMode } from '../../runners/core/driver/window-driver.js';
import { Engine, type ReadSlot, type Wiring } from '../../runners/core/engine.js';
import { StagedEngine } from '../../runners/core/parallel/staged-engine.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import type { Source } from '../../sdk/io/source.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { CapturedRecord, Probe } from '../../sdk/testing/capture.js';
import { TIMESTAMP_MAX, type Instant } from '../../sdk/time.js';
import { Read } from '../../transforms/read.js';

/**
 * Drives an Engine by hand the way a runner's loop does, so that a test can stop at any quiescent
 * point, capture, and go on in a new engine (another run, maybe another runner). The sources of
 * the pipeline are never opened: the script hands batches to `Engine.emitBatch` directly.
 */

/** The engine configuration of each runner: native pushes elements through at once, micro-batch stages them. */
export const ENGINE_MODES: Readonly<Record<'native' | 'microbatch', { readonly fireMode: FireMode; readonly wiring: Wiring }>> = {
  native: { fireMode: 'immediate', wiring: 'direct' },
  microbatch: { fireMode: 'deferred', wiring: 'staged' },
};
export type EngineMode = keyof typeof ENGINE_MODES;

/** One step of a script: a batch of elements into a read, a watermark of a read, or processing time. */
export type ScriptStep =
  | { readonly add: readonly (readonly [value: unknown, timestamp: Instant])[]; readonly read?: string }
  | { readonly watermark: Instant; readonly read?: string }
  | { readonly time: Instant }
  /** The read ends (its watermark goes to the end of time). */
  | { readonly end: string };

/** A source that only names a Read step: the harness feeds it. */
export function handSource<T>(name: string): Source<T> {
  return {
    name,
    bounded: false,
    open: () => Promise.reject(new Error(`hand source '${name}' is fed by the test, not opened`)),
  };
}

/** Reads a hand-fed input named `name` (its Read step is called `name`). */
export function handRead<T>(p: Pipeline, name: string): PCollection<T> {
  return p.apply(name, Read(handSource<T>(name)));
}

/** A pipeline under test: builds the steps, returns the probes whose records are compared. */
export type Build = (p: Pipeline) => Record<string, Probe<unknown>>;

/** One record as compared: everything a consumer can see (retraction, window, pane, timestamps, value). */
export function recordLine(r: CapturedRecord<unknown>): string {
  const p = r.pane;
  return `${r.retraction ? '-' : ''}${r.window.id} ${p.timing} #${p.index}/${p.nonSpeculativeIndex}${p.isFirst ? ' first' : ''}${p.isLast ? ' last' : ''} ts=${r.timestamp} pt=${r.emittedAt} ${JSON.stringify(r.value)}`;
}

/** A run of a pipeline on one hand-driven engine (with `instances` above 1: a `StagedEngine` with that many instances per keyed stage). */
export class HandRun {
  readonly engine: Engine;
  readonly clock: VirtualClock;
  readonly probes: Record<string, Probe<unknown>>;
  readonly state = new InMemoryStateBackend();
  private readonly flush: boolean;

  constructor(build: Build, mode: EngineMode, clockStart = 0, instances = 1) {
    const p = Pipeline.create();
    this.probes = build(p);
    this.clock = new VirtualClock(clockStart);
    this.flush = ENGINE_MODES[mode].fireMode === 'deferred';
    const o = { clock: this.clock, state: this.state, ...ENGINE_MODES[mode] };
    this.engine = instances > 1 ? new StagedEngine(p.graph(), o, { instances }) : new Engine(p.graph(), o);
  }

  private read(name: string | undefined): ReadSlot {
    const r = name === undefined ? this.engine.reads[0] : this.engine.reads.find((x) => x.node.fullName === name);
    if (!r) throw new Error(`no read step ${name}`);
    return r;
  }

  /** One loop iteration: the batch (if any), then a pass and finishBundles, as both runners do after a batch. */
  async step(s: ScriptStep): Promise<void> {
    if ('time' in s) this.clock.advanceTo(s.time);
    else if ('end' in s) {
      const r = this.engine.emitBatch(this.read(s.end), { elements: [], watermark: TIMESTAMP_MAX, done: true });
      if (r) await r;
    } else {
      const read = this.read(s.read);
      const batch =
        'add' in s
          ? { elements: s.add.map(([value, timestamp]) => ({ value, timestamp })), watermark: read.watermark, done: false }
          : { elements: [], watermark: s.watermark, done: false };
      const r = this.engine.emitBatch(read, batch);
      if (r) await r;
    }
    await this.boundary();
  }

  /** A pass (with a flush of deferred triggers on micro-batch) and finishBundles: a quiescent point follows. */
  async boundary(): Promise<void> {
    await this.engine.pass({ flush: this.flush, watermarks: true, processingTime: this.clock.now() });
    await this.engine.finishBundles();
  }

  /** Ends every input (watermark to the end) and runs passes until the engine has finished. */
  async finish(): Promise<void> {
    for (const r of this.engine.reads) {
      if (r.done) continue;
      const p = this.engine.emitBatch(r, { elements: [], watermark: TIMESTAMP_MAX, done: true });
      if (p) await p;
    }
    for (let i = 0; i < 100 && !this.engine.finished(); i++) await this.boundary();
    if (!this.engine.finished()) throw new Error('the engine did not finish');
    await this.engine.close('done');
  }

  /** The compared lines of every probe, in arrival order. */
  lines(): Record<string, string[]> {
    return Object.fromEntries(Object.entries(this.probes).map(([name, probe]) => [name, probe.records.map(recordLine)]));
  }
}

/** Joins the outputs of consecutive runs (before and after each restore), each probe's lines sorted (ties among keys at one watermark may come in any order). */
export function joined(runs: readonly HandRun[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const run of runs) for (const [name, lines] of Object.entries(run.lines())) (out[name] ??= []).push(...lines);
  for (const lines of Object.values(out)) lines.sort();
  return out;
}

/** Runs the whole script on one engine, without interruption. */
export async function uninterrupted(build: Build, script: readonly ScriptStep[], mode: EngineMode, instances = 1): Promise<Record<string, string[]>> {
  const run = new HandRun(build, mode, 0, instances);
  await run.engine.open();
  for (const s of script) await run.step(s);
  await run.finish();
  return joined([run]);
}

/** A snapshot with its segments decoded (their bytes may differ from one encoding to the next), for comparisons. */
export function decoded(snap: EngineSnapshot): unknown {
  const segments = snap.segments.map((s) => ({ step: s.step, table: s.table, keyGroup: s.keyGroup, codec: s.codec, entries: codecNamed(s.codec)!.decode(s.bytes) }));
  return { ...snap, segments };
}

/**
 * Runs the script with a capture after each cut (step indices, ascending), every part on a NEW
 * pipeline and engine restored from the previous part's snapshot, with the runner of `modes[i]`.
 * Each snapshot is restored from a `structuredClone`, so nothing is shared by reference; `recaptured`
 * holds a capture taken right after each restore (it must equal the snapshot restored). Part `i` runs with
 * `instances[i % instances.length]` instances per keyed stage (default 1: a plain `Engine`).
 */
export async function interrupted(
  build: Build,
  script: readonly ScriptStep[],
  cuts: readonly number[],
  modes: readonly EngineMode[],
  instances: readonly number[] = [1],
): Promise<{ lines: Record<string, string[]>; snapshots: EngineSnapshot[]; recaptured: EngineSnapshot[] }> {
  const runs: HandRun[] = [];
  const snapshots: EngineSnapshot[] = [];
  const recaptured: EngineSnapshot[] = [];
  const bounds = [0, ...cuts, script.length];
  let snap: EngineSnapshot | undefined;
  let clock = 0;
  for (let part = 0; part < bounds.length - 1; part++) {
    const run = new HandRun(build, modes[part % modes.length]!, clock, instances[part % instances.length]!);
    if (snap) {
      run.engine.restore(structuredClone(snap));
      recaptured.push(run.engine.capture());
    }
    await run.engine.open();
    for (let i = bounds[part]!; i < bounds[part + 1]!; i++) await run.step(script[i]!);
    runs.push(run);
    if (part < bounds.length - 2) {
      snap = run.engine.capture();
      snapshots.push(snap);
      clock = run.clock.now();
      // The old run is abandoned here (as after a crash): no finish, no more outputs.
      await run.engine.close('cancelled');
    } else await run.finish();
  }
  return { lines: joined(runs), snapshots, recaptured };
}
