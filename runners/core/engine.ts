import { match } from 'ts-pattern';
import type { Clock } from '../../sdk/clock.js';
import type { RunOutcome } from '../../sdk/dofn.js';
import { CheckpointError, CheckpointMismatchError, CheckpointVersionError, CorruptCheckpointError, type UnsupportedFeature } from '../../sdk/errors.js';
import type { CheckpointingInfo } from '../../sdk/io/two-phase-commit.js';
import type { PipelineGraph, ReadPayload, TransformNode } from '../../sdk/graph.js';
import { emptyStepMetrics, type StepMetrics } from '../../sdk/metrics.js';
import { NO_FIRING } from '../../sdk/pane.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { sourceBatchSize, type Source, type SourceBatch, type SourceReader } from '../../sdk/io/source.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../../sdk/time.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import type { WindowedValue } from '../../sdk/windowed-value.js';
import type { PaneInfo } from '../../sdk/pane.js';
import type { BoundedWindow } from '../../sdk/window.js';
import type { WatermarkStatus, WatermarkValve } from './exchange/watermark-valve.js';
import { Columns, type ColumnChunk } from './columns.js';
import { withoutInvalidTimestamps } from './invalid-timestamps.js';
import type { FireMode } from './driver/window-driver.js';
import { carriesRetractions, slicingOf } from './driver/slicing.js';
import { AggregateOperator } from './operators/aggregate-operator.js';
import { FlattenOperator } from './operators/flatten-operator.js';
import type { MaybePromise, Operator, OperatorContext } from './operators/operator.js';
import { OutputPort } from './operators/output-port.js';
import { ParDoOperator } from './operators/par-do-operator.js';
import { WindowIntoOperator } from './operators/window-into-operator.js';
import type { StateBackend } from './state/state-backend.js';
import type { SegmentPayload } from './checkpoint/checkpoint-file.js';
import { checkCompatibility, stepFingerprint, stepKind } from './checkpoint/checkpoint-compat.js';
import { migrateOldJoins } from './checkpoint/old-join-migration.js';
import { v8Codec } from './checkpoint/codecs/v8-codec.js';
import { ENGINE_SNAPSHOT_FORMAT, ENGINE_SNAPSHOT_VERSION, OPERATOR_TABLE, type EngineSnapshot } from './checkpoint/engine-snapshot.js';
import type { StepEntry } from './checkpoint/manifest.js';
import { restoreStepMetrics, stepMetricsSegment } from './checkpoint/step-metrics-segment.js';
import { DEFAULT_KEY_GROUPS, KEY_HASH } from './state/key-groups.js';
import { ownField } from '../../sdk/internal/own-field.js';

/**
 * How outputs reach consumers:
 * - `direct`: an emit calls the consumer at once, so each element runs through the whole graph
 *   before the next (native streaming);
 * - `staged`: like Spark, narrow steps (stateless ParDo, Window, Flatten) are pipelined within the
 *   stage that feeds them, a chunk of elements at a time (`processColumns`), and every edge into a shuffle (GroupByKey, Combine, stateful ParDo) and
 *   every side input is materialised as a column batch (values, timestamps, windows, panes: no object
 *   per element); `pass()` then runs the stages one after another, each over its whole batch
 *   (micro-batch).
 */
export type Wiring = 'direct' | 'staged';

export interface EngineOptions {
  readonly clock: Clock;
  readonly state: StateBackend;
  readonly fireMode: FireMode;
  readonly wiring: Wiring;
  /**
   * An unfinished source that produced nothing for this long (processing time) stops holding back
   * the watermark of steps with other, active inputs; it counts again when it produces. Default: never.
   */
  readonly idleTimeout?: number;
  /** The run checkpoints: passed to every operator (DoFn setup's `checkpointing`). */
  readonly checkpointing?: CheckpointingInfo;
}

interface Consumer {
  readonly slot: OpSlot;
  readonly index: number;
  readonly side: boolean;
}

interface Inbox {
  readonly index: number;
  readonly side: boolean;
  readonly columns: Columns;
}

interface OpSlot {
  readonly node: TransformNode;
  readonly op: Operator;
  readonly sideInputs: readonly PCollection<unknown>[];
  inputWm: Instant;
  readonly sideWm: Instant[];
  outputWm: Instant;
  /** Staged wiring: one inbox per incoming edge (main input i or side input i). */
  readonly inboxes: Inbox[];
}

/** A step as `Engine.stepViews` shows it to a run monitor. */
export interface StepView {
  readonly step: string;
  readonly inputWm: Instant;
  readonly outputWm: Instant;
  /** Rows waiting in the step's inboxes. */
  readonly buffered: number;
}

