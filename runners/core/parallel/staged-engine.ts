import { deserialize, serialize } from 'node:v8';
import type { RunOutcome } from '../../../sdk/dofn.js';
import type { PipelineGraph } from '../../../sdk/graph.js';
import type { SourceBatch } from '../../../sdk/io/source.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import { TIMESTAMP_MAX, type Instant } from '../../../sdk/time.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import { Engine, type EngineOptions, type ReadSlot } from '../engine.js';
import { createChannel, type Channel } from '../exchange/channel.js';
import { createWatermarkValve, type WatermarkValve } from '../exchange/watermark-valve.js';
import type { MaybePromise } from '../operators/operator.js';
import { stageGraphs, type StageGraph } from '../plan/stage-graph.js';
import { InMemoryStateBackend, type StateBackend } from '../state/state-backend.js';

/**
 * A pipeline run as its stages, one `Engine` (one instance) per stage, connected by exchange channels
 * (design: docs/design/scale-out.md §6 step 3). It shows the `Engine` surface the runner loops use
 * (`reads`, `emitBatch`, `pass`, `finishBundles`, `finished`, ...), so the native and micro-batch loops
 * drive it unchanged, and a test can check that a run as stages gives what the whole graph gives. Only
 * a runner that asks for it (`LoopRunner.createEngine`) uses it: a normal run never does.
 *
 * How it moves records and watermarks, in one thread, deterministically:
 * - every PCollection that leaves a stage is tapped (`Engine.tapOutput`); what a stage emits is written,
 *   as one batch per call, to the channel of each stage reading it, passed through `v8.serialize` as a
 *   thread or a process would see it, and read at once into the reading stage (`Engine.emitWindowed`),
 *   stage after stage in stage order, before the call returns;
 * - `pass` runs the stages in order. After a stage's pass, each exchange write sends the status of its
 *   PCollection (`Engine.outputStatus`: watermark and idleness) after the data it covers; the reading
 *   stage's valve merges it (one input: the one upstream instance) before that stage's pass. A stage
 *   whose engine finished sends the end marker. Stages form a DAG in index order, so one sweep moves
 *   watermarks as far as one pass of the whole graph does;
 * - `finishBundles` does the same, stage by stage, without statuses (watermarks do not move there).
 *
 * Each stage has its own state backend (keyed state stays split by key group, named by step), so the
 * stage engines share nothing but the clock. Checkpoints are not supported yet (design step 5):
 * `capture` and `restore` throw.
 *
 * @example
 * class StagedNative extends NativeRunner { protected override createEngine(g, o) { return new StagedEngine(g, o); } }
 */
export class StagedEngine extends Engine {
  /** The stages, in order, with their engines and exchange wiring. */
  readonly stages: readonly StageRun[];
  private readonly engineOf = new Map<ReadSlot, Engine>();
  private readonly idleTimeout: number | undefined;
  private readonly encode: boolean;

  /**
   * @param encode pass records that cross a cut through `v8.serialize` / `deserialize` (default true)
   * @param stateFor the state backend of each stage (default: a new in-memory one per stage)
   */
  constructor(graph: PipelineGraph, o: EngineOptions, encode = true, stateFor: (stage: number) => StateBackend = () => new InMemoryStateBackend()) {
    super({ primitives: [], all: [], pcollections: [] }, o);
    this.idleTimeout = o.idleTimeout;
    this.encode = encode;
    const graphs = stageGraphs(graph);
    const stages: StageRun[] = graphs.map((g) => {
      const engine = new Engine(g.graph, { ...o, state: stateFor(g.stage.index) });
      const exchangeReads = g.reads.map((r) => {
        const slot = engine.reads.find((s) => s.node === r.node)!;
        const valve = createWatermarkValve(1);
        engine.feedFromValve(slot, valve);
        return { read: r, slot, valve, channel: createChannel<unknown>(Number.MAX_SAFE_INTEGER) };
      });
      return { graph: g, engine, exchangeReads, writes: [], ended: false };
    });
    // Each write feeds the channel of its reading stage's exchange read of the same PCollection.
    for (const s of stages) {
      for (const w of s.graph.writes) {
        const target = stages[w.toStage]!.exchangeReads.find((r) => r.read.pcollection === w.pcollection)!;
        const pending: WindowedValue<unknown>[] = [];
        s.engine.tapOutput(w.pcollection, (value, timestamp, window, pane, retraction) => {
          pending.push(retraction ? { value, timestamp, window, pane, retraction } : { value, timestamp, window, pane });
        });
        s.writes.push({ pcollection: w.pcollection, channel: target.channel, pending });
      }
    }
    this.stages = stages;
    // The source reads, in the whole graph's order (the loops poll them in this order).
    const order = new Map(graph.primitives.map((n, i) => [n, i]));
    const sources: { slot: ReadSlot; engine: Engine }[] = [];
    for (const s of stages) for (const r of s.engine.reads) if (!s.exchangeReads.some((x) => x.slot === r)) sources.push({ slot: r, engine: s.engine });
    sources.sort((a, b) => order.get(a.slot.node)! - order.get(b.slot.node)!);
    for (const { slot, engine } of sources) {
      this.reads.push(slot);
      this.engineOf.set(slot, engine);
    }
    // Counters by step name: each step is in one stage (the exchange reads are not steps).
    for (const s of stages) for (const n of s.graph.stage.steps) this.metrics[n] = s.engine.metrics[n] as StepMetrics;
  }

