import { deserialize, serialize } from 'node:v8';
import type { RunOutcome } from '../../../sdk/dofn.js';
import { UserCodeError } from '../../../sdk/errors.js';
import { ownField, setOwnField } from '../../../sdk/internal/own-field.js';
import type { PipelineGraph } from '../../../sdk/graph.js';
import type { SourceBatch } from '../../../sdk/io/source.js';
import { encodeKey, type StateKey } from '../../../sdk/kv.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import { TIMESTAMP_MAX, type Instant } from '../../../sdk/time.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import { Engine, type EngineOptions, type ReadSlot, type StepView } from '../engine.js';
import { createChannel, type Channel } from '../exchange/channel.js';
import { groupsOfInstance, instanceOfGroup } from '../exchange/key-group-ranges.js';
import { createWatermarkValve, type WatermarkValve } from '../exchange/watermark-valve.js';
import type { MaybePromise, Operator } from '../operators/operator.js';
import { stageGraphs, type ExchangeRead, type ExchangeRouting, type StageGraph } from '../plan/stage-graph.js';
import { DEFAULT_KEY_GROUPS, KEY_HASH, keyGroupOf } from '../state/key-groups.js';
import { CheckpointError, CheckpointMismatchError, CheckpointVersionError, CorruptCheckpointError } from '../../../sdk/errors.js';
import type { SegmentPayload } from '../checkpoint/checkpoint-file.js';
import { checkCompatibility } from '../checkpoint/checkpoint-compat.js';
import { ENGINE_SNAPSHOT_FORMAT, ENGINE_SNAPSHOT_VERSION, type EngineSnapshot } from '../checkpoint/engine-snapshot.js';
import type { StepEntry } from '../checkpoint/manifest.js';
import { migrateOldJoins } from '../checkpoint/old-join-migration.js';
import { mergeStepEntries, snapshotOf, splitStepEntry } from './instance-snapshots.js';
import { InMemoryStateBackend, type StateBackend } from '../state/state-backend.js';

/**
 * A pipeline run as its stages, each stage as one or more `Engine`s (instances), connected by exchange
 * channels and watermark valves (design: docs/design/scale-out.md §6 steps 3 and 4). It shows the
 * `Engine` surface the runner loops use (`reads`, `emitBatch`, `pass`, `finishBundles`, `finished`, ...),
 * so the native and micro-batch loops drive it unchanged. Only a runner that asks for it
 * (`LoopRunner.createEngine`) uses it: a normal run never does.
 *
 * Instances: a keyed stage runs `instances` engines, instance `i` owning the key groups `g` with
 * `floor(g·n/G) = i`; every other stage runs one (sources have no splits yet, design step 5), and so
 * does a keyed stage that reads a PCollection both as a main input and as a side input (its one
 * exchange read could not route it both by key and to every instance), that reads a side input
 * made in the stage itself (each instance would see only its own part of the view), that has a
 * DoFn with lifecycle methods (a sink's file or producer would be shared by the instances), or that
 * has a `Combine.globally` with a default for an empty input (every instance without input would emit it).
 *
 * How records and watermarks move, in one thread, deterministically:
 * - every PCollection that leaves a stage is tapped in each instance (`Engine.tapOutput`) and routed as
 *   its reading stage takes it: `keyed` to the instance owning `keyGroupOf(encodeKey(kv.key))`,
 *   `rebalance` round-robin, `broadcast` to every instance. There is one channel per (upstream instance,
 *   downstream instance); what an instance emitted is written as one batch per call, passed through
 *   `v8.serialize` as a thread or a process would see it, and read at once into the reading instance
 *   (`Engine.emitWindowed`), stage after stage in stage order, before the call returns;
 * - `pass` runs the stages in order, each instance in turn. After an instance's pass it sends the
 *   status of each PCollection it writes (`Engine.outputStatus`: watermark and idleness) on every one
 *   of its channels, after the data it covers; each downstream exchange read merges its channels'
 *   statuses in a valve (one input per upstream instance) before its pass. An instance whose engine
 *   finished sends the end marker. Stages form a DAG in index order, so one sweep moves watermarks as
 *   far as one pass of the whole graph does;
 * - `finishBundles` does the same, without statuses (watermarks do not move there).
 *
 * Each instance has its own state backend (keyed state stays split by key group and named by step), so
 * instances share nothing but the clock and the DoFn objects of the graph (as a DoFn's closures are
 * shared today). `metrics` sums the instances' counters per step.
 *
 * Checkpoints (design step 5): `capture` merges the instances' captures into the snapshot a run at 1 would
 * hold (instance-snapshots.ts says how each part merges), and `restore` splits any snapshot, taken at 1 or at
 * any number of instances, over this run's instances: keyed state by the key groups each owns. So a
 * checkpoint restores at any parallelism, and into a plain `Engine`. A stage with a two-phase-commit sink
 * runs one instance (its handles are per step).
 *
 * @example
 * class StagedNative extends NativeRunner { protected override createEngine(g, o) { return new StagedEngine(g, o, { instances: 3 }); } }
 */