/** One Read step: its source, reader and watermark. */
export interface ReadSlot {
  readonly node: TransformNode;
  readonly source: Source<unknown>;
  reader: SourceReader<unknown> | undefined;
  watermark: Instant;
  done: boolean;
  readonly main: OutputPort;
  readonly deadLetter: OutputPort;
  readonly metrics: StepMetrics;
  /** Processing time of the last batch with elements (for idleness). */
  lastActive: Instant;
  /**
   * The source position after the last batch emitted (from the pump, never the reader's read-ahead
   * position): what a checkpoint records and a resumed run opens the source at. Undefined for a
   * source without positions.
   */
  position?: unknown;
}

/**
 * The runner core's executable graph: one operator per primitive step, output ports wired to
 * consumers, and the watermark bookkeeping (a step's input watermark is the minimum of its inputs'
 * output watermarks; sources set theirs). Runners own the loop: when to read, when to move time.
 */
export class Engine {
  readonly reads: ReadSlot[] = [];
  readonly slots: OpSlot[] = [];
  readonly metrics: Record<string, StepMetrics> = {};
  private readonly producerWm = new Map<PCollection<unknown>, () => Instant>();
  /** Whether a PCollection is idle: its source produced nothing for idleTimeout, or all its step's inputs are idle. */
  private readonly producerIdle = new Map<PCollection<unknown>, () => boolean>();
  private readonly idleSlots = new Set<OpSlot>();
  /** Every output port, to check that nothing is in flight when a snapshot is taken. */
  private readonly allPorts: OutputPort[] = [];
  /** Some input or pass ran: too late to restore a snapshot. */
  private ran = false;
  /** The `late` and `deadLetter` outputs of every step (see tapSideOutputs). */
  private readonly sidePorts: { readonly step: string; readonly kind: 'late' | 'deadLetter'; readonly port: OutputPort }[] = [];
  /** The output port of every PCollection a step of this graph makes (for `tapOutput`). */
  private readonly outputPorts = new Map<PCollection<unknown>, OutputPort>();

  constructor(
    private readonly graph: PipelineGraph,
    private readonly o: EngineOptions,
  ) {
    const consumers = new Map<PCollection<unknown>, Consumer[]>();
    const ports = this.outputPorts;
    const portsOf = (node: TransformNode, metrics: StepMetrics, countTags: (tag: string) => boolean): Record<string, OutputPort> => {
      const out: Record<string, OutputPort> = {};
      for (const [tag, pc] of Object.entries(node.outputs)) {
        const p = new OutputPort(countTags(tag) ? metrics : undefined);
        out[tag] = p;
        this.allPorts.push(p);
        if (tag === 'late' || tag === 'deadLetter') this.sidePorts.push({ step: node.fullName, kind: tag, port: p });
        ports.set(pc, p);
      }
      return out;
    };
    for (const node of graph.primitives) {
      const metrics = (this.metrics[node.fullName] = emptyStepMetrics());
      const payload = node.payload!;
      if (payload.kind === 'read') {
        const p = portsOf(node, metrics, (t) => t === 'main');
        const slot: ReadSlot = {
          node,
          source: (payload as ReadPayload).source,
          reader: undefined,
          watermark: TIMESTAMP_MIN,
          done: false,
          main: p['main']!,
          deadLetter: p['deadLetter']!,
          metrics,
          lastActive: o.clock.now(),
        };
        this.reads.push(slot);
        const idleTimeout = o.idleTimeout ?? Number.POSITIVE_INFINITY;
        for (const pc of Object.values(node.outputs)) {
          this.producerWm.set(pc, () => slot.watermark);
          this.producerIdle.set(pc, () => !slot.done && o.clock.now() - slot.lastActive >= idleTimeout);
        }
        continue;
      }
      const ctx: OperatorContext = {
        step: node.fullName,
        clock: o.clock,
        state: o.state,
        metrics,
        fireMode: o.fireMode,
        ports: portsOf(node, metrics, (t) => t !== 'late' && t !== 'deadLetter'),
        checkpointing: o.checkpointing,
      };
      const input = node.inputs[0]!;
      // One operator per primitive kind (reads were handled above); a new kind fails to compile here.
      const op: Operator = match(payload)
        .with({ kind: 'pardo' }, (pardo) => new ParDoOperator(ctx, pardo, input.windowing))
        .with({ kind: 'window' }, (window) => new WindowIntoOperator(ctx, window, node.outputs['main']!.windowing.windowFn))
        .with({ kind: 'flatten' }, (flatten) => new FlattenOperator(ctx, flatten.tags))
        .with({ kind: 'gbk' }, () => new AggregateOperator(ctx, input.windowing, undefined, input.windowing.accumulationMode === 'retracting'))
        // Buffer inputs (for a CombineFn without retractInput) only when retraction records can arrive.
        .with({ kind: 'combine' }, (combine) => new AggregateOperator(ctx, input.windowing, combine, carriesRetractions(input), slicingOf(node)))
        .exhaustive();
      const slot: OpSlot = {
        node,
        op,
        sideInputs: node.sideInputs.map((v) => v.pcollection),
        inputWm: TIMESTAMP_MIN,
        sideWm: node.sideInputs.map(() => TIMESTAMP_MIN),
        outputWm: TIMESTAMP_MIN,
        inboxes: [],
      };
      this.slots.push(slot);
      for (const pc of Object.values(node.outputs)) {
        this.producerWm.set(pc, () => slot.outputWm);
        this.producerIdle.set(pc, () => this.idleSlots.has(slot));
      }
      node.inputs.forEach((pc, index) => push(consumers, pc, { slot, index, side: false }));
      slot.sideInputs.forEach((pc, index) => push(consumers, pc, { slot, index, side: true }));
    }
    for (const [pc, cs] of consumers) {
      const port = ports.get(pc)!;
      for (const c of cs) {
        const late = c.slot.node.outputs['late'];
        this.connect(port, c, late !== undefined && consumers.has(late));
      }
    }
  }

