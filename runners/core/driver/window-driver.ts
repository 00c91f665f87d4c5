import type { Clock } from '../../../sdk/clock.js';
import { CheckpointError } from '../../../sdk/errors.js';
import type { LateRecord } from '../../../sdk/graph.js';
import { encodeKey, kv, type KV, type StateKey } from '../../../sdk/kv.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import type { PaneInfo, PaneTiming } from '../../../sdk/pane.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';
import { isElementSensitive } from '../../../sdk/internal/trigger-analysis.js';
import type { TriggerContext, TriggerState } from '../../../sdk/triggers/trigger.js';
import { formatWindow, type BoundedWindow } from '../../../sdk/window.js';
import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { WindowingStrategy } from '../../../sdk/windowing-strategy.js';
import type { StateBackend } from '../state/state-backend.js';
import { MinHeap } from '../timers/min-heap.js';
import { TimerQueue, type QueuedTimer } from '../timers/timer-queue.js';
import type { PaneReducer } from './pane-reducer.js';
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
  /** Event-time and processing-time timers set for this window (trigger timers and garbage collection). */
  et: Instant[];
  pt: Instant[];
  /** Retracting mode: the last pane emitted, to withdraw before the next. */
  last?: { value: unknown; timestamp: Instant };
  /** Retracting mode: panes of windows merged into this one, withdrawn at its next firing. */
  retract?: { value: unknown; timestamp: Instant; window: BoundedWindow }[];
}

export type FireMode = 'immediate' | 'deferred';

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
 */
export class WindowDriver {
  private readonly o: WindowDriverOptions;
  private readonly s: WindowingStrategy;
  private table: WindowStates<WindowState>;
  private readonly eventTimers: TimerQueue;
  private readonly procTimers: TimerQueue;
  private readonly holds = new MinHeap<{ time: Instant; key: StateKey; ns: string }>((h) => h.time);
  /** Deferred mode: windows that got elements since the last flush (each once). */
  private readonly dirty: [StateKey, WindowState][] = [];
  private readonly dirtySet = new Set<WindowState>();
  private inputWm: Instant = TIMESTAMP_MIN;
  private outputWm: Instant = TIMESTAMP_MIN;
  private readonly retracting: boolean;
  private readonly discarding: boolean;
  /** The trigger counts elements: run it on every element, not only the first of a pane. */
  private readonly perElement: boolean;
  private readonly endOfWindowTs: boolean;
  private readonly merging: boolean;
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
    this.everyElement = this.perElement || !this.endOfWindowTs;
    this.reducer = o.reducer;
    this.table = new WindowStates(o.state.table<WindowState>(o.step, 'windows'));
    this.eventTimers = new TimerQueue((t) => this.table.get(t.key, t.ns)?.et.includes(t.time) ?? false);
    this.procTimers = new TimerQueue((t) => this.table.get(t.key, t.ns)?.pt.includes(t.time) ?? false);
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
      setEventTimeTimer: (t) => self.setEventTimer(self.curKey, self.cur, t),
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