export class StagedEngine extends Engine {
  /** The stages, in order, with their instances and exchange wiring. */
  readonly stages: readonly StageRun[];
  private readonly engineOf = new Map<ReadSlot, Engine>();
  private readonly idleTimeout: number | undefined;
  private readonly encode: boolean;
  /** Each step's index in the whole graph (for `stepViews`). */
  private readonly order: Map<string, number>;
  /** The whole pipeline (checkpoint compatibility is checked against it). */
  private readonly whole: PipelineGraph;

  /**
   * @param options.instances instances of each keyed stage, 1..128 (default 1)
   * @param options.encode pass records that cross a cut through `v8.serialize` / `deserialize` (default true)
   * @param options.stateFor the state backend of each instance (default: a new in-memory one each)
   * @throws KeyGroupRangeError when `instances` is not an integer in 1..128
   */
  constructor(
    graph: PipelineGraph,
    o: EngineOptions,
    options: { readonly instances?: number; readonly encode?: boolean; readonly stateFor?: (stage: number, instance: number) => StateBackend } = {},
  ) {
    super({ primitives: [], all: [], pcollections: [] }, o);
    this.idleTimeout = o.idleTimeout;
    this.whole = graph;
    this.encode = options.encode ?? true;
    const n = options.instances ?? 1;
    instanceOfGroup(0, n); // checks n
    const stateFor = options.stateFor ?? (() => new InMemoryStateBackend());
    const graphs = stageGraphs(graph);
    const counts = graphs.map((g) => (g.stage.keyed && !g.reads.some((r) => r.alsoBroadcast) && !hasInnerSideInput(g) && !hasLifecycleDoFn(g) && !hasEmptyDefault(g) && !hasTwoPhaseCommit(g) ? n : 1));
    const stages: StageRun[] = graphs.map((g) => ({
      graph: g,
      instances: Array.from({ length: counts[g.stage.index]! }, (_, i) => {
        const engine = new Engine(g.graph, { ...o, state: stateFor(g.stage.index, i) });
        // Side inputs first (as a micro-batch step drains its side inboxes before its main ones): a main
        // element then sees the side records that crossed with it.
        const sidesFirst = [...g.reads.filter((r) => r.routing === 'broadcast'), ...g.reads.filter((r) => r.routing !== 'broadcast')];
        const exchangeReads = sidesFirst.map((r) => {
          const slot = engine.reads.find((s) => s.node === r.node)!;
          const upstream = counts[r.fromStage]!;
          const valve = createWatermarkValve(upstream);
          engine.feedFromValve(slot, valve);
          // The reader takes everything before the next write, so the channels need no bound here.
          return { read: r, slot, valve, channels: Array.from({ length: upstream }, () => createChannel<unknown>(Number.MAX_SAFE_INTEGER)) };
        });
        return { engine, exchangeReads, writes: [], ended: false };
      }),
    }));
    // Each write of instance u feeds channel u of its reading stage's exchange read, in every instance.
    for (const s of stages) {
      for (const w of s.graph.writes) {
        const targets = stages[w.toStage]!.instances.map((inst) => inst.exchangeReads.find((r) => r.read.pcollection === w.pcollection)!);
        const routing = targets[0]!.read.routing;
        s.instances.forEach((inst, u) => {
          const pending = targets.map((): WindowedValue<unknown>[] => []);
          const route = router(routing, targets.length);
          inst.engine.tapOutput(w.pcollection, (value, timestamp, window, pane, retraction) => {
            const wv: WindowedValue<unknown> = retraction ? { value, timestamp, window, pane, retraction } : { value, timestamp, window, pane };
            const to = route(value);
            if (to >= 0) pending[to]!.push(wv);
            else for (const p of pending) p.push(wv);
          });
          inst.writes.push({ pcollection: w.pcollection, channels: targets.map((t) => t.channels[u]!), pending });
        });
      }
    }
    this.stages = stages;
    // The source reads, in the whole graph's order (the loops poll them in this order).
    const order = new Map(graph.primitives.map((node, i) => [node, i]));
    this.order = new Map(graph.primitives.map((node, i) => [node.fullName, i]));
    const sources: { slot: ReadSlot; engine: Engine }[] = [];
    for (const s of stages) {
      for (const inst of s.instances) {
        for (const r of inst.engine.reads) if (!inst.exchangeReads.some((x) => x.slot === r)) sources.push({ slot: r, engine: inst.engine });
      }
    }
    sources.sort((a, b) => order.get(a.slot.node)! - order.get(b.slot.node)!);
    for (const { slot, engine } of sources) {
      this.reads.push(slot);
      this.engineOf.set(slot, engine);
    }
    // Counters by step name (exchange reads are not steps): the instance's own, or the sum over instances.
    for (const s of stages) {
      for (const step of s.graph.stage.steps) {
        if (s.instances.length === 1) this.metrics[step] = s.instances[0]!.engine.metrics[step] as StepMetrics;
        else Object.defineProperty(this.metrics, step, { enumerable: true, get: () => sumMetrics(s.instances.map((i) => i.engine.metrics[step]!)) });
      }
    }
  }