  /** @param lateRecordsUsed the consuming step's late records (`lateData()`) are read downstream */
  private connect(port: OutputPort, c: Consumer, lateRecordsUsed: boolean): void {
    const { slot, index, side } = c;
    const kind = slot.node.payload!.kind;
    const op = slot.op;
    const shuffle = kind === 'gbk' || kind === 'combine' || (kind === 'pardo' && slot.node.payload!.stateful) || op.takesInputAtPass();
    if (this.o.wiring === 'staged' && (side || shuffle)) {
      // A step that cannot tell when in the batch it takes its input takes each chunk once it is full
      // (as Spark aggregates map-side), so that a large batch is not held row by row until its end.
      const early = !side && op.takesInputEarly() && !lateRecordsUsed;
      const inbox: Inbox = { index, side, columns: new Columns(early ? (chunk) => takeEarly(op, index, chunk) : undefined) };
      slot.inboxes.push(inbox);
      port.connectColumns(inbox.columns);
      return;
    }
    if (side) {
      port.connect((value, timestamp, window, pane, retraction) => op.processSideInput(index, { value, timestamp, window, pane, retraction }));
    } else if (this.o.wiring === 'staged') {
      // A narrow step of a micro-batch stage runs a chunk of its input at a time.
      port.connectChunks((chunk) => op.processColumns(index, chunk));
    } else {
      port.connect((value, timestamp, window, pane, retraction) => op.processParts(index, value, timestamp, window, pane, retraction));
    }
  }

  /**
   * Hands `keep` every record a step drops as late (a `LateRecord`) or dead-letters (a `DeadLetter`)
   * from now on, synchronously, besides its consumers (observers show the latest ones). Ordinary
   * outputs are not touched, so the per-element cost is nil; `keep` must not throw or keep much.
   */
  tapSideOutputs(keep: (step: string, kind: 'late' | 'deadLetter', value: unknown) => void): void {
    for (const { step, kind, port } of this.sidePorts) port.connect((value) => keep(step, kind, value));
  }

  /**
   * Exchange write (design: docs/design/scale-out.md §3.2): hands `receive` every record `pc` carries
   * from now on, with its window, pane and retraction flag, synchronously as its step emits it (micro-batch
   * too: per element, before the step's chunk reaches its other consumers). Nothing else changes. A stage's
   * executor taps each PCollection that leaves the stage and sends what it gets over the exchange;
   * a normal run never calls it.
   * @throws Error when no step of this engine's graph makes `pc`.
   * @example engine.tapOutput(counts, (value, timestamp, window, pane, retraction) => out.push({ value, timestamp, window, pane, retraction }));
   */
  tapOutput(pc: PCollection<unknown>, receive: (value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean) => void): void {
    const port = this.outputPorts.get(pc);
    if (port === undefined) throw new Error(`Engine.tapOutput: no step of this graph makes '${pc.name}'`);
    port.connect(receive);
  }