  override tapSideOutputs(keep: (step: string, kind: 'late' | 'deadLetter', value: unknown) => void): void {
    for (const s of this.stages) s.engine.tapSideOutputs(keep);
  }

  override async open(): Promise<void> {
    for (const s of this.stages) await s.engine.open();
  }

  override emitBatch(read: ReadSlot, polled: SourceBatch<unknown>, position?: unknown): MaybePromise {
    const engine = this.engineOf.get(read);
    if (engine === undefined) throw new Error(`StagedEngine.emitBatch: '${read.node.fullName}' is not a source read of this pipeline`);
    const r = engine.emitBatch(read, polled, position);
    return r ? r.then(() => this.deliver()) : this.deliver();
  }

  override async pass(what: { flush?: boolean; watermarks?: boolean; processingTime?: Instant }): Promise<void> {
    for (let i = 0; i < this.stages.length; i++) {
      const s = this.stages[i]!;
      const t = this.take(s);
      if (t) await t;
      await s.engine.pass(what);
      this.send(s, what.watermarks === true);
    }
  }

  override async finishBundles(): Promise<void> {
    for (const s of this.stages) {
      const t = this.take(s);
      if (t) await t;
      await s.engine.finishBundles();
      this.send(s, false);
    }
  }

  override nextProcessingTimer(): Instant | undefined {
    let t: Instant | undefined;
    for (const s of this.stages) {
      const x = s.engine.nextProcessingTimer();
      if (x !== undefined && (t === undefined || x < t)) t = x;
    }
    return t;
  }

  /** As `Engine.nextTimedWork`, over every stage, with only source reads going idle (exchange reads follow their valves). */
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
    return this.stages.some((s) => s.engine.hasStagedInput() || s.writes.some((w) => w.pending.length > 0 || w.channel.size > 0));
  }

  override finished(): boolean {
    return this.stages.every((s) => s.engine.finished()) && !this.hasStagedInput();
  }

  /** Ends the source reads only: exchange reads end when their upstream stage's watermark, sent after its last output, reaches +infinity. */
  override drainReads(): number {
    let n = 0;
    for (const r of this.reads) {
      if (r.done) continue;
      r.done = true;
      r.watermark = TIMESTAMP_MAX;
      n++;
    }
    return n;
  }

  override sourceWatermark(): Instant {
    let wm = TIMESTAMP_MAX;
    for (const r of this.reads) if (r.watermark < wm) wm = r.watermark;
    return wm;
  }

  override capture(): never {
    throw new Error('StagedEngine: checkpoints of a run as stages come with design step 5');
  }

  override restore(): never {
    throw new Error('StagedEngine: checkpoints of a run as stages come with design step 5');
  }

  override async close(outcome: RunOutcome): Promise<void> {
    const errors: unknown[] = [];
    for (const s of this.stages) {
      try {
        await s.engine.close(outcome);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
  }

  /** Writes what stage `s` emitted since the last call to its channels, then (with `statuses`) its watermark statuses, or the end marker once it finished. */
  private send(s: StageRun, statuses: boolean): void {
    for (const w of s.writes) {
      if (w.pending.length > 0) {
        const batch = w.pending.splice(0);
        const wait = w.channel.write(this.encode ? (deserialize(serialize(batch)) as WindowedValue<unknown>[]) : batch);
        // The channel has no bound here (its reader takes everything before the next write): never full.
        if (wait) throw new Error('StagedEngine: an exchange channel filled up');
      }
    }
    if (!statuses || s.ended) return;
    const finished = s.engine.finished();
    for (const w of s.writes) {
      w.channel.writeWatermark(s.engine.outputStatus(w.pcollection));
      if (finished) w.channel.end();
    }
    if (finished) s.ended = true;
  }

  /** Reads everything waiting in stage `s`'s channels into its exchange reads; a promise only once an emission went async. */
  private take(s: StageRun): MaybePromise {
    for (const x of s.exchangeReads) {
      while (!x.channel.done) {
        const m = x.channel.read();
        if (m === undefined) break;
        if (m.kind === 'watermark') x.valve.update(0, m.status);
        else if (m.kind === 'end') x.valve.end(0);
        const r = s.engine.emitWindowed(x.slot, m.kind === 'data' ? m.values : [], x.valve.output);
        // The message is taken: the rest follows once the emission settled.
        if (r) return r.then(() => this.take(s));
      }
    }
    return undefined;
  }

  /** After a source batch entered its stage, carries what it caused through the stages from `i` on, in order. */
  private deliver(i = 0): MaybePromise {
    for (; i < this.stages.length; i++) {
      const s = this.stages[i]!;
      const r = this.take(s);
      if (r) {
        const next = i + 1;
        return r.then(() => {
          this.send(s, false);
          return this.deliver(next);
        });
      }
      this.send(s, false);
    }
    return undefined;
  }
}

/** One stage of a `StagedEngine`. */
export interface StageRun {
  readonly graph: StageGraph;
  readonly engine: Engine;
  readonly exchangeReads: readonly { readonly read: StageGraph['reads'][number]; readonly slot: ReadSlot; readonly valve: WatermarkValve; readonly channel: Channel<unknown> }[];
  readonly writes: { readonly pcollection: StageGraph['writes'][number]['pcollection']; readonly channel: Channel<unknown>; readonly pending: WindowedValue<unknown>[] }[];
  ended: boolean;
}
