import type { Clock } from '../../../sdk/clock.js';
import type { RunOutcome } from '../../../sdk/dofn.js';
import type { CheckpointingInfo } from '../../../sdk/io/two-phase-commit.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import type { Instant } from '../../../sdk/time.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { FireMode } from '../driver/window-driver.js';
import type { StateBackend } from '../state/state-backend.js';
import type { ColumnChunk } from '../columns.js';
import type { OutputPort } from './output-port.js';

/** Result of a step that may have waited on async user code. */
export type MaybePromise = void | Promise<void>;

/** What the engine gives every operator. */
export interface OperatorContext {
  readonly step: string;
  readonly clock: Clock;
  readonly state: StateBackend;
  readonly metrics: StepMetrics;
  readonly fireMode: FireMode;
  /** One port per output tag of the step. */
  readonly ports: Readonly<Record<string, OutputPort>>;
  /** The run checkpoints (given to DoFn setup as `SetupContext.checkpointing`); undefined otherwise. */
  readonly checkpointing?: CheckpointingInfo;
}

/**
 * The executable form of one primitive step. Both runners drive the same operators; they differ only
 * in when they call them (element by element, or batch by batch).
 *
 * Calls for one operator never overlap: the engine awaits a returned promise before the next call.
 */
export interface Operator {
  readonly step: string;
  open(): MaybePromise;
  processElement(input: number, wv: WindowedValue<unknown>): MaybePromise;
  /** The same as processElement, with the element given by its parts (micro-batch columns). */
  processParts(input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise;
  /**
   * The same as processParts for each element of a chunk, in order (micro-batch stages and shuffles).
   * The chunk is read before the call returns (or its promise settles) and not kept.
   */
  processColumns(input: number, chunk: ColumnChunk): MaybePromise;
  /**
   * Micro-batch: true when the step may be given full chunks of its (shuffle) input while the batch
   * is still being gathered, because taking input emits nothing but dropped late records and reads no
   * clock, so it cannot tell when in the batch it runs. Its outputs are still decided at the batch
   * end (`flush`, watermarks). The engine also requires that the late records go nowhere.
   */
  takesInputEarly(): boolean;
  /**
   * Staged wiring (micro-batch): true when the step must take its input at the pass, after
   * `beginPass` (a Window.into by processing time stamps the batch with the pass's processing time),
   * so its input is held in an inbox as a shuffle's is, not run while the batch is gathered.
   */
  takesInputAtPass(): boolean;
  /** A pass begins (see Engine.pass): its processing time, undefined for a pass without one. */
  beginPass(processingTime: Instant | undefined): void;
  processSideInput(view: number, wv: WindowedValue<unknown>): MaybePromise;
  advanceSideWatermark(view: number, wm: Instant): MaybePromise;
  /** The (minimum) input watermark moved: fire due event-time timers. */
  advanceWatermark(wm: Instant): MaybePromise;
  /** Processing time moved: fire due processing-time timers. */
  advanceProcessingTime(now: Instant): MaybePromise;
  /** Deferred mode: evaluate triggers of windows touched since the last flush. */
  flush(): MaybePromise;
  finishBundle(): MaybePromise;
  outputWatermark(): Instant;
  nextProcessingTimer(): Instant | undefined;
  /** The run ended (`outcome` says how): tear down user code. */
  close(outcome: RunOutcome): Promise<void>;
  /**
   * Checkpoints: the operator's own state at a quiescent point (after `finishBundle`, nothing in
   * flight), as structured-cloneable data, or undefined when it has none. Keyed state is not part of
   * it (it lives in the state backend), nor is the input watermark (the engine keeps it).
   * @throws CheckpointError when called while something is still pending (e.g. an unflushed trigger).
   * @example aggregate.snapshotOperator() // { driver: { inputWm: 2999, outputWm: 2999, emittedAny: true } }
   */
  snapshotOperator(): unknown;
  /**
   * Checkpoints: before `open()` and before any input, takes back what `snapshotOperator` returned
   * (undefined: the step had no such state) and `inputWm`, the last input watermark the step was
   * given (undefined: none yet). Rebuilds what derives from keyed state, which the backend already
   * holds (timer queues, holds, indexes).
   */
  restoreOperator(snapshot: unknown, inputWm: Instant | undefined): void;
}

/** Defaults for operators that have no side inputs, timers or bundles. */
export abstract class BaseOperator implements Operator {
  readonly step: string;
  protected inputWm: Instant = -Infinity;
  private readonly portList: OutputPort[];
  constructor(protected readonly ctx: OperatorContext) {
    this.step = ctx.step;
    this.portList = Object.values(ctx.ports);
  }
  open(): MaybePromise {}
  processElement(input: number, wv: WindowedValue<unknown>): MaybePromise {
    return this.processParts(input, wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true);
  }
  abstract processParts(input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise;
  /** Element by element through processParts; operators with a faster loop override it. */
  processColumns(input: number, c: ColumnChunk, from = 0): MaybePromise {
    const { values, timestamps, windows, panes, retractions, length } = c;
    for (let i = from; i < length; i++) {
      const r = this.processParts(input, values[i], timestamps[i]!, windows[i]!, panes[i]!, retractions !== undefined && retractions[i] === 1);
      if (r) return r.then(() => this.processColumns(input, c, i + 1));
    }
  }
  takesInputEarly(): boolean {
    return false;
  }
  takesInputAtPass(): boolean {
    return false;
  }
  beginPass(_processingTime: Instant | undefined): void {}
  processSideInput(_view: number, _wv: WindowedValue<unknown>): MaybePromise {
    throw new Error(`step '${this.step}' has no side inputs`);
  }
  advanceSideWatermark(_view: number, _wm: Instant): MaybePromise {}
  advanceWatermark(wm: Instant): MaybePromise {
    this.inputWm = wm;
  }
  advanceProcessingTime(_now: Instant): MaybePromise {}
  flush(): MaybePromise {}
  finishBundle(): MaybePromise {}
  outputWatermark(): Instant {
    return this.inputWm;
  }
  nextProcessingTimer(): Instant | undefined {
    return undefined;
  }
  async close(_outcome: RunOutcome): Promise<void> {}
  snapshotOperator(): unknown {
    return undefined;
  }
  restoreOperator(_snapshot: unknown, inputWm: Instant | undefined): void {
    this.inputWm = inputWm ?? -Infinity;
  }
  /** Everything emitted so far has been handed to downstream and taken (or the promise of it). */
  protected settle(): MaybePromise {
    const ports = this.portList;
    let chain: Promise<void> | undefined;
    for (let i = 0; i < ports.length; i++) {
      const port = ports[i]!;
      if (port.hasBuffered) port.flush();
      if (!port.hasPending) continue;
      const p = port.takePending()!;
      chain = chain ? chain.then(() => p) : p;
    }
    return chain;
  }
}