  /**
   * Exchange write: the watermark and idleness of `pc` as its consumers in this engine would see them
   * now (the producing step's output watermark, or its read's; idle as `pass` counts it). Sent downstream
   * after the records it covers, once per pass. @throws Error when no step of this engine's graph makes `pc`.
   */
  outputStatus(pc: PCollection<unknown>): WatermarkStatus {
    const wm = this.producerWm.get(pc);
    if (wm === undefined) throw new Error(`Engine.outputStatus: no step of this graph makes '${pc.name}'`);
    return { watermark: wm(), idle: this.producerIdle.get(pc)!() };
  }

  /**
   * Exchange read: `read` (a read step of this graph whose records come from other instances, not from
   * a source) is idle when `valve` says every upstream instance is, instead of by `idleTimeout`. Its
   * watermark is the one {@link emitWindowed} gives it (the valve's output). Call before the first pass.
   */
  feedFromValve(read: ReadSlot, valve: WatermarkValve): void {
    for (const pc of Object.values(read.node.outputs)) this.producerIdle.set(pc, () => valve.idle);
  }

  /**
   * Exchange read: emits records that crossed a cut on `read`'s main output as they are (window, pane and
   * retraction flag kept, unlike a source's elements, which enter the global window), then raises the
   * read's watermark to `watermark` (never lowers it; at TIMESTAMP_MAX the read is done). Like
   * `emitBatch`, the watermark reaches consumers at the next `pass`. Returns what is still in flight.
   * @example await engine.emitWindowed(read, [{ value: kv('a', 2), timestamp: 999, window, pane }], valve.output);
   */
  emitWindowed(read: ReadSlot, values: readonly WindowedValue<unknown>[], watermark: Instant): MaybePromise {
    this.ran = true;
    read.metrics.elementsIn += values.length;
    const main = read.main;
    let chain: Promise<void> | undefined;
    for (let i = 0; i < values.length; i++) {
      const wv = values[i]!;
      if (chain) chain = chain.then(() => sendTo(main, wv));
      else {
        main.emit(wv);
        if (main.hasPending) chain = main.takePending();
      }
    }
    chain = settlePort(main, chain);
    if (watermark > read.watermark) read.watermark = watermark;
    if (read.watermark >= TIMESTAMP_MAX) read.done = true;
    return chain;
  }

  /** Calls every operator's setup (DoFn.setup). */
  async open(): Promise<void> {
    for (const s of this.slots) await s.op.open();
  }

  /**
   * Emits a source's batch: elements into the global window, dead letters to the dead-letter output
   * (with every element whose timestamp is not a valid instant, see `withoutInvalidTimestamps`).
   * `position` is the source's position after this batch (`SourcePump.position` once it was taken);
   * it becomes `read.position`.
   */
  emitBatch(read: ReadSlot, polled: SourceBatch<unknown>, position?: unknown): MaybePromise {
    if (position !== undefined) read.position = position;
    const batch = withoutInvalidTimestamps(read.node.fullName, polled);
    this.ran = true;
    const size = sourceBatchSize(batch);
    read.metrics.elementsIn += size;
    if (size > 0) read.lastActive = this.o.clock.now();
    let chain: Promise<void> | undefined;
    const main = read.main;
    const els = batch.elements;
    for (let i = 0; i < els.length; i++) chain = emitFromSource(main, els[i]!.value, els[i]!.timestamp, chain);
    if (batch.columns) {
      const { values, timestamps } = batch.columns;
      if (chain) for (let i = 0; i < values.length; i++) chain = emitFromSource(main, values[i], timestamps[i]!, chain);
      else {
        main.emitColumns(values, timestamps, GLOBAL_WINDOW, NO_FIRING);
        if (main.hasPending) chain = main.takePending();
      }
    }
    chain = settlePort(main, chain);
    if (batch.deadLetters) {
      for (const d of batch.deadLetters) {
        read.metrics.deadLettered++;
        const wv: WindowedValue<unknown> = { value: d, timestamp: d.timestamp ?? read.watermark, window: GLOBAL_WINDOW, pane: NO_FIRING };
        if (chain) chain = chain.then(() => sendTo(read.deadLetter, wv));
        else {
          read.deadLetter.emit(wv);
          const p = read.deadLetter.takePending();
          if (p) chain = p;
        }
      }
      chain = settlePort(read.deadLetter, chain);
    }
    if (batch.done) {
      read.done = true;
      read.watermark = TIMESTAMP_MAX;
    } else if (batch.watermark > read.watermark) read.watermark = batch.watermark;
    return chain;
  }

