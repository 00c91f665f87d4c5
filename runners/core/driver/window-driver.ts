import type { Clock } from '../../../sdk/clock.js';
import { CheckpointError, UserCodeError, WatershedError } from '../../../sdk/errors.js';
import type { LateRecord } from '../../../sdk/graph.js';
import { encodeKey, kv, type KV, type StateKey } from '../../../sdk/kv.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PaneInfo, PaneTiming } from '../../../sdk/pane.js';
import { TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { garbageCollectionTime, windowDoneAt, windowOutputTime } from '../util/window-end.js';
import { isElementSensitive, readsProcessingTime } from '../../../sdk/internal/trigger-analysis.js';
import { isOnTimeOnly } from '../../../sdk/triggers/after-watermark.js';
import type { TriggerContext, TriggerState } from '../../../sdk/triggers/trigger.js';
import { formatWindow, intervalWindow, isIntervalWindow, type BoundedWindow, type IntervalWindow } from '../../../sdk/window.js';
import { mergeOverlappingIntervals } from '../../../sdk/windows/sessions.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { WindowingStrategy } from '../../../sdk/windowing-strategy.js';
import type { StateBackend } from '../state/state-backend.js';
import { LazyTimerHeap, type LazyEntry } from '../timers/lazy-timer-heap.js';
import { mergeWindowsChecked } from '../operators/assigned-windows.js';
import { paneError } from './pane-error.js';
import type { PaneReducer } from './pane-reducer.js';
import { PendingElements, type KeyPending } from './pending-elements.js';
import { sameWindow } from '../util/same-window.js';
import { WindowStates } from './window-states.js';

/** What the driver keeps per key and window. Plain data: it is snapshotted with the state backend. */
export interface WindowState {
  /** The window. */
  w: BoundedWindow;
  /** The key as the user gave it. */
  k: unknown;
  /** The reducer's accumulator (undefined once the window is closed). */
  acc: unknown;
  /** Inputs added since the last firing: a pane with none is empty. */
  n: number;
  trig: TriggerState;
  /** Index of the next pane, and of the next non-speculative pane. */
  pane: number;
  nonSpec: number;
  /** The ON_TIME firing happened. */
  onTime: boolean;
  /** The trigger finished: a tombstone kept until garbage collection so later data is dropped. */
  closed: boolean;
  /** Output timestamp of the pending pane (by the timestamp combiner), when it has inputs. */
  outTs: Instant | undefined;
  /** Watermark hold of the pending pane. */
  hold: Instant | undefined;
  /**
   * Event-time and processing-time timers set for this window (trigger timers and garbage collection).
   * A window without processing-time timers shares one frozen empty `pt` list (setting one replaces it).
   */
  et: Instant[];
  pt: Instant[];
  /**
   * The earliest of `et`, undefined when it is empty: what the event-time timer queue asks a state for at
   * every entry that surfaces, kept so that it reads a number of the state, not its list (derived: restores
   * and the checkpoint codec make it from `et`).
   */
  et0: Instant | undefined;
  /** Retracting mode: the last pane emitted, to withdraw before the next. */
  last?: { value: unknown; timestamp: Instant };
  /** Retracting mode: panes of windows merged into this one, withdrawn at its next firing. */
  retract?: { value: unknown; timestamp: Instant; window: BoundedWindow }[];
}

export type FireMode = 'immediate' | 'deferred';

/**
 * What an aggregation (GroupByKey, Combine) drives: WindowDriver, or SlicedWindowDriver for a
 * Combine over sliding windows that can share slices. See WindowDriver for the contract.
 */
export interface AggregationDriver {
  /** True once any pane was emitted (Combine.globally's default value relies on it). */
  emittedAny: boolean;
  readonly inputWatermark: Instant;
  processParts(kvValue: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void;
  flush(): void;
  advanceWatermark(wm: Instant): void;
  advanceProcessingTime(now: Instant): void;
  nextProcessingTimer(): Instant | undefined;
  outputWatermark(): Instant;
  timing(): DriverTiming;
  restoreTiming(timing: DriverTiming | undefined): void;
  stateSize(): number;
}

/** A driver's watermarks and flags that are not in its keyed state (see `WindowDriver.timing`). */
export interface DriverTiming {
  readonly inputWm: Instant;
  /** Exact: EARLIEST/LATEST output timestamps are clamped to it. */
  readonly outputWm: Instant;
  readonly emittedAny: boolean;
}

export interface WindowDriverOptions {
  readonly step: string;
  readonly strategy: WindowingStrategy;
  readonly reducer: PaneReducer;
  readonly state: StateBackend;
  readonly clock: Clock;
  readonly metrics: StepMetrics;
  /** Receives every pane (and retraction) as KV(key, output). */
  readonly emit: (value: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean) => void;
  /** Receives every dropped late record. */
  readonly emitLate: (record: WindowedValue<LateRecord>) => void;
  /**
   * `immediate`: triggers are evaluated after every element (native streaming).
   * `deferred`: after elements only when `flush()` is called (micro-batch: at batch boundaries).
   */
  readonly fireMode: FireMode;
}

/**
 * The one window/trigger driver every runner shares: window merging, trigger state machines,
 * panes and their timing, accumulation and retraction, watermark holds, allowed lateness, late data
 * and garbage collection of closed windows. Runners decide only *when* to call it.
 *
 * Contract:
 * - `processElement` for each input element (already in its window); drops late ones to `emitLate`.
 * - `advanceWatermark(wm)` when the input watermark moves: fires due event-time timers in time order.
 * - `advanceProcessingTime(now)` when processing time moves: fires due processing-time timers.
 * - `flush()` in deferred mode, to evaluate triggers of windows that got elements.
 * - `outputWatermark()`: the input watermark held back by pending panes.
 * State for a window is deleted once the watermark passes its end plus the allowed lateness.
 *
 * Merging once per batch: in deferred mode, a merging WindowFn other than Sessions' (which merges
 * without calling mergeWindows), whose windows each fire once when the watermark passes their end
 * (the default trigger or AfterWatermark.pastEndOfWindow() alone, no allowed lateness), has its
 * elements wait until the batch's elements are in (the flush, or anything else that reads state);
 * then each key's `mergeWindows` is called once with its active windows and all its new ones, and the
 * elements are added to the windows they ended up in, in arrival order (as Beam merges per key and
 * bundle). With such a trigger no window can fire between two elements of a batch, so the panes are
 * the ones merging per element gives, for any WindowFn whose merges do not depend on the order in
 * which windows arrive (a WindowFn whose merges do, such as sessions capped at a length, may group a
 * batch's windows as one call sees them rather than one element after another: both are merges the
 * model allows).
 *
 * Merging at the watermark: in immediate mode (native), the same WindowFns with END_OF_WINDOW output
 * timestamps have their elements wait the same way, until something needs the merged state: a
 * watermark advance past one of the waiting windows' ends or past a queued timer, an output watermark
 * a hold could change, a checkpoint (`timing`), `stateSize`, or `MAX_WAITING` elements. Until then no
 * window can fire and no hold can matter (each waiting window ends at or after the input watermark, and
 * a merge's result spans the windows it merges), so the panes, their timing and the watermarks are those
 * of merging per element, with one mergeWindows call per key over many elements instead of one per element.
 */
export class WindowDriver implements AggregationDriver {
  private readonly o: WindowDriverOptions;
  private readonly s: WindowingStrategy;
  private table: WindowStates<WindowState>;
  /**
   * Timers and holds, queued as lower bounds of what each window state wants (`et`, `pt`, `hold`,
   * which live in keyed state): a merged window that grows keeps its earlier entry, which is moved
   * when it surfaces, instead of queueing one per merge (see LazyTimerHeap).
   */
  private readonly eventTimers: LazyTimerHeap<WindowState>;
  private readonly procTimers: LazyTimerHeap<WindowState>;
  private readonly holds: LazyTimerHeap<WindowState>;
  /**
   * Deferred mode: windows that got elements since the last flush (each once), and where each is in
   * that list (a merge takes a window out: a merged window is evaluated only if it gets input after).
   */
  private readonly dirty: ([StateKey, WindowState] | undefined)[] = [];
  private readonly dirtySet = new Map<WindowState, number>();
  private inputWm: Instant = TIMESTAMP_MIN;
  private outputWm: Instant = TIMESTAMP_MIN;
  private readonly retracting: boolean;
  private readonly discarding: boolean;
  /** The trigger counts elements: run it on every element, not only the first of a pane. */
  private readonly perElement: boolean;
  private readonly endOfWindowTs: boolean;
  private readonly merging: boolean;
  /** The WindowFn merges with mergeOverlappingIntervals (Sessions): the common cases skip the call. */
  private readonly mergesOverlapping: boolean;
  /** Not every later element of a pane may be skipped (see paneInput). */
  private readonly everyElement: boolean;
  private readonly reducer: PaneReducer;
  /** The window of the last element, and whether the input watermark had passed its garbage-collection time. */
  private lastWindow: BoundedWindow | undefined;
  private lastWindowExpired = false;
  /** The trigger context, reused for every call; `cur`/`curKey` say which window it speaks for. */
  private readonly tctx: TriggerContext;
  private cur!: WindowState;
  private curKey: StateKey = '';
  /**
   * After a mergeInto: the state of the window the proto-window ended up in when known (the one a
   * merge made, or the one already at the proto-window when nothing merged).
   */
  private targetState: WindowState | undefined;
  /** mergeInto's list of a key's states (it is not re-entered: nothing it calls merges windows). */
  private readonly scratchExisting: WindowState[] = [];
  /** mergeInto's and mergeBatch's list of the states one merge names (neither is re-entered, nor calls the other). */
  private readonly scratchStates: WindowState[] = [];
  /** Merging once per batch or at the watermark (see the class comment): elements wait in `pending`. */
  private readonly mergeAtFlush: boolean;
  /** Merging at the watermark (immediate mode): `pending` is applied only when something needs it. */
  private readonly mergeAtWatermark: boolean;
  /** mergeBefore's list of the keys of timer entries coming due (kept for it; a key may be listed more than once). */
  private readonly dueKeys: StateKey[] = [];
  /** Panes emitted and late records dropped so far (a checkpoint checks that applying `pending` made none). */
  private outputs = 0;
  private readonly pending = new PendingElements();
  /** applyKey's lists (it is not re-entered): a key's new windows, each once, and for each of its waiting elements the index of its window there. */
  private readonly scratchProtos: BoundedWindow[] = [];
  private readonly scratchProtoOf: number[] = [];
  /**
   * mergeBatch's lists (it is not re-entered), by index in its `protos`: the index of the proto-window's own
   * state (-1: none), the window it merged into, and the state its elements go to (returned: read by applyKey
   * before the next call, then let go).
   */
  private readonly scratchStateOf: number[] = [];
  private readonly scratchResultOf: (BoundedWindow | undefined)[] = [];
  private readonly scratchTargets: WindowState[] = [];
  /** While a merged state's trigger merges: a time its queued entries are known to be at or before. */
  private queuedUpTo: Instant | undefined;
  /** True once any pane was emitted (Combine.globally's default value relies on it). */
  emittedAny = false;

  constructor(o: WindowDriverOptions) {
    this.o = o;
    this.s = o.strategy;
    this.retracting = o.strategy.accumulationMode === 'retracting';
    this.discarding = o.strategy.accumulationMode === 'discarding';
    this.perElement = isElementSensitive(o.strategy.trigger);
    this.endOfWindowTs = o.strategy.timestampCombiner === 'END_OF_WINDOW';
    this.merging = o.strategy.windowFn.isMerging;
    this.mergesOverlapping = this.merging && o.strategy.windowFn.mergeWindows === mergeOverlappingIntervals;
    this.everyElement = this.perElement || !this.endOfWindowTs;
    const s = o.strategy;
    const firesOnceAtWatermark = ((s.triggerIsDefault && s.trigger.name === 'DefaultTrigger') || isOnTimeOnly(s.trigger)) && s.allowedLateness === 0 && !readsProcessingTime(s.trigger);
    const mergesInGroups = this.merging && !this.mergesOverlapping && firesOnceAtWatermark;
    this.mergeAtWatermark = mergesInGroups && o.fireMode === 'immediate' && this.endOfWindowTs;
    this.mergeAtFlush = (mergesInGroups && o.fireMode === 'deferred') || this.mergeAtWatermark;
    this.reducer = o.reducer;
    this.table = new WindowStates(o.state.table<WindowState>(o.step, 'windows'), !this.merging);
    // A queued entry whose state left keyed state is stale: every removal clears the state's timers and hold (see markGone).
    this.eventTimers = new LazyTimerHeap((st) => st.et0);
    this.procTimers = new LazyTimerHeap((st) => earliest(st.pt));
    this.holds = new LazyTimerHeap((st) => st.hold);
    const self = this;
    this.tctx = {
      get window() {
        return self.cur.w;
      },
      get inputWatermark() {
        return self.inputWm;
      },
      get processingTime() {
        return self.o.clock.now();
      },
      setEventTimeTimer: (t) => self.setEventTimer(self.curKey, self.cur, t, self.queuedUpTo),
      setProcessingTimeTimer: (t) => self.setProcessingTimer(self.curKey, self.cur, t),
    };
    this.rebuildFromState();
  }

  get inputWatermark(): Instant {
    return this.inputWm;
  }

  /** Adds one element (its value must be a KV) to its key and window. */
  processElement(wv: WindowedValue<KV<unknown, unknown>>): void {
    this.processParts(wv.value, wv.timestamp, wv.window, wv.pane, wv.retraction === true);
  }

  /**
   * processElement with the element given by its parts (no element object needed). When merging once per
   * batch (see the class comment), the element waits until the flush (or anything else that reads state).
   */
  processParts(kvValue: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    // Consecutive elements mostly share their window: whether it expired is remembered.
    if (window !== this.lastWindow) this.enterWindow(window);
    if (this.lastWindowExpired) {
      this.dropLate({ value: kvValue, timestamp, window, pane }, 'past-allowed-lateness');
      return;
    }
    const key = kvValue.key;
    const ks = encodeKey(key);
    if (this.mergeAtFlush) {
      this.pending.push(ks, kvValue, timestamp, window, pane, retraction);
      if (this.mergeAtWatermark && this.pending.length >= MAX_WAITING) this.applyPending();
      return;
    }
    const st = this.merging ? this.mergedState(ks, key, window) : (this.table.inWindow(ks, window) ?? this.newWindow(ks, key, window));
    if (st.closed) {
      this.dropLate({ value: kvValue, timestamp, window, pane }, 'window-closed');
      return;
    }
    st.acc = retraction ? this.reducer.retract(st.acc, kvValue.value, timestamp) : this.reducer.add(st.acc, kvValue.value, timestamp);
    const first = st.n++ === 0;
    if (first || this.everyElement) this.paneInput(ks, st, timestamp, first);
  }

  private enterWindow(w: BoundedWindow): void {
    this.lastWindow = w;
    this.lastWindowExpired = this.inputWm > this.gcTime(w);
  }

  /** Merges proto-window `w` into the key's windows (sessions); the state of the window it ended up in. */
  private mergedState(ks: StateKey, key: unknown, w: BoundedWindow): WindowState {
    if (this.mergesOverlapping && isIntervalWindow(w)) {
      // Sessions: a key without windows, or with one open interval window, needs no mergeWindows call.
      const a = this.table.soleValue(ks);
      if (a !== undefined) {
        if (!a.closed && isIntervalWindow(a.w)) return this.mergedWithOne(ks, key, a, w);
      } else if (this.table.countOf(ks) === 0) return this.newWindow(ks, key, w);
    }
    const merged = this.mergeInto(ks, key, w);
    const known = this.targetState;
    this.targetState = undefined;
    if (known !== undefined && sameWindow(known.w, merged)) return known;
    return this.table.get(ks, merged.id) ?? this.newWindow(ks, key, merged);
  }

  /**
   * What `mergeInto` does with `mergeOverlappingIntervals` when the key's only window is `a`, open:
   * proto-window `w` joins it (their span, `a` itself when it covers `w`) if they overlap.
   */
  private mergedWithOne(ks: StateKey, key: unknown, a: WindowState, w: IntervalWindow): WindowState {
    const aw = a.w as IntervalWindow;
    if (sameWindow(aw, w)) return a;
    if (!(w.start < aw.end && aw.start < w.end)) return this.newWindow(ks, key, w);
    const start = w.start < aw.start ? w.start : aw.start;
    const end = w.end > aw.end ? w.end : aw.end;
    const result = aw.start === start && aw.end === end ? aw : w.start === start && w.end === end ? w : intervalWindow(start, end);
    this.merge(ks, key, [a], result);
    return a;
  }

  /**
   * An element joined the pending pane: update its output timestamp and hold, and run the trigger.
   * After the first element of a pane, an END_OF_WINDOW timestamp and hold cannot change, and a
   * trigger that does not count elements cannot change its mind: both are skipped then.
   */
  private paneInput(ks: StateKey, st: WindowState, timestamp: Instant, first: boolean): void {
    if (first || !this.endOfWindowTs) this.noteTimestamp(ks, st, timestamp);
    if (!first && !this.perElement) return;
    this.cur = st;
    this.curKey = ks;
    st.trig = this.s.trigger.onElement(st.trig, this.tctx);
    if (this.o.fireMode === 'immediate') this.maybeFire(ks, st);
    else if (!this.dirtySet.has(st)) {
      this.dirtySet.set(st, this.dirty.length);
      this.dirty.push([ks, st]);
    }
  }

  /** Deferred mode: evaluates the triggers of every window that received elements since the last flush. */
  flush(): void {
    this.applyPending();
    for (let i = 0; i < this.dirty.length; i++) {
      const d = this.dirty[i];
      if (d !== undefined && this.table.get(d[0], d[1].w.id) === d[1]) this.maybeFire(d[0], d[1]);
    }
    this.dirty.length = 0;
    this.dirtySet.clear();
  }

  /** The input watermark moved to `wm`: fires due event-time timers, earliest first. */
  advanceWatermark(wm: Instant): void {
    if (!this.mergeAtWatermark) this.applyPending();
    else if (this.pending.length > 0) this.mergeBefore(wm);
    if (wm <= this.inputWm) return;
    this.inputWm = wm;
    this.lastWindow = undefined;
    for (let t = this.eventTimers.popDue((x) => wm > x); t; t = this.eventTimers.popDue((x) => wm > x)) this.onTimer(t, 'event');
  }

  /** Processing time moved to `now`: fires due processing-time timers. */
  advanceProcessingTime(now: Instant): void {
    // Merging at the watermark: the trigger reads no processing time, so no window has processing-time timers.
    if (!this.mergeAtWatermark) this.applyPending();
    for (let t = this.procTimers.popDue((x) => now >= x); t; t = this.procTimers.popDue((x) => now >= x)) this.onTimer(t, 'processing');
  }

  /** The earliest pending processing-time timer, so a runner knows when to wake up. */
  nextProcessingTimer(): Instant | undefined {
    if (!this.mergeAtWatermark) this.applyPending();
    return this.procTimers.peekTime();
  }

  /** The input watermark, held back by the output timestamps of pending panes. Never moves back. */
  outputWatermark(): Instant {
    const inputWm = this.inputWm;
    // Merging at the watermark: waiting elements hold nothing before the input watermark (their windows end at
    // or after it, and merged windows end no earlier) unless a hold there is queued already, which a merge may move.
    if (!this.mergeAtWatermark || (this.pending.length > 0 && ((this.pending.minMaxTimestamp < inputWm && this.pending.tightenMinMax() < inputWm) || this.holds.peekDue((t) => t < inputWm) !== undefined))) this.applyPending();
    // Only holds behind the input watermark matter: later ones are not looked at (nor brought up to date).
    const h = this.holds.peekDue((t) => t < inputWm);
    const wm = h !== undefined ? h : inputWm;
    if (wm > this.outputWm) this.outputWm = wm;
    return this.outputWm;
  }

  /**
   * Checkpoints: the watermarks and flags not held in keyed state.
   * @throws CheckpointError in deferred mode when windows got elements since the last flush.
   */
  timing(): DriverTiming {
    if (this.mergeAtWatermark && this.pending.length > 0) {
      // Nothing fires or is dropped by it (see the class comment); were it to, the checkpoint would miss that output.
      const before = this.outputs;
      this.applyPending();
      if (this.outputs !== before) throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', `step '${this.o.step}': adding the elements that waited to be merged emitted output at a checkpoint`);
    }
    if (this.dirty.length > 0 || this.pending.length > 0) {
      throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', `step '${this.o.step}': cannot snapshot with ${this.dirty.length} window(s) whose triggers were not evaluated yet, ${this.pending.length} element(s) not added yet (flush first)`);
    }
    return { inputWm: this.inputWm, outputWm: this.outputWm, emittedAny: this.emittedAny };
  }

  /**
   * Checkpoints: after the state backend was restored, rebuilds the timer queues, holds and window
   * index from the keyed state and takes back `timing` (undefined: a step new to the checkpoint).
   */
  restoreTiming(timing: DriverTiming | undefined): void {
    this.table = new WindowStates(this.o.state.table<WindowState>(this.o.step, 'windows'), !this.merging);
    this.eventTimers.clear();
    this.procTimers.clear();
    this.holds.clear();
    this.dirty.length = 0;
    this.dirtySet.clear();
    this.pending.clear();
    this.lastWindow = undefined;
    this.lastWindowExpired = false;
    this.inputWm = timing?.inputWm ?? TIMESTAMP_MIN;
    this.outputWm = timing?.outputWm ?? TIMESTAMP_MIN;
    this.emittedAny = timing?.emittedAny ?? false;
    this.rebuildFromState();
  }

  /** Number of live (key, window) states; zero once every window has been garbage collected. */
  stateSize(): number {
    this.applyPending();
    return this.table.size();
  }

  /**
   * Merging at the watermark: adds the waiting elements that must be added before the input watermark moves
   * to `wm`: all of them when one of their windows would end; else those of the keys that have a timer coming
   * due (their windows may grow). The other keys' windows do not change by it: their elements go on waiting.
   * The keys are those of the timer entries coming due, not looked up in their states: a key whose entry lags
   * (its window grew since) has its elements added before they must be, which changes nothing (they could be
   * added at any time), and is rare here, as advanceWatermark moves lagging entries behind the watermark on.
   */
  private mergeBefore(wm: Instant): void {
    // (The bound is loose after only some keys were added: made exact before it counts.)
    if (wm > this.pending.minMaxTimestamp && wm > this.pending.tightenMinMax()) {
      this.applyPending();
      return;
    }
    const due = (t: Instant) => wm > t;
    if (this.eventTimers.peekDue(due) === undefined) return;
    const keys = this.dueKeys;
    let n = 0;
    this.eventTimers.forEachQueuedKey(due, (ks) => {
      keys[n++] = ks;
    });
    try {
      this.applyPending(keys, n);
    } finally {
      for (let i = 0; i < n; i++) keys[i] = undefined as never;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private gcTime(w: BoundedWindow): Instant {
    return garbageCollectionTime(w, this.s.allowedLateness);
  }

  /** A window's state before its first element: `acc` is the accumulator it starts from. */
  private freshState(key: unknown, w: BoundedWindow, acc: WindowState['acc']): WindowState {
    return { w, k: key, acc, n: 0, trig: this.s.trigger.init(), pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: undefined, hold: undefined, et: [], pt: NO_TIMERS, et0: undefined };
  }

  private newWindow(ks: StateKey, key: unknown, w: BoundedWindow): WindowState {
    const st = this.freshState(key, w, this.o.reducer.empty());
    const prior = this.table.set(ks, w.id, st);
    // Merging: an unusual mergeWindows may give a new window the id of another active one, whose state it replaces.
    if (prior !== undefined && prior !== st) markGone(prior);
    this.setEventTimer(ks, st, this.gcTime(w));
    return st;
  }

  /**
   * Sets an event-time timer of `st`. `queuedUpTo`: a time some queued entry of `st` is known to be
   * at or before (a window that grew in a merge keeps its earlier entry); a timer at or after it is
   * covered by that entry.
   */
  private setEventTimer(ks: StateKey, st: WindowState, t: Instant, queuedUpTo?: Instant): void {
    if (st.et.includes(t)) return;
    st.et.push(t);
    if (st.et0 === undefined || t < st.et0) st.et0 = t;
    if (queuedUpTo === undefined || t < queuedUpTo) this.eventTimers.add(ks, st, t);
  }

  private setProcessingTimer(ks: StateKey, st: WindowState, t: Instant): void {
    if (st.pt.includes(t)) return;
    if (st.pt === NO_TIMERS) st.pt = [t];
    else st.pt.push(t);
    this.procTimers.add(ks, st, t);
  }

  /**
   * Updates the pending pane's output timestamp and watermark hold for an input at `ts`.
   * EARLIEST / LATEST, as in Beam: an input behind the output watermark holds nothing and has no say
   * in the timestamp; a pane of only such inputs is stamped with the end of its window (and holds
   * the watermark there while that is still ahead of it).
   */
  private noteTimestamp(ks: StateKey, st: WindowState, ts: Instant): void {
    const maxTs = windowOutputTime(st.w);
    let cand: Instant;
    switch (this.s.timestampCombiner) {
      case 'END_OF_WINDOW':
        cand = maxTs;
        break;
      case 'EARLIEST':
      case 'LATEST':
        if (ts < this.outputWm) {
          if (st.outTs === undefined && st.hold === undefined && maxTs >= this.outputWm) {
            st.hold = maxTs;
            this.holds.add(ks, st, maxTs);
          }
          return;
        }
        cand = Math.min(ts, maxTs);
        break;
    }
    const prev = st.outTs;
    st.outTs = prev === undefined ? cand : this.s.timestampCombiner === 'EARLIEST' ? Math.min(prev, cand) : Math.max(prev, cand);
    // Hold the output watermark at the pending pane's timestamp, unless that is already behind it (late data).
    const hold = st.outTs >= this.outputWm ? st.outTs : undefined;
    const prevHold = st.hold;
    if (hold !== prevHold) {
      st.hold = hold;
      // A queued entry at or before the previous hold covers a later one. Merging at the watermark, a hold at or
      // after the input watermark is not queued: it is the window's end, where its garbage-collection timer is, and
      // firing that timer (before the input watermark passes the hold) releases it, so it never holds the output.
      if (hold !== undefined && (prevHold === undefined || hold < prevHold) && !(this.mergeAtWatermark && hold >= this.inputWm)) this.holds.add(ks, st, hold);
    }
  }

  private dropLate(wv: WindowedValue<KV<unknown, unknown>>, reason: LateRecord['reason']): void {
    this.o.metrics.lateDropped++;
    this.outputs++;
    this.o.emitLate({
      value: { step: this.o.step, value: wv.value, timestamp: wv.timestamp, window: formatWindow(wv.window), reason },
      timestamp: wv.timestamp,
      window: wv.window,
      pane: wv.pane,
    });
  }

  private onTimer(t: LazyEntry<WindowState>, domain: 'event' | 'processing'): void {
    const st = t.owner;
    const ks = t.key;
    const list = domain === 'event' ? st.et : st.pt;
    const i = list.indexOf(t.time);
    if (i >= 0) {
      list.splice(i, 1);
      if (domain === 'event') st.et0 = earliest(list);
    }
    if (!st.closed) this.maybeFire(ks, st);
    if (st.et === GONE) return;
    if (this.inputWm > this.gcTime(st.w)) {
      this.collect(ks, st);
      return;
    }
    // The entry just taken may have stood for the state's other timers too: queue the next one.
    const rest = domain === 'event' ? st.et : st.pt;
    if (rest.length > 0) (domain === 'event' ? this.eventTimers : this.procTimers).add(ks, st, earliest(rest)!);
  }

  private maybeFire(ks: StateKey, st: WindowState): void {
    if (st.closed) return;
    this.cur = st;
    this.curKey = ks;
    if (this.s.trigger.shouldFire(st.trig, this.tctx)) this.fire(ks, st, false);
  }

  /** The window expired: emit what is left as the final pane, then delete its state. */
  private collect(ks: StateKey, st: WindowState): void {
    if (!st.closed && st.n > 0) this.fire(ks, st, true);
    this.removeState(ks, st);
  }

  /** Deletes `st` (in keyed state under its window's id) and marks it gone. */
  private removeState(ks: StateKey, st: WindowState): void {
    if (st.et === GONE) return;
    this.table.delete(ks, st.w.id);
    markGone(st);
  }

  private fire(ks: StateKey, st: WindowState, garbageCollection: boolean): void {
    const wm = this.inputWm;
    const w = st.w;
    // At the end of the input (TIMESTAMP_MAX) every window is past its end, also one ending past it.
    const timing: PaneTiming = wm <= windowDoneAt(w) ? 'EARLY' : st.onTime ? 'LATE' : 'ON_TIME';
    let finished = false;
    if (!garbageCollection) {
      this.cur = st;
      this.curKey = ks;
      st.trig = this.s.trigger.onFire(st.trig, this.tctx);
      finished = st.trig.finished;
    }
    const gcDue = wm > this.gcTime(w);
    const isLast = finished || gcDue;
    const empty = st.n === 0;
    const emit = !empty || (timing === 'ON_TIME' && this.s.onTimeBehavior === 'FIRE_ALWAYS');
    if (emit) {
      const pane: PaneInfo = {
        index: st.pane,
        nonSpeculativeIndex: timing === 'EARLY' ? -1 : st.nonSpec,
        timing,
        isFirst: st.pane === 0,
        isLast,
      };
      const consume = this.discarding || isLast;
      const ts = st.outTs ?? windowOutputTime(w);
      let out: unknown;
      try {
        out = this.o.reducer.extract(st.acc, consume);
      } catch (e) {
        throw paneError(this.o.step, st.k, w, ts, e);
      }
      if (this.retracting) {
        if (st.retract) {
          for (const r of st.retract) this.o.emit(kv(st.k, r.value), r.timestamp, r.window, pane, true);
          st.retract = undefined;
        }
        if (st.last) this.o.emit(kv(st.k, st.last.value), st.last.timestamp, w, pane, true);
        st.last = { value: structuredClone(out), timestamp: ts };
      }
      this.o.emit(kv(st.k, out), ts, w, pane, false);
      this.emittedAny = true;
      this.outputs++;
      st.pane++;
      if (timing !== 'EARLY') st.nonSpec++;
    }
    if (timing === 'ON_TIME') st.onTime = true;
    // The pending pane is gone: release its hold and timestamp.
    st.n = 0;
    st.outTs = undefined;
    st.hold = undefined;
    if (this.discarding) st.acc = this.o.reducer.empty();
    if (finished && !gcDue) {
      // Closed: keep a tombstone until garbage collection so that later data is dropped, not re-opened.
      st.closed = true;
      st.acc = undefined;
      st.last = undefined;
      st.pt = NO_TIMERS;
    } else if (gcDue && !garbageCollection) {
      this.removeState(ks, st);
    }
  }

  /**
   * Merges the key's active windows after adding proto-window `w` (sessions); returns the window
   * `w` ended up in. Accumulators, trigger states, pane counters and holds are merged.
   */
  private mergeInto(ks: StateKey, key: unknown, w: BoundedWindow): BoundedWindow {
    // The key's states (written by index into a list kept for this: no list grows or is made per element).
    const existing = this.scratchExisting;
    const n = this.table.valuesInto(ks, existing);
    // The state already at `w`, open or closed (then `w` is not active), and the active windows.
    let same: WindowState | undefined;
    let open = 0;
    for (let i = 0; i < n; i++) {
      const st = existing[i]!;
      if (sameWindow(st.w, w)) same = st;
      if (!st.closed) open++;
    }
    const active: BoundedWindow[] = new Array(open + (same === undefined ? 1 : 0));
    let a = 0;
    for (let i = 0; i < n; i++) if (!existing[i]!.closed) active[a++] = existing[i]!.w;
    if (same === undefined) active[a] = w;
    const merges = mergeWindowsChecked(this.s.windowFn, active);
    this.targetState = merges.length === 0 ? same : undefined;
    let target = w;
    for (let i = 0; i < merges.length; i++) {
      const m = merges[i]!;
      const found = this.scratchStates;
      let k = 0;
      for (let j = 0; j < m.toMerge.length; j++) {
        const mw = m.toMerge[j]!;
        const id = mw.id;
        const isProto = sameWindow(mw, w);
        if (isProto) target = m.result;
        // The key's state of that window, the one in the table under its id: before the first merge,
        // the state found above (the proto-window's, or the one holding this very window object).
        let st: WindowState | undefined;
        if (i === 0) {
          if (isProto) st = same;
          else for (let e = 0; e < n && st === undefined; e++) if (existing[e]!.w === mw) st = existing[e];
        }
        if (st === undefined && (i > 0 || mw !== w)) st = this.table.get(ks, id);
        if (st) found[k++] = st;
      }
      // The states found, as a list of their own (made at its length: no length written afterwards).
      const states = found.slice(0, k);
      for (let j = 0; j < k; j++) found[j] = undefined as never;
      const merged = this.merge(ks, key, states, m.result);
      if (target === m.result) this.targetState = merged;
    }
    // Several groups (an unusual mergeWindows may make them overlap): the table says where `w` ended up.
    if (merges.length > 1) this.targetState = undefined;
    for (let i = 0; i < n; i++) existing[i] = undefined as never;
    return target;
  }

  /**
   * Merges `states` (of one key) into the state of window `result`. The merged state is one of
   * `states` updated in place (the one already at `result`, else the first), so a session that grows
   * by one element keeps its accumulator as it is (nothing else to merge into it) and its queued
   * timer and hold entries, which stay valid as its times only move later.
   */
  private merge(ks: StateKey, key: unknown, states: WindowState[], result: BoundedWindow): WindowState {
    let s: WindowState | undefined;
    for (let i = 0; i < states.length && s === undefined; i++) if (sameWindow(states[i]!.w, result)) s = states[i];
    s ??= states[0] ?? this.blankState(key, result);
    const oldW = s.w;
    const oldId = oldW.id;
    if (this.dirtySet.size > 0) {
      // The merged window is another window: it is evaluated at the next flush only if it gets input after the merge.
      const d = this.dirtySet.get(s);
      if (d !== undefined) {
        this.dirty[d] = undefined;
        this.dirtySet.delete(s);
      }
    }
    // Entries of `s` at or before its earliest timer, and its hold, are queued already.
    const queuedUpTo = s.et0;
    let n = 0;
    let pane = 0;
    let nonSpec = 0;
    let anyOnTime = false;
    const trigs: TriggerState[] = new Array(states.length);
    for (let i = 0; i < states.length; i++) {
      const x = states[i]!;
      n += x.n;
      if (x.pane > pane) pane = x.pane;
      if (x.nonSpec > nonSpec) nonSpec = x.nonSpec;
      if (x.onTime) anyOnTime = true;
      trigs[i] = x.trig;
    }
    if (states.length !== 1) {
      const accs: unknown[] = new Array(states.length);
      for (let i = 0; i < states.length; i++) accs[i] = states[i]!.acc;
      s.acc = this.reducer.merge(accs);
    }
    if (this.retracting) {
      const retract: NonNullable<WindowState['retract']> = [];
      for (const x of states) {
        if (x.retract) retract.push(...x.retract);
        if (x.last && !sameWindow(x.w, result)) retract.push({ ...x.last, window: x.w });
      }
      const last = this.table.get(ks, result.id)?.last;
      if (last || 'last' in s) s.last = last;
      if (retract.length || 'retract' in s) s.retract = retract.length ? retract : undefined;
    }
    for (let i = 0; i < states.length; i++) if (states[i] !== s) this.removeState(ks, states[i]!);
    s.w = result;
    s.k = key;
    s.n = n;
    s.pane = pane;
    s.nonSpec = nonSpec;
    // A merged window the watermark has not passed yet gets its own ON_TIME pane (as its trigger does).
    s.onTime = anyOnTime && this.inputWm > windowDoneAt(result);
    s.closed = false;
    s.pt = NO_TIMERS;
    // A state the merged one replaces under its new id (only from unusual mergeWindows) left keyed state.
    const prior = sameWindow(oldW, result) ? this.table.set(ks, result.id, s) : this.table.rename(ks, oldId, result.id);
    if (prior !== undefined && prior !== s) markGone(prior);
    const gc = this.gcTime(result);
    if (s.et.length === 1) {
      // Reuse the list: the usual case, a window with nothing but its garbage-collection timer.
      s.et[0] = gc;
      s.et0 = gc;
      if (queuedUpTo === undefined || gc < queuedUpTo) this.eventTimers.add(ks, s, gc);
    } else {
      s.et = [];
      s.et0 = undefined;
      this.setEventTimer(ks, s, gc, queuedUpTo);
    }
    // The pending pane's timestamp and hold, from the merged ones (the hold's queued entry stays valid when it grows).
    const ownOutTs = s.outTs;
    s.outTs = undefined;
    for (let i = 0; i < states.length; i++) {
      const x = states[i]!;
      const t = x === s ? ownOutTs : x.outTs;
      if (t !== undefined) this.noteTimestamp(ks, s, t);
    }
    if (s.outTs === undefined) s.hold = undefined;
    this.cur = s;
    this.curKey = ks;
    this.queuedUpTo = queuedUpTo;
    try {
      s.trig = this.s.trigger.onMerge(trigs, this.tctx);
    } finally {
      this.queuedUpTo = undefined;
    }
    return s;
  }

  /**
   * Merging once per batch or at the watermark: key by key, merges the key's new windows of its waiting
   * elements with its active windows (one mergeWindows call per key), then adds the elements, in arrival
   * order, to the windows they ended up in (dropping those whose window is closed). Given `keys`, only
   * the elements of those keys (the others' windows do not change by it).
   */
  private applyPending(keys?: readonly StateKey[], n?: number): void {
    if (this.pending.length === 0) return;
    const list = keys === undefined ? this.pending.take() : this.pending.takeKeys(keys, n);
    try {
      this.applyKeys(list);
    } finally {
      this.pending.release(list);
    }
  }

  /**
   * applyKey for each of `list`. A loop of its own, with nothing after it: V8 compiles a long first run of a
   * loop while it runs (on-stack replacement), with no type feedback yet for the code after the loop, and that
   * code then bailed out of the compiled function at every later call (121 times in the window-kinds join).
   */
  private applyKeys(list: readonly KeyPending[]): void {
    for (let k = 0; k < list.length; k++) this.applyKey(list[k]!);
  }

  /** applyPending for one key's waiting elements. */
  private applyKey(g: KeyPending): void {
    const pending = this.pending;
    const ks = g.ks;
    const protos = this.scratchProtos;
    const protoOf = this.scratchProtoOf;
    // The key's new windows (each once), and for each of its elements (in order) the index of its window among them.
    // (The list is kept with its room: entries past nProtos are stale, and it is cleared by index, not by length.)
    let nProtos = 0;
    let lastW: BoundedWindow | undefined;
    let lastJ = -1;
    for (let s = g.first, e = 0; s !== -1; s = pending.next(s), e++) {
      const w = pending.window(s);
      if (w !== lastW && (lastW === undefined || !sameWindow(lastW, w))) {
        let j = nProtos - 1;
        while (j >= 0 && !sameWindow(protos[j]!, w)) j--;
        if (j < 0) protos[(j = nProtos++)] = w;
        lastJ = j;
      }
      lastW = w;
      protoOf[e] = lastJ;
    }
    let states: WindowState[];
    try {
      states = this.mergeBatch(ks, g.key, protos, nProtos);
    } catch (e) {
      throw this.elementError(e, g, g.first);
    } finally {
      for (let j = 0; j < nProtos; j++) protos[j] = undefined as never;
    }
    const reducer = this.reducer;
    const addTagged = reducer.addTagged;
    const everyElement = this.everyElement;
    for (let s = g.first, e = 0; s !== -1; s = pending.next(s), e++) {
      const st = states[protoOf[e]!]!;
      if (st.closed) {
        this.dropLate({ value: kv(g.key, pending.value(s)), timestamp: pending.timestamp(s), window: pending.window(s), pane: pending.pane(s) }, 'window-closed');
        continue;
      }
      try {
        // A CoGroupByKey value kept without its tag object is added as tag and value (no object made for it), and
        // its timestamp is read only when the pane needs it (one column fewer to read for most elements).
        const tag = addTagged !== undefined ? pending.tag(s) : undefined;
        if (pending.retraction(s)) st.acc = reducer.retract(st.acc, pending.value(s), pending.timestamp(s));
        else st.acc = tag !== undefined ? addTagged!(st.acc, tag, pending.storedValue(s)) : reducer.add(st.acc, pending.value(s), pending.timestamp(s));
        const first = st.n++ === 0;
        if (first || everyElement) this.paneInput(ks, st, pending.timestamp(s), first);
      } catch (err) {
        throw this.elementError(err, g, s);
      }
    }
    for (let j = 0; j < nProtos; j++) states[j] = undefined as never;
  }

  /** A failure while adding a key's waiting element in `slot`, named by the element (as when it is added at once). */
  private elementError(err: unknown, g: KeyPending, slot: number): unknown {
    const p = this.pending;
    return err instanceof WatershedError ? err : new UserCodeError(this.o.step, 'aggregation', err, kv(g.key, p.value(slot)), p.window(slot), p.timestamp(slot));
  }

  /**
   * Merging once per batch: one mergeWindows call with `key`'s active windows and its new windows, the
   * first `np` of `protos` (those that have no state of their own); applies the merges and returns, for
   * each of them, the state of the window it ended up in (a new one, or a closed one, when nothing merged).
   */
  private mergeBatch(ks: StateKey, key: unknown, protos: readonly BoundedWindow[], np: number): WindowState[] {
    const existing = this.scratchExisting;
    const n = this.table.valuesInto(ks, existing);
    // Which of `protos` have state of their own (-1: none): an open one is active already, a closed
    // one is not active (the elements in it are dropped).
    const stateOf = this.scratchStateOf;
    for (let j = 0; j < np; j++) stateOf[j] = -1;
    for (let i = 0; i < n; i++) {
      const ew = existing[i]!.w;
      for (let j = 0; j < np; j++) if (stateOf[j] === -1 && sameWindow(protos[j]!, ew)) stateOf[j] = i;
    }
    // The active windows, in a list made at its length (one grown by pushing starts with room for 17).
    let nActive = 0;
    for (let i = 0; i < n; i++) if (!existing[i]!.closed) nActive++;
    for (let j = 0; j < np; j++) if (stateOf[j] === -1) nActive++;
    const active: BoundedWindow[] = new Array(nActive);
    let a = 0;
    for (let i = 0; i < n; i++) if (!existing[i]!.closed) active[a++] = existing[i]!.w;
    for (let j = 0; j < np; j++) if (stateOf[j] === -1) active[a++] = protos[j]!;
    // One window merges with nothing (a merge lists two or more).
    const merges = active.length > 1 ? mergeWindowsChecked(this.s.windowFn, active) : [];
    // The window each of `protos` ended up in, when it merged.
    const resultOf = this.scratchResultOf;
    for (let j = 0; j < np; j++) resultOf[j] = undefined;
    for (let m = 0; m < merges.length; m++) {
      const { toMerge, result } = merges[m]!;
      // The states of the windows it merges, each once (in a kept list: most merges have one).
      const found = this.scratchStates;
      let k = 0;
      for (let t = 0; t < toMerge.length; t++) {
        const mw = toMerge[t]!;
        // The windows are those given (mostly the very objects): a new one has no state, a key's active one has its own.
        let j = 0;
        while (j < np && protos[j] !== mw) j++;
        if (j < np && stateOf[j] === -1) {
          resultOf[j] = result;
          continue;
        }
        let st: WindowState | undefined;
        if (m === 0) for (let i = 0; i < n && st === undefined; i++) if (existing[i]!.w === mw) st = existing[i];
        st ??= this.table.get(ks, mw.id);
        // New windows given as copies, and new windows that are active already (with state): they end up in `result` too.
        for (j = 0; j < np; j++) if (sameWindow(protos[j]!, mw)) resultOf[j] = result;
        if (st !== undefined && !includes(found, k, st)) found[k++] = st;
      }
      // Only new windows: the result's state is made below, for the first element in it.
      if (k > 0) {
        const states = found.slice(0, k);
        for (let i = 0; i < k; i++) found[i] = undefined as never;
        this.merge(ks, key, states, result);
      }
    }
    // The key's states after the merges (each under its window's id), and those made here for new windows:
    // each of `protos` finds its window's state among them by sameWindow (no lookup by a fresh id string).
    // They are the states it had less those merged into another (gone: a merge keeps one of its states, in place).
    const live0 = merges.length === 0 ? n : liveStates(existing, n);
    let live = live0;
    const out = this.scratchTargets;
    for (let j = 0; j < np; j++) {
      const target = resultOf[j] ?? protos[j]!;
      let st: WindowState | undefined;
      for (let i = 0; i < live && st === undefined; i++) if (sameWindow(existing[i]!.w, target)) st = existing[i];
      if (st === undefined) existing[live++] = st = this.newWindow(ks, key, target);
      out[j] = st;
    }
    for (let i = 0; i < Math.max(n, live); i++) existing[i] = undefined as never;
    for (let j = 0; j < np; j++) resultOf[j] = undefined;
    return out;
  }

  /** A state for a merge result none of whose windows had state (only from unusual mergeWindows). */
  private blankState(key: unknown, w: BoundedWindow): WindowState {
    return this.freshState(key, w, this.reducer.merge([]));
  }

  /** Rebuilds timer queues and holds from restored state (timers live in state, not in the queues). */
  private rebuildFromState(): void {
    for (const [ks, , st] of this.table.entries()) {
      // (A state restored from a checkpoint written before `et0` was kept has none.)
      st.et0 = earliest(st.et);
      for (const t of st.et) this.eventTimers.add(ks, st, t);
      for (const t of st.pt) this.procTimers.add(ks, st, t);
      if (st.hold !== undefined) this.holds.add(ks, st, st.hold);
    }
  }
}

/**
 * Merging at the watermark (immediate mode): at most this many elements wait; more are merged at once
 * (what merging per batch sees at micro-batch's default `--maxBatchSize`).
 */
const MAX_WAITING = 100_000;

/** The timer list of a window state without timers: shared, never changed (a timer set replaces it). */
const NO_TIMERS: Instant[] = Object.freeze([]) as unknown as Instant[];

/** The event-time timer list of a state that left keyed state (see markGone): shared, frozen, never set again. */
const GONE: Instant[] = Object.freeze([]) as unknown as Instant[];

/**
 * A state leaves keyed state (deleted, merged into another or replaced): it wants no timer and holds
 * nothing any more, so its queued timer and hold entries are stale (no keyed-state lookup tells them
 * apart), and `et === GONE` says it left. Nothing sets a timer on it afterwards.
 */
function markGone(st: WindowState): void {
  st.et = GONE;
  st.et0 = undefined;
  st.pt = NO_TIMERS;
  st.hold = undefined;
}

/**
 * Moves the states of the first `n` of `states` that are still in keyed state (not gone: see markGone) to the
 * front, in order; returns how many. (The entries after them are left for the caller to clear.)
 */
function liveStates(states: WindowState[], n: number): number {
  let live = 0;
  for (let i = 0; i < n; i++) {
    const st = states[i]!;
    if (st.et !== GONE) states[live++] = st;
  }
  return live;
}

/** Whether `x` is one of the first `n` of `list`. */
function includes<T>(list: readonly T[], n: number, x: T): boolean {
  for (let i = 0; i < n; i++) if (list[i] === x) return true;
  return false;
}

/** The smallest of `times`, or undefined when empty. */
function earliest(times: readonly Instant[]): Instant | undefined {
  let m = times[0];
  for (let i = 1; i < times.length; i++) if (times[i]! < m!) m = times[i];
  return m;
}