  /**
   * Every non-read step of the pipeline, in the whole graph's order, each merged over its stage's instances:
   * the lowest input and output watermark, and the rows waiting in all of them (exchange reads are not steps).
   */
  override stepViews(): StepView[] {
    const views: StepView[] = [];
    for (const s of this.stages) {
      const per = s.instances.map((i) => i.engine.stepViews());
      per[0]!.forEach((v, k) => {
        let { inputWm, outputWm, buffered } = v;
        for (const other of per.slice(1)) {
          const o = other[k]!;
          if (o.inputWm < inputWm) inputWm = o.inputWm;
          if (o.outputWm < outputWm) outputWm = o.outputWm;
          buffered += o.buffered;
        }
        views.push({ step: v.step, inputWm, outputWm, buffered });
      });
    }
    return views.sort((a, b) => this.order.get(a.step)! - this.order.get(b.step)!);
  }

  override tapSideOutputs(keep: (step: string, kind: 'late' | 'deadLetter', value: unknown) => void): void {
    for (const inst of this.allInstances()) inst.engine.tapSideOutputs(keep);
  }

  override async open(): Promise<void> {
    for (const inst of this.allInstances()) await inst.engine.open();
  }

  override emitBatch(read: ReadSlot, polled: SourceBatch<unknown>, position?: unknown): MaybePromise {
    const engine = this.engineOf.get(read);
    if (engine === undefined) throw new Error(`StagedEngine.emitBatch: '${read.node.fullName}' is not a source read of this pipeline`);
    const r = engine.emitBatch(read, polled, position);
    return r ? r.then(() => this.deliver()) : this.deliver();
  }

  override async pass(what: { flush?: boolean; watermarks?: boolean; processingTime?: Instant }): Promise<void> {
    for (const s of this.stages) {
      for (const inst of s.instances) {
        const t = this.take(inst);
        if (t) await t;
        await inst.engine.pass(what);
        this.send(inst, what.watermarks === true);
      }
    }
  }

  override async finishBundles(): Promise<void> {
    for (const inst of this.allInstances()) {
      const t = this.take(inst);
      if (t) await t;
      await inst.engine.finishBundles();
      this.send(inst, false);
    }
  }

  override nextProcessingTimer(): Instant | undefined {
    let t: Instant | undefined;
    for (const inst of this.allInstances()) {
      const x = inst.engine.nextProcessingTimer();
      if (x !== undefined && (t === undefined || x < t)) t = x;
    }
    return t;
  }