  /**
   * One pass over the steps in topological order. For each step: run its inbox (staged wiring),
   * evaluate deferred triggers (`flush`), then move its watermarks (`watermarks`). Outputs produced
   * reach downstream steps before their own watermark moves, so nothing becomes late by the pass.
   */
  async pass(what: { flush?: boolean; watermarks?: boolean; processingTime?: Instant }): Promise<void> {
    this.ran = true;
    for (const slot of this.slots) {
      const op = slot.op;
      op.beginPass(what.processingTime);
      await this.drain(slot);
      if (what.processingTime !== undefined) {
        const r = op.advanceProcessingTime(what.processingTime);
        if (r) await r;
        await this.drain(slot);
      }
      if (what.flush) {
        const r = op.flush();
        if (r) await r;
      }
      if (what.watermarks) {
        for (let i = 0; i < slot.sideInputs.length; i++) {
          const wm = wholeMs(this.producerWm.get(slot.sideInputs[i]!)!());
          if (wm > slot.sideWm[i]!) {
            slot.sideWm[i] = wm;
            const r = op.advanceSideWatermark(i, wm);
            if (r) await r;
          }
        }
        // The minimum over inputs, leaving out idle ones unless every input is idle.
        let wm = TIMESTAMP_MAX;
        let active = 0;
        for (const pc of slot.node.inputs) {
          if (this.producerIdle.get(pc)!()) continue;
          active++;
          const w = this.producerWm.get(pc)!();
          if (w < wm) wm = w;
        }
        if (active === 0) {
          this.idleSlots.add(slot);
          wm = slot.inputWm;
        } else {
          this.idleSlots.delete(slot);
          wm = wholeMs(wm);
        }
        if (wm > slot.inputWm) {
          slot.inputWm = wm;
          const r = op.advanceWatermark(wm);
          if (r) await r;
        }
        const out = op.outputWatermark();
        if (out > slot.outputWm) slot.outputWm = out;
      }
    }
  }

  /** Staged wiring: runs the step over everything in its inboxes, side inputs first, chunk by chunk. */
  private async drain(slot: OpSlot): Promise<void> {
    const op = slot.op;
    for (let more = true; more; ) {
      more = false;
      for (const inbox of slot.inboxes) {
        if (!inbox.side || inbox.columns.length === 0) continue;
        for (const c of inbox.columns.take()) {
          for (let i = 0; i < c.length; i++) {
            const r = op.processSideInput(inbox.index, { value: c.values[i], timestamp: c.timestamps[i]!, window: c.windows[i]!, pane: c.panes[i]!, retraction: c.retractions?.[i] === 1 });
            if (r) await r;
          }
        }
        more = true;
      }
      for (const inbox of slot.inboxes) {
        if (inbox.side || inbox.columns.length === 0) continue;
        for (const c of inbox.columns.take()) {
          const r = op.processColumns(inbox.index, c);
          if (r) await r;
          inbox.columns.recycle(c);
        }
        more = true;
      }
    }
  }

  /** Ends the current bundle on every step (DoFn.finishBundle). */
  async finishBundles(): Promise<void> {
    for (const slot of this.slots) {
      await this.drain(slot);
      const r = slot.op.finishBundle();
      if (r) await r;
    }
  }

  /** The earliest processing-time timer of any step, so the runner knows when to wake up. */
  nextProcessingTimer(): Instant | undefined {
    let t: Instant | undefined;
    for (const s of this.slots) {
      const x = s.op.nextProcessingTimer();
      if (x !== undefined && (t === undefined || x < t)) t = x;
    }
    return t;
  }

  /**
   * The earliest processing time at which a pass could do something without new input or a new
   * watermark: a processing-time timer or trigger falls due, or (with `idleTimeout`) a source still
   * being read goes idle after `now`. Undefined when nothing is scheduled. The micro-batch runner
   * skips the batch boundaries before it when a TestStream moves processing time far ahead.
   */
  nextTimedWork(now: Instant): Instant | undefined {
    let t = this.nextProcessingTimer();
    const idle = this.o.idleTimeout;
    if (idle !== undefined && Number.isFinite(idle)) {
      for (const r of this.reads) {
        const at = r.lastActive + idle;
        if (!r.done && at > now && (t === undefined || at < t)) t = at;
      }
    }
    return t;
  }

