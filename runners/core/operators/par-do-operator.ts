import { RejectedElementError } from '../../../sdk/internal/rejected-element.js';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import type { DoFn, FinishBundleContext, OnTimerContext, ProcessContext, RunOutcome } from '../../../sdk/dofn.js';
import { CheckpointError, MixedOutputError, shorten, UndeclaredOutputError, UserCodeError, WatershedError } from '../../../sdk/errors.js';
import type { CheckpointRef, RecoverContext } from '../../../sdk/io/two-phase-commit.js';
import { failpoint } from '../../../sdk/testing/failpoints.js';
import type { ParDoPayload } from '../../../sdk/graph.js';
import { encodeKey, type KV, type StateKey } from '../../../sdk/kv.js';
import type { MetricsContext } from '../../../sdk/metrics.js';
import type { PaneInfo } from '../../../sdk/pane.js';
import { NO_FIRING } from '../../../sdk/pane.js';
import type { PCollectionView } from '../../../sdk/side-input.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { garbageCollectionTime } from '../util/window-end.js';
import { invalidInstantMessage, isValidInstant } from '../../../sdk/internal/valid-instant.js';
import { ownField, setOwnField } from '../../../sdk/internal/own-field.js';
import { formatWindow, type BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { WindowingStrategy } from '../../../sdk/windowing-strategy.js';
import { isDeepStrictEqual } from 'node:util';
import { sideInputWindowFor } from '../../../sdk/windows/window-fn.js';
import { isThenable } from '../util/is-thenable.js';
import { sameElement } from '../util/same-element.js';
import { TimerQueue, type QueuedTimer } from '../timers/timer-queue.js';
import type { ColumnChunk } from '../columns.js';
import { HeldElements, sideWindowEnd } from './held-elements.js';
import { BaseOperator, type MaybePromise, type OperatorContext } from './operator.js';
import { mergeUserWindows } from './merge-user-state.js';
import { ReturnedOutputs } from './returned-outputs.js';
import { userStateCells, type UserStateRecord } from './user-state.js';

type AnyDoFn = DoFn<any, any, any, any, any>;

interface SideInputState {
  readonly view: PCollectionView<unknown>;
  wm: Instant;
  /** The side PCollection's panes accumulate: each pane replaces the window's contents (latest firing wins). */
  readonly latestPaneWins: boolean;
  readonly windows: Map<string, { values: unknown[]; ready: boolean; pane: number; cached?: { value: unknown } }>;
}

/** What a ParDo with side inputs keeps besides keyed state (see ParDoOperator.snapshotOperator). */
export interface ParDoSnapshot {
  readonly sides: readonly { readonly wm: Instant; readonly windows: readonly (readonly [id: string, { values: unknown[]; ready: boolean; pane: number }])[] }[];
  readonly held: readonly WindowedValue<unknown>[];
}

/**
 * ParDo: runs a DoFn over each element, with its lifecycle, tagged outputs, side inputs (main
 * elements wait while their side window is not ready), keyed state and timers, and the dead-letter
 * output. User exceptions become UserCodeError (naming step, element, window) or dead letters.
 */
export class ParDoOperator extends BaseOperator {
  private readonly fn: AnyDoFn;
  private readonly main = this.ctx.ports['main']!;
  private readonly dead = this.ctx.ports['deadLetter'];
  private bundleOpen = false;
  /** setup was called (even if it failed): only then is teardown due. */
  private setUp = false;
  private readonly sides: SideInputState[];
  private held: HeldElements;
  // current element
  private curTs: Instant = 0;
  private curWindow: BoundedWindow = undefined as unknown as BoundedWindow;
  private curPane: PaneInfo = NO_FIRING;
  private curRetraction = false;
  // stateful
  private readonly stateful: boolean;
  /** Stateful after merging windows (Sessions) not merged upstream: this step merges each key's windows itself. */
  private readonly mergesWindows: boolean;
  private readonly userState;
  private curKey: StateKey = '';
  private curKeyValue: unknown;
  private readonly eventTimers: TimerQueue;
  private readonly procTimers: TimerQueue;
  private readonly gcTimers: TimerQueue;
  private readonly processCtx: ProcessContext<unknown, any, any, any>;
  private readonly timerCtx: OnTimerContext<unknown, any, any, any> & { timestamp: Instant; domain: 'event' | 'processing'; key: unknown };
  private readonly bundleCtx: FinishBundleContext<unknown, any>;
  private readonly metricsCtx: MetricsContext;
  /** Emits what process and onTimer return or yield; knows whether the current call used ctx.output. */
  private readonly returned: ReturnedOutputs;
  /** What process's ctx.output does (without marking the call): where process's returned outputs go. */
  private readonly emitMain: (value: unknown) => void;
  /** The same for onTimer: the timer's time, its window, no pane. */
  private readonly emitTimerMain: (value: unknown) => void;

  constructor(
    ctx: OperatorContext,
    payload: ParDoPayload,
    private readonly strategy: WindowingStrategy,
  ) {
    super(ctx);
    this.fn = payload.fn;
    this.stateful = payload.stateful;
    this.mergesWindows = payload.stateful && strategy.windowFn.isMerging && strategy.alreadyMerged !== true;
    this.sides = payload.sideInputs.map((view) => ({
      view,
      wm: TIMESTAMP_MIN,
      latestPaneWins: view.pcollection.windowing.accumulationMode === 'accumulating' && view.pcollection.producer.payload?.kind !== 'window',
      windows: new Map(),
    }));
    this.held = new HeldElements(this.sides.length, (i, sw) => this.sideReady(this.sides[i]!, sw));
    this.metricsCtx = makeMetrics(ctx);
    const self = this;
    this.userState = payload.stateful
      ? userStateCells(ctx.state.table<UserStateRecord>(ctx.step, 'user'), this.fn.state ?? {}, this.fn.timers ?? {}, {
          key: () => this.curKey,
          keyValue: () => this.curKeyValue,
          window: () => this.curWindow,
          now: (domain) => (domain === 'event' ? this.curTs : ctx.clock.now()),
          onTimerSet: (domain, time, ns, id) => (domain === 'event' ? this.eventTimers : this.procTimers).add({ time, key: this.curKey, ns, id }),
          onTouch: (ns) => this.gcTimers.add({ time: this.gcTime(this.curWindow), key: this.curKey, ns, id: '__gc' }),
        })
      : undefined;
    const table = this.userState?.table;
    const live = (domainOf: (id: string) => boolean) => (t: QueuedTimer) => {
      const r = table?.get(t.key, t.ns);
      if (!r) return false;
      if (t.id === '__gc') return true;
      return domainOf(t.id) && r.timers[t.id] === t.time;
    };
    const timerDomain = (id: string) => this.fn.timers?.[id]?.domain;
    this.eventTimers = new TimerQueue(live((id) => timerDomain(id) === 'event'));
    this.procTimers = new TimerQueue(live((id) => timerDomain(id) === 'processing'));
    this.gcTimers = new TimerQueue(live(() => true));
    this.rebuildTimers();
    const emitTo = (tag: string, value: unknown, ts: Instant) => {
      // Own fields only: 'toString' or 'constructor' would find Object.prototype's.
      const port = Object.hasOwn(this.ctx.ports, tag) ? this.ctx.ports[tag] : undefined;
      if (!port || tag === 'deadLetter') throw new UndeclaredOutputError(tag);
      port.emitParts(value, ts, this.curWindow, this.curPane, this.curRetraction);
    };
    /** Everything emitted so far handed downstream (see OutputContext.drain). */
    const drain = (): Promise<void> | undefined => this.settle() ?? undefined;
    const returned = (this.returned = new ReturnedOutputs(() => this.settle()));
    this.emitMain = (value) => this.main.emitParts(value, this.curTs, this.curWindow, this.curPane, this.curRetraction);
    this.emitTimerMain = (value) => this.main.emitParts(value, this.timerCtx.timestamp, this.curWindow, NO_FIRING, false);
    this.processCtx = {
      output: (value) => {
        returned.ctxOutput = true;
        this.main.emitParts(value, this.curTs, this.curWindow, this.curPane, this.curRetraction);
      },
      outputWithTimestamp: (value, ts) => {
        returned.ctxOutput = true;
        this.main.emitParts(value, checkedTimestamp(ts), this.curWindow, this.curPane, this.curRetraction);
      },
      outputTo: (tag, value) => emitTo(tag, value, this.curTs),
      drain,
      get timestamp() {
        return self.curTs;
      },
      get window() {
        return self.curWindow;
      },
      get pane() {
        return self.curPane;
      },
      get isRetraction() {
        return self.curRetraction;
      },
      get processingTime() {
        return self.ctx.clock.now();
      },
      get watermark() {
        return self.inputWm;
      },
      sideInput: <V>(view: PCollectionView<V>) => this.readSide(view) as V,
      get state() {
        return self.requireState().state;
      },
      get timers() {
        return self.requireState().timers;
      },
      metrics: this.metricsCtx,
    };
    this.timerCtx = {
      output: (value) => {
        returned.ctxOutput = true;
        this.main.emitParts(value, this.timerCtx.timestamp, this.curWindow, NO_FIRING, false);
      },
      outputWithTimestamp: (value, ts) => {
        returned.ctxOutput = true;
        this.main.emitParts(value, checkedTimestamp(ts), this.curWindow, NO_FIRING, false);
      },
      outputTo: (tag, value) => emitTo(tag, value, this.timerCtx.timestamp),
      drain,
      key: undefined,
      get window() {
        return self.curWindow;
      },
      timestamp: 0,
      domain: 'event',
      get processingTime() {
        return self.ctx.clock.now();
      },
      get watermark() {
        return self.inputWm;
      },
      get state() {
        return self.requireState().state;
      },
      get timers() {
        return self.requireState().timers;
      },
      metrics: this.metricsCtx,
    };
    this.bundleCtx = {
      get processingTime() {
        return self.ctx.clock.now();
      },
      metrics: this.metricsCtx,
      drain,
      output: (value, ts, window) => this.main.emitParts(value, ts, window, NO_FIRING, false),
      outputTo: (tag, value, ts, window) => {
        const port = Object.hasOwn(this.ctx.ports, tag) ? this.ctx.ports[tag] : undefined;
        if (!port || tag === 'deadLetter') throw new UndeclaredOutputError(tag);
        port.emitParts(value, ts, window, NO_FIRING, false);
      },
    };
  }

  override open(): MaybePromise {
    this.setUp = true;
    if (!this.fn.setup) return;
    return this.callUser('setup', () => this.fn.setup!({ step: this.step, clock: this.ctx.clock, checkpointing: this.ctx.checkpointing }));
  }

  processParts(_input: number, value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    this.ctx.metrics.elementsIn++;
    if (this.sides.length > 0 && this.holdIfWaiting(value, timestamp, window, pane, retraction)) return;
    if (!this.bundleOpen) {
      const r = this.startBundle();
      if (r) return r.then(() => this.invoke(value, timestamp, window, pane, retraction));
    }
    return this.invoke(value, timestamp, window, pane, retraction);
  }

  /** A micro-batch stage: processParts for each element of the chunk, settled once at the end. */
  override processColumns(_input: number, c: ColumnChunk): MaybePromise {
    this.ctx.metrics.elementsIn += c.length;
    return this.processChunkFrom(c, 0);
  }

  private processChunkFrom(c: ColumnChunk, from: number): MaybePromise {
    if (this.bundleOpen && !this.stateful && this.sides.length === 0) return this.processPlainChunkFrom(c, from);
    const { values, timestamps, windows, panes, retractions, length } = c;
    const sides = this.sides.length > 0;
    for (let i = from; i < length; i++) {
      const window = windows[i]!;
      const retraction = retractions !== undefined && retractions[i] === 1;
      if (sides && this.holdIfWaiting(values[i], timestamps[i]!, window, panes[i]!, retraction)) continue;
      if (!this.bundleOpen) {
        const r = this.startBundle();
        if (r) return r.then(() => this.processChunkFrom(c, i));
      }
      const r = this.call(values[i], timestamps[i]!, window, panes[i]!, retraction);
      if (r) return r.then(() => this.processChunkFrom(c, i + 1));
    }
    return this.settle();
  }

  /** processChunkFrom for the usual DoFn (no state, no side inputs) once its bundle is open: `call` inlined. */
  private processPlainChunkFrom(c: ColumnChunk, from: number): MaybePromise {
    const { values, timestamps, windows, panes, retractions, length } = c;
    const fn = this.fn;
    const ctx = this.processCtx;
    const returned = this.returned;
    for (let i = from; i < length; i++) {
      const value = values[i];
      this.curTs = timestamps[i]!;
      this.curWindow = windows[i]!;
      this.curPane = panes[i]!;
      this.curRetraction = retractions !== undefined && retractions[i] === 1;
      returned.ctxOutput = false;
      let r: unknown;
      try {
        r = fn.process(value, ctx);
        // The usual DoFn returns undefined: this one comparison is all it costs.
        if (r !== undefined) r = returned.emit(r, 'process', this.emitMain);
      } catch (e) {
        this.failed(e, { value, timestamp: this.curTs, window: this.curWindow, pane: this.curPane, retraction: this.curRetraction });
        continue;
      }
      if (r !== undefined) {
        const wv: WindowedValue<unknown> = { value, timestamp: this.curTs, window: this.curWindow, pane: this.curPane, retraction: this.curRetraction };
        return (r as Promise<void>).then(
          () => this.processChunkFrom(c, i + 1),
          (e) => {
            this.failed(e, wv);
            return this.processChunkFrom(c, i + 1);
          },
        );
      }
    }
    return this.settle();
  }

  /**
   * Holds an element back when a side-input window it reads is not ready (returns true then). Each
   * side window is looked up once here; the held element keeps them.
   */
  private holdIfWaiting(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): boolean {
    const sides = this.sides;
    for (let i = 0; i < sides.length; i++) {
      const sw = this.sideWindow(sides[i]!, window);
      if (this.sideReady(sides[i]!, sw)) continue;
      const sideWindows: BoundedWindow[] = [];
      for (let j = 0; j < sides.length; j++) sideWindows.push(j === i ? sw : this.sideWindow(sides[j]!, window));
      this.held.hold({ value, timestamp, window, pane, retraction }, sideWindows, i);
      return true;
    }
    return false;
  }

  override processSideInput(view: number, wv: WindowedValue<unknown>): MaybePromise {
    const s = this.sides[view]!;
    let w = s.windows.get(wv.window.id);
    if (!w) {
      w = { values: [], ready: false, pane: -1 };
      s.windows.set(wv.window.id, w);
    }
    if (s.latestPaneWins && wv.pane.timing !== 'UNKNOWN' && wv.pane.index > w.pane) {
      // An accumulating pane holds everything so far: it replaces the previous pane's values.
      w.pane = wv.pane.index;
      w.values = [];
    }
    if (wv.retraction) {
      const i = w.values.findIndex((x) => sameElement(x, wv.value));
      if (i >= 0) w.values.splice(i, 1);
    } else w.values.push(wv.value);
    w.cached = undefined;
    // A pane from an aggregation makes the side window ready; raw elements wait for the watermark.
    if (wv.pane.timing === 'UNKNOWN' || w.ready) return;
    w.ready = true;
    return this.runReleased(this.held.releaseWindow(view, wv.window.id));
  }

  override advanceSideWatermark(view: number, wm: Instant): MaybePromise {
    this.sides[view]!.wm = wm;
    return this.runReleased(this.held.releaseBefore(view, wm));
  }

  override advanceWatermark(wm: Instant): MaybePromise {
    this.inputWm = wm;
    if (!this.stateful) return;
    // At the end of the input (TIMESTAMP_MAX) every timer is due, also one set to TIMESTAMP_MAX itself,
    // which the watermark never passes (before, it never fired: its outputs were lost, silently).
    const due = wm >= TIMESTAMP_MAX ? () => true : (t: Instant) => wm > t;
    return this.fireTimers(this.eventTimers, 'event', due, () => this.fireGc(wm));
  }

  override advanceProcessingTime(now: Instant): MaybePromise {
    if (!this.stateful) return;
    return this.fireTimers(this.procTimers, 'processing', (t) => now >= t);
  }

  override finishBundle(): MaybePromise {
    if (!this.bundleOpen) return;
    this.bundleOpen = false;
    if (!this.fn.finishBundle) return;
    return this.callUser('finishBundle', () => this.fn.finishBundle!(this.bundleCtx));
  }

  override outputWatermark(): Instant {
    let wm = this.inputWm;
    const h = this.held.earliestTimestamp();
    if (h !== undefined && h < wm) wm = h;
    if (this.stateful) {
      const t = this.eventTimers.peekTime();
      if (t !== undefined && t < wm) wm = t;
    }
    return wm;
  }

  override nextProcessingTimer(): Instant | undefined {
    return this.stateful ? this.procTimers.peekTime() : undefined;
  }

  override async close(outcome: RunOutcome): Promise<void> {
    if (this.fn.teardown && this.setUp) await this.callUser('teardown', () => this.fn.teardown!({ outcome }));
  }

  /**
   * Side-input state (per view: watermark, and per side window its values, readiness and latest
   * pane) and the main elements held back for it, in arrival order; undefined without side inputs.
   * User state and timers are keyed state (`<step>#user`), not part of it.
   * @throws CheckpointError inside a bundle (a checkpoint comes after finishBundle).
   */
  override snapshotOperator(): ParDoSnapshot | undefined {
    if (this.bundleOpen) throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', `step '${this.step}': cannot snapshot inside a bundle (finishBundle first)`);
    if (this.sides.length === 0) return undefined;
    return {
      sides: this.sides.map((s) => ({ wm: s.wm, windows: [...s.windows].map(([id, w]) => [id, { values: w.values, ready: w.ready, pane: w.pane }] as const) })),
      held: this.held.heldInOrder(),
    };
  }

  /**
   * Takes back side-input state and held elements, and rebuilds the timer queues from the user state
   * the backend holds.
   * @throws CheckpointError when the snapshot's side inputs do not fit this step's, or a held element
   * would not wait here (the snapshot was not taken from this pipeline).
   */
  override restoreOperator(snapshot: unknown, inputWm: Instant | undefined): void {
    super.restoreOperator(snapshot, inputWm);
    this.rebuildTimers();
    const snap = snapshot as ParDoSnapshot | undefined;
    const mismatch = (why: string) => new CheckpointError('CHECKPOINT_MISMATCH', `step '${this.step}': the snapshot does not fit: ${why}`);
    if (snap !== undefined && snap.sides.length !== this.sides.length) throw mismatch(`it has ${snap.sides.length} side input(s), the step ${this.sides.length}`);
    this.held = new HeldElements(this.sides.length, (i, sw) => this.sideReady(this.sides[i]!, sw));
    for (let i = 0; i < this.sides.length; i++) {
      const s = this.sides[i]!;
      const saved = snap?.sides[i];
      s.wm = saved?.wm ?? TIMESTAMP_MIN;
      s.windows.clear();
      for (const [id, w] of saved?.windows ?? []) s.windows.set(id, { values: w.values, ready: w.ready, pane: w.pane });
    }
    for (const wv of snap?.held ?? []) {
      if (!this.holdIfWaiting(wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true)) throw mismatch(`held element ${shorten(wv.value)} waits for no side window`);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** (Re)builds the timer and garbage-collection queues from the user state records (timers live in state). */
  private rebuildTimers(): void {
    this.eventTimers.clear();
    this.procTimers.clear();
    this.gcTimers.clear();
    const table = this.userState?.table;
    if (!table) return;
    const timerDomain = (id: string) => this.fn.timers?.[id]?.domain;
    for (const [ks, ns, r] of table.entries()) {
      for (const [id, time] of Object.entries(r.timers)) (timerDomain(id) === 'event' ? this.eventTimers : this.procTimers).add({ time, key: ks, ns, id });
      this.gcTimers.add({ time: this.gcTime(r.w), key: ks, ns, id: '__gc' });
    }
  }

  private startBundle(): MaybePromise {
    this.bundleOpen = true;
    if (!this.fn.startBundle) return;
    return this.callUser('startBundle', () => this.fn.startBundle!(this.bundleCtx));
  }

  /** Runs the DoFn on one element and settles its outputs. */
  private invoke(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): MaybePromise {
    const r = this.call(value, timestamp, window, pane, retraction);
    return r ? r.then(() => this.settle()) : this.settle();
  }

  /** Runs the DoFn on one element; its outputs may still be buffered in the ports (see settle). */
  private call(value: unknown, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): Promise<void> | undefined {
    this.curTs = timestamp;
    this.curWindow = window;
    this.curPane = pane;
    this.curRetraction = retraction;
    if (this.stateful) {
      const v = value as KV<unknown, unknown> | null;
      if (v === null || typeof v !== 'object' || !('key' in v)) {
        throw new UserCodeError(this.step, 'process', new TypeError('a stateful DoFn needs KV elements ({ key, value }); use WithKeys first'), value, window, timestamp);
      }
      if (this.inputWm > this.gcTime(window)) {
        // Its window's state is already gone: like Beam, drop it rather than re-create state.
        this.ctx.metrics.lateDropped++;
        return;
      }
      this.curKeyValue = v.key;
      this.curKey = encodeKey(v.key);
      if (this.mergesWindows) window = this.curWindow = this.mergeWindowsOf(window);
    }
    this.returned.ctxOutput = false;
    let r: unknown;
    try {
      r = this.fn.process(value, this.processCtx);
      if (r !== undefined) r = this.returned.emit(r, 'process', this.emitMain);
    } catch (e) {
      this.failed(e, { value, timestamp, window, pane, retraction });
      return;
    }
    if (r !== undefined) {
      return (r as Promise<void>).then(
        () => {},
        (e) => this.failed(e, { value, timestamp, window, pane, retraction }),
      );
    }
  }

  /**
   * Merges the current key's active windows with the element's proto-window (see mergeUserWindows),
   * queues the timers and garbage collection of the records that changed, and returns the element's
   * window after merging.
   */
  private mergeWindowsOf(proto: BoundedWindow): BoundedWindow {
    const { window, changed } = mergeUserWindows(this.userState!.table, this.curKey, this.curKeyValue, proto, this.strategy.windowFn, this.fn.state ?? {});
    for (const r of changed) {
      const ns = r.w.id;
      for (const [id, time] of Object.entries(r.timers)) {
        (this.fn.timers?.[id]?.domain === 'event' ? this.eventTimers : this.procTimers).add({ time, key: this.curKey, ns, id });
      }
      this.gcTimers.add({ time: this.gcTime(r.w), key: this.curKey, ns, id: '__gc' });
    }
    return window;
  }

  /** A user error: dead-letter it when enabled, else fail the run naming step, element and window. */
  private failed(e: unknown, wv: WindowedValue<unknown>): void {
    if (e instanceof WatershedError) throw e;
    if (!this.dead || e instanceof UndeclaredOutputError || e instanceof MixedOutputError) throw new UserCodeError(this.step, 'process', e, wv.value, wv.window, wv.timestamp);
    this.ctx.metrics.deadLettered++;
    // A sink's own rejection (RejectedElementError) gives its reason and origin; anything else is the user's code.
    const rejected = e instanceof RejectedElementError ? e : undefined;
    const letter: DeadLetter = {
      step: this.step,
      reason: rejected?.reason ?? 'user-code',
      message: e instanceof Error ? e.message : String(e),
      element: wv.value,
      timestamp: wv.timestamp,
      window: formatWindow(wv.window),
      ...(rejected?.origin !== undefined ? { origin: rejected.origin } : {}),
    };
    this.dead.emit({ value: letter, timestamp: wv.timestamp, window: wv.window, pane: wv.pane });
  }

  private callUser(phase: string, f: () => void | Promise<void>): MaybePromise {
    const wrap = (e: unknown) => {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, phase, e);
    };
    try {
      const r = f();
      if (isThenable(r)) return r.then(() => this.settle(), wrap);
    } catch (e) {
      wrap(e);
    }
    return this.settle();
  }

  private requireState() {
    if (!this.userState) throw new Error(`step '${this.step}' uses state or timers but its DoFn declares none`);
    return this.userState;
  }

  /**
   * Fires every due timer of `queue`, earliest first, in one loop: never one call deeper per timer, so
   * millions of timers may be due at once. A timer set while firing that is due as well fires in the
   * same call, in timestamp order among the rest. `after` runs once no timer is due. Once a callback
   * returns a promise, the rest of the loop continues in `fireTimersAsync`.
   */
  private fireTimers(queue: TimerQueue, domain: 'event' | 'processing', due: (t: Instant) => boolean, after?: () => MaybePromise): MaybePromise {
    for (let t = queue.popDue(due); t; t = queue.popDue(due)) {
      const r = this.fireTimer(t, domain);
      if (isThenable(r)) return r.then(() => this.fireTimersAsync(queue, domain, due, after));
    }
    return after?.();
  }

  private async fireTimersAsync(queue: TimerQueue, domain: 'event' | 'processing', due: (t: Instant) => boolean, after?: () => MaybePromise): Promise<void> {
    for (let t = queue.popDue(due); t; t = queue.popDue(due)) {
      const r = this.fireTimer(t, domain);
      if (isThenable(r)) await r;
    }
    await after?.();
  }

  private fireTimer(t: QueuedTimer, domain: 'event' | 'processing'): MaybePromise {
    const rec = this.userState!.table.get(t.key, t.ns)!;
    delete rec.timers[t.id];
    this.curKey = t.key;
    this.curKeyValue = rec.k;
    this.curWindow = rec.w;
    this.curTs = domain === 'event' ? t.time : Math.min(Math.max(this.inputWm, TIMESTAMP_MIN), rec.w.maxTimestamp);
    this.timerCtx.key = rec.k;
    this.timerCtx.timestamp = this.curTs;
    this.timerCtx.domain = domain;
    const handler = this.fn.onTimer?.[t.id];
    if (!handler) throw new UserCodeError(this.step, `timer '${t.id}'`, new Error(`the DoFn sets timer '${t.id}' but has no onTimer.${t.id}`), rec.k, rec.w, this.curTs);
    // A timer may fire after the bundle of its element finished: it opens a new bundle (startBundle first).
    if (!this.bundleOpen) {
      const s = this.startBundle();
      if (s) return s.then(() => this.runTimer(handler, t.id));
    }
    return this.runTimer(handler, t.id);
  }

  /** Calls one onTimer callback (key, window and time already set) and settles its outputs. */
  private runTimer(handler: (ctx: OnTimerContext<unknown, any, any, any>) => unknown, id: string): MaybePromise {
    this.returned.ctxOutput = false;
    let r: unknown;
    try {
      r = handler(this.timerCtx);
      if (r !== undefined) r = this.returned.emit(r, `onTimer.${id}`, this.emitTimerMain);
    } catch (e) {
      this.timerFailed(e, id);
    }
    if (r !== undefined) {
      const key = this.curKeyValue;
      const window = this.curWindow;
      const ts = this.curTs;
      return (r as Promise<void>).then(
        () => this.settle(),
        (e) => this.timerFailed(e, id, key, window, ts),
      );
    }
    return this.settle();
  }

  /** An onTimer callback threw: fail the run naming the step, the timer, its key, window and time. */
  private timerFailed(e: unknown, id: string, key = this.curKeyValue, window = this.curWindow, ts = this.curTs): never {
    if (e instanceof WatershedError) throw e;
    throw new UserCodeError(this.step, `onTimer.${id}`, e, key, window, ts);
  }

  private fireGc(wm: Instant): MaybePromise {
    for (let t = this.gcTimers.popDue((x) => wm > x); t; t = this.gcTimers.popDue((x) => wm > x)) {
      const rec = this.userState!.table.get(t.key, t.ns);
      if (!rec || !(wm > this.gcTime(rec.w))) continue;
      const key = t.key;
      const ns = t.ns;
      const r = this.fireLeftEventTimers(key, ns, rec);
      if (isThenable(r)) {
        return r.then(() => {
          this.userState!.table.delete(key, ns);
          return this.fireGc(wm);
        });
      }
      this.userState!.table.delete(key, ns);
    }
  }

  /**
   * Before window state is collected: its event-time timers still set (set past the window's
   * garbage-collection time, e.g. to TIMESTAMP_MAX in the global window, which is collected once the
   * watermark passes END_OF_GLOBAL_WINDOW) fire now, earliest first, each once, with the state; before,
   * they were dropped with it, silently. Timers set while these fire are dropped with the state.
   */
  private fireLeftEventTimers(key: StateKey, ns: string, rec: UserStateRecord): MaybePromise {
    const left: QueuedTimer[] = [];
    for (const [id, time] of Object.entries(rec.timers)) if (this.fn.timers?.[id]?.domain === 'event') left.push({ time, key, ns, id });
    if (left.length === 0) return;
    left.sort((a, b) => a.time - b.time);
    const next = (i: number): MaybePromise => {
      for (; i < left.length; i++) {
        const t = left[i]!;
        if (rec.timers[t.id] !== t.time || this.userState!.table.get(key, ns) !== rec) continue; // cleared or moved by an earlier one
        const r = this.fireTimer(t, 'event');
        if (isThenable(r)) return r.then(() => next(i + 1));
      }
    };
    return next(0);
  }

  private gcTime(w: BoundedWindow): Instant {
    return garbageCollectionTime(w, this.strategy.allowedLateness);
  }

  // side inputs --------------------------------------------------------------------------------

  private sideWindow(s: SideInputState, main: BoundedWindow): BoundedWindow {
    return sideInputWindowFor(s.view.pcollection.windowing.windowFn, main);
  }

  /** A side window is ready once its side watermark passed its end (see sideWindowEnd) or a pane arrived for it; never unready again. */
  private sideReady(s: SideInputState, sw: BoundedWindow): boolean {
    return s.wm > sideWindowEnd(sw) || s.windows.get(sw.id)?.ready === true;
  }

  private readSide(view: PCollectionView<unknown>): unknown {
    const s = this.sides.find((x) => x.view === view);
    if (!s) throw new Error(`side input ${view.name} is not declared on step '${this.step}'; add it with ParDo(fn).withSideInputs(view)`);
    const sw = this.sideWindow(s, this.curWindow);
    let w = s.windows.get(sw.id);
    if (!w) {
      w = { values: [], ready: false, pane: -1 };
      s.windows.set(sw.id, w);
    }
    if (!w.cached) w.cached = { value: view.materialize(w.values) };
    return w.cached.value;
  }

  /** Runs the released elements (in arrival order) through the DoFn, opening a bundle first when needed. */
  private runReleased(ready: readonly WindowedValue<unknown>[], from = 0): MaybePromise {
    for (let i = from; i < ready.length; i++) {
      if (!this.bundleOpen) {
        const s = this.startBundle();
        if (s) return s.then(() => this.runReleased(ready, i));
      }
      const wv = ready[i]!;
      const r = this.invoke(wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true);
      if (isThenable(r)) return r.then(() => this.runReleased(ready, i + 1));
    }
  }

  // two-phase commit: what the checkpoint coordinator calls ------------------------------------

  /** True when the DoFn takes part in the checkpoints' two-phase commit (it has `twoPhaseCommit`). */
  get commitsWithCheckpoints(): boolean {
    return this.fn.twoPhaseCommit !== undefined;
  }

  /**
   * At a checkpoint barrier, after finishBundle: the DoFn's `twoPhaseCommit.preCommit`. Returns its
   * handle (plain JSON data, for the checkpoint), or undefined when the DoFn has no two-phase commit or
   * wrote nothing since the previous preCommit. Reaches the failpoint `sink.preCommit` after the
   * DoFn returned (its work durable, the handle in no checkpoint yet).
   * @throws Error when a bundle is still open (preCommit belongs at a loop boundary); UserCodeError
   *   (phase `preCommit`) when the DoFn throws or its handle is not plain JSON data.
   */
  async preCommit(checkpoint: CheckpointRef): Promise<unknown> {
    const tpc = this.fn.twoPhaseCommit;
    if (tpc === undefined) return undefined;
    if (this.bundleOpen) throw new Error(`step '${this.step}': preCommit called with a bundle open; finish bundles before a checkpoint`);
    const handle = await this.callHook('preCommit', () => tpc.preCommit(checkpoint));
    if (handle !== undefined && !isPlainJson(handle)) {
      throw new UserCodeError(this.step, 'preCommit', new TypeError(`the handle of checkpoint ${checkpoint.seq} is not plain JSON data (no bigint, Map, undefined or class instances)`), handle);
    }
    failpoint('sink.preCommit', this.step);
    return handle;
  }

  /**
   * The checkpoint holding `handle` is durable: the DoFn's `commit(handle)` (idempotent). Reaches the
   * failpoint `sink.commit` first. An undefined handle (nothing was pre-committed) does nothing.
   * @throws Error when the DoFn has no two-phase commit but a handle is given; UserCodeError (phase
   *   `commit`), or the DoFn's typed error (e.g. CheckpointRecoveryError), when the commit fails.
   */
  async commit(handle: unknown): Promise<void> {
    if (handle === undefined) return;
    const tpc = this.requireTwoPhaseCommit('commit');
    failpoint('sink.commit', this.step);
    await this.callHook('commit', () => tpc.commit(handle));
  }

  /**
   * Once per run, after `open()` and before any element: the DoFn's `recover(pending, ctx)` with the
   * handle the restored checkpoint holds for this step (undefined on a fresh start). A DoFn without
   * two-phase commit has nothing to recover.
   * @throws Error when called before open() or when a handle is given to a DoFn without two-phase commit.
   */
  async recover(pending: unknown, ctx: RecoverContext): Promise<void> {
    if (!this.setUp) throw new Error(`step '${this.step}': recover called before open()`);
    if (this.fn.twoPhaseCommit === undefined && pending === undefined) return;
    const tpc = this.requireTwoPhaseCommit('recover');
    await this.callHook('recover', () => tpc.recover(pending, ctx));
  }

  /** The run ends without a final checkpoint: the DoFn's `abort()` (best effort), if it has one. */
  async abort(): Promise<void> {
    const tpc = this.fn.twoPhaseCommit;
    if (tpc?.abort === undefined) return;
    await this.callHook('abort', () => tpc.abort!());
  }

  private requireTwoPhaseCommit(phase: string) {
    const tpc = this.fn.twoPhaseCommit;
    if (tpc === undefined) throw new Error(`step '${this.step}': ${phase} of a checkpoint handle, but its DoFn has no twoPhaseCommit`);
    return tpc;
  }

  /** Runs a two-phase-commit hook: its errors become UserCodeErrors naming the step and phase (typed ones pass). */
  private async callHook<R>(phase: string, f: () => Promise<R>): Promise<R> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof WatershedError) throw e;
      throw new UserCodeError(this.step, phase, e);
    }
  }
}