  /** As `Engine.nextTimedWork`, over every instance, with only source reads going idle (exchange reads follow their valves). */
  override nextTimedWork(now: Instant): Instant | undefined {
    let t = this.nextProcessingTimer();
    const idle = this.idleTimeout;
    if (idle !== undefined && Number.isFinite(idle)) {
      for (const r of this.reads) {
        const at = r.lastActive + idle;
        if (!r.done && at > now && (t === undefined || at < t)) t = at;
      }
    }
    return t;
  }

  override hasStagedInput(): boolean {
    for (const inst of this.allInstances()) {
      if (inst.engine.hasStagedInput()) return true;
      if (inst.writes.some((w) => w.pending.some((p) => p.length > 0) || w.channels.some((c) => c.size > 0))) return true;
    }
    return false;
  }

  override finished(): boolean {
    for (const inst of this.allInstances()) if (!inst.engine.finished()) return false;
    return !this.hasStagedInput();
  }

  // drainReads() is Engine's: `this.reads` holds the source reads only, so exchange reads end when their upstream
  // instances' watermarks, sent after their last outputs, reach +infinity.

  override sourceWatermark(): Instant {
    let wm = TIMESTAMP_MAX;
    for (const r of this.reads) if (r.watermark < wm) wm = r.watermark;
    return wm;
  }

  /** Every instance's operators, stage after stage. */
  override operators(): Operator[] {
    return [...this.allInstances()].flatMap((i) => i.engine.operators());
  }

  /**
   * As `Engine.capture`, over every instance: one snapshot, the one a run at 1 would hold (keyed state side
   * by side by key group, lowest watermarks, operator snapshots merged, counters summed; see
   * instance-snapshots.ts). Exchange reads and writes are not steps and are left out.
   * @throws CheckpointError (CHECKPOINT_NOT_QUIESCENT) as `Engine.capture`, also when a record waits in a channel.
   * @example await staged.finishBundles(); const snap = staged.capture(); new Engine(graph, o).restore(snap)
   */
  override capture(options: { readonly keyGroups?: number } = {}): EngineSnapshot {
    if (this.hasStagedInput()) throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', 'cannot snapshot: records wait between stages (run pass first)');
    const keyGroups = options.keyGroups ?? DEFAULT_KEY_GROUPS;
    const steps: Record<string, StepEntry> = {};
    const segments: SegmentPayload[] = [];
    const keyed: SegmentPayload[] = [];
    const seen = new Set<string>();
    let like: EngineSnapshot | undefined;
    for (const s of this.stages) {
      const snaps = s.instances.map((i) => i.engine.capture({ keyGroups }));
      like ??= snaps[0];
      for (const step of s.graph.stage.steps) {
        const all = snaps.flatMap((snap) => {
          const entry = ownField(snap.steps, step);
          return entry === undefined ? [] : [{ entry, segments: snap.segments }];
        });
        if (all.length > 0) steps[step] = mergeStepEntries(step, all, segments);
      }
      const mine = new Set(s.graph.stage.steps);
      for (const snap of snaps) {
        for (const seg of snap.segments) {
          if (seg.keyGroup === null || !mine.has(seg.step)) continue;
          const id = `${seg.step}\u0000${seg.table}\u0000${seg.keyGroup}`;
          if (seen.has(id)) throw new CheckpointError('CHECKPOINT_MISMATCH', `step '${seg.step}': two instances hold state of key group ${seg.keyGroup} (table ${seg.table})`);
          seen.add(id);
          keyed.push(seg);
        }
      }
    }
    return snapshotOf(like ?? { format: ENGINE_SNAPSHOT_FORMAT, version: ENGINE_SNAPSHOT_VERSION, keyGroups, keyHash: KEY_HASH }, steps, [...segments, ...keyed]);
  }