  /**
   * Every non-read step as a run monitor samples it, in graph order: its name, watermarks and the rows
   * waiting in its inboxes (its counters are `metrics[step]`). An engine over stages
   * (`StagedEngine`) overrides it to merge each step's instances.
   * @example for (const v of engine.stepViews()) console.log(v.step, v.outputWm, v.buffered)
   */
  stepViews(): StepView[] {
    return this.slots.map((s) => {
      let buffered = 0;
      for (const inbox of s.inboxes) buffered += inbox.columns.length;
      return { step: s.node.fullName, inputWm: s.inputWm, outputWm: s.outputWm, buffered };
    });
  }

  /** Staged wiring: some step has input waiting in an inbox (e.g. emitted by a finishBundle after the last pass). */
  hasStagedInput(): boolean {
    return this.slots.some((s) => s.inboxes.some((i) => i.columns.length > 0));
  }

  /** True when every source is done and every step's output watermark reached +infinity. */
  finished(): boolean {
    return this.reads.every((r) => r.done) && this.slots.every((s) => s.outputWm >= TIMESTAMP_MAX) && !this.hasStagedInput();
  }

  /**
   * Drain (`PipelineRun.stop({drain: true})`): every read still being read takes no more input and
   * counts as finished, its watermark at the end of time, as Dataflow's drain does. The passes that
   * follow fire every window's last pane and every event-time timer, until {@link finished}. A read's
   * `position` stays the one of the last batch it took. Call at a quiescent point.
   * @returns how many reads it ended (0: every input had ended already)
   */
  drainReads(): number {
    let n = 0;
    for (const r of this.reads) {
      if (r.done) continue;
      r.done = true;
      r.watermark = TIMESTAMP_MAX;
      n++;
    }
    return n;
  }

  /** Every step's operator, in graph order (a staged run: over all its instances). The checkpoint coordinator finds the sinks among them. */
  operators(): Operator[] {
    return this.slots.map((s) => s.op);
  }

  /** The minimum of all source watermarks. */
  sourceWatermark(): Instant {
    let wm = TIMESTAMP_MAX;
    for (const r of this.reads) if (r.watermark < wm) wm = r.watermark;
    return wm;
  }

  /**
   * Takes a runner-neutral snapshot of everything the engine holds (see EngineSnapshot): per step its
   * watermarks, operator state and counters, per source its watermark and `done`, and all keyed state by key
   * group. Call it at a quiescent point only: after `emitBatch`, `pass` and `finishBundles`, with no
   * promise of the engine pending. The snapshot shares nothing with the engine (state is encoded).
   * @throws CheckpointError (code CHECKPOINT_NOT_QUIESCENT) when input waits in an inbox or a port,
   * a bundle is open, or deferred triggers were not flushed.
   * @example
   * await engine.pass({ flush: true, watermarks: true, processingTime: clock.now() });
   * await engine.finishBundles();
   * const snap = engine.capture();
   */
  capture(options: { readonly keyGroups?: number } = {}): EngineSnapshot {
    const groups = options.keyGroups ?? DEFAULT_KEY_GROUPS;
    const busy = this.slots.find((s) => s.inboxes.some((i) => i.columns.length > 0));
    if (busy) throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', `cannot snapshot: step '${busy.node.fullName}' has input waiting in its inbox (run pass first)`);
    if (this.allPorts.some((p) => p.hasBuffered || p.hasPending)) throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', 'cannot snapshot: outputs are still in flight (await emitBatch and pass first)');
    const steps: Record<string, StepEntry> = {};
    const segments: SegmentPayload[] = [];
    // Operator snapshots first: they check quiescence before anything is encoded.
    const operators = this.slots.map((s) => s.op.snapshotOperator());
    // Every step's counters, taken with its state: a resumed run counts on from here (see step-metrics-segment.ts).
    const metricsOf = (step: string): number => {
      segments.push(stepMetricsSegment(step, this.metrics[step]!));
      return segments.length - 1;
    };
    for (const r of this.reads) {
      steps[r.node.fullName] = {
        kind: 'read',
        fingerprint: stepFingerprint(r.node),
        // The position of the last batch the engine took (the pump's, never the reader's read-ahead one).
        source: { position: r.position ?? null, watermark: r.watermark, done: r.done },
        metrics: metricsOf(r.node.fullName),
      };
    }
    this.slots.forEach((s, i) => {
      const snap = operators[i];
      let operator: number | undefined;
      if (snap !== undefined) {
        operator = segments.length;
        segments.push({ step: s.node.fullName, table: OPERATOR_TABLE, keyGroup: null, codec: v8Codec.name, bytes: v8Codec.encode([[null, OPERATOR_TABLE, snap]]) });
      }
      steps[s.node.fullName] = {
        kind: stepKind(s.node),
        fingerprint: stepFingerprint(s.node),
        inputWm: s.inputWm,
        outputWm: s.outputWm,
        ...(s.sideWm.length > 0 ? { sideWm: [...s.sideWm] } : {}),
        ...(operator !== undefined ? { operator } : {}),
        metrics: metricsOf(s.node.fullName),
        // PLACEHOLDER(two-phase-commit sinks, design step 6): `committable` from the sink's preCommit.
      };
    });
    // One at a time: a spread call takes ~120,000 arguments at most, and there is one segment per table
    // and key group (up to 32,768 groups each).
    for (const seg of this.o.state.snapshotSegments(groups)) segments.push(seg);
    return { format: ENGINE_SNAPSHOT_FORMAT, version: ENGINE_SNAPSHOT_VERSION, keyGroups: groups, keyHash: KEY_HASH, steps, segments };
  }