  /** processElement with the element given by its parts (no element object needed). */
  processParts(kvValue: KV<unknown, unknown>, timestamp: Instant, window: BoundedWindow, pane: PaneInfo, retraction: boolean): void {
    // Consecutive elements mostly share their window: whether it expired is remembered.
    if (window !== this.lastWindow) this.enterWindow(window);
    if (this.lastWindowExpired) {
      this.dropLate({ value: kvValue, timestamp, window, pane }, 'past-allowed-lateness');
      return;
    }
    const key = kvValue.key;
    const ks = encodeKey(key);
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
    const merged = this.mergeInto(ks, key, w);
    return this.table.get(ks, merged.id) ?? this.newWindow(ks, key, merged);
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
      this.dirtySet.add(st);
      this.dirty.push([ks, st]);
    }
  }

  /** Deferred mode: evaluates the triggers of every window that received elements since the last flush. */
  flush(): void {
    for (let i = 0; i < this.dirty.length; i++) {
      const [ks, st] = this.dirty[i]!;
      if (this.table.get(ks, st.w.id) === st) this.maybeFire(ks, st);
    }
    this.dirty.length = 0;
    this.dirtySet.clear();
  }

  /** The input watermark moved to `wm`: fires due event-time timers, earliest first. */
  advanceWatermark(wm: Instant): void {
    if (wm <= this.inputWm) return;
    this.inputWm = wm;
    this.lastWindow = undefined;
    for (let t = this.eventTimers.popDue((x) => wm > x); t; t = this.eventTimers.popDue((x) => wm > x)) this.onTimer(t, 'event');
  }

  /** Processing time moved to `now`: fires due processing-time timers. */
  advanceProcessingTime(now: Instant): void {
    for (let t = this.procTimers.popDue((x) => now >= x); t; t = this.procTimers.popDue((x) => now >= x)) this.onTimer(t, 'processing');
  }

  /** The earliest pending processing-time timer, so a runner knows when to wake up. */
  nextProcessingTimer(): Instant | undefined {
    return this.procTimers.peekTime();
  }

  /** The input watermark, held back by the output timestamps of pending panes. Never moves back. */
  outputWatermark(): Instant {
    let h = this.holds.peek();
    while (h && this.table.get(h.key, h.ns)?.hold !== h.time) {
      this.holds.pop();
      h = this.holds.peek();
    }
    const wm = h && h.time < this.inputWm ? h.time : this.inputWm;
    if (wm > this.outputWm) this.outputWm = wm;
    return this.outputWm;
  }

  /**
   * Checkpoints: the watermarks and flags not held in keyed state.
   * @throws CheckpointError in deferred mode when windows got elements since the last flush.
   */
  timing(): DriverTiming {
    if (this.dirty.length > 0) {
      throw new CheckpointError('CHECKPOINT_NOT_QUIESCENT', `step '${this.o.step}': cannot snapshot with ${this.dirty.length} window(s) whose triggers were not evaluated yet (flush first)`);
    }
    return { inputWm: this.inputWm, outputWm: this.outputWm, emittedAny: this.emittedAny };
  }

  /**
   * Checkpoints: after the state backend was restored, rebuilds the timer queues, holds and window
   * index from the keyed state and takes back `timing` (undefined: a step new to the checkpoint).
   */
  restoreTiming(timing: DriverTiming | undefined): void {
    this.table = new WindowStates(this.o.state.table<WindowState>(this.o.step, 'windows'));
    this.eventTimers.clear();
    this.procTimers.clear();
    this.holds.clear();
    this.dirty.length = 0;
    this.dirtySet.clear();
    this.lastWindow = undefined;
    this.lastWindowExpired = false;
    this.inputWm = timing?.inputWm ?? TIMESTAMP_MIN;
    this.outputWm = timing?.outputWm ?? TIMESTAMP_MIN;
    this.emittedAny = timing?.emittedAny ?? false;
    this.rebuildFromState();
  }

  /** Number of live (key, window) states; zero once every window has been garbage collected. */
  stateSize(): number {
    return this.table.size();
  }

  // ---------------------------------------------------------------------------------------------

  private gcTime(w: BoundedWindow): Instant {
    const t = w.maxTimestamp + this.s.allowedLateness;
    return t > END_OF_GLOBAL_WINDOW ? END_OF_GLOBAL_WINDOW : t;
  }

  private newWindow(ks: StateKey, key: unknown, w: BoundedWindow): WindowState {
    const st: WindowState = {
      w,
      k: key,
      acc: this.o.reducer.empty(),
      n: 0,
      trig: this.s.trigger.init(),
      pane: 0,
      nonSpec: 0,
      onTime: false,
      closed: false,
      outTs: undefined,
      hold: undefined,
      et: [],
      pt: [],
    };
    this.table.set(ks, w.id, st);
    this.setEventTimer(ks, st, this.gcTime(w));
    return st;
  }

  private setEventTimer(ks: StateKey, st: WindowState, t: Instant): void {
    if (st.et.includes(t)) return;
    st.et.push(t);
    this.eventTimers.add({ time: t, key: ks, ns: st.w.id, id: 'w' });
  }

  private setProcessingTimer(ks: StateKey, st: WindowState, t: Instant): void {
    if (st.pt.includes(t)) return;
    st.pt.push(t);
    this.procTimers.add({ time: t, key: ks, ns: st.w.id, id: 'w' });
  }

  /**
   * Updates the pending pane's output timestamp and watermark hold for an input at `ts`.
   * EARLIEST / LATEST, as in Beam: an input behind the output watermark holds nothing and has no say
   * in the timestamp; a pane of only such inputs is stamped with the end of its window (and holds
   * the watermark there while that is still ahead of it).
   */
  private noteTimestamp(ks: StateKey, st: WindowState, ts: Instant): void {
    const maxTs = st.w.maxTimestamp;
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
            this.holds.push({ time: maxTs, key: ks, ns: st.w.id });
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
    if (hold !== st.hold) {
      st.hold = hold;
      if (hold !== undefined) this.holds.push({ time: hold, key: ks, ns: st.w.id });
    }
  }

  private dropLate(wv: WindowedValue<KV<unknown, unknown>>, reason: LateRecord['reason']): void {
    this.o.metrics.lateDropped++;
    this.o.emitLate({
      value: { step: this.o.step, value: wv.value, timestamp: wv.timestamp, window: formatWindow(wv.window), reason },
      timestamp: wv.timestamp,
      window: wv.window,
      pane: wv.pane,
    });
  }

  private onTimer(t: QueuedTimer, domain: 'event' | 'processing'): void {
    const st = this.table.get(t.key, t.ns);
    if (!st) return;
    const list = domain === 'event' ? st.et : st.pt;
    const i = list.indexOf(t.time);
    if (i >= 0) list.splice(i, 1);
    if (!st.closed) this.maybeFire(t.key, st);
    if (this.inputWm > this.gcTime(st.w) && this.table.get(t.key, t.ns) === st) this.collect(t.key, st);
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
    this.table.delete(ks, st.w.id);
  }

  private fire(ks: StateKey, st: WindowState, garbageCollection: boolean): void {
    const wm = this.inputWm;
    const w = st.w;
    const timing: PaneTiming = wm <= w.maxTimestamp ? 'EARLY' : st.onTime ? 'LATE' : 'ON_TIME';
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
      const out = this.o.reducer.extract(st.acc, consume);
      const ts = st.outTs ?? w.maxTimestamp;
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
      st.pt = [];
    } else if (gcDue && !garbageCollection) {
      this.table.delete(ks, w.id);
    }
  }

  /**
   * Merges the key's active windows after adding proto-window `w` (sessions); returns the window
   * `w` ended up in. Accumulators, trigger states, pane counters and holds are merged.
   */
  private mergeInto(ks: StateKey, key: unknown, w: BoundedWindow): BoundedWindow {
    const existing = this.table.namespaces(ks);
    const active: BoundedWindow[] = [];
    if (existing) for (const st of existing.values()) if (!st.closed) active.push(st.w);
    if (!existing?.has(w.id)) active.push(w);
    const merges = this.s.windowFn.mergeWindows!(active);
    let target = w;
    for (const m of merges) {
      const states: WindowState[] = [];
      for (const mw of m.toMerge) {
        const st = this.table.get(ks, mw.id);
        if (st) states.push(st);
      }
      const resultPrev = this.table.get(ks, m.result.id);
      const merged: WindowState = {
        w: m.result,
        k: key,
        acc: this.o.reducer.merge(states.map((x) => x.acc)),
        n: states.reduce((a, x) => a + x.n, 0),
        trig: this.s.trigger.init(),
        pane: Math.max(0, ...states.map((x) => x.pane)),
        nonSpec: Math.max(0, ...states.map((x) => x.nonSpec)),
        // A merged window the watermark has not passed yet gets its own ON_TIME pane (as its trigger does).
        onTime: states.some((x) => x.onTime) && this.inputWm > m.result.maxTimestamp,
        closed: false,
        outTs: undefined,
        hold: undefined,
        et: [],
        pt: [],
      };
      if (this.retracting) {
        const retract: NonNullable<WindowState['retract']> = [];
        for (const x of states) {
          if (x.retract) retract.push(...x.retract);
          if (x.last && x.w.id !== m.result.id) retract.push({ ...x.last, window: x.w });
        }
        if (resultPrev?.last) merged.last = resultPrev.last;
        if (retract.length) merged.retract = retract;
      }
      for (const x of states) this.table.delete(ks, x.w.id);
      this.table.set(ks, m.result.id, merged);
      this.setEventTimer(ks, merged, this.gcTime(m.result));
      for (const x of states) if (x.outTs !== undefined) this.noteTimestamp(ks, merged, x.outTs);
      this.cur = merged;
      this.curKey = ks;
      merged.trig = this.s.trigger.onMerge(
        states.map((x) => x.trig),
        this.tctx,
      );
      if (m.toMerge.some((x) => x.id === w.id)) target = m.result;
    }
    return target;
  }

  /** Rebuilds timer queues and holds from restored state (timers live in state, not in the queues). */
  private rebuildFromState(): void {
    for (const [ks, ns, st] of this.table.entries()) {
      for (const t of st.et) this.eventTimers.add({ time: t, key: ks, ns, id: 'w' });
      for (const t of st.pt) this.procTimers.add({ time: t, key: ks, ns, id: 'w' });
      if (st.hold !== undefined) this.holds.push({ time: st.hold, key: ks, ns });
    }
  }
}