/** True when `v` survives JSON unchanged (what a checkpoint manifest stores). */
function isPlainJson(v: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(JSON.stringify(v)), v);
  } catch {
    return false;
  }
}

function makeMetrics(ctx: OperatorContext): MetricsContext {
  const m = ctx.metrics;
  return {
    counter: (name) => ({
      inc(n = 1) {
        // Own fields only: a counter named 'constructor' or '__proto__' counts like any other.
        setOwnField(m.counters, name, (ownField(m.counters, name) ?? 0) + n);
      },
    }),
    distribution: (name) => ({
      update(value) {
        let d = ownField(m.distributions, name);
        if (d === undefined) setOwnField(m.distributions, name, (d = { count: 0, sum: 0, min: value, max: value }));
        d.count++;
        d.sum += value;
        if (value < d.min) d.min = value;
        if (value > d.max) d.max = value;
      },
    }),
  };
}

/**
 * `ts` when it is a valid instant. @throws RangeError otherwise (NaN, ±Infinity, outside
 * TIMESTAMP_MIN..TIMESTAMP_MAX): thrown inside the DoFn's call, it fails the element like an error of
 * the DoFn (a UserCodeError naming the step, or a dead letter with `.withDeadLetters()`), instead of
 * sending on an element no window can hold.
 */
function checkedTimestamp(ts: Instant): Instant {
  if (!isValidInstant(ts)) throw new RangeError(invalidInstantMessage(ts, 'outputWithTimestamp got timestamp'));
  return ts;
}