  /**
   * Puts a snapshot (from `capture`, maybe of another runner's engine) back: keyed state into the
   * state backend (only `ownedGroups` when given), every step's watermarks and operator state, every
   * source's watermark and `done`, and every step's counters (`metrics`, by step name, so a resumed run
   * reports totals since the job's first start). Call it on a new engine, before any input (`open()` may come before
   * or after). Steps of this pipeline the snapshot has nothing for start empty. A CoGroupByKey join's
   * state written before its expansion changed (session 9: GroupByKey of tagged values → Combine) is
   * first moved into today's form (see migrateOldJoins). Returns the steps whose state was dropped
   * (only with `allowNonRestoredState`) and the joins whose state was moved (`migrated`).
   * @throws CheckpointMismatchError naming every step whose state has no home in this pipeline, or whose
   * kind or fingerprint changed (nothing is restored then), unless `allowNonRestoredState`; an old join
   * that cannot be moved exactly is one (its StepMismatch has the `reason`).
   * @throws CheckpointVersionError for a snapshot of another layout version; CorruptCheckpointError for something that is not one.
   * @throws Error when the engine already took input.
   */
  restore(
    snapshot: EngineSnapshot,
    options: { readonly allowNonRestoredState?: boolean; readonly ownedGroups?: ReadonlySet<number>; readonly checkpoint?: string } = {},
  ): { readonly dropped: readonly string[]; readonly migrated: readonly string[] } {
    const name = options.checkpoint ?? 'snapshot';
    if (this.ran) throw new Error('Engine.restore: the engine already took input; restore into a new engine');
    if (snapshot?.format !== ENGINE_SNAPSHOT_FORMAT) throw new CorruptCheckpointError(name, 'bad-manifest', `not an engine snapshot (format ${JSON.stringify(snapshot?.format)})`);
    if (snapshot.version !== ENGINE_SNAPSHOT_VERSION) throw new CheckpointVersionError(name, snapshot.version, ENGINE_SNAPSHOT_VERSION);
    // A checkpoint of a CoGroupByKey join written before its expansion changed: its state in today's form, or why not.
    const migration = migrateOldJoins(this.graph, snapshot);
    snapshot = migration.snapshot;
    const compatibility = checkCompatibility(this.graph, snapshot.steps, snapshot.segments);
    const stepsWithoutState = compatibility.stepsWithoutState;
    const mismatches = compatibility.mismatches.map((m) => {
      const reason = migration.refused.get(m.step);
      return reason === undefined ? m : { ...m, reason };
    });
    if (mismatches.length > 0 && !options.allowNonRestoredState) throw new CheckpointMismatchError(name, mismatches, stepsWithoutState);
    const dropped = new Set(mismatches.map((m) => m.step));
    // Own entries only: a step named like an Object.prototype member (`constructor`) must not find the prototype's.
    const entryOf = (step: string) => (dropped.has(step) ? undefined : ownField(snapshot.steps, step));
    const kept = (step: string) => entryOf(step) !== undefined;
    this.o.state.restoreSegments(
      snapshot.segments.filter((s) => s.keyGroup !== null && kept(s.step)),
      options.ownedGroups,
    );
    for (const r of this.reads) {
      const e = entryOf(r.node.fullName);
      // The loop opens the reader with `resumeFrom: r.position` (see loop-runner.ts).
      if (e?.source?.position !== undefined && e.source.position !== null) r.position = e.source.position;
      r.watermark = e?.source?.watermark ?? TIMESTAMP_MIN;
      r.done = e?.source?.done ?? false;
    }
    for (const s of this.slots) {
      const e = entryOf(s.node.fullName);
      s.inputWm = e?.inputWm ?? TIMESTAMP_MIN;
      s.outputWm = e?.outputWm ?? TIMESTAMP_MIN;
      for (let i = 0; i < s.sideWm.length; i++) s.sideWm[i] = e?.sideWm?.[i] ?? TIMESTAMP_MIN;
      let opSnapshot: unknown;
      if (e?.operator !== undefined) {
        const seg = snapshot.segments[e.operator];
        if (!seg || seg.step !== s.node.fullName || seg.table !== OPERATOR_TABLE) {
          throw new CorruptCheckpointError(name, 'bad-segment', `step '${s.node.fullName}' points at segment ${e.operator}, which is not its operator snapshot`);
        }
        opSnapshot = v8Codec.decode(seg.bytes)[0]?.[2];
      }
      // The engine advances an operator only past TIMESTAMP_MIN, so at TIMESTAMP_MIN it was never advanced.
      s.op.restoreOperator(opSnapshot, s.inputWm > TIMESTAMP_MIN ? s.inputWm : undefined);
    }
    // Counters follow the step's name, also when its state was dropped (allowNonRestoredState): they count
    // what the step did up to the checkpoint. A checkpoint without them (an older one) leaves zeros.
    for (const [step, e] of Object.entries(snapshot.steps)) {
      const into = ownField(this.metrics, step);
      if (into === undefined || e.metrics === undefined) continue;
      const seg = snapshot.segments[e.metrics];
      if (!seg || seg.step !== step) throw new CorruptCheckpointError(name, 'bad-segment', `step '${step}' points at segment ${e.metrics}, which is not its counters`);
      restoreStepMetrics(into, seg, name);
    }
    this.idleSlots.clear();
    return { dropped: [...dropped], migrated: migration.migrated };
  }