  /**
   * As `Engine.restore`, over every instance: checks the snapshot against the whole pipeline (as `Engine.restore`
   * does, with the same errors), then gives each instance its stage's steps, the keyed state of the key
   * groups it owns, its part of each operator snapshot, and (instance 0) the counters. The snapshot may come
   * from a run at any parallelism, or from a plain `Engine`. `ownedGroups` is not taken: the instances own theirs.
   * @throws CheckpointMismatchError, CheckpointVersionError, CorruptCheckpointError as `Engine.restore`.
   * @throws CheckpointError (CHECKPOINT_MISMATCH) for a snapshot of another key group count than 128 when a stage has
   * several instances (they route by 128 groups); nothing is restored then.
   * @throws Error when an instance already took input.
   */
  override restore(
    snapshot: EngineSnapshot,
    options: { readonly allowNonRestoredState?: boolean; readonly ownedGroups?: ReadonlySet<number>; readonly checkpoint?: string } = {},
  ): { readonly dropped: readonly string[]; readonly migrated: readonly string[] } {
    const name = options.checkpoint ?? 'snapshot';
    if (snapshot?.format !== ENGINE_SNAPSHOT_FORMAT) throw new CorruptCheckpointError(name, 'bad-manifest', `not an engine snapshot (format ${JSON.stringify(snapshot?.format)})`);
    if (snapshot.version !== ENGINE_SNAPSHOT_VERSION) throw new CheckpointVersionError(name, snapshot.version, ENGINE_SNAPSHOT_VERSION);
    const migration = migrateOldJoins(this.whole, snapshot);
    snapshot = migration.snapshot;
    const compatibility = checkCompatibility(this.whole, snapshot.steps, snapshot.segments);
    const mismatches = compatibility.mismatches.map((m) => {
      const reason = migration.refused.get(m.step);
      return reason === undefined ? m : { ...m, reason };
    });
    if (mismatches.length > 0 && !options.allowNonRestoredState) throw new CheckpointMismatchError(name, mismatches, compatibility.stepsWithoutState);
    const dropped = new Set(mismatches.map((m) => m.step));
    const split = this.stages.find((s) => s.instances.length > 1);
    if (split !== undefined && snapshot.keyGroups !== DEFAULT_KEY_GROUPS) {
      throw new CheckpointError('CHECKPOINT_MISMATCH', `${name} has ${snapshot.keyGroups} key groups; stage '${split.graph.stage.steps[0]}' of ${split.instances.length} instances routes by ${DEFAULT_KEY_GROUPS}`);
    }
    for (const s of this.stages) {
      const n = s.instances.length;
      const mine = new Set(s.graph.stage.steps);
      const ownerOf = router('keyed', n);
      const keyed = snapshot.segments.filter((seg) => seg.keyGroup !== null && mine.has(seg.step) && !dropped.has(seg.step));
      s.instances.forEach((inst, i) => {
        const steps: Record<string, StepEntry> = {};
        const segments: SegmentPayload[] = [];
        for (const step of s.graph.stage.steps) {
          const e = ownField(snapshot.steps, step);
          if (e === undefined || dropped.has(step)) continue;
          const bad = (at: number | undefined) => at !== undefined && snapshot.segments[at]?.step !== step;
          if (bad(e.operator) || bad(e.metrics)) throw new CorruptCheckpointError(name, 'bad-segment', `step '${step}' points at a segment of another step`);
          steps[step] = splitStepEntry(step, e, snapshot.segments, i, n, ownerOf, segments);
        }
        inst.engine.restore(snapshotOf(snapshot, steps, [...segments, ...keyed]), {
          checkpoint: name,
          ...(n > 1 ? { ownedGroups: new Set(groupsOfInstance(i, n, snapshot.keyGroups)) } : {}),
        });
      });
    }
    return { dropped: [...dropped], migrated: migration.migrated };
  }