  /** Closes the sources, then every step, telling each how the run ended. @throws the first error. */
  async close(outcome: RunOutcome): Promise<void> {
    const errors: unknown[] = [];
    for (const r of this.reads) {
      try {
        await r.reader?.close();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const s of this.slots) {
      try {
        await s.op.close(outcome);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length) throw errors[0];
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Emits one source element into the global window, behind `chain` once an emission went async. */
function emitFromSource(port: OutputPort, value: unknown, timestamp: Instant, chain: Promise<void> | undefined): Promise<void> | undefined {
  if (chain) return chain.then(() => sendTo(port, { value, timestamp, window: GLOBAL_WINDOW, pane: NO_FIRING }));
  port.emitParts(value, timestamp, GLOBAL_WINDOW, NO_FIRING, false);
  return port.hasPending ? port.takePending() : undefined;
}

/** Hands what `port` buffered to its chunk receivers (after `chain`); returns what is still in flight. */
function settlePort(port: OutputPort, chain: Promise<void> | undefined): Promise<void> | undefined {
  if (chain) return chain.then(() => settlePort(port, undefined));
  port.flush();
  return port.takePending();
}

/** Hands a full chunk to a step that takes its input early: it must not wait for anything. */
function takeEarly(op: Operator, input: number, chunk: ColumnChunk): void {
  const r = op.processColumns(input, chunk);
  if (r) throw new Error(`step '${op.step}' took input early but returned a promise`);
}

function sendTo(port: OutputPort, wv: WindowedValue<unknown>): MaybePromise {
  port.emit(wv);
  return port.takePending();
}

/** Checks shared by every runner: things no runner can honour. */
export function commonValidation(graph: PipelineGraph): UnsupportedFeature[] {
  const out: UnsupportedFeature[] = [];
  const clockDrivers = graph.primitives.filter((n) => n.payload?.kind === 'read' && (n.payload as ReadPayload).source.drivesClock);
  if (clockDrivers.length > 1) {
    for (const n of clockDrivers.slice(1)) out.push({ step: n.fullName, feature: 'several TestStreams', reason: 'one pipeline can replay only one TestStream (it drives the clock)' });
  }
  return out;
}

/**
 * A step's input watermark in whole ms: `wm` rounded down. Windows end on whole ms (`[0, 3000)` has
 * maxTimestamp 2999 but holds 2999.75), so a fractional watermark such as 2999.5 must not count as past
 * 2999: elements at 2999.5 or later are still on time in that window. Rounding down only waits longer,
 * never makes anything late; TIMESTAMP_MIN and TIMESTAMP_MAX are whole, so the end of input stays the end.
 * @example wholeMs(2999.5) // 2999
 */
function wholeMs(wm: Instant): Instant {
  return Math.floor(wm);
}