  override async close(outcome: RunOutcome): Promise<void> {
    const errors: unknown[] = [];
    for (const inst of this.allInstances()) {
      try {
        await inst.engine.close(outcome);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
  }

  private *allInstances(): Generator<InstanceRun> {
    for (const s of this.stages) yield* s.instances;
  }

  /** Writes what instance `inst` emitted since the last call to its channels, then (with `statuses`) its watermark statuses, or the end marker once it finished. */
  private send(inst: InstanceRun, statuses: boolean): void {
    for (const w of inst.writes) {
      w.pending.forEach((p, to) => {
        if (p.length === 0) return;
        const all = p.splice(0);
        // In chunks of CROSSING_CHUNK records, in order (see there).
        for (let i = 0; i < all.length; i += CROSSING_CHUNK) {
          const batch = all.length <= CROSSING_CHUNK ? all : all.slice(i, i + CROSSING_CHUNK);
          const wait = w.channels[to]!.write(this.encode ? crossing(w.pcollection, batch) : batch);
          if (wait) throw new Error('StagedEngine: an exchange channel filled up');
        }
      });
    }
    if (!statuses || inst.ended) return;
    const finished = inst.engine.finished();
    for (const w of inst.writes) {
      const status = inst.engine.outputStatus(w.pcollection);
      for (const c of w.channels) {
        c.writeWatermark(status);
        if (finished) c.end();
      }
    }
    if (finished) inst.ended = true;
  }

  /** Reads everything waiting in instance `inst`'s channels into its exchange reads; a promise only once an emission went async. */
  private take(inst: InstanceRun): MaybePromise {
    for (const x of inst.exchangeReads) {
      for (let u = 0; u < x.channels.length; u++) {
        const ch = x.channels[u]!;
        while (!ch.done) {
          const m = ch.read();
          if (m === undefined) break;
          if (m.kind === 'watermark') x.valve.update(u, m.status);
          else if (m.kind === 'end') x.valve.end(u);
          const r = inst.engine.emitWindowed(x.slot, m.kind === 'data' ? m.values : [], x.valve.output);
          // The message is taken: the rest follows once the emission settled.
          if (r) return r.then(() => this.take(inst));
        }
      }
    }
    return undefined;
  }

  /** After a source batch entered its stage, carries what it caused through the instances from `i` on, in stage order. */
  private deliver(i = 0): MaybePromise {
    const all = [...this.allInstances()];
    for (; i < all.length; i++) {
      const inst = all[i]!;
      const r = this.take(inst);
      if (r) {
        const next = i + 1;
        return r.then(() => {
          this.send(inst, false);
          return this.deliver(next);
        });
      }
      this.send(inst, false);
    }
    return undefined;
  }
}

/**
 * The most records `send` passes through one `v8.serialize` and one channel message. What an instance
 * emitted since the last call crossed as one batch: a DoFn fanning out 600,000 records of one key made one
 * 600,000-record clone, whose size made the garbage collector the larger part of the run and the cost grow
 * faster than the records (bench/fanout-parallel.ts, native, --parallelism=4: 600,000 records 1.23-1.34 s, now
 * 0.90 s; 1.2 M records 2.92-3.08 s, now 1.58-1.81 s; at --parallelism=1 0.05 s: most of what is left is the clone itself).
 */
const CROSSING_CHUNK = 8192;

/**
 * Where a record of an edge with `routing` goes among `n` downstream instances: an instance index,
 * or -1 for every instance (broadcast). Keyed: the owner of the key's group; a value that is not a
 * `KV` goes to instance 0, whose step then reports it as it would with one instance, as does one whose
 * key cannot be a key (see `encodeKey`).
 */
function router(routing: ExchangeRouting, n: number): (value: unknown) => number {
  if (routing === 'broadcast') return () => -1;
  if (n === 1) return () => 0;
  if (routing === 'rebalance') {
    let next = 0;
    return () => {
      const to = next;
      next = (next + 1) % n;
      return to;
    };
  }
  return (value) => {
    if (value === null || typeof value !== 'object' || !('key' in value)) return 0;
    let ks: StateKey;
    try {
      ks = encodeKey((value as { key: unknown }).key);
    } catch {
      return 0; // a key that cannot be a key (a bigint, a Map): instance 0's step reports it, naming itself and the element
    }
    return instanceOfGroup(keyGroupOf(ks), n);
  };
}

/**
 * A step of the stage reads a side input made in the same stage: with several instances, each would
 * see only its own instance's part of the view (a broadcast edge inside a stage), so the stage runs one.
 */
function hasInnerSideInput(g: StageGraph): boolean {
  const here = new Set(g.stage.steps);
  return g.graph.primitives.some((n) => n.sideInputs.some((v) => here.has(v.pcollection.producer.fullName)));
}

/**
 * A ParDo of the stage has a DoFn with lifecycle methods (setup, startBundle, finishBundle, teardown):
 * it may keep a resource in the DoFn object (a sink's file or producer), which inline instances would
 * share, so the stage runs one instance (pinning, design §2.8, comes with worker threads).
 */
function hasLifecycleDoFn(g: StageGraph): boolean {
  return g.graph.primitives.some((n) => {
    const p = n.payload;
    return p?.kind === 'pardo' && (p.fn.setup !== undefined || p.fn.startBundle !== undefined || p.fn.finishBundle !== undefined || p.fn.teardown !== undefined);
  });
}

/**
 * A step of the stage is a `Combine.globally` with a default for an empty input: each instance that saw
 * nothing would emit the default at the end, so with three instances the one result came with two extra
 * defaults. All its records have the key `null` and go to one instance anyway, so the stage runs one.
 */
function hasEmptyDefault(g: StageGraph): boolean {
  return g.graph.primitives.some((n) => n.payload?.kind === 'combine' && n.payload.defaultWhenEmpty);
}

/**
 * A step of the stage is a sink with two-phase commit (exactly-once): its pre-commit handle is one per step
 * in a checkpoint, and its transactional ids and part files are per subtask, so the stage runs one instance.
 */
function hasTwoPhaseCommit(g: StageGraph): boolean {
  return g.graph.primitives.some((n) => n.payload?.kind === 'pardo' && n.payload.fn.twoPhaseCommit !== undefined);
}

/** The counters of one step summed over its instances (distributions merged). */
function sumMetrics(all: readonly StepMetrics[]): StepMetrics {
  const out: StepMetrics = { elementsIn: 0, elementsOut: 0, lateDropped: 0, deadLettered: 0, counters: {}, distributions: {} };
  for (const m of all) {
    out.elementsIn += m.elementsIn;
    out.elementsOut += m.elementsOut;
    out.lateDropped += m.lateDropped;
    out.deadLettered += m.deadLettered;
    for (const [k, v] of Object.entries(m.counters)) setOwnField(out.counters, k, (ownField(out.counters, k) ?? 0) + v);
    for (const [k, d] of Object.entries(m.distributions)) {
      const o = ownField(out.distributions, k);
      setOwnField(out.distributions, k, o === undefined ? { ...d } : { count: o.count + d.count, sum: o.sum + d.sum, min: Math.min(o.min, d.min), max: Math.max(o.max, d.max) });
    }
  }
  return out;
}

/** One stage of a `StagedEngine`. */
export interface StageRun {
  readonly graph: StageGraph;
  readonly instances: readonly InstanceRun[];
}

/** One instance of a stage: its engine, its exchange reads (one channel per upstream instance) and writes (one channel per downstream instance). */
export interface InstanceRun {
  readonly engine: Engine;
  readonly exchangeReads: readonly { readonly read: ExchangeRead; readonly slot: ReadSlot; readonly valve: WatermarkValve; readonly channels: readonly Channel<unknown>[] }[];
  readonly writes: { readonly pcollection: PCollection<unknown>; readonly channels: readonly Channel<unknown>[]; readonly pending: WindowedValue<unknown>[][] }[];
  ended: boolean;
}

/**
 * `batch` as the next stage receives it: through `v8.serialize`, as between processes. An element that
 * cannot be cloned (it holds a function, a symbol, a class with private state V8 cannot copy) fails the
 * run with a UserCodeError naming the step that emitted it, the element, its window and timestamp; before,
 * with V8's bare DataCloneError, naming nothing (a run with one instance per step never clones, so it
 * passed there).
 */
function crossing(pc: PCollection<unknown>, batch: WindowedValue<unknown>[]): WindowedValue<unknown>[] {
  try {
    return deserialize(serialize(batch)) as WindowedValue<unknown>[];
  } catch (e) {
    for (const wv of batch) {
      try {
        serialize(wv);
      } catch (cause) {
        throw new UserCodeError(pc.producer.fullName, 'sending an element to the next stage (elements of a parallel run are cloned)', cause, wv.value, wv.window, wv.timestamp);
      }
    }
    throw e;
  }
}
